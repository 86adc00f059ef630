-- Case management (issue 5): organisations as isolated tenants, staff in
-- tenants and teams, HTCDS cases with their sensitive values sealed field by
-- field under the tenant's key, and the referral index providers see.

-- Tenant 1 is the organisation that hosts the tip line (created by
-- `ctip serve init`); others are added with `ctip serve tenant add`. Each
-- has its own X25519 key pair; the secret exists only wrapped per staff
-- member, and the case-field and exchange keys are derived from it.
CREATE TABLE tenants (
    id                     BIGINT PRIMARY KEY,
    name                   TEXT NOT NULL UNIQUE,
    public_key             TEXT NOT NULL,
    closed_retention_days  BIGINT NOT NULL DEFAULT 1825,
    referred_retention_days BIGINT NOT NULL DEFAULT 1825,
    created_at             BIGINT NOT NULL
);

ALTER TABLE staff ADD COLUMN tenant_id BIGINT NOT NULL DEFAULT 1;
-- Comma-separated team ids (supervisors see these teams' cases).
ALTER TABLE staff ADD COLUMN teams TEXT NOT NULL DEFAULT '';
-- For provider accounts: the directory id of the service they act for.
ALTER TABLE staff ADD COLUMN provider_id TEXT;

ALTER TABLE audit ADD COLUMN tenant_id BIGINT NOT NULL DEFAULT 1;

-- Everything outside `document` is what access control and retention need,
-- never personal content. `document` is the HTCDS case as JSON with every
-- sensitive value replaced by a sealed string (XChaCha20-Poly1305 under the
-- tenant's case-field key, bound to the case and the field's path).
CREATE TABLE cases (
    tenant_id   BIGINT NOT NULL REFERENCES tenants (id),
    case_id     TEXT NOT NULL,
    owner       TEXT,
    team_id     TEXT,
    status      TEXT NOT NULL,
    closed_on   TEXT,
    legal_hold  BIGINT NOT NULL DEFAULT 0,
    created_day TEXT NOT NULL,
    updated_day TEXT NOT NULL,
    version     BIGINT NOT NULL,
    document    TEXT NOT NULL,
    PRIMARY KEY (tenant_id, case_id)
);
CREATE INDEX cases_owner ON cases (tenant_id, owner);
CREATE INDEX cases_team ON cases (tenant_id, team_id);

-- One row per outgoing referral that went through ctip, rewritten with the
-- case, so a provider's list needs no decryption.
CREATE TABLE case_referrals (
    tenant_id   BIGINT NOT NULL,
    case_id     TEXT NOT NULL,
    position    BIGINT NOT NULL,
    provider_id TEXT NOT NULL,
    status      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, case_id, position),
    FOREIGN KEY (tenant_id, case_id) REFERENCES cases (tenant_id, case_id) ON DELETE CASCADE
);
CREATE INDEX case_referrals_provider ON case_referrals (tenant_id, provider_id);

-- Signed HTCDS bundles received from other organisations (issue 6): who sent
-- them (their Ed25519 identity key), the bundle's SHA-256, and what happened.
CREATE TABLE case_exchanges (
    tenant_id      BIGINT NOT NULL REFERENCES tenants (id),
    bundle_sha256  TEXT NOT NULL,
    sender_key     TEXT NOT NULL,
    sender_name    TEXT NOT NULL,
    received_day   TEXT NOT NULL,
    imported       BIGINT NOT NULL,
    already_held   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, bundle_sha256)
);

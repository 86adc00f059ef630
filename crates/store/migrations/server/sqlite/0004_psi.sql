-- Private set intersection with partner organisations (issue 6 §1).
--
-- Nothing here holds an identifier in the clear: the items each side puts
-- in exist only in the request that carries them and in the server's memory
-- while a session runs. What an approved session revealed is kept sealed to
-- the tenant's key (only its staff can open it), beside its count.

-- Each tenant's Ed25519 identity towards other organisations. The key is
-- derived from the tenant's secret, which only signed-in staff hold, so the
-- public half is recorded when staff first derive it; it is how a signed
-- request names the tenant it is for.
CREATE TABLE psi_identities (
    tenant_id  BIGINT PRIMARY KEY REFERENCES tenants (id),
    public_key TEXT NOT NULL UNIQUE
);

-- Partner organisations a tenant exchanges with, and the limits it applies
-- to each (set-size cap, sessions per UTC day, whether values may be
-- revealed or only counts).
CREATE TABLE psi_peers (
    tenant_id            BIGINT NOT NULL REFERENCES tenants (id),
    name                 TEXT NOT NULL,
    base_url             TEXT NOT NULL,
    public_key           TEXT NOT NULL,
    max_set_size         BIGINT NOT NULL,
    max_sessions_per_day BIGINT NOT NULL,
    allow_intersection   BIGINT NOT NULL,
    created_at           BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, name),
    UNIQUE (tenant_id, public_key)
);

-- One row per session on this side. `sealed_result` is the list of shared
-- identifiers sealed to the tenant's public key (intersection mode only).
CREATE TABLE psi_sessions (
    tenant_id     BIGINT NOT NULL REFERENCES tenants (id),
    session_id    TEXT NOT NULL,
    peer          TEXT NOT NULL,
    role          TEXT NOT NULL,
    mode          TEXT NOT NULL,
    state         TEXT NOT NULL,
    created_day   TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    own_set_size  BIGINT,
    peer_set_size BIGINT,
    approved_by   TEXT,
    result_count  BIGINT,
    sealed_result BLOB,
    note          TEXT,
    PRIMARY KEY (tenant_id, session_id)
);
CREATE INDEX psi_sessions_peer_day ON psi_sessions (tenant_id, peer, created_day);

-- Request nonces seen from each sender, for replay protection. Rows older
-- than the accepted clock skew are deleted: a request that old is refused
-- by its timestamp anyway.
CREATE TABLE psi_nonces (
    sender_key TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    seen_at    BIGINT NOT NULL,
    PRIMARY KEY (sender_key, nonce)
);
CREATE INDEX psi_nonces_seen ON psi_nonces (seen_at);

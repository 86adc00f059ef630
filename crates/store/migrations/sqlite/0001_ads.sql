-- Scanned ads, their identifiers, and the history of scans.
CREATE TABLE scans (
    id              INTEGER PRIMARY KEY,
    started_at      TEXT NOT NULL,
    finished_at     TEXT,
    lexicon_version TEXT NOT NULL,
    ads_read        INTEGER NOT NULL DEFAULT 0,
    ads_scanned     INTEGER NOT NULL DEFAULT 0,
    malformed       INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE ads (
    id         TEXT PRIMARY KEY,
    title      TEXT,
    body       TEXT NOT NULL,
    url        TEXT,
    posted_at  TEXT,
    city       TEXT,
    region     TEXT,
    country    TEXT,
    name       TEXT,
    score      REAL NOT NULL,
    -- Compact JSON of identifiers and reasons (crates/store/src/encoding.rs).
    result     TEXT NOT NULL,
    scan_id    INTEGER NOT NULL REFERENCES scans(id)
);

-- Linking identifiers only (phones, e-mails, handles, wallets, domains):
-- the lookup table for search and network building. Ages and prices stay in
-- the ad's result.
CREATE TABLE ad_identifiers (
    kind   TEXT NOT NULL,
    value  TEXT NOT NULL,
    ad_id  TEXT NOT NULL,
    PRIMARY KEY (kind, value, ad_id)
) WITHOUT ROWID;
CREATE INDEX ad_identifiers_by_ad ON ad_identifiers(ad_id);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

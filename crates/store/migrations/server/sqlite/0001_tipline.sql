-- The tip line's tables. Nothing here can identify a reporter: no addresses,
-- no user agents, days instead of instants. Report contents, additions and
-- replies are sealed blobs.
CREATE TABLE tipline_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE staff (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    totp_secret   TEXT NOT NULL,
    wrapped_key   TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    disabled      BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE tips (
    id           INTEGER PRIMARY KEY,
    lookup       BLOB NOT NULL UNIQUE,
    reporter_key BLOB NOT NULL,
    received_day TEXT NOT NULL,
    urgency      BIGINT NOT NULL,
    status       TEXT NOT NULL,
    case_ref     TEXT,
    updated_day  TEXT NOT NULL,
    sealed       BLOB NOT NULL
);
CREATE INDEX tips_inbox ON tips (status, urgency, id);

CREATE TABLE tip_messages (
    id              INTEGER PRIMARY KEY,
    tip_id          BIGINT NOT NULL REFERENCES tips (id),
    author          TEXT NOT NULL,
    day             TEXT NOT NULL,
    sealed_org      BLOB NOT NULL,
    sealed_reporter BLOB
);
CREATE INDEX tip_messages_tip ON tip_messages (tip_id, id);

CREATE TABLE tip_attachments (
    id         INTEGER PRIMARY KEY,
    tip_id     BIGINT NOT NULL REFERENCES tips (id),
    media_type TEXT NOT NULL,
    sealed     BLOB NOT NULL
);
CREATE INDEX tip_attachments_tip ON tip_attachments (tip_id);

-- Append-only record of staff actions: who, what, which record; never
-- content. The case-management work makes it tamper-evident.
CREATE TABLE audit (
    id     INTEGER PRIMARY KEY,
    at     BIGINT NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    record TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);

-- The tamper-evident audit ledger (ctip-ledger): an RFC 9162 Merkle log of
-- who did what to which record, never personal content. `seq` is the Merkle
-- leaf index, gap-free from 0; `encoded` is the entry's canonical bytes (the
-- leaf) and `leaf_hash` is SHA-256(0x00 || encoded). Nothing here is trusted
-- on read: the store recomputes every hash and checks it against the signed
-- checkpoints.
CREATE TABLE ledger_entries (
    seq       INTEGER PRIMARY KEY CHECK (seq >= 0),
    leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32),
    encoded   BLOB NOT NULL
);

-- C2SP signed-note checkpoints, one per tree size. `created_at` (Unix
-- seconds) is informational and not signed.
CREATE TABLE ledger_checkpoints (
    size       INTEGER PRIMARY KEY CHECK (size >= 0),
    note       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Append-only by construction: the application never updates or deletes
-- ledger rows, so any attempt is a bug or an attack and is refused. (Someone
-- who can drop these triggers can still edit rows; verification catches that.)
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'the audit ledger is append-only');
END;
CREATE TRIGGER ledger_entries_no_delete BEFORE DELETE ON ledger_entries
BEGIN
    SELECT RAISE(ABORT, 'the audit ledger is append-only');
END;
CREATE TRIGGER ledger_checkpoints_no_update BEFORE UPDATE ON ledger_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'the audit ledger is append-only');
END;
CREATE TRIGGER ledger_checkpoints_no_delete BEFORE DELETE ON ledger_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'the audit ledger is append-only');
END;

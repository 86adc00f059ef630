-- The tamper-evident audit ledger (ctip-ledger): an RFC 9162 Merkle log of
-- who did what to which record, never personal content. `seq` is the Merkle
-- leaf index, gap-free from 0; `encoded` is the entry's canonical bytes (the
-- leaf) and `leaf_hash` is SHA-256(0x00 || encoded). Nothing here is trusted
-- on read: the store recomputes every hash and checks it against the signed
-- checkpoints.
CREATE TABLE ledger_entries (
    seq       BIGINT PRIMARY KEY CHECK (seq >= 0),
    leaf_hash BYTEA NOT NULL CHECK (octet_length(leaf_hash) = 32),
    encoded   BYTEA NOT NULL
);

-- C2SP signed-note checkpoints, one per tree size. `created_at` (Unix
-- seconds) is informational and not signed.
CREATE TABLE ledger_checkpoints (
    size       BIGINT PRIMARY KEY CHECK (size >= 0),
    note       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- Append-only by construction: the application never updates, deletes or
-- truncates ledger rows, so any attempt is a bug or an attack and is refused.
-- (Someone who can drop these triggers can still edit rows; verification
-- catches that.)
CREATE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit ledger is append-only (% on %)', TG_OP, TG_TABLE_NAME;
END;
$$;
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_checkpoints_append_only BEFORE UPDATE OR DELETE ON ledger_checkpoints
    FOR EACH ROW EXECUTE FUNCTION ledger_refuse_change();
CREATE TRIGGER ledger_checkpoints_no_truncate BEFORE TRUNCATE ON ledger_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_refuse_change();

-- Identifiers written during a scan wait here, in arrival order and without
-- an index, and are merged into ad_identifiers in key order when the scan
-- finishes (or when the store is next opened, after a crash): random-order
-- inserts into the indexed table were the slowest part of a large scan.
CREATE TABLE ad_identifiers_pending (
    kind     TEXT NOT NULL,
    value    TEXT NOT NULL,
    ad_id    TEXT NOT NULL,
    scan_id  INTEGER NOT NULL
);

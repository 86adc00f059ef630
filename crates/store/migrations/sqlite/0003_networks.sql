-- Template clusters and networks (ctip networks build).
--
-- Each linked ad keeps its MinHash sketch so that a new batch joins the
-- existing clusters without reading old text again. Clusters and networks
-- are named by the rowid of their earliest ad, a name that stays put as
-- they grow.
CREATE TABLE ad_links (
    ad_rowid  INTEGER PRIMARY KEY,
    -- The ad's scan when it was sketched: a later rescan of the same id
    -- may have changed its text, and then everything is rebuilt.
    scan_id   INTEGER NOT NULL,
    sketch    BLOB NOT NULL,
    template  INTEGER NOT NULL,
    network   INTEGER NOT NULL,
    -- Share of the ad's words its template explains (NULL: no template).
    coverage  REAL
);
CREATE INDEX ad_links_by_network ON ad_links(network);
CREATE INDEX ad_links_by_template ON ad_links(template);

-- Templates of clusters of two or more ads; slots written as ⟨…⟩.
CREATE TABLE templates (
    id          INTEGER PRIMARY KEY,
    ads         INTEGER NOT NULL,
    text        TEXT NOT NULL,
    coverage    REAL NOT NULL,
    compression REAL NOT NULL
);

-- Networks of two or more ads, with their summary as JSON.
CREATE TABLE networks (
    id       INTEGER PRIMARY KEY,
    ads      INTEGER NOT NULL,
    risk     REAL NOT NULL,
    summary  TEXT NOT NULL
);
CREATE INDEX networks_by_risk ON networks(risk DESC);

-- How each identifier shared by two or more ads was judged.
CREATE TABLE identifier_verdicts (
    kind        TEXT NOT NULL,
    value       TEXT NOT NULL,
    ads         INTEGER NOT NULL,
    groups      INTEGER NOT NULL,
    hub         INTEGER NOT NULL,
    overridden  INTEGER NOT NULL,
    PRIMARY KEY (kind, value)
) WITHOUT ROWID;

-- An analyst's decision on an identifier, which beats the hub rule.
CREATE TABLE hub_overrides (
    kind      TEXT NOT NULL,
    value     TEXT NOT NULL,
    decision  TEXT NOT NULL CHECK (decision IN ('link', 'suppress')),
    PRIMARY KEY (kind, value)
) WITHOUT ROWID;

//! Persistence for ctip.
//!
//! The embedded SQLite store is the default: one file, no server. Writes come
//! in batches inside one transaction each, so a crash loses at most the batch
//! in flight and never leaves an ad half-written. Scanning an ad id again
//! replaces its row and identifiers: re-running a scan is idempotent.
//!
//! Architecture invariant: this crate stores and loads domain values. It
//! never analyses text and never logs record contents.

mod bulk;
pub mod cases;
mod encoding;
pub mod ledger;
mod links;
pub mod psi;
pub mod tipline;

pub use bulk::BulkWriter;
pub use encoding::PreparedAd;
pub use links::{
    HubDecision, LinkState, LinkUpdate, LinkableAd, NetworkRow, TemplateRow, VerdictRow,
};

use ctip_core::{Ad, AdResult, IdentifierKind};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Row, SqlitePool};
use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;

/// Schema migrations, applied in order and recorded in `PRAGMA user_version`.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/sqlite/0001_ads.sql"),
    include_str!("../migrations/sqlite/0002_pending_identifiers.sql"),
    include_str!("../migrations/sqlite/0003_networks.sql"),
];

/// Moves pending identifiers into the indexed table. Sorted by ad, the rows
/// go into `ad_identifiers_by_ad` in its own order and into the primary key
/// in a scattered one; sorted by the primary key it is the other way round,
/// at the same B-tree cost, but SQLite's sorter then compares whole records
/// (the leading `kind` is nearly always equal): 5.4 s instead of 3.6 s for
/// the 1.5 M identifiers of a million ads. In arrival order it took 3.1 s
/// when the ads came in id order, but 10 s when they did not.
const MERGE_SORTED: &str = "INSERT OR IGNORE INTO ad_identifiers (kind, value, ad_id) \
     SELECT kind, value, ad_id FROM ad_identifiers_pending ORDER BY ad_id";
/// The same, for identifiers known to have arrived in ad order: rowid order
/// is the table's own, so nothing is sorted.
const MERGE_AS_ARRIVED: &str = "INSERT OR IGNORE INTO ad_identifiers (kind, value, ad_id) \
     SELECT kind, value, ad_id FROM ad_identifiers_pending ORDER BY rowid";
const CLEAR_PENDING: &str = "DELETE FROM ad_identifiers_pending";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("database error: {0}")]
    Bulk(#[from] rusqlite::Error),
    #[error("unsupported database URL scheme {0:?}: use sqlite://PATH or postgres://…")]
    Url(String),
    #[error("stored result for ad is corrupt: {0}")]
    Corrupt(#[from] serde_json::Error),
    #[error(
        "the store at {path} has schema version {found}, newer than this ctip understands ({known})"
    )]
    TooNew {
        path: String,
        found: i64,
        known: i64,
    },
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// Counts recorded at the end of a scan.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanCounts {
    pub ads_read: u64,
    pub ads_scanned: u64,
    pub malformed: u64,
}

/// An ad as stored, with its result.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredAd {
    pub ad: Ad,
    pub result: AdResult,
}

/// The ctip store.
#[derive(Clone)]
pub struct Store {
    pool: SqlitePool,
    /// The database file, for the scan's own writer connection.
    path: Arc<Path>,
}

impl Store {
    /// Opens (creating if needed) the SQLite store at `path` and brings its
    /// schema up to date.
    pub async fn open_sqlite(path: &Path) -> Result<Store> {
        let options = SqliteConnectOptions::from_str(&format!("sqlite://{}", path.display()))?
            .create_if_missing(true)
            // Ad rows run to about 600 bytes: 8 KiB pages split less often
            // than 4 KiB ones (39k → 43k ads/s on a million-ad scan). Takes
            // effect only when the file is created, before WAL is set.
            .pragma("page_size", "8192")
            .journal_mode(SqliteJournalMode::Wal)
            // WAL with NORMAL is durable across application crashes and
            // loses at most the last transactions on power loss.
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            // 64 MiB of page cache: identifiers arrive in append order and
            // are merged sorted, so a larger cache buys nothing but memory.
            .pragma("cache_size", "-65536")
            .pragma("wal_autocheckpoint", "16384");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await?;
        let store = Store {
            pool,
            path: Arc::from(path),
        };
        store.migrate(&path.display().to_string()).await?;
        // A scan that stopped before finishing left its identifiers pending.
        store.merge_pending_identifiers().await?;
        Ok(store)
    }

    async fn migrate(&self, path: &str) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        let version: i64 = sqlx::query_scalar("PRAGMA user_version")
            .fetch_one(&mut *conn)
            .await?;
        let known = MIGRATIONS.len() as i64;
        if version > known {
            return Err(StoreError::TooNew {
                path: path.to_owned(),
                found: version,
                known,
            });
        }
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            let mut tx = sqlx::Connection::begin(&mut *conn).await?;
            sqlx::raw_sql(*sql).execute(&mut *tx).await?;
            // PRAGMA takes no bind parameters; the value is our own integer.
            let set_version = sqlx::AssertSqlSafe(format!("PRAGMA user_version = {}", index + 1));
            sqlx::raw_sql(set_version).execute(&mut *tx).await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Moves identifiers waiting in `ad_identifiers_pending` into the indexed
    /// table, in one transaction.
    async fn merge_pending_identifiers(&self) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(MERGE_SORTED).execute(&mut *tx).await?;
        sqlx::query(CLEAR_PENDING).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records the start of a scan and returns its id.
    pub async fn begin_scan(&self, started_at: &str, lexicon_version: &str) -> Result<i64> {
        let id = sqlx::query(
            "INSERT INTO scans (started_at, lexicon_version) VALUES ($1, $2) RETURNING id",
        )
        .bind(started_at)
        .bind(lexicon_version)
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?;
        Ok(id)
    }

    pub async fn finish_scan(
        &self,
        scan_id: i64,
        finished_at: &str,
        counts: ScanCounts,
    ) -> Result<()> {
        self.merge_pending_identifiers().await?;
        sqlx::query("UPDATE scans SET finished_at = $1, ads_read = $2, ads_scanned = $3, malformed = $4 WHERE id = $5")
            .bind(finished_at)
            .bind(counts.ads_read as i64)
            .bind(counts.ads_scanned as i64)
            .bind(counts.malformed as i64)
            .bind(scan_id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The writer for a scan's batches: a connection of its own that writes
    /// synchronously, for a thread that does nothing else. Drop it before
    /// `finish_scan`.
    pub fn bulk_writer(&self, scan_id: i64) -> Result<BulkWriter> {
        BulkWriter::open(&self.path, scan_id)
    }

    /// Writes a batch of scanned ads in one transaction, replacing any ad
    /// with the same id and its identifiers. Opens a writer for the one
    /// batch and blocks while it writes: a scan keeps one `bulk_writer`
    /// instead.
    pub async fn write_batch(&self, scan_id: i64, batch: &[PreparedAd]) -> Result<()> {
        self.bulk_writer(scan_id)?.write_batch(batch)
    }

    pub async fn count_ads(&self) -> Result<u64> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ads")
            .fetch_one(&self.pool)
            .await?;
        Ok(n as u64)
    }

    /// One ad and its result, by id.
    pub async fn ad(&self, id: &str) -> Result<Option<StoredAd>> {
        let row = sqlx::query(
            "SELECT id, title, body, url, posted_at, city, region, country, name, score, result FROM ads WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| stored_ad(&r)).transpose()
    }

    /// The highest-scoring ads, best first.
    pub async fn top_ads(&self, limit: u32) -> Result<Vec<StoredAd>> {
        let rows = sqlx::query(
            "SELECT id, title, body, url, posted_at, city, region, country, name, score, result \
             FROM ads ORDER BY score DESC, id LIMIT $1",
        )
        .bind(i64::from(limit))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(stored_ad).collect()
    }

    /// Ids of the ads that carry an identifier.
    pub async fn ads_with_identifier(
        &self,
        kind: IdentifierKind,
        value: &str,
    ) -> Result<Vec<String>> {
        let ids = sqlx::query_scalar(
            "SELECT ad_id FROM ad_identifiers WHERE kind = $1 AND value = $2 ORDER BY ad_id",
        )
        .bind(kind.as_str())
        .bind(value)
        .fetch_all(&self.pool)
        .await?;
        Ok(ids)
    }

    pub async fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(sqlx::query_scalar("SELECT value FROM meta WHERE key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?)
    }

    pub async fn set_meta(&self, key: &str, value: &str) -> Result<()> {
        sqlx::query("INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT(key) DO UPDATE SET value = excluded.value")
            .bind(key)
            .bind(value)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn close(self) {
        self.pool.close().await;
    }
}

fn stored_ad(row: &sqlx::sqlite::SqliteRow) -> Result<StoredAd> {
    let ad = ad_from_row(row)?;
    let json: String = row.try_get("result")?;
    let score: f64 = row.try_get("score")?;
    let result = encoding::decode(&ad, score as f32, &json)?;
    Ok(StoredAd { ad, result })
}

/// The ad columns of a row, by name.
pub(crate) fn ad_from_row(row: &sqlx::sqlite::SqliteRow) -> Result<Ad> {
    Ok(Ad {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        body: row.try_get("body")?,
        url: row.try_get("url")?,
        posted_at: row.try_get("posted_at")?,
        city: row.try_get("city")?,
        region: row.try_get("region")?,
        country: row.try_get("country")?,
        name: row.try_get("name")?,
    })
}

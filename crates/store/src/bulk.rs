//! The scan's write path: batches of prepared ads into the analysis store.
//!
//! A scan's single writer thread is its critical path, so it talks to SQLite
//! synchronously through rusqlite (linking the same `libsqlite3-sys` as
//! sqlx) instead of through sqlx, which copied every value into owned
//! arguments and handed every statement to a worker thread: about as much
//! work again as SQLite's own. Everything else in the store stays on sqlx.
//!
//! The hot statements are prepared once and bind the batch's text where it
//! lies (`SQLITE_STATIC`), several rows per statement; see [`Borrowing`].
//!
//! The invariants are those of `Store::write_batch`: one transaction per
//! batch; an id written again replaces its row (keeping its rowid, which
//! `ad_links` refers to) and its identifiers; identifiers wait in
//! `ad_identifiers_pending` until the scan finishes.

use crate::{CLEAR_PENDING, MERGE_AS_ARRIVED, MERGE_SORTED, PreparedAd, Result};
use rusqlite::{Connection, OpenFlags, TransactionBehavior, ffi};
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::ffi::{c_int, c_uchar};
use std::path::Path;
use std::ptr::{self, NonNull};
use std::time::Duration;

/// Ads per multi-row INSERT (12 parameters each) and identifiers per
/// multi-row INSERT (4 each). With one row per statement, a statement's
/// fixed costs (cursors opened and closed, the table's last page sought
/// again from the root, the statement halted) were a fifth of the writer's
/// work.
const ADS_PER_STATEMENT: usize = 64;
const IDENTIFIERS_PER_STATEMENT: usize = 128;
/// Ids per `DELETE … IN (…)` of pending identifiers, far below SQLite's
/// limit on bound parameters.
const IDS_PER_DELETE: usize = 500;

const AD_COLUMNS: &str = "INSERT INTO ads (id, title, body, url, posted_at, city, region, country, name, score, result, scan_id) VALUES ";
/// An ad whose id is stored already is left alone by the INSERT and
/// replaced by `UPDATE_AD`, which keeps its rowid.
const AD_CONFLICT: &str = " ON CONFLICT(id) DO NOTHING";
const UPDATE_AD: &str = "UPDATE ads SET title = ?2, body = ?3, url = ?4, posted_at = ?5, city = ?6, \
     region = ?7, country = ?8, name = ?9, score = ?10, result = ?11, scan_id = ?12 WHERE id = ?1";
const LAST_ROWID: &str = "SELECT coalesce(max(rowid), 0) FROM ads";
const STORED_AD: &str = "SELECT rowid, scan_id FROM ads WHERE id = ?1";
const FORGET_MERGED: &str = "DELETE FROM ad_identifiers WHERE ad_id = ?1";
const PENDING_COLUMNS: &str =
    "INSERT INTO ad_identifiers_pending (kind, value, ad_id, scan_id) VALUES ";

/// The store's writer for one scan. Open it after `Store::begin_scan`;
/// [`BulkWriter::finish`] it (or drop it, leaving the merge to
/// `Store::finish_scan`) before `Store::finish_scan`.
pub struct BulkWriter {
    // Declared before `conn`, so they are finalized before it closes.
    many_ads: Borrowing,
    one_ad: Borrowing,
    update_ad: Borrowing,
    many_identifiers: Borrowing,
    one_identifier: Borrowing,
    conn: Connection,
    scan_id: i64,
    /// Whether every id so far came after the one before it, and the last.
    in_id_order: bool,
    last_id: Option<String>,
}

impl BulkWriter {
    /// Opens a second connection to the store at `path`, which
    /// `Store::open_sqlite` has already created and migrated.
    pub(crate) fn open(path: &Path, scan_id: i64) -> Result<BulkWriter> {
        // No URI parsing (a file named "file:…" stays a file) and no mutex:
        // the connection is used by one thread at a time.
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // The same settings as the sqlx connections (journal_mode and
        // page_size are kept in the file; these are per connection).
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "cache_size", -65536)?;
        conn.pragma_update(None, "wal_autocheckpoint", 16384)?;
        let ads = |rows| multi_row_sql(AD_COLUMNS, rows, 12, AD_CONFLICT);
        let identifiers = |rows| multi_row_sql(PENDING_COLUMNS, rows, 4, "");
        Ok(BulkWriter {
            many_ads: Borrowing::prepare(&conn, &ads(ADS_PER_STATEMENT))?,
            one_ad: Borrowing::prepare(&conn, &ads(1))?,
            update_ad: Borrowing::prepare(&conn, UPDATE_AD)?,
            many_identifiers: Borrowing::prepare(&conn, &identifiers(IDENTIFIERS_PER_STATEMENT))?,
            one_identifier: Borrowing::prepare(&conn, &identifiers(1))?,
            conn,
            scan_id,
            in_id_order: true,
            last_id: None,
        })
    }

    /// The scan this writer writes for.
    pub fn scan_id(&self) -> i64 {
        self.scan_id
    }

    /// Writes a batch of scanned ads in one transaction, replacing any ad
    /// with the same id and its identifiers. Within a batch the last of a
    /// repeated id wins, as if each had been written in turn.
    pub fn write_batch(&mut self, batch: &[PreparedAd]) -> Result<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let latest = last_of_each_id(batch);
        let scan_id = self.scan_id;
        if self.in_id_order {
            let follows = match (&self.last_id, latest.first()) {
                (Some(last), Some(first)) => last.as_str() < first.id(),
                _ => true,
            };
            self.in_id_order = follows && latest.windows(2).all(|pair| pair[0].id() < pair[1].id());
            self.last_id = latest.last().map(|last| last.id().to_owned());
        }
        // IMMEDIATE takes the write lock up front, so a reader never forces
        // the transaction to restart halfway.
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Ads stored earlier in this scan, whose pending identifiers must go.
        let mut repeated_in_scan: Vec<&str> = Vec::new();
        for chunk in chunks_then_singles(&latest, ADS_PER_STATEMENT) {
            // Rows this statement inserts get rowids above the largest before
            // it; a row it finds at or below was stored already.
            let before: i64 = tx
                .prepare_cached(LAST_ROWID)?
                .query_row([], |row| row.get(0))?;
            let insert = if chunk.len() == 1 {
                &mut self.one_ad
            } else {
                &mut self.many_ads
            };
            let values = chunk
                .iter()
                .flat_map(|prepared| ad_values(prepared, scan_id));
            if insert.run(values)? == chunk.len() {
                continue;
            }
            for prepared in chunk {
                let (rowid, stored_scan): (i64, i64) = tx
                    .prepare_cached(STORED_AD)?
                    .query_row([&prepared.ad.id], |row| Ok((row.get(0)?, row.get(1)?)))?;
                if rowid > before {
                    continue;
                }
                if stored_scan == scan_id {
                    repeated_in_scan.push(&prepared.ad.id);
                } else {
                    // Merged identifiers are indexed by ad: a cheap delete.
                    tx.prepare_cached(FORGET_MERGED)?
                        .execute([&prepared.ad.id])?;
                }
                self.update_ad.run(ad_values(prepared, scan_id))?;
            }
        }
        // The pending table has no index, so each delete scans it: one scan
        // per few hundred repeated ids, and none in a batch of new ads.
        for ids in repeated_in_scan.chunks(IDS_PER_DELETE) {
            let placeholders = vec!["?"; ids.len()].join(", ");
            let sql = format!("DELETE FROM ad_identifiers_pending WHERE ad_id IN ({placeholders})");
            tx.execute(&sql, rusqlite::params_from_iter(ids))?;
        }
        let identifiers: Vec<(&str, &str, &str)> = latest
            .iter()
            .flat_map(|prepared| {
                prepared.links.iter().map(move |(kind, value)| {
                    (kind.as_str(), value.as_str(), prepared.ad.id.as_str())
                })
            })
            .collect();
        for chunk in chunks_then_singles(&identifiers, IDENTIFIERS_PER_STATEMENT) {
            let insert = if chunk.len() == 1 {
                &mut self.one_identifier
            } else {
                &mut self.many_identifiers
            };
            insert.run(chunk.iter().flat_map(|&(kind, value, ad_id)| {
                [
                    Value::Text(kind),
                    Value::Text(value),
                    Value::Text(ad_id),
                    Value::Integer(scan_id),
                ]
            }))?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Moves the scan's identifiers from `ad_identifiers_pending` into the
    /// indexed table, in one transaction, skipping the sort when the ads
    /// arrived in id order (their identifiers are then in ad order already).
    pub fn finish(mut self) -> Result<()> {
        let merge = if self.in_id_order {
            MERGE_AS_ARRIVED
        } else {
            MERGE_SORTED
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        tx.execute(merge, [])?;
        tx.execute(CLEAR_PENDING, [])?;
        tx.commit()?;
        Ok(())
    }
}

/// An ad's twelve columns, in the order of `AD_COLUMNS` and `UPDATE_AD`.
fn ad_values(prepared: &PreparedAd, scan_id: i64) -> [Value<'_>; 12] {
    let ad = &prepared.ad;
    [
        Value::Text(&ad.id),
        ad.title.as_deref().into(),
        Value::Text(&ad.body),
        ad.url.as_deref().into(),
        ad.posted_at.as_deref().into(),
        ad.city.as_deref().into(),
        ad.region.as_deref().into(),
        ad.country.as_deref().into(),
        ad.name.as_deref().into(),
        Value::Real(f64::from(prepared.score)),
        Value::Text(&prepared.result),
        Value::Integer(scan_id),
    ]
}

/// `INSERT … VALUES (?, …), …` for `rows` rows of `columns` values.
fn multi_row_sql(head: &str, rows: usize, columns: usize, tail: &str) -> String {
    let row = format!("({})", vec!["?"; columns].join(", "));
    format!("{head}{}{tail}", vec![row.as_str(); rows].join(", "))
}

/// Full chunks of `size`, then what is left one at a time: two statements
/// to prepare, whatever the batch's length.
fn chunks_then_singles<T>(items: &[T], size: usize) -> impl Iterator<Item = &[T]> {
    let (whole, rest) = items.split_at(items.len() / size * size);
    whole.chunks(size).chain(rest.chunks(1))
}

/// The batch with each repeated id written once: where it first appears
/// (so its rowid is the one writing each in turn would give) but with its
/// last content.
fn last_of_each_id(batch: &[PreparedAd]) -> Vec<&PreparedAd> {
    let mut position: HashMap<&str, usize> = HashMap::with_capacity(batch.len());
    let mut latest: Vec<&PreparedAd> = Vec::with_capacity(batch.len());
    for prepared in batch {
        match position.entry(prepared.id()) {
            Entry::Occupied(at) => latest[*at.get()] = prepared,
            Entry::Vacant(slot) => {
                slot.insert(latest.len());
                latest.push(prepared);
            }
        }
    }
    latest
}

/// A value bound for one run of a statement.
#[derive(Debug, Clone, Copy)]
enum Value<'a> {
    Null,
    Integer(i64),
    Real(f64),
    Text(&'a str),
}

impl<'a> From<Option<&'a str>> for Value<'a> {
    fn from(text: Option<&'a str>) -> Value<'a> {
        text.map_or(Value::Null, Value::Text)
    }
}

/// A statement prepared for the writer's lifetime that binds text without
/// copying it.
///
/// rusqlite binds every text as `SQLITE_TRANSIENT`, so SQLite allocates and
/// copies each value before copying it again into the row; with several
/// rows per statement those allocations outgrow the connection's lookaside
/// and cost more than the rows' inserts. Here text is bound as
/// `SQLITE_STATIC` for the length of one [`Borrowing::run`], which unbinds
/// everything before it returns, so SQLite never holds a pointer into data
/// that the caller may free.
struct Borrowing {
    stmt: NonNull<ffi::sqlite3_stmt>,
    db: NonNull<ffi::sqlite3>,
    parameters: usize,
}

// SAFETY: the statement belongs to a connection opened without SQLite's
// mutex, which is `Send`; both live in the same `BulkWriter` and so move
// between threads together and are never used from two at once.
unsafe impl Send for Borrowing {}

impl Borrowing {
    /// Prepares `sql` on `conn`. The statement must be dropped before
    /// `conn` (`BulkWriter` declares its statements first).
    fn prepare(conn: &Connection, sql: &str) -> Result<Borrowing> {
        // SAFETY: the handle is only used while `conn` is open (see above).
        let db = unsafe { conn.handle() };
        let db = NonNull::new(db).ok_or(rusqlite::Error::InvalidQuery)?;
        let length = c_int::try_from(sql.len()).map_err(|_| rusqlite::Error::InvalidQuery)?;
        let mut stmt = ptr::null_mut();
        // SAFETY: `sql` is valid for `length` bytes; `stmt` receives the
        // statement or stays null.
        let rc = unsafe {
            ffi::sqlite3_prepare_v3(
                db.as_ptr(),
                sql.as_ptr().cast(),
                length,
                ffi::SQLITE_PREPARE_PERSISTENT,
                &mut stmt,
                ptr::null_mut(),
            )
        };
        if rc != ffi::SQLITE_OK {
            return Err(failure(db, rc).into());
        }
        let stmt = NonNull::new(stmt).ok_or(rusqlite::Error::InvalidQuery)?;
        // SAFETY: `stmt` is a live statement.
        let parameters = unsafe { ffi::sqlite3_bind_parameter_count(stmt.as_ptr()) };
        Ok(Borrowing {
            stmt,
            db,
            parameters: usize::try_from(parameters).unwrap_or(0),
        })
    }

    /// Runs the statement once with `values`, one per parameter, and
    /// returns how many rows it changed.
    fn run<'v>(&mut self, values: impl IntoIterator<Item = Value<'v>>) -> Result<usize> {
        let outcome = self.bind_and_step(values);
        // SAFETY: `stmt` is live. Resetting and clearing the bindings here
        // means no pointer to `values` survives this call, whatever the
        // outcome.
        unsafe {
            ffi::sqlite3_reset(self.stmt.as_ptr());
            ffi::sqlite3_clear_bindings(self.stmt.as_ptr());
        }
        outcome
    }

    fn bind_and_step<'v>(&mut self, values: impl IntoIterator<Item = Value<'v>>) -> Result<usize> {
        let stmt = self.stmt.as_ptr();
        let mut bound = 0usize;
        for value in values {
            bound += 1;
            let index = c_int::try_from(bound).map_err(|_| rusqlite::Error::InvalidQuery)?;
            // SAFETY: `stmt` is live; text stays borrowed until `run`
            // clears the bindings, and SQLite reads exactly `len` bytes.
            let rc = unsafe {
                match value {
                    Value::Null => ffi::sqlite3_bind_null(stmt, index),
                    Value::Integer(i) => ffi::sqlite3_bind_int64(stmt, index, i),
                    Value::Real(r) => ffi::sqlite3_bind_double(stmt, index, r),
                    // An empty string still gets a real byte to point at.
                    Value::Text("") => ffi::sqlite3_bind_text64(
                        stmt,
                        index,
                        c"".as_ptr(),
                        0,
                        ffi::SQLITE_STATIC(),
                        ffi::SQLITE_UTF8 as c_uchar,
                    ),
                    Value::Text(text) => ffi::sqlite3_bind_text64(
                        stmt,
                        index,
                        text.as_ptr().cast(),
                        text.len() as u64,
                        ffi::SQLITE_STATIC(),
                        ffi::SQLITE_UTF8 as c_uchar,
                    ),
                }
            };
            if rc != ffi::SQLITE_OK {
                return Err(failure(self.db, rc).into());
            }
        }
        if bound != self.parameters {
            return Err(rusqlite::Error::InvalidParameterCount(bound, self.parameters).into());
        }
        // SAFETY: `stmt` is live and fully bound.
        let rc = unsafe { ffi::sqlite3_step(stmt) };
        if rc != ffi::SQLITE_DONE {
            return Err(failure(self.db, rc).into());
        }
        // SAFETY: `db` is the statement's open connection.
        let changed = unsafe { ffi::sqlite3_changes64(self.db.as_ptr()) };
        Ok(usize::try_from(changed).unwrap_or(0))
    }
}

impl Drop for Borrowing {
    fn drop(&mut self) {
        // SAFETY: `stmt` is live and finalized once; the connection is
        // still open (field order in `BulkWriter`).
        unsafe {
            ffi::sqlite3_finalize(self.stmt.as_ptr());
        }
    }
}

/// SQLite's error for `rc`, with the connection's message.
fn failure(db: NonNull<ffi::sqlite3>, rc: c_int) -> rusqlite::Error {
    // SAFETY: `db` is open; the message is copied before any other call.
    let message = unsafe {
        let text = ffi::sqlite3_errmsg(db.as_ptr());
        (!text.is_null()).then(|| {
            std::ffi::CStr::from_ptr(text)
                .to_string_lossy()
                .into_owned()
        })
    };
    rusqlite::Error::SqliteFailure(ffi::Error::new(rc), message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ScanCounts, Store};
    use ctip_core::{Ad, AdResult, Identifier, IdentifierKind, Span};

    fn prepared(id: &str, body: &str, phone: &str) -> PreparedAd {
        let ad = Ad {
            id: id.into(),
            body: body.into(),
            title: Some(String::new()),
            ..Ad::default()
        };
        let result = AdResult {
            id: id.into(),
            identifiers: vec![Identifier::new(
                IdentifierKind::Phone,
                phone,
                Span::new(0, 1),
            )],
            indicators: vec![],
            score: 0.5,
            reasons: vec![],
        };
        PreparedAd::new(ad, &result)
    }

    fn phone(n: usize) -> String {
        format!("+1213555{n:04}")
    }

    async fn open() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open_sqlite(&dir.path().join("s.sqlite"))
            .await
            .expect("opened");
        (dir, store)
    }

    async fn finish(store: &Store, scan: i64) {
        store
            .finish_scan(scan, "2026-12-01T00:00:00Z", ScanCounts::default())
            .await
            .expect("finished");
    }

    async fn rowid(store: &Store, id: &str) -> i64 {
        sqlx::query_scalar("SELECT rowid FROM ads WHERE id = $1")
            .bind(id)
            .fetch_one(&store.pool)
            .await
            .expect("stored")
    }

    async fn phones_of(store: &Store, id: &str) -> Vec<String> {
        sqlx::query_scalar("SELECT value FROM ad_identifiers WHERE ad_id = $1 ORDER BY value")
            .bind(id)
            .fetch_all(&store.pool)
            .await
            .expect("identifiers")
    }

    #[tokio::test]
    async fn an_id_repeated_in_a_batch_keeps_its_first_place_and_its_last_content() {
        let (_dir, store) = open().await;
        let scan = store.begin_scan("t", "test").await.expect("scan");
        let mut writer = store.bulk_writer(scan).expect("writer");
        writer
            .write_batch(&[
                prepared("a", "first", &phone(1)),
                prepared("b", "other", &phone(2)),
                prepared("a", "second", &phone(3)),
            ])
            .expect("written");
        drop(writer);
        finish(&store, scan).await;
        assert_eq!(store.count_ads().await.expect("count"), 2);
        assert!(rowid(&store, "a").await < rowid(&store, "b").await);
        let a = store.ad("a").await.expect("read").expect("present");
        assert_eq!(a.ad.body, "second");
        assert_eq!(a.ad.title.as_deref(), Some(""), "empty text is stored");
        assert_eq!(phones_of(&store, "a").await, vec![phone(3)]);
    }

    #[tokio::test]
    async fn stored_ads_inside_a_multi_row_statement_are_replaced_in_place() {
        let (_dir, store) = open().await;
        let count = ADS_PER_STATEMENT * 2 + 3;
        let first = store.begin_scan("t1", "test").await.expect("scan");
        let mut writer = store.bulk_writer(first).expect("writer");
        let batch: Vec<PreparedAd> = (0..count)
            .map(|n| prepared(&format!("old-{n:04}"), "old text", &phone(n)))
            .collect();
        writer.write_batch(&batch).expect("written");
        drop(writer);
        finish(&store, first).await;
        let rowids_before = old_rowids(&store, count).await;

        // Every third ad of the second scan was stored by the first.
        let second = store.begin_scan("t2", "test").await.expect("scan");
        let mut writer = store.bulk_writer(second).expect("writer");
        let batch: Vec<PreparedAd> = (0..count)
            .map(|n| {
                if n % 3 == 0 {
                    prepared(&format!("old-{n:04}"), "new text", &phone(5000 + n))
                } else {
                    prepared(&format!("new-{n:04}"), "fresh", &phone(n))
                }
            })
            .collect();
        writer.write_batch(&batch).expect("written");
        drop(writer);
        finish(&store, second).await;

        let fresh = (0..count).filter(|n| n % 3 != 0).count() as u64;
        assert_eq!(
            store.count_ads().await.expect("count"),
            count as u64 + fresh
        );
        assert_eq!(old_rowids(&store, count).await, rowids_before);
        for n in 0..count {
            let old = store
                .ad(&format!("old-{n:04}"))
                .await
                .expect("read")
                .expect("present");
            let expected = if n % 3 == 0 { "new text" } else { "old text" };
            assert_eq!(old.ad.body, expected, "old-{n:04}");
            let phones = phones_of(&store, &format!("old-{n:04}")).await;
            let expected = if n % 3 == 0 {
                phone(5000 + n)
            } else {
                phone(n)
            };
            assert_eq!(phones, vec![expected], "old-{n:04}");
        }
        let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ad_identifiers_pending")
            .fetch_one(&store.pool)
            .await
            .expect("count");
        assert_eq!(pending, 0);
    }

    async fn old_rowids(store: &Store, count: usize) -> Vec<i64> {
        let mut rowids = Vec::with_capacity(count);
        for n in 0..count {
            rowids.push(rowid(store, &format!("old-{n:04}")).await);
        }
        rowids
    }

    #[tokio::test]
    async fn an_id_written_again_in_the_same_scan_drops_its_pending_identifiers() {
        let (_dir, store) = open().await;
        let scan = store.begin_scan("t", "test").await.expect("scan");
        let mut writer = store.bulk_writer(scan).expect("writer");
        let filler = |from: usize| -> Vec<PreparedAd> {
            (from..from + ADS_PER_STATEMENT)
                .map(|n| prepared(&format!("f-{n}"), "filler", &phone(n)))
                .collect()
        };
        let mut batch = vec![prepared("a", "first", &phone(7000))];
        batch.extend(filler(0));
        writer.write_batch(&batch).expect("written");
        let mut batch = filler(100);
        batch.push(prepared("a", "again", &phone(7001)));
        writer.write_batch(&batch).expect("written");
        drop(writer);
        finish(&store, scan).await;
        assert_eq!(phones_of(&store, "a").await, vec![phone(7001)]);
        assert_eq!(
            store.count_ads().await.expect("count"),
            1 + 2 * ADS_PER_STATEMENT as u64
        );
    }

    #[tokio::test]
    async fn finishing_merges_the_identifiers_whatever_order_the_ads_came_in() {
        for ids in [["a", "b", "c"], ["c", "a", "b"]] {
            let (_dir, store) = open().await;
            let scan = store.begin_scan("t", "test").await.expect("scan");
            let mut writer = store.bulk_writer(scan).expect("writer");
            for (n, id) in ids.iter().enumerate() {
                writer
                    .write_batch(&[prepared(id, "text", &phone(n))])
                    .expect("written");
            }
            assert_eq!(writer.in_id_order, ids == ["a", "b", "c"]);
            writer.finish().expect("merged");
            let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM ad_identifiers_pending")
                .fetch_one(&store.pool)
                .await
                .expect("count");
            assert_eq!(pending, 0, "{ids:?}");
            for (n, id) in ids.iter().enumerate() {
                assert_eq!(phones_of(&store, id).await, vec![phone(n)], "{ids:?}");
            }
        }
    }

    #[test]
    fn full_chunks_come_first_then_single_rows() {
        let items: Vec<usize> = (0..10).collect();
        let sizes: Vec<usize> = chunks_then_singles(&items, 4).map(<[usize]>::len).collect();
        assert_eq!(sizes, vec![4, 4, 1, 1]);
        let sql = multi_row_sql("INSERT INTO t (a, b) VALUES ", 2, 2, "");
        assert_eq!(sql, "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)");
    }
}

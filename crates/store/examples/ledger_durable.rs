//! Durable append rate and whole-log verification time of the audit ledger.
//!
//! ```text
//! cargo run --release -p ctip-store --example ledger_durable -- \
//!     [--single 2000] [--concurrent 50000] [--callers 64] [--total 1000000] [--batch 1000]
//! ```
//!
//! On SQLite (a file in a temporary directory, WAL, `synchronous=FULL`) and, when
//! `CTIP_TEST_POSTGRES_URL` is set, on PostgreSQL (in a fresh schema, dropped at the end):
//! 1. `--single` appends from one caller, each waiting for its commit;
//! 2. `--concurrent` appends from `--callers` tasks at once (group commit);
//! 3. `append_batch` calls of `--batch` entries until the log holds `--total` entries;
//! 4. `verify_all` over the whole log, then reopening the store (which verifies too).
//!
//! Every append counted here returned only after its transaction committed.

use std::error::Error;
use std::time::{Duration, Instant};

use ctip_ledger::{Action, Actor, Detail, RecordRef, Signer, Tenant};
use ctip_store::ledger::{LedgerStore, NewEntry};
use ctip_store::tipline::TipDb;

type Result<T> = std::result::Result<T, Box<dyn Error>>;

struct Options {
    single: u64,
    concurrent: u64,
    callers: u64,
    total: u64,
    batch: u64,
}

fn parse_options() -> Result<Options> {
    let mut options = Options {
        single: 2_000,
        concurrent: 50_000,
        callers: 64,
        total: 1_000_000,
        batch: 1_000,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value: u64 = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value"))?
            .parse()
            .map_err(|_| format!("{flag} needs a whole number"))?;
        match flag.as_str() {
            "--single" => options.single = value,
            "--concurrent" => options.concurrent = value,
            "--callers" => options.callers = value.max(1),
            "--total" => options.total = value,
            "--batch" => options.batch = value.max(1),
            other => return Err(format!("unknown option {other}").into()),
        }
    }
    Ok(options)
}

/// A realistic entry: a staff member reading or updating a tip in one of a few tenants.
fn entry(i: u64) -> Result<NewEntry> {
    let action = if i.is_multiple_of(3) {
        Action::Update
    } else {
        Action::Read
    };
    let entry = NewEntry::new(
        1_760_000_000 + (i / 10) as i64,
        Actor::new(format!("user:{}", i % 97))?,
        action,
        RecordRef::new("tip", (i % 50_000).to_string())?,
        Tenant::new(format!("org-{}", i % 5))?,
    );
    Ok(if i.is_multiple_of(3) {
        entry.with_detail(Detail::new("fields=status")?)
    } else {
        entry
    })
}

fn rate(count: u64, elapsed: Duration) -> f64 {
    count as f64 / elapsed.as_secs_f64()
}

async fn run(label: &str, url: &str, options: &Options) -> Result<()> {
    println!("== {label}");
    let db = TipDb::connect(url).await?;
    let signer = Signer::from_seed("ctip.bench/audit", &[3u8; 32])?;
    let store = LedgerStore::open(&db, signer.clone()).await?;
    let mut next = store.size().await;

    let started = Instant::now();
    for _ in 0..options.single {
        store.append(entry(next)?).await?;
        next += 1;
    }
    let elapsed = started.elapsed();
    println!(
        "1 caller:        {:>9} appends in {:>7.2?}  {:>9.0} durable entries/s",
        options.single,
        elapsed,
        rate(options.single, elapsed)
    );

    let per_caller = options.concurrent / options.callers;
    let started = Instant::now();
    let mut tasks = Vec::new();
    for caller in 0..options.callers {
        let store = store.clone();
        let first = next + caller * per_caller;
        tasks.push(tokio::spawn(async move {
            for i in first..first + per_caller {
                let new = entry(i).map_err(|e| e.to_string())?;
                store.append(new).await.map_err(|e| e.to_string())?;
            }
            Ok::<(), String>(())
        }));
    }
    for task in tasks {
        task.await??;
    }
    let elapsed = started.elapsed();
    let appended = per_caller * options.callers;
    next += appended;
    println!(
        "{:>3} callers:     {:>9} appends in {:>7.2?}  {:>9.0} durable entries/s",
        options.callers,
        appended,
        elapsed,
        rate(appended, elapsed)
    );

    let started = Instant::now();
    let before = next;
    while next < options.total {
        let count = options.batch.min(options.total - next);
        let batch = (next..next + count)
            .map(entry)
            .collect::<Result<Vec<_>>>()?;
        store.append_batch(batch).await?;
        next += count;
    }
    let elapsed = started.elapsed();
    if next > before {
        println!(
            "append_batch:    {:>9} entries in {:>7.2?}  {:>9.0} durable entries/s ({} per call)",
            next - before,
            elapsed,
            rate(next - before, elapsed),
            options.batch
        );
    }
    store.checkpoint().await?;
    drop(store);

    if let Some(path) = url.strip_prefix("sqlite://") {
        let wal = std::fs::metadata(format!("{path}-wal")).map_or(0, |m| m.len());
        let main = std::fs::metadata(path).map_or(0, |m| m.len());
        println!(
            "SQLite files:    main {} MB, write-ahead log {} MB",
            main >> 20,
            wal >> 20
        );
    }
    let verifier = signer.verifier();
    let report = LedgerStore::verify_all(&db, &verifier).await?;
    println!(
        "verify_all:      {:>9} entries in {:>7.2?}  {:>9.0} entries/s ({} checkpoints, {} consistency proofs)",
        report.entries,
        report.elapsed,
        rate(report.entries, report.elapsed),
        report.checkpoints,
        report.consistency_proofs
    );
    let started = Instant::now();
    let reopened = LedgerStore::open(&db, signer).await?;
    println!(
        "open (verifies): {:>9} entries in {:>7.2?}",
        reopened.size().await,
        started.elapsed()
    );
    drop(reopened);
    // Twice more, now that the page cache is warm: the machine is shared, so single
    // timings are noisy.
    for _ in 0..2 {
        let report = LedgerStore::verify_all(&db, &verifier).await?;
        println!(
            "verify_all again:{:>9} entries in {:>7.2?}  {:>9.0} entries/s",
            report.entries,
            report.elapsed,
            rate(report.entries, report.elapsed)
        );
    }
    db.close().await;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let options = parse_options()?;
    let dir = tempfile::tempdir()?;
    let sqlite = format!("sqlite://{}", dir.path().join("ledger.sqlite").display());
    run("SQLite (WAL, synchronous=FULL)", &sqlite, &options).await?;

    if let Ok(admin_url) = std::env::var("CTIP_TEST_POSTGRES_URL") {
        sqlx::any::install_default_drivers();
        let schema = format!("ledger_bench_{}", std::process::id());
        let admin = sqlx::AnyPool::connect(&admin_url).await?;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}")))
            .execute(&admin)
            .await?;
        let separator = if admin_url.contains('?') { '&' } else { '?' };
        let url = format!("{admin_url}{separator}options=-c%20search_path%3D{schema}");
        let outcome = run("PostgreSQL", &url, &options).await;
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("DROP SCHEMA {schema} CASCADE")))
            .execute(&admin)
            .await?;
        admin.close().await;
        outcome?;
    } else {
        println!("== PostgreSQL skipped: CTIP_TEST_POSTGRES_URL is not set");
    }
    Ok(())
}

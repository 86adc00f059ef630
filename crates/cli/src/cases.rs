//! `ctip serve cases`: the retention sweep and retention settings.

use anyhow::{Context, Result};
use clap::Subcommand;
use ctip_store::tipline::TipDb;

use crate::ExitCode;
use crate::serve::{Site, load_ledger_key};

#[derive(Subcommand)]
pub enum CasesAction {
    /// Purge every closed case whose retention period has passed (unless
    /// under legal hold), in every tenant, recording each purge in the
    /// ledger. Run it daily (cron or a systemd timer).
    Purge {
        /// Purge as if today were this day (YYYY-MM-DD), to preview or test.
        #[arg(long)]
        as_of: Option<String>,
        /// List what would be purged without purging.
        #[arg(long)]
        dry_run: bool,
    },
    /// Write the analyst's tenant's cases that have consent to statistics,
    /// de-identified, as an HTCDS bundle for `ctip stats`. The analyst's
    /// password comes from CTIP_PASSWORD or stdin.
    ExportDeidentified {
        /// The analyst exporting (their password unlocks the tenant's key).
        #[arg(long)]
        by: String,
        /// Where to write the bundle (created; refuses to overwrite).
        #[arg(long)]
        out: std::path::PathBuf,
    },
    /// Set how many days a tenant keeps closed cases.
    Retention {
        /// The tenant's id (1: the organisation hosting the tip line).
        #[arg(long, default_value_t = 1)]
        tenant: i64,
        /// Days to keep `Closed` cases after closing.
        #[arg(long)]
        closed_days: u32,
        /// Days to keep `ClosedReferred` cases after closing.
        #[arg(long)]
        referred_days: u32,
    },
}

pub async fn run(db: &TipDb, site: &Site<'_>, action: &CasesAction, now: i64) -> Result<ExitCode> {
    match action {
        CasesAction::Purge { as_of, dry_run } => {
            let today = match as_of {
                Some(day) => ctip_cases::IsoDate::parse(day)
                    .map_err(|e| anyhow::anyhow!("--as-of {day:?}: {e}"))?,
                None => ctip_server::case_store::today(now),
            };
            let ledger = if *dry_run {
                None
            } else {
                let signer = load_ledger_key(&site.ledger_key_path()?)?;
                Some(ctip_store::ledger::LedgerStore::open(db, signer).await?)
            };
            let report =
                ctip_server::retention::sweep(db, ledger.as_ref(), today, *dry_run).await?;
            for line in &report.problems {
                eprintln!("kept: {line}");
            }
            println!(
                "{} closed cases checked; {} {}; {} kept under legal hold; {} kept until due",
                report.checked,
                report.purged.len(),
                if *dry_run {
                    "due for purging"
                } else {
                    "purged"
                },
                report.held,
                report.kept,
            );
            for (tenant, case_id) in &report.purged {
                println!("  tenant {tenant}: {case_id}");
            }
            Ok(if report.problems.is_empty() {
                ExitCode::Ok
            } else {
                ExitCode::Error
            })
        }
        CasesAction::ExportDeidentified { by, out } => {
            let password = crate::serve::secret("CTIP_PASSWORD", "the analyst's password")?;
            let signer = load_ledger_key(&site.ledger_key_path()?)?;
            let ledger = ctip_store::ledger::LedgerStore::open(db, signer).await?;
            let today = ctip_server::case_store::today(now);
            let export =
                ctip_server::case_store::research_export(db, Some(&ledger), by, &password, today)
                    .await?;
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(out)
                .with_context(|| format!("cannot create {}", out.display()))?;
            serde_json::to_writer_pretty(&mut file, &export.bundle)
                .with_context(|| format!("cannot write {}", out.display()))?;
            file.sync_all()?;
            println!(
                "{} de-identified cases written to {}; {} left out without consent to statistics",
                export.exported,
                out.display(),
                export.without_consent
            );
            Ok(ExitCode::Ok)
        }
        CasesAction::Retention {
            tenant,
            closed_days,
            referred_days,
        } => {
            ctip_cases::RetentionPolicy::new(*closed_days, *referred_days)?;
            if db.tenant(*tenant).await?.is_none() {
                anyhow::bail!("no tenant {tenant}");
            }
            db.set_retention(*tenant, *closed_days as i64, *referred_days as i64)
                .await?;
            println!(
                "tenant {tenant}: closed cases kept {closed_days} days, closed-referred {referred_days} days"
            );
            Ok(ExitCode::Ok)
        }
    }
}

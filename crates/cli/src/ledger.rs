//! `ctip ledger`: check the tamper-evident audit ledger from the database
//! alone, without trusting the server that wrote it.

use anyhow::{Result, bail};
use clap::{Args, Subcommand};
use ctip_store::ledger::LedgerStore;
use std::path::PathBuf;

use crate::ExitCode;
use crate::serve::{Site, load_ledger_key};

#[derive(Args)]
pub struct LedgerArgs {
    /// The tip line's database (`sqlite://PATH` or `postgres://…`); default
    /// beside the store.
    #[arg(long, env = "CTIP_DATABASE", global = true)]
    database: Option<String>,
    #[arg(
        long,
        env = "CTIP_DB",
        default_value = "ctip-data/ctip.sqlite",
        global = true
    )]
    store: PathBuf,
    #[arg(long, env = "CTIP_RECEIPT_KEY", global = true)]
    receipt_key: Option<PathBuf>,
    /// The ledger's signing key file (its public half verifies).
    #[arg(long, env = "CTIP_LEDGER_KEY", global = true)]
    ledger_key: Option<PathBuf>,
    #[command(subcommand)]
    command: LedgerCommand,
}

#[derive(Subcommand)]
pub enum LedgerCommand {
    /// Re-hash every entry, check every signed checkpoint, its chain and the
    /// consistency between consecutive checkpoints. Exit 1 on any mismatch.
    Verify {
        /// Verifier key (`name+hex+base64`) to use instead of the key file:
        /// what an outside auditor holds.
        #[arg(long)]
        verifier: Option<String>,
        /// Checkpoint notes kept outside the database (files), to detect a
        /// rollback of the newest entries.
        #[arg(long)]
        witness: Vec<PathBuf>,
    },
}

pub fn run(args: LedgerArgs) -> Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let site = Site {
            database: args.database.as_deref(),
            store: &args.store,
            receipt_key: args.receipt_key.as_deref(),
            ledger_key: args.ledger_key.as_deref(),
        };
        match args.command {
            LedgerCommand::Verify { verifier, witness } => {
                let verifier = match verifier {
                    Some(text) => ctip_ledger::Verifier::parse(text.trim())
                        .map_err(|e| anyhow::anyhow!("--verifier: {e}"))?,
                    None => {
                        let path = site.ledger_key_path()?;
                        if !path.exists() {
                            bail!("{}: no ledger key; give --ledger-key or --verifier", path.display());
                        }
                        load_ledger_key(&path)?.verifier()
                    }
                };
                let notes: Vec<String> = witness
                    .iter()
                    .map(|p| {
                        std::fs::read_to_string(p)
                            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", p.display()))
                    })
                    .collect::<Result<_>>()?;
                let note_refs: Vec<&str> = notes.iter().map(String::as_str).collect();
                let db = site.open_database().await?;
                match LedgerStore::verify_all_with(&db, &verifier, &note_refs).await {
                    Ok(report) => {
                        println!(
                            "ledger verified: {} entries, {} checkpoints ({} consistency proofs, {} witnessed), {} entries after the last checkpoint, root {}, in {:.2} s",
                            report.entries,
                            report.checkpoints,
                            report.consistency_proofs,
                            report.witnessed_checkpoints,
                            report.unsigned_entries,
                            data_hex(&report.root.0),
                            report.elapsed.as_secs_f64()
                        );
                        Ok(ExitCode::Ok)
                    }
                    Err(e) => {
                        eprintln!("error: the ledger does NOT verify: {e}");
                        Ok(ExitCode::Error)
                    }
                }
            }
        }
    })
}

fn data_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

//! `ctip serve exchange`: signed HTCDS case bundles between organisations
//! (see `ctip_server::exchange` for who may do what, and why).

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use ctip_share::bundle::IdentityKey;
use ctip_store::tipline::TipDb;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::ExitCode;
use crate::serve::{Secrets, Site, load_ledger_key};

#[derive(Subcommand)]
pub enum ExchangeAction {
    /// Print this organisation's identity key, for partners to trust
    /// (`--trust`). Password from CTIP_PASSWORD or stdin.
    Identity {
        /// A supervisor or administrator.
        #[arg(long = "as", value_name = "STAFF")]
        staff: String,
    },
    /// Sign the cases of your teams that have consent to sharing today into
    /// a bundle for another organisation. Cases without that consent are
    /// left out and counted. Password from CTIP_PASSWORD or stdin.
    Export {
        /// The supervisor signing the bundle.
        #[arg(long = "as", value_name = "STAFF")]
        staff: String,
        /// The organisation the bundle is for (its name, as it calls
        /// itself); it refuses bundles addressed to someone else.
        #[arg(long)]
        recipient: Option<String>,
        /// Where to write the bundle (must not exist yet). It holds
        /// personal data: it is created readable by its owner only.
        #[arg(long)]
        out: PathBuf,
    },
    /// Verify a bundle from a trusted organisation and store its new cases,
    /// all or nothing. Password from CTIP_PASSWORD or stdin.
    Import {
        /// The supervisor receiving the cases (they own them, in their
        /// first team).
        #[arg(long = "as", value_name = "STAFF")]
        staff: String,
        /// A trusted organisation's identity key (64 hex digits), as its
        /// `exchange identity` printed it. Repeat for several.
        #[arg(long, value_name = "HEX_KEY")]
        trust: Vec<String>,
        /// A file of trusted keys: one per line, optionally followed by a
        /// label; `#` starts a comment.
        #[arg(long, value_name = "FILE")]
        trust_file: Vec<PathBuf>,
        /// The bundle.
        file: PathBuf,
    },
    /// List the bundles this organisation has received. Password from
    /// CTIP_PASSWORD or stdin.
    List {
        /// A supervisor, administrator or auditor.
        #[arg(long = "as", value_name = "STAFF")]
        staff: String,
    },
}

pub async fn run(
    db: &TipDb,
    site: &Site<'_>,
    action: &ExchangeAction,
    now: i64,
) -> Result<ExitCode> {
    let today = ctip_server::case_store::today(now);
    match action {
        ExchangeAction::Identity { staff } => {
            let password = password(staff)?;
            let key = ctip_server::exchange::identity(db, staff, &password).await?;
            println!("{key}");
        }
        ExchangeAction::Export {
            staff,
            recipient,
            out,
        } => {
            let password = password(staff)?;
            // Opened first, so that an unwritable path fails before the
            // ledger records an export.
            let mut file = create_private(out)?;
            let ledger = open_ledger(db, site).await?;
            let request = ctip_server::exchange::ExportRequest {
                staff,
                password: &password,
                recipient: recipient.as_deref(),
                day: today,
                now,
            };
            let outcome = match ctip_server::exchange::export_bundle(db, &ledger, &request).await {
                Ok(outcome) => outcome,
                Err(error) => {
                    drop(file);
                    let _ = std::fs::remove_file(out);
                    return Err(error.into());
                }
            };
            file.write_all(&outcome.bundle)
                .and_then(|()| file.sync_all())
                .with_context(|| format!("cannot write {}", out.display()))?;
            println!(
                "exported {} case(s) to {}: {}",
                outcome.exported.len(),
                out.display(),
                outcome.exported.join(", ")
            );
            println!(
                "left out: {} without consent to sharing on {today}, {} outside your teams",
                outcome.without_consent, outcome.outside_teams
            );
            println!("bundle {}", outcome.bundle_id);
            println!("signed by {}", outcome.sender_key);
        }
        ExchangeAction::Import {
            staff,
            trust,
            trust_file,
            file,
        } => {
            let trusted = trusted_keys(trust, trust_file)?;
            if trusted.is_empty() {
                bail!(
                    "no trusted keys: give the sender's identity key with --trust or --trust-file"
                );
            }
            let size = std::fs::metadata(file)
                .with_context(|| format!("cannot read {}", file.display()))?
                .len();
            if size > ctip_share::bundle::MAX_BUNDLE_BYTES as u64 {
                bail!(
                    "{}: {size} bytes, larger than any signed bundle ctip accepts ({})",
                    file.display(),
                    ctip_share::bundle::MAX_BUNDLE_BYTES
                );
            }
            let bytes =
                std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
            let password = password(staff)?;
            let ledger = open_ledger(db, site).await?;
            let request = ctip_server::exchange::ImportRequest {
                staff,
                password: &password,
                bytes: &bytes,
                trusted: &trusted,
                day: today,
                now,
            };
            let outcome = ctip_server::exchange::import_bundle(db, &ledger, &request)
                .await
                .with_context(|| format!("{}: not imported", file.display()))?;
            println!(
                "imported {} case(s) from {:?} ({}): {}",
                outcome.imported.len(),
                outcome.sender_name,
                outcome.sender_key,
                outcome.imported.join(", ")
            );
            println!(
                "already held: {} case(s){}{}",
                outcome.already_held.len(),
                if outcome.already_held.is_empty() {
                    ""
                } else {
                    ": "
                },
                outcome.already_held.join(", ")
            );
            println!("bundle {}", outcome.bundle_id);
        }
        ExchangeAction::List { staff } => {
            let password = password(staff)?;
            let rows = ctip_server::exchange::received(db, staff, &password).await?;
            if rows.is_empty() {
                println!("no bundles received");
            }
            for row in rows {
                println!(
                    "{}  {:?} ({})  imported {}, already held {}  bundle {}",
                    row.received_day,
                    row.sender_name,
                    row.sender_key,
                    row.imported,
                    row.already_held,
                    row.bundle_sha256
                );
            }
        }
    }
    Ok(ExitCode::Ok)
}

fn password(staff: &str) -> Result<String> {
    Secrets::new().get("CTIP_PASSWORD", &format!("password of {staff}"))
}

async fn open_ledger(db: &TipDb, site: &Site<'_>) -> Result<ctip_store::ledger::LedgerStore> {
    let path = site.ledger_key_path()?;
    if !path.exists() {
        bail!(
            "{}: no ledger key; exchanges are recorded in the ledger (give --ledger-key)",
            path.display()
        );
    }
    let signer = load_ledger_key(&path)?;
    ctip_store::ledger::LedgerStore::open(db, signer)
        .await
        .context("cannot open the audit ledger")
}

/// The keys from `--trust` and `--trust-file`, each error naming where.
fn trusted_keys(keys: &[String], files: &[PathBuf]) -> Result<Vec<IdentityKey>> {
    let mut trusted = Vec::new();
    for text in keys {
        trusted
            .push(IdentityKey::from_hex(text.trim()).map_err(|e| anyhow::anyhow!("--trust: {e}"))?);
    }
    for path in files {
        trusted.extend(read_trust_file(path)?);
    }
    Ok(trusted)
}

fn read_trust_file(path: &Path) -> Result<Vec<IdentityKey>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut keys = Vec::new();
    for (number, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        let Some(hex) = line.split_whitespace().next() else {
            continue;
        };
        keys.push(
            IdentityKey::from_hex(hex)
                .map_err(|e| anyhow::anyhow!("{}:{}: {e}", path.display(), number + 1))?,
        );
    }
    Ok(keys)
}

/// A new file only its owner can read.
fn create_private(path: &Path) -> Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
        .open(path)
        .with_context(|| format!("cannot create {} (it must not exist yet)", path.display()))
}

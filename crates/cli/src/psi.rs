//! `ctip serve psi`: this organisation's exchange identity and the partner
//! organisations it may run private set intersection with.

use anyhow::{Context, Result, bail};
use clap::Subcommand;
use ctip_server::psi::{PeerSpec, add_peer, register_identity};
use ctip_share::psi::{DEFAULT_MAX_SESSIONS_PER_DAY, DEFAULT_MAX_SET_SIZE};
use ctip_store::tipline::TipDb;

use crate::ExitCode;

#[derive(Subcommand)]
pub enum PsiAction {
    /// Print this organisation's Ed25519 exchange identity (give it to
    /// partners for their `add-peer`) and record it so partners' requests
    /// reach this organisation. The staff member's password (administrator
    /// or supervisor) comes from CTIP_PASSWORD or stdin: the identity is
    /// derived from the organisation key it unwraps.
    Identity {
        #[arg(long)]
        by: String,
    },
    /// Register a partner organisation, or change the one of that name.
    AddPeer {
        /// Short name (lower-case letters, digits, '.', '_', '-').
        #[arg(long)]
        name: String,
        /// The partner server's root, http://HOST[:PORT].
        #[arg(long)]
        url: String,
        /// The partner's exchange identity (64 hex digits), from its
        /// `ctip serve psi identity`.
        #[arg(long)]
        key: String,
        /// The tenant (organisation) on this server the partner exchanges
        /// with; 1 is the one `ctip serve init` created.
        #[arg(long, default_value_t = 1)]
        tenant: i64,
        /// Largest set either side may bring to a session.
        #[arg(long, default_value_t = DEFAULT_MAX_SET_SIZE)]
        max_set_size: usize,
        /// Sessions with this partner per UTC day, in either direction.
        #[arg(long, default_value_t = DEFAULT_MAX_SESSIONS_PER_DAY)]
        sessions_per_day: u32,
        /// Allow only cardinality-only sessions (counts, never values).
        #[arg(long)]
        counts_only: bool,
    },
    /// List the registered partners of a tenant.
    Peers {
        #[arg(long, default_value_t = 1)]
        tenant: i64,
    },
}

/// The password from CTIP_PASSWORD, else the first line of stdin: never
/// from an argument, which other users can read in the process list.
fn password() -> Result<String> {
    if let Ok(value) = std::env::var("CTIP_PASSWORD") {
        return Ok(value);
    }
    eprint!("password: ");
    let mut line = String::new();
    std::io::stdin()
        .read_line(&mut line)
        .context("cannot read the password from stdin")?;
    let line = line.trim_end_matches(['\r', '\n']).to_owned();
    if line.is_empty() {
        bail!("no password: set CTIP_PASSWORD or give it on stdin");
    }
    Ok(line)
}

pub async fn run(db: &TipDb, action: &PsiAction, now: i64) -> Result<ExitCode> {
    match action {
        PsiAction::Identity { by } => {
            let key = register_identity(db, by, &password()?).await?;
            println!("{key}");
        }
        PsiAction::AddPeer {
            name,
            url,
            key,
            tenant,
            max_set_size,
            sessions_per_day,
            counts_only,
        } => {
            let spec = PeerSpec {
                tenant_id: *tenant,
                name,
                url,
                key_hex: key,
                max_set_size: *max_set_size,
                max_sessions_per_day: *sessions_per_day,
                allow_intersection: !counts_only,
            };
            add_peer(db, &spec, now).await?;
            println!(
                "peer {name:?} registered for tenant {tenant}: up to {max_set_size} identifiers, {sessions_per_day} sessions a day{}.",
                if *counts_only { ", counts only" } else { "" }
            );
        }
        PsiAction::Peers { tenant } => {
            for peer in db.psi_peers(*tenant).await? {
                println!(
                    "{}\t{}\t{}\tmax {}\t{}/day\t{}",
                    peer.name,
                    peer.base_url,
                    peer.public_key,
                    peer.max_set_size,
                    peer.max_sessions_per_day,
                    if peer.allow_intersection {
                        "intersection"
                    } else {
                        "counts only"
                    }
                );
            }
        }
    }
    Ok(ExitCode::Ok)
}

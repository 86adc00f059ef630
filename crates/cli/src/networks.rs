//! `ctip networks`: build template clusters and networks in the store, then
//! list, show, search, explain and export them.

use crate::ExitCode;
use crate::inputs::progress_bar;
use crate::linking::{
    Corpus, LinkSettings, cluster_and_link, document_of, groups, summaries, template_text,
};
use anyhow::{Context, Result, anyhow, bail};
use clap::{Args, Subcommand};
use ctip_core::IdentifierKind;
use ctip_link::network::{HubOverride, NetworkParams, Via, explain};
use ctip_link::refine::refine;
use ctip_link::summary::Summary;
use ctip_link::templates::TemplateParams;
use ctip_link::{Document, Sketch};

use ctip_server::network_view::{NetworkDetail, StoredSummary, SummaryIdentifier, view};
use ctip_store::{HubDecision, LinkUpdate, LinkableAd, NetworkRow, Store, TemplateRow, VerdictRow};
use rayon::prelude::*;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Ads read from the store per query.
const PAGE: u32 = 8192;

#[derive(Args, Clone, Debug)]
pub struct LinkArgs {
    /// Estimated word-shingle Jaccard similarity (identifiers masked) above
    /// which two ads share a template.
    #[arg(long, default_value_t = TemplateParams::default().min_similarity)]
    pub min_similarity: f32,
    /// An identifier whose ads fall into this many separate groups of two or
    /// more ads is a hub (a booking service or agency number): flagged, and
    /// not used to link.
    #[arg(long, default_value_t = NetworkParams::default().hub_threshold)]
    pub hub_threshold: u32,
    /// A template cluster whose ads belong to this many separate posters
    /// (groups of ads joined by identifiers) is shared text, not one
    /// author's template, and does not link.
    #[arg(long, default_value_t = NetworkParams::default().template_hub_threshold)]
    pub template_hub_threshold: u32,
}

impl Default for LinkArgs {
    fn default() -> Self {
        LinkArgs {
            min_similarity: TemplateParams::default().min_similarity,
            hub_threshold: NetworkParams::default().hub_threshold,
            template_hub_threshold: NetworkParams::default().template_hub_threshold,
        }
    }
}

impl LinkArgs {
    pub fn settings(
        &self,
        overrides: Vec<((IdentifierKind, String), HubOverride)>,
    ) -> LinkSettings {
        LinkSettings {
            template: TemplateParams {
                min_similarity: self.min_similarity,
            },
            hub_threshold: self.hub_threshold,
            template_hub_threshold: self.template_hub_threshold,
            overrides,
        }
    }
}

#[derive(Subcommand)]
pub enum NetworksCommand {
    /// Cluster the stored ads into templates and link them into networks.
    /// Only ads scanned since the last build are read; the rest join from
    /// what the store kept.
    Build {
        #[command(flatten)]
        link: LinkArgs,
        /// Recompute from every ad's text instead of joining new ads.
        #[arg(long)]
        full: bool,
        #[arg(long, short)]
        quiet: bool,
    },
    /// The riskiest networks.
    List {
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// Only networks of at least this many ads.
        #[arg(long, default_value_t = 2)]
        min_ads: u32,
        #[arg(long)]
        json: bool,
    },
    /// One network in full: ads, identifiers, templates, cities, circuit.
    Show {
        /// The network id (`N-1042` or `1042`).
        network: String,
        #[arg(long)]
        json: bool,
    },
    /// The networks in which an identifier appears, such as
    /// `phone:+15555550123`, `email:a@example.com` or a bare value.
    Search {
        identifier: String,
        #[arg(long)]
        json: bool,
    },
    /// Why two ads are in one network: the chain of shared evidence.
    Explain { first_ad: String, second_ad: String },
    /// Overrule the hub rule for an identifier: `--link` always links
    /// through it, `--suppress` never does, `--clear` returns it to the rule.
    /// Takes effect at the next build.
    Hub {
        identifier: String,
        #[arg(long, group = "decision")]
        link: bool,
        #[arg(long, group = "decision")]
        suppress: bool,
        #[arg(long, group = "decision")]
        clear: bool,
    },
    /// Identifiers judged hubs.
    Hubs {
        #[arg(long)]
        json: bool,
    },
    /// Every network of two or more ads, with its summary, as JSON.
    Export {
        /// Write here instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

pub fn run(db: &Path, command: NetworksCommand) -> Result<ExitCode> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        if !db.exists() {
            bail!(
                "no store at {}: run `ctip scan` first (or pass --db)",
                db.display()
            );
        }
        let store = Store::open_sqlite(db)
            .await
            .with_context(|| format!("cannot open the store {}", db.display()))?;
        let outcome = match command {
            NetworksCommand::Build { link, full, quiet } => {
                build(&store, &link, full, quiet).await.map(|report| {
                    report.print();
                    ExitCode::Ok
                })
            }
            NetworksCommand::List {
                limit,
                min_ads,
                json,
            } => list(&store, limit, min_ads, json).await,
            NetworksCommand::Show { network, json } => show(&store, &network, json).await,
            NetworksCommand::Search { identifier, json } => search(&store, &identifier, json).await,
            NetworksCommand::Explain {
                first_ad,
                second_ad,
            } => explain_link(&store, &first_ad, &second_ad).await,
            NetworksCommand::Hub {
                identifier,
                link,
                suppress,
                clear,
            } => {
                let (kind, value) = parse_identifier(&identifier)?;
                let decision = match (link, suppress, clear) {
                    (true, _, _) => Some(HubDecision::Link),
                    (_, true, _) => Some(HubDecision::Suppress),
                    (_, _, true) => None,
                    _ => bail!("say --link, --suppress or --clear"),
                };
                store.set_hub_override(kind, &value, decision).await?;
                eprintln!("recorded; run `ctip networks build` to apply it");
                Ok(ExitCode::Ok)
            }
            NetworksCommand::Hubs { json } => hubs(&store, json).await,
            NetworksCommand::Export { out } => export(&store, out.as_deref()).await,
        };
        store.close().await;
        outcome
    })
}

/// `kind:value`, or a bare value whose kind is guessed: `+` and digits make
/// a phone, `@` an e-mail, `0x` or a long Base58 string a wallet, anything
/// else a handle.
pub fn parse_identifier(text: &str) -> Result<(IdentifierKind, String)> {
    let text = text.trim();
    if let Some((kind, value)) = text.split_once(':')
        && let Some(kind) = IdentifierKind::parse(kind)
    {
        if !kind.is_linking() {
            bail!("`{kind}` identifiers do not link ads; use phone, email, handle or wallet");
        }
        return Ok((kind, normalise_value(kind, value)));
    }
    if text.is_empty() {
        bail!("empty identifier");
    }
    let kind = if text.starts_with('+') && text[1..].bytes().all(|b| b.is_ascii_digit()) {
        IdentifierKind::Phone
    } else if text.contains('@') && !text.starts_with('@') {
        IdentifierKind::Email
    } else if text.starts_with("0x")
        || (text.len() >= 26 && text.bytes().all(|b| b.is_ascii_alphanumeric()))
    {
        IdentifierKind::Wallet
    } else {
        IdentifierKind::Handle
    };
    Ok((kind, normalise_value(kind, text)))
}

fn normalise_value(kind: IdentifierKind, value: &str) -> String {
    let value = value.trim();
    match kind {
        IdentifierKind::Email | IdentifierKind::Handle => {
            value.trim_start_matches('@').to_lowercase()
        }
        _ => value.to_string(),
    }
}

fn network_name(id: i64) -> String {
    format!("N-{id}")
}

fn parse_network(text: &str) -> Result<i64> {
    let digits = text
        .trim()
        .trim_start_matches("N-")
        .trim_start_matches("n-");
    digits
        .parse()
        .map_err(|_| anyhow!("`{text}` is not a network id such as N-1042"))
}

/// The outcome of a build, printed for the analyst.
#[derive(Debug, Default)]
pub struct BuildReport {
    pub mode: &'static str,
    pub ads: usize,
    pub ads_read_with_text: usize,
    pub templates: usize,
    pub networks: usize,
    pub ads_in_networks: usize,
    pub hubs: usize,
    pub shared_texts: usize,
    pub elapsed_secs: f64,
}

impl BuildReport {
    fn print(&self) {
        eprintln!(
            "{} build: {} ads ({} read with text) in {:.1} s",
            self.mode, self.ads, self.ads_read_with_text, self.elapsed_secs
        );
        eprintln!("{}", self.headline());
    }

    pub fn headline(&self) -> String {
        format!(
            "{} templates of 2+ ads; {} networks of 2+ ads holding {} ads; {} hubs and {} shared texts flagged (not used to link)",
            self.templates, self.networks, self.ads_in_networks, self.hubs, self.shared_texts
        )
    }
}

/// Networks in the report.
const REPORT_NETWORKS: u32 = 10;

/// Builds networks in the store at `db` and returns the riskiest as the
/// report shows them.
pub fn build_for_report(
    db: &Path,
    link: &LinkArgs,
    quiet: bool,
) -> Result<(BuildReport, Vec<ctip_report::NetworkView>)> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        let store = Store::open_sqlite(db)
            .await
            .with_context(|| format!("cannot open the store {}", db.display()))?;
        let report = build(&store, link, false, quiet).await?;
        let mut views = Vec::new();
        for row in store.networks(REPORT_NETWORKS, 3).await? {
            views.push(view(&network_detail(&store, &row).await?));
        }
        store.close().await;
        Ok((report, views))
    })
}

/// Sketches of ads read with text, computed in parallel.
fn documents(ads: &[LinkableAd]) -> Vec<Document> {
    ads.par_iter()
        .map(|a| document_of(&a.ad, &a.identifiers))
        .collect()
}

pub async fn build(store: &Store, args: &LinkArgs, full: bool, quiet: bool) -> Result<BuildReport> {
    let started = Instant::now();
    let overrides: Vec<((IdentifierKind, String), HubOverride)> = store
        .hub_overrides()
        .await?
        .into_iter()
        .map(|(kind, value, decision)| {
            let o = match decision {
                HubDecision::Link => HubOverride::Link,
                HubDecision::Suppress => HubOverride::Suppress,
            };
            ((kind, value), o)
        })
        .collect();
    let settings = args.settings(overrides);
    let total = store.count_ads().await?;
    let stale = store.stale_links().await?;
    let mut state = if full || stale > 0 {
        if stale > 0 && !full {
            eprintln!(
                "{stale} linked ads were rescanned or removed since the last build: rebuilding in full"
            );
        }
        Vec::new()
    } else {
        store.link_state().await?
    };
    let mut incremental = !state.is_empty();
    let progress = progress_bar(quiet);
    progress.set_length(total);
    progress.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} linking {pos}/{len} ads {wide_bar} ETA {eta}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );

    // Old ads: facts and stored sketches, no text.
    let mut corpus = Corpus::default();
    let mut rowids: Vec<i64> = Vec::with_capacity(total as usize);
    let mut scan_ids: Vec<i64> = Vec::with_capacity(total as usize);
    let mut old_labels: Vec<i64> = Vec::new();
    let mut old_networks: Vec<i64> = Vec::new();
    let last_old = state.last().map_or(0, |s| s.rowid);
    if incremental {
        let mut next = state.iter();
        let mut after = 0;
        'pages: loop {
            let page = store.linkable_ads(after, PAGE, false).await?;
            let Some(last) = page.last() else { break };
            after = last.rowid;
            for ad in page {
                if ad.rowid > last_old {
                    break 'pages;
                }
                let Some(kept) = next.next().filter(|s| s.rowid == ad.rowid) else {
                    // An ad appeared among the linked ones: order would not
                    // match a full build, so make it one.
                    incremental = false;
                    break 'pages;
                };
                let sketch = Sketch::from_bytes(&kept.sketch).ok_or_else(|| {
                    anyhow!("the stored sketch of ad row {} is corrupt", ad.rowid)
                })?;
                corpus.push(&ad.ad, ad.score, &ad.identifiers, sketch);
                rowids.push(ad.rowid);
                scan_ids.push(ad.scan_id);
                old_labels.push(kept.template);
                old_networks.push(kept.network);
            }
            progress.set_position(rowids.len() as u64);
        }
        if incremental && rowids.len() != state.len() {
            incremental = false;
        }
        if !incremental {
            eprintln!("the stored links do not match the ads: rebuilding in full");
            corpus = Corpus::default();
            rowids.clear();
            scan_ids.clear();
            old_labels.clear();
            old_networks.clear();
            state.clear();
        }
    }
    let old_count = rowids.len();

    // New ads: text, documents.
    let mut tokens: HashMap<u32, Vec<u32>> = HashMap::new();
    let mut after = if incremental { last_old } else { 0 };
    loop {
        let page = store.linkable_ads(after, PAGE, true).await?;
        let Some(last) = page.last() else { break };
        after = last.rowid;
        let docs = documents(&page);
        for (ad, doc) in page.iter().zip(docs) {
            tokens.insert(corpus.len() as u32, doc.tokens);
            corpus.push(&ad.ad, ad.score, &ad.identifiers, doc.sketch);
            rowids.push(ad.rowid);
            scan_ids.push(ad.scan_id);
        }
        progress.set_position(rowids.len() as u64);
    }
    let read_with_text = rowids.len() - old_count;

    // Stored labels are rowids; the engine wants indices.
    let index_of = |rowid: i64| -> Result<u32> {
        rowids
            .binary_search(&rowid)
            .map(|i| i as u32)
            .map_err(|_| anyhow!("stored cluster names ad row {rowid}, which is not linked"))
    };
    let old_indices: Vec<u32> = old_labels
        .iter()
        .map(|&r| index_of(r))
        .collect::<Result<_>>()?;
    progress.set_message("clustering");
    let (templates, linking) = cluster_and_link(&corpus, &old_indices, &settings);

    // Templates: refine clusters that gained ads; keep the others.
    let clusters = groups(&templates);
    let changed: Vec<&(u32, Vec<u32>)> = clusters
        .iter()
        .filter(|(_, members)| members.iter().any(|&m| m as usize >= old_count))
        .collect();
    let need_text: Vec<i64> = changed
        .iter()
        .flat_map(|(_, members)| members.iter())
        .filter(|&&m| (m as usize) < old_count)
        .map(|&m| rowids[m as usize])
        .collect();
    for ad in store.linkable_ads_by_rowid(&need_text, true).await? {
        let doc = document_of(&ad.ad, &ad.identifiers);
        tokens.insert(index_of(ad.rowid)?, doc.tokens);
    }
    progress.set_message("templates");
    let refined: Vec<(u32, Vec<u32>, ctip_link::refine::Template)> = changed
        .par_iter()
        .map(|(label, members)| {
            let member_tokens: Vec<&[u32]> = members
                .iter()
                .map(|m| tokens.get(m).map_or(&[][..], Vec::as_slice))
                .collect();
            let sketches: Vec<Sketch> = members
                .iter()
                .map(|&m| corpus.sketches[m as usize])
                .collect();
            (*label, members.clone(), refine(&member_tokens, &sketches))
        })
        .collect();
    drop(tokens);
    let seeds: Vec<i64> = refined
        .iter()
        .map(|(_, members, t)| rowids[members[t.seed] as usize])
        .collect();
    let seed_ads: HashMap<i64, LinkableAd> = store
        .linkable_ads_by_rowid(&seeds, true)
        .await?
        .into_iter()
        .map(|a| (a.rowid, a))
        .collect();
    let mut template_rows: Vec<TemplateRow> = Vec::new();
    let mut coverage: HashMap<u32, f32> = HashMap::new();
    let changed_ids: HashSet<i64> = refined
        .iter()
        .map(|(l, _, _)| rowids[*l as usize])
        .collect();
    for (label, members, template) in &refined {
        let seed = &seed_ads[&rowids[members[template.seed] as usize]];
        for (&m, &c) in members.iter().zip(&template.coverage) {
            coverage.insert(m, c);
        }
        template_rows.push(TemplateRow {
            id: rowids[*label as usize],
            ads: members.len() as i64,
            text: template_text(&seed.ad, &seed.identifiers, template),
            coverage: template.mean_coverage(),
            compression: template.compression,
        });
    }
    if incremental {
        let live: HashSet<i64> = clusters.iter().map(|(l, _)| rowids[*l as usize]).collect();
        for row in store.all_templates().await? {
            if live.contains(&row.id) && !changed_ids.contains(&row.id) {
                template_rows.push(row);
            }
        }
        for (i, s) in state.iter().enumerate() {
            if let Some(c) = s.coverage
                && !coverage.contains_key(&(i as u32))
            {
                coverage.insert(i as u32, c);
            }
        }
    }

    progress.set_message("summaries");
    let network_summaries = summaries(&corpus, &templates, &linking.network);
    let network_rows: Vec<NetworkRow> = network_summaries
        .iter()
        .map(|(label, summary)| {
            let stored = stored_summary(summary, &corpus, &rowids);
            Ok(NetworkRow {
                id: rowids[*label as usize],
                ads: summary.ads as i64,
                risk: summary.risk,
                summary: serde_json::to_string(&stored)?,
            })
        })
        .collect::<Result<_>>()?;
    let verdict_rows: Vec<VerdictRow> = linking
        .verdicts
        .iter()
        .map(|v| {
            let (kind, value) = corpus.keys.value(v.identifier);
            VerdictRow {
                kind: *kind,
                value: value.clone(),
                ads: i64::from(v.ads),
                groups: i64::from(v.groups),
                hub: v.hub,
                overridden: v.overridden,
            }
        })
        .collect();
    let updates: Vec<LinkUpdate> = (0..corpus.len())
        .filter_map(|i| {
            let template = rowids[templates[i] as usize];
            let network = rowids[linking.network[i] as usize];
            let cov = coverage.get(&(i as u32)).copied();
            if i < old_count {
                let s = &state[i];
                let unchanged = s.template == template && s.network == network && s.coverage == cov;
                if unchanged {
                    return None;
                }
            }
            Some(LinkUpdate {
                rowid: rowids[i],
                scan_id: scan_ids[i],
                sketch: (i >= old_count || !incremental).then(|| corpus.sketches[i].to_bytes()),
                template,
                network,
                coverage: cov,
            })
        })
        .collect();
    progress.set_message("saving");
    store
        .save_links(
            !incremental,
            &updates,
            &template_rows,
            &network_rows,
            &verdict_rows,
        )
        .await?;
    progress.finish_and_clear();
    Ok(BuildReport {
        mode: if incremental { "incremental" } else { "full" },
        ads: corpus.len(),
        ads_read_with_text: read_with_text,
        templates: template_rows.len(),
        networks: network_rows.len(),
        ads_in_networks: network_rows.iter().map(|n| n.ads as usize).sum(),
        hubs: linking.hubs().count(),
        shared_texts: linking.shared_text.len(),
        elapsed_secs: started.elapsed().as_secs_f64(),
    })
}

/// The engine's summary with indices turned into names, as stored.
fn stored_summary(s: &Summary, corpus: &Corpus, rowids: &[i64]) -> StoredSummary {
    let mut identifiers: Vec<SummaryIdentifier> = s
        .identifiers
        .iter()
        .map(|&(id, ads)| {
            let (kind, value) = corpus.keys.value(id);
            SummaryIdentifier {
                kind: *kind,
                value: value.clone(),
                ads,
            }
        })
        .collect();
    identifiers.sort_by(|a, b| b.ads.cmp(&a.ads).then_with(|| a.value.cmp(&b.value)));
    let mut templates: Vec<(i64, u64)> = s
        .templates
        .iter()
        .map(|&(t, n)| (rowids[t as usize], n))
        .collect();
    templates.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    StoredSummary {
        ads: s.ads,
        risk: s.risk,
        reasons: s.reasons.clone(),
        mean_score: s.mean_score,
        max_score: s.max_score,
        first_seen: s.first_seen.clone(),
        last_seen: s.last_seen.clone(),
        cities: s.cities.clone(),
        circuit: s.circuit.clone(),
        weekly: s.weekly.clone(),
        prices: s.prices.clone(),
        names: s.names.clone(),
        templates,
        identifiers,
    }
}

fn summary_of(row: &NetworkRow) -> Result<StoredSummary> {
    ctip_server::network_view::summary_of(row)
        .with_context(|| format!("the stored summary of {} is corrupt", network_name(row.id)))
}

async fn network_detail(store: &Store, row: &NetworkRow) -> Result<NetworkDetail> {
    Ok(ctip_server::network_view::network_detail(store, row).await?)
}

fn ensure_built(rows_empty: bool) -> Result<()> {
    if rows_empty {
        eprintln!("no networks stored: run `ctip networks build` after a scan");
    }
    Ok(())
}

async fn list(store: &Store, limit: u32, min_ads: u32, json: bool) -> Result<ExitCode> {
    let rows = store.networks(limit, min_ads).await?;
    ensure_built(rows.is_empty())?;
    if json {
        let out: Vec<serde_json::Value> = rows
            .iter()
            .map(|r| Ok(serde_json::json!({"id": network_name(r.id), "summary": summary_of(r)?})))
            .collect::<Result<_>>()?;
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::Ok);
    }
    println!(
        "{:<10} {:>6} {:>5} {:>7} {:>6} {:<23} reasons",
        "network", "ads", "risk", "cities", "ids", "seen"
    );
    for row in &rows {
        let s = summary_of(row)?;
        println!(
            "{:<10} {:>6} {:>5.2} {:>7} {:>6} {:<23} {}",
            network_name(row.id),
            row.ads,
            row.risk,
            s.cities.len(),
            s.identifiers.len(),
            format!(
                "{}..{}",
                s.first_seen.as_deref().unwrap_or("?"),
                s.last_seen.as_deref().unwrap_or("?")
            ),
            s.reasons.join("; ")
        );
    }
    Ok(ExitCode::Ok)
}

async fn show(store: &Store, network: &str, json: bool) -> Result<ExitCode> {
    let id = parse_network(network)?;
    let Some(row) = store.network(id).await? else {
        bail!("no network {} (see `ctip networks list`)", network_name(id));
    };
    let detail = network_detail(store, &row).await?;
    if json {
        println!("{}", serde_json::to_string_pretty(&detail)?);
        return Ok(ExitCode::Ok);
    }
    let s = &detail.summary;
    println!("{}: {} ads, risk {:.2}", detail.id, s.ads, s.risk);
    for reason in &s.reasons {
        println!("  - {reason}");
    }
    println!(
        "seen {} .. {}",
        s.first_seen.as_deref().unwrap_or("?"),
        s.last_seen.as_deref().unwrap_or("?")
    );
    for p in &s.prices {
        println!(
            "price {:.0}–{:.0} {} per hour",
            p.min_per_hour, p.max_per_hour, p.currency
        );
    }
    if !s.names.is_empty() {
        println!("names: {}", s.names.join(", "));
    }
    let route: Vec<String> = s
        .circuit
        .iter()
        .map(|c| format!("{} ({}..{}, {} ads)", c.city, c.from, c.to, c.ads))
        .collect();
    if !route.is_empty() {
        println!("circuit: {}", route.join(" → "));
    }
    println!("identifiers:");
    for i in &s.identifiers {
        println!("  {:<7} {:<40} {} ads", i.kind.as_str(), i.value, i.ads);
    }
    for h in &detail.hubs {
        println!(
            "  {:<7} {:<40} hub shown in {} ads in all: not used to link",
            h.kind.as_str(),
            h.value,
            h.ads
        );
    }
    println!("templates:");
    for t in &detail.templates {
        println!(
            "  T-{} ({} ads, explains {:.0}% of each ad): {}",
            t.id,
            t.ads,
            t.coverage * 100.0,
            t.text
        );
    }
    Ok(ExitCode::Ok)
}

async fn search(store: &Store, identifier: &str, json: bool) -> Result<ExitCode> {
    let (kind, value) = parse_identifier(identifier)?;
    let networks = store.networks_with_identifier(kind, &value).await?;
    let verdict = store.verdict(kind, &value).await?;
    let ads = store.ads_with_identifier(kind, &value).await?;
    if json {
        let mut rows = Vec::new();
        for id in &networks {
            if let Some(row) = store.network(*id).await? {
                rows.push(
                    serde_json::json!({"id": network_name(row.id), "summary": summary_of(&row)?}),
                );
            }
        }
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({
                "kind": kind, "value": value, "ads": ads.len(),
                "hub": verdict.as_ref().is_some_and(|v| v.hub),
                "networks": rows,
            }))?
        );
        return Ok(ExitCode::Ok);
    }
    println!("{kind}:{value} appears in {} ads", ads.len());
    if let Some(v) = verdict.filter(|v| v.hub) {
        println!(
            "  flagged as a hub ({} separate groups{}): shown, not used to link",
            v.groups,
            if v.overridden { ", by an analyst" } else { "" }
        );
    }
    for id in networks {
        if let Some(row) = store.network(id).await? {
            let s = summary_of(&row)?;
            println!(
                "  {}: {} ads, {} cities, risk {:.2}",
                network_name(id),
                row.ads,
                s.cities.len(),
                row.risk
            );
        }
    }
    Ok(ExitCode::Ok)
}

async fn explain_link(store: &Store, first: &str, second: &str) -> Result<ExitCode> {
    let (Some((a_row, a_net)), Some((b_row, b_net))) = (
        store.network_of_ad(first).await?,
        store.network_of_ad(second).await?,
    ) else {
        bail!("both ads must be scanned and linked (`ctip networks build`)");
    };
    if a_net != b_net {
        println!(
            "{first} is in {} and {second} in {}: they are not linked",
            network_name(a_net),
            network_name(b_net)
        );
        return Ok(ExitCode::Ok);
    }
    let members = store.network_templates(a_net).await?;
    let rowids: Vec<i64> = members.iter().map(|(r, _)| *r).collect();
    let index = |rowid: i64| rowids.binary_search(&rowid).map(|i| i as u32).ok();
    let templates: Vec<u32> = members
        .iter()
        .map(|(_, t)| index(*t).unwrap_or(u32::MAX))
        .collect();
    let ads = store.linkable_ads_by_rowid(&rowids, false).await?;
    let mut keys: Vec<(IdentifierKind, String)> = Vec::new();
    let mut key_index: HashMap<(IdentifierKind, String), u32> = HashMap::new();
    let mut identifiers: Vec<Vec<u32>> = Vec::new();
    for ad in &ads {
        let mut ids = Vec::new();
        for i in ad.identifiers.iter().filter(|i| i.kind.is_linking()) {
            let key = (i.kind, i.value.clone());
            let next = keys.len() as u32;
            let id = *key_index.entry(key.clone()).or_insert_with(|| {
                keys.push(key);
                next
            });
            ids.push(id);
        }
        identifiers.push(ids);
    }
    let mut hub = vec![false; keys.len()];
    for (i, (kind, value)) in keys.iter().enumerate() {
        hub[i] = store.verdict(*kind, value).await?.is_some_and(|v| v.hub);
    }
    let all: Vec<u32> = (0..rowids.len() as u32).collect();
    let (Some(a), Some(b)) = (index(a_row), index(b_row)) else {
        bail!("the stored network lists are inconsistent: run `ctip networks build --full`");
    };
    let ad_ids: Vec<&str> = ads.iter().map(|a| a.ad.id.as_str()).collect();
    match explain(a, b, &all, &templates, &identifiers, |id| hub[id as usize]) {
        None => println!("no chain of shared evidence found: rebuild with `ctip networks build`"),
        Some(steps) => {
            println!("{first} and {second} are both in {}:", network_name(a_net));
            for step in steps {
                let via = match step.via {
                    Via::Template(t) => format!(
                        "share template T-{}",
                        rowids.get(t as usize).copied().unwrap_or_default()
                    ),
                    Via::Identifier(i) => {
                        let (kind, value) = &keys[i as usize];
                        format!("both show {kind} {value}")
                    }
                };
                println!(
                    "  {} and {} {via}",
                    ad_ids[step.from as usize], ad_ids[step.to as usize]
                );
            }
        }
    }
    Ok(ExitCode::Ok)
}

async fn hubs(store: &Store, json: bool) -> Result<ExitCode> {
    let hubs = store.hubs().await?;
    if json {
        let out: Vec<serde_json::Value> = hubs
            .iter()
            .map(|h| serde_json::json!({"kind": h.kind, "value": h.value, "ads": h.ads, "groups": h.groups, "overridden": h.overridden}))
            .collect();
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(ExitCode::Ok);
    }
    for h in &hubs {
        println!(
            "{:<7} {:<40} {:>6} ads in {:>4} groups{}",
            h.kind.as_str(),
            h.value,
            h.ads,
            h.groups,
            if h.overridden { " (analyst)" } else { "" }
        );
    }
    if hubs.is_empty() {
        println!("no hubs flagged");
    }
    Ok(ExitCode::Ok)
}

async fn export(store: &Store, out: Option<&Path>) -> Result<ExitCode> {
    let rows = store.networks(u32::MAX, 2).await?;
    let mut details = Vec::with_capacity(rows.len());
    for row in &rows {
        details.push(network_detail(store, row).await?);
    }
    let json = serde_json::to_string_pretty(&serde_json::json!({
        "format": "ctip-networks/1",
        "networks": details,
    }))?;
    match out {
        Some(path) => {
            std::fs::write(path, json)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("wrote {} networks to {}", details.len(), path.display());
        }
        None => println!("{json}"),
    }
    Ok(ExitCode::Ok)
}

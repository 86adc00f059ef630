//! `ctip eval networks`: template clusters and networks against the
//! synthetic ground truth, and optionally another tool's clusters (such as
//! InfoShield's) scored the same way in the same run.

use crate::inputs::{Strictness, for_each_batch, progress_bar};
use crate::linking::{Corpus, LinkSettings, cluster_and_link, document_of, groups};
use anyhow::{Context, Result, bail};
use ctip_core::{Identifier, IdentifierKind};
use ctip_link::eval::{PartitionScore, score};
use ctip_link::refine::refine;
use ctip_synth::truth::TruthRecord;
use ctip_text::{ExtractOptions, Normalised, extract};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::HashMap;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::time::Instant;

pub struct NetworkEvalArgs {
    pub input: PathBuf,
    pub truth: PathBuf,
    pub predicted: Option<PathBuf>,
    pub json: Option<PathBuf>,
    pub labels: Option<PathBuf>,
    pub settings: LinkSettings,
}

#[derive(Serialize)]
struct Timings {
    ads: u64,
    extract_and_sketch_secs: f64,
    cluster_and_link_secs: f64,
    refine_secs: f64,
    total_secs: f64,
    ads_per_sec: f64,
}

#[derive(Serialize)]
struct Report {
    timings: Timings,
    templates: PartitionScore,
    networks: PartitionScore,
    hubs_flagged: u64,
    hubs_true: u64,
    hubs_caught: u64,
    predicted_templates: Option<PartitionScore>,
    predicted_as_networks: Option<PartitionScore>,
}

/// Truth labels: a network ad's template and network; a benign ad is its own
/// template, and its network is its poster, known by the first phone,
/// e-mail or handle planted in it (a benign business reposts with one phone
/// and one e-mail), or itself when it shows none.
fn truth_labels(truth: &[TruthRecord]) -> (Vec<String>, Vec<String>) {
    truth
        .iter()
        .map(|t| match (&t.network, &t.template) {
            (Some(network), Some(template)) => (template.clone(), network.clone()),
            (Some(network), None) => (format!("ad:{}", t.id), network.clone()),
            (None, _) => {
                let poster = t
                    .planted
                    .iter()
                    .find(|p| p.kind.is_linking())
                    .map(|p| format!("poster:{}:{}", p.kind, p.value.to_lowercase()))
                    .unwrap_or_else(|| format!("ad:{}", t.id));
                (format!("ad:{}", t.id), poster)
            }
        })
        .unzip()
}

fn read_truth(path: &Path) -> Result<Vec<TruthRecord>> {
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    std::io::BufReader::new(file)
        .lines()
        .enumerate()
        .map(|(i, line)| {
            let line =
                line.with_context(|| format!("{}:{}: cannot read", path.display(), i + 1))?;
            serde_json::from_str(&line)
                .with_context(|| format!("{}:{}: not a truth record", path.display(), i + 1))
        })
        .collect()
}

/// `{"id": ..., "template": ...}` per line; ads missing from the file are
/// singletons.
fn read_predicted(path: &Path, ids: &[String]) -> Result<Vec<String>> {
    #[derive(serde::Deserialize)]
    struct Line {
        id: String,
        template: serde_json::Value,
    }
    let file =
        std::fs::File::open(path).with_context(|| format!("cannot open {}", path.display()))?;
    let mut by_id = HashMap::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.with_context(|| format!("{}:{}: cannot read", path.display(), i + 1))?;
        if line.trim().is_empty() {
            continue;
        }
        let parsed: Line = serde_json::from_str(&line).with_context(|| {
            format!(
                "{}:{}: expected {{\"id\", \"template\"}}",
                path.display(),
                i + 1
            )
        })?;
        by_id.insert(parsed.id, parsed.template.to_string());
    }
    Ok(ids
        .iter()
        .map(|id| {
            by_id
                .get(id)
                .cloned()
                .unwrap_or_else(|| format!("missing:{id}"))
        })
        .collect())
}

pub fn run(args: NetworkEvalArgs) -> Result<crate::ExitCode> {
    let truth = read_truth(&args.truth)?;
    let options = ExtractOptions::default();
    let progress = progress_bar(false);
    let started = Instant::now();
    let mut corpus = Corpus::default();
    let mut ids = Vec::new();
    let mut tokens: Vec<Vec<u32>> = Vec::new();
    for_each_batch(
        std::slice::from_ref(&args.input),
        None,
        4096,
        Strictness::Stop,
        &progress,
        |batch| {
            let analysed: Vec<(Vec<Identifier>, ctip_link::Document)> = batch
                .par_iter()
                .map(|record| {
                    let text = record.ad.text();
                    let identifiers = extract(&record.ad, &Normalised::new(&text), &options);
                    let document = document_of(&record.ad, &identifiers);
                    (identifiers, document)
                })
                .collect();
            for (record, (identifiers, document)) in batch.iter().zip(analysed) {
                corpus.push(&record.ad, 0.0, &identifiers, document.sketch);
                tokens.push(document.tokens);
                ids.push(record.ad.id.clone());
            }
            Ok(())
        },
    )?;
    progress.finish_and_clear();
    let read_secs = started.elapsed().as_secs_f64();
    if truth.len() != ids.len() || truth.iter().zip(&ids).any(|(t, id)| &t.id != id) {
        bail!(
            "{} does not list the ads of {} one for one, in order",
            args.truth.display(),
            args.input.display()
        );
    }

    let linked = Instant::now();
    let (templates, linking) = cluster_and_link(&corpus, &[], &args.settings);
    let link_secs = linked.elapsed().as_secs_f64();
    let refined = Instant::now();
    let clusters = groups(&templates);
    let refined_count: usize = clusters
        .par_iter()
        .map(|(_, members)| {
            let member_tokens: Vec<&[u32]> = members
                .iter()
                .map(|&m| tokens[m as usize].as_slice())
                .collect();
            let sketches: Vec<_> = members
                .iter()
                .map(|&m| corpus.sketches[m as usize])
                .collect();
            refine(&member_tokens, &sketches).coverage.len()
        })
        .sum();
    debug_assert!(refined_count <= ids.len());
    let refine_secs = refined.elapsed().as_secs_f64();
    let total_secs = started.elapsed().as_secs_f64();

    if let Some(path) = &args.labels {
        write_labels(path, &ids, &templates, &linking.network)?;
    }
    let (true_templates, true_networks) = truth_labels(&truth);
    let template_score = score(&true_templates, &templates);
    let network_score = score(&true_networks, &linking.network);

    // A hub is a planted phone shown by ads of two or more networks.
    let mut networks_per_phone: HashMap<String, std::collections::HashSet<&str>> = HashMap::new();
    for t in &truth {
        if let Some(network) = &t.network {
            for p in t.planted.iter().filter(|p| p.kind == IdentifierKind::Phone) {
                networks_per_phone
                    .entry(p.value.clone())
                    .or_default()
                    .insert(network);
            }
        }
    }
    let true_hubs: std::collections::HashSet<&String> = networks_per_phone
        .iter()
        .filter(|(_, n)| n.len() >= 2)
        .map(|(p, _)| p)
        .collect();
    let flagged: Vec<&(IdentifierKind, String)> = linking
        .hubs()
        .map(|v| corpus.keys.value(v.identifier))
        .collect();
    let caught = flagged
        .iter()
        .filter(|(k, v)| *k == IdentifierKind::Phone && true_hubs.contains(v))
        .count();

    let (predicted_templates, predicted_as_networks) = match &args.predicted {
        Some(path) => {
            let labels = read_predicted(path, &ids)?;
            (
                Some(score(&true_templates, &labels)),
                Some(score(&true_networks, &labels)),
            )
        }
        None => (None, None),
    };

    let report = Report {
        timings: Timings {
            ads: ids.len() as u64,
            extract_and_sketch_secs: read_secs,
            cluster_and_link_secs: link_secs,
            refine_secs,
            total_secs,
            ads_per_sec: ids.len() as f64 / total_secs.max(1e-9),
        },
        templates: template_score,
        networks: network_score,
        hubs_flagged: flagged.len() as u64,
        hubs_true: true_hubs.len() as u64,
        hubs_caught: caught as u64,
        predicted_templates,
        predicted_as_networks,
    };
    print_report(&report, args.predicted.as_deref());
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_string_pretty(&report)?)
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(crate::ExitCode::Ok)
}

/// ctip's clusters, one `{"id", "template", "network"}` line per ad.
fn write_labels(path: &Path, ids: &[String], templates: &[u32], networks: &[u32]) -> Result<()> {
    use std::io::Write;
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    for (i, id) in ids.iter().enumerate() {
        serde_json::to_writer(
            &mut out,
            &serde_json::json!({"id": id, "template": ids[templates[i] as usize], "network": ids[networks[i] as usize]}),
        )?;
        out.write_all(b"\n")?;
    }
    out.flush()
        .with_context(|| format!("cannot write {}", path.display()))
}

fn print_report(r: &Report, predicted: Option<&Path>) {
    let t = &r.timings;
    println!(
        "{} ads: extract+sketch {:.2} s, cluster+link {:.2} s, templates {:.2} s; total {:.2} s = {:.0} ads/s",
        t.ads,
        t.extract_and_sketch_secs,
        t.cluster_and_link_secs,
        t.refine_secs,
        t.total_secs,
        t.ads_per_sec
    );
    println!(
        "{:<28} {:>8} {:>9} {:>8} {:>8} {:>8} {:>8}",
        "partition", "ARI", "precision", "recall", "F1", "found", "true"
    );
    let line = |name: &str, s: &PartitionScore| {
        println!(
            "{:<28} {:>8.4} {:>9.4} {:>8.4} {:>8.4} {:>8} {:>8}",
            name, s.ari, s.precision, s.recall, s.f1, s.found_groups, s.true_groups
        );
    };
    line("ctip templates", &r.templates);
    line("ctip networks", &r.networks);
    if let (Some(tpl), Some(net)) = (&r.predicted_templates, &r.predicted_as_networks) {
        let name = predicted
            .and_then(|p| p.file_stem())
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| "predicted".into());
        line(&format!("{name} templates"), tpl);
        line(&format!("{name} as networks"), net);
    }
    println!(
        "hubs: {} flagged, {} of the {} planted booking-hub phones among them",
        r.hubs_flagged, r.hubs_caught, r.hubs_true
    );
}

//! The linking pipeline shared by `ctip networks build` (on the store) and
//! `ctip eval networks` (on a file): documents, template clusters, template
//! refinement, network linking and summaries.

use ctip_core::{Ad, Identifier, IdentifierKind};
use ctip_detect::hourly_price;
use ctip_link::document::{self, Document, Sketch};
use ctip_link::network::{HubOverride, Linking, NetworkParams, Postings, link};
use ctip_link::refine::{self, Template};
use ctip_link::summary::{AdFacts, Summary, day_of, summarise};
use ctip_link::templates::{TemplateParams, extend};
use rayon::prelude::*;
use std::collections::HashMap;

/// The masks of an ad's identifiers: every kind, so that prices, ages and
/// links vary freely inside one template.
fn masks(identifiers: &[Identifier]) -> Vec<(IdentifierKind, ctip_core::Span)> {
    identifiers.iter().map(|i| (i.kind, i.span)).collect()
}

pub fn document_of(ad: &Ad, identifiers: &[Identifier]) -> Document {
    Document::new(&ad.text(), &masks(identifiers))
}

/// The template text of a cluster, from its seed ad.
pub fn template_text(seed: &Ad, identifiers: &[Identifier], template: &Template) -> String {
    let text = seed.text();
    let tokens = document::tokens(&text, &masks(identifiers));
    refine::render(&tokens, &template.fixed)
}

/// Interns strings (cities, names, currencies, identifier keys) to indices.
pub struct Interner<K> {
    index: HashMap<K, u32>,
    values: Vec<K>,
}

impl<K> Default for Interner<K> {
    fn default() -> Self {
        Interner {
            index: HashMap::new(),
            values: Vec::new(),
        }
    }
}

impl<K: std::hash::Hash + Eq + Clone> Interner<K> {
    pub fn intern(&mut self, key: &K) -> u32 {
        if let Some(&i) = self.index.get(key) {
            return i;
        }
        let i = self.values.len() as u32;
        self.index.insert(key.clone(), i);
        self.values.push(key.clone());
        i
    }

    pub fn get(&self, key: &K) -> Option<u32> {
        self.index.get(key).copied()
    }

    pub fn value(&self, i: u32) -> &K {
        &self.values[i as usize]
    }

    pub fn len(&self) -> usize {
        self.values.len()
    }
}

/// What linking keeps of one ad in memory.
#[derive(Debug, Clone)]
pub struct AdInfo {
    pub day: Option<i32>,
    pub city: Option<u32>,
    pub name: Option<u32>,
    pub score: f32,
    pub hourly: Option<(f32, u32)>,
    pub identifiers: Vec<u32>,
}

/// Everything linking has gathered about the ads, in linking order.
#[derive(Default)]
pub struct Corpus {
    pub ads: Vec<AdInfo>,
    pub sketches: Vec<Sketch>,
    pub strings: Interner<String>,
    pub keys: Interner<(IdentifierKind, String)>,
}

impl Corpus {
    /// Adds one ad; its sketch comes separately (computed or stored).
    pub fn push(&mut self, ad: &Ad, score: f32, identifiers: &[Identifier], sketch: Sketch) {
        let mut ids: Vec<u32> = identifiers
            .iter()
            .filter(|i| i.kind.is_linking())
            .map(|i| self.keys.intern(&(i.kind, i.value.clone())))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let city = ad
            .city
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| self.strings.intern(&c.to_string()));
        let name = ad
            .name
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|c| self.strings.intern(&c.to_string()));
        let hourly = hourly_price(identifiers).map(|h| {
            (
                h.amount as f32,
                self.strings.intern(&h.currency.to_string()),
            )
        });
        self.ads.push(AdInfo {
            day: ad.posted_at.as_deref().and_then(day_of),
            city,
            name,
            score,
            hourly,
            identifiers: ids,
        });
        self.sketches.push(sketch);
    }

    pub fn len(&self) -> usize {
        self.ads.len()
    }
}

/// Settings for a build.
#[derive(Debug, Clone)]
pub struct LinkSettings {
    pub template: TemplateParams,
    pub hub_threshold: u32,
    pub template_hub_threshold: u32,
    pub overrides: Vec<((IdentifierKind, String), HubOverride)>,
}

/// Template clusters (given the first `old_labels.len()` ads' clusters) and
/// networks.
pub fn cluster_and_link(
    corpus: &Corpus,
    old_labels: &[u32],
    settings: &LinkSettings,
) -> (Vec<u32>, Linking) {
    let templates = extend(&corpus.sketches, old_labels, settings.template);
    let identifiers: Vec<Vec<u32>> = corpus.ads.iter().map(|a| a.identifiers.clone()).collect();
    let postings = Postings::new(&identifiers, corpus.keys.len());
    let params = NetworkParams {
        hub_threshold: settings.hub_threshold,
        template_hub_threshold: settings.template_hub_threshold,
        overrides: settings
            .overrides
            .iter()
            .filter_map(|(key, decision)| Some((corpus.keys.get(key)?, *decision)))
            .collect(),
    };
    let linking = link(&templates, &postings, &params);
    (templates, linking)
}

/// The members of each group of two or more, by label, in order.
pub fn groups(labels: &[u32]) -> Vec<(u32, Vec<u32>)> {
    let mut by: HashMap<u32, Vec<u32>> = HashMap::new();
    for (i, &l) in labels.iter().enumerate() {
        by.entry(l).or_default().push(i as u32);
    }
    let mut out: Vec<(u32, Vec<u32>)> = by.into_iter().filter(|(_, m)| m.len() >= 2).collect();
    out.sort_unstable_by_key(|(l, _)| *l);
    out
}

/// Summaries of every network of two or more ads.
pub fn summaries(corpus: &Corpus, templates: &[u32], networks: &[u32]) -> Vec<(u32, Summary)> {
    groups(networks)
        .into_par_iter()
        .map(|(label, members)| {
            let facts: Vec<AdFacts> = members
                .iter()
                .map(|&m| {
                    let ad = &corpus.ads[m as usize];
                    AdFacts {
                        day: ad.day,
                        city: ad.city.map(|c| corpus.strings.value(c).as_str()),
                        name: ad.name.map(|n| corpus.strings.value(n).as_str()),
                        score: ad.score,
                        hourly_price: ad
                            .hourly
                            .map(|(a, c)| (a, corpus.strings.value(c).as_str())),
                        template: templates[m as usize],
                        identifiers: &ad.identifiers,
                    }
                })
                .collect();
            let summary = summarise(&facts, |id| corpus.keys.value(id).0);
            (label, summary)
        })
        .collect()
}

//! Stored networks as people see them: the summary kept in the store, the
//! details gathered around it, and the report's view of it. Shared by the
//! CLI's report and `networks show` and by the analysts' live network page.

use ctip_core::IdentifierKind;
use ctip_store::{NetworkRow, Store};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};

#[derive(Debug, thiserror::Error)]
pub enum NetworkViewError {
    #[error(transparent)]
    Store(#[from] ctip_store::StoreError),
    #[error("the stored summary of N-{id} is corrupt: {source}")]
    Summary { id: i64, source: serde_json::Error },
}

/// The display name of a network.
pub fn network_name(id: i64) -> String {
    format!("N-{id}")
}

/// A network's stored summary.
pub fn summary_of(row: &NetworkRow) -> Result<StoredSummary, NetworkViewError> {
    serde_json::from_str(&row.summary)
        .map_err(|source| NetworkViewError::Summary { id: row.id, source })
}

/// A network's summary as stored and exported: the engine's summary with
/// indices turned into names.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredSummary {
    pub ads: u64,
    pub risk: f32,
    pub reasons: Vec<String>,
    pub mean_score: f32,
    pub max_score: f32,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    pub cities: Vec<(String, u64)>,
    pub circuit: Vec<ctip_link::summary::Stop>,
    pub weekly: Vec<(String, u64)>,
    pub prices: Vec<ctip_link::summary::PriceRange>,
    pub names: Vec<String>,
    /// Template ids (rowid of the earliest ad) with their ads here.
    pub templates: Vec<(i64, u64)>,
    pub identifiers: Vec<SummaryIdentifier>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SummaryIdentifier {
    pub kind: IdentifierKind,
    pub value: String,
    pub ads: u64,
}

/// Everything about one network, for `show`, `export` and the report.
#[derive(Debug, Clone, Serialize)]
pub struct NetworkDetail {
    pub id: String,
    pub summary: StoredSummary,
    pub templates: Vec<TemplateDetail>,
    pub hubs: Vec<SummaryIdentifier>,
    pub ads: Vec<String>,
    /// Which template's ads show which identifier: the network's graph.
    pub edges: Vec<(i64, (IdentifierKind, String))>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TemplateDetail {
    pub id: i64,
    pub ads: i64,
    pub text: String,
    pub coverage: f32,
    pub compression: f32,
}

pub async fn network_detail(
    store: &Store,
    row: &NetworkRow,
) -> Result<NetworkDetail, NetworkViewError> {
    let summary = summary_of(row)?;
    let ids: Vec<i64> = summary.templates.iter().map(|(t, _)| *t).collect();
    let templates = store
        .templates_by_id(&ids)
        .await?
        .into_iter()
        .map(|t| TemplateDetail {
            id: t.id,
            ads: t.ads,
            text: t.text,
            coverage: t.coverage,
            compression: t.compression,
        })
        .collect();
    let members = store.network_members(row.id).await?;
    let template_of: HashMap<i64, i64> =
        store.network_templates(row.id).await?.into_iter().collect();
    let rowids: Vec<i64> = members.iter().map(|(r, _)| *r).collect();
    let mut hubs = Vec::new();
    let mut seen = HashSet::new();
    let mut edges = std::collections::BTreeSet::new();
    for ad in store.linkable_ads_by_rowid(&rowids, false).await? {
        for i in ad.identifiers.iter().filter(|i| i.kind.is_linking()) {
            if let Some(&t) = template_of.get(&ad.rowid) {
                edges.insert((t, (i.kind, i.value.clone())));
            }
            if seen.insert((i.kind, i.value.clone()))
                && let Some(v) = store.verdict(i.kind, &i.value).await?
                && v.hub
            {
                hubs.push(SummaryIdentifier {
                    kind: v.kind,
                    value: v.value,
                    ads: v.ads as u64,
                });
            }
        }
    }
    Ok(NetworkDetail {
        id: network_name(row.id),
        summary,
        templates,
        hubs,
        ads: members.into_iter().map(|(_, id)| id).collect(),
        edges: edges.into_iter().collect(),
    })
}

/// A network as the HTML report draws it.
pub fn view(detail: &NetworkDetail) -> ctip_report::NetworkView {
    use ctip_report::{
        CircuitStop, GraphNode, GraphNodeKind, NetworkGraph, NetworkIdentifier, TemplateView,
    };
    let s = &detail.summary;
    let mut nodes: Vec<GraphNode> = Vec::new();
    let mut edges = Vec::new();
    let template_nodes: HashMap<i64, usize> = s
        .templates
        .iter()
        .map(|(id, ads)| {
            nodes.push(GraphNode {
                label: format!("T-{id}"),
                kind: GraphNodeKind::Template,
                weight: *ads,
            });
            (*id, nodes.len() - 1)
        })
        .collect();
    let mut node_of: HashMap<(IdentifierKind, &str), usize> = HashMap::new();
    for i in &s.identifiers {
        nodes.push(GraphNode {
            label: i.value.clone(),
            kind: match i.kind {
                IdentifierKind::Phone => GraphNodeKind::Phone,
                IdentifierKind::Email => GraphNodeKind::Email,
                IdentifierKind::Wallet => GraphNodeKind::Wallet,
                _ => GraphNodeKind::Handle,
            },
            weight: i.ads,
        });
        node_of.insert((i.kind, i.value.as_str()), nodes.len() - 1);
    }
    for h in &detail.hubs {
        if let Some(&n) = node_of.get(&(h.kind, h.value.as_str())) {
            nodes[n].kind = GraphNodeKind::Hub;
        }
    }
    for (template, identifier) in &detail.edges {
        if let (Some(&t), Some(&i)) = (
            template_nodes.get(template),
            node_of.get(&(identifier.0, identifier.1.as_str())),
        ) {
            edges.push((t, i));
        }
    }
    ctip_report::NetworkView {
        id: detail.id.clone(),
        ads: s.ads,
        risk: s.risk,
        risk_reasons: s.reasons.clone(),
        first_seen: s.first_seen.clone(),
        last_seen: s.last_seen.clone(),
        price_range: (!s.prices.is_empty()).then(|| {
            s.prices
                .iter()
                .map(|p| {
                    format!(
                        "{:.0}–{:.0} {}/hour",
                        p.min_per_hour, p.max_per_hour, p.currency
                    )
                })
                .collect::<Vec<_>>()
                .join(", ")
        }),
        names: s.names.clone(),
        cities: s.cities.clone(),
        circuit: s
            .circuit
            .iter()
            .map(|c| CircuitStop {
                city: c.city.clone(),
                from: c.from.clone(),
                to: c.to.clone(),
                ads: c.ads,
            })
            .collect(),
        timeline: s.weekly.clone(),
        identifiers: s
            .identifiers
            .iter()
            .map(|i| NetworkIdentifier {
                kind: i.kind.as_str().to_string(),
                value: i.value.clone(),
                ads: i.ads,
                hub: detail
                    .hubs
                    .iter()
                    .any(|h| h.kind == i.kind && h.value == i.value),
            })
            .collect(),
        templates: detail
            .templates
            .iter()
            .map(|t| TemplateView {
                id: format!("T-{}", t.id),
                ads: t.ads as u64,
                text: t.text.clone(),
                coverage: t.coverage,
            })
            .collect(),
        graph: NetworkGraph { nodes, edges },
    }
}

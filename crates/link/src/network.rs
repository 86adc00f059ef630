//! Networks: ads joined by a shared template or a shared identifier, with
//! hubs (booking services, agency numbers) kept from merging unrelated
//! groups.
//!
//! Hub suppression works on groups. Identifiers are considered from the
//! narrowest (spanning the fewest template clusters) to the widest. Each one
//! looks at the groups its ads already belong to, counting only groups of at
//! least two ads: a benign business's reposts, each ad its own group, do not
//! make its phone look like a hub. An identifier whose ads sit in
//! `hub_threshold` or more such groups is a hub: it is flagged and not used
//! to link. Narrow identifiers go first so that a network's own phones have
//! already joined its templates when a hub shared by several networks is
//! judged.

use crate::sets::DisjointSets;
use std::collections::HashMap;

/// Expert settings for linking.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkParams {
    /// An identifier whose ads fall into this many separate groups (of two
    /// or more ads) is a hub and does not link.
    pub hub_threshold: u32,
    /// Analyst decisions that override the hub rule, by identifier index.
    pub overrides: HashMap<u32, HubOverride>,
}

impl Default for NetworkParams {
    fn default() -> Self {
        NetworkParams {
            hub_threshold: 4,
            overrides: HashMap::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HubOverride {
    /// Always link through this identifier.
    Link,
    /// Never link through it.
    Suppress,
}

/// How one shared identifier was judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    pub identifier: u32,
    /// Ads that show it.
    pub ads: u32,
    /// Separate groups of two or more ads its ads fell into when judged.
    pub groups: u32,
    pub hub: bool,
    /// Set when an analyst's override decided, not the rule.
    pub overridden: bool,
}

/// The ads of each identifier, in compressed rows.
#[derive(Debug, Clone, Default)]
pub struct Postings {
    offsets: Vec<u32>,
    ads: Vec<u32>,
}

impl Postings {
    /// `identifiers[ad]` lists the identifiers (as indices below `count`)
    /// an ad shows; repeats within an ad are ignored.
    pub fn new(identifiers: &[Vec<u32>], count: usize) -> Postings {
        let mut lengths = vec![0u32; count + 1];
        for ids in identifiers {
            for &id in ids {
                lengths[id as usize + 1] += 1;
            }
        }
        for i in 1..lengths.len() {
            lengths[i] += lengths[i - 1];
        }
        let offsets = lengths.clone();
        let mut next = lengths;
        let mut ads = vec![0u32; *offsets.last().unwrap_or(&0) as usize];
        for (ad, ids) in identifiers.iter().enumerate() {
            for &id in ids {
                ads[next[id as usize] as usize] = ad as u32;
                next[id as usize] += 1;
            }
        }
        let mut postings = Postings { offsets, ads };
        for id in 0..count {
            let range = postings.range(id as u32);
            let slice = &mut postings.ads[range];
            slice.sort_unstable();
        }
        postings
    }

    fn range(&self, id: u32) -> std::ops::Range<usize> {
        self.offsets[id as usize] as usize..self.offsets[id as usize + 1] as usize
    }

    /// The ads of identifier `id`, ascending, possibly with repeats.
    pub fn ads(&self, id: u32) -> &[u32] {
        &self.ads[self.range(id)]
    }

    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The outcome of linking.
#[derive(Debug, Clone)]
pub struct Linking {
    /// Each ad's network, named by its earliest ad.
    pub network: Vec<u32>,
    /// Every identifier shown by two or more ads, in the order judged.
    pub verdicts: Vec<Verdict>,
}

impl Linking {
    pub fn hubs(&self) -> impl Iterator<Item = &Verdict> {
        self.verdicts.iter().filter(|v| v.hub)
    }
}

/// Links ads into networks. `templates[ad]` is the ad's template cluster (as
/// from [`crate::templates::cluster`]).
pub fn link(templates: &[u32], postings: &Postings, params: &NetworkParams) -> Linking {
    let mut sets = DisjointSets::new(templates.len());
    for (ad, &template) in templates.iter().enumerate() {
        sets.union(ad as u32, template);
    }
    let mut order: Vec<(u32, u32, u32)> = (0..postings.len() as u32)
        .filter_map(|id| {
            let ads = distinct(postings.ads(id));
            if ads.len() < 2 {
                return None;
            }
            let mut spread: Vec<u32> = ads.iter().map(|&ad| templates[ad as usize]).collect();
            spread.sort_unstable();
            spread.dedup();
            Some((spread.len() as u32, ads.len() as u32, id))
        })
        .collect();
    order.sort_unstable();

    let mut verdicts = Vec::with_capacity(order.len());
    let mut roots = Vec::new();
    for (_, ad_count, id) in order {
        let ads = postings.ads(id);
        roots.clear();
        roots.extend(ads.iter().map(|&ad| sets.find(ad)));
        roots.sort_unstable();
        roots.dedup();
        let groups = roots.iter().filter(|&&r| sets.size_of(r) >= 2).count() as u32;
        let (hub, overridden) = match params.overrides.get(&id) {
            Some(HubOverride::Link) => (false, true),
            Some(HubOverride::Suppress) => (true, true),
            None => (groups >= params.hub_threshold, false),
        };
        if !hub {
            for &ad in &ads[1..] {
                sets.union(ads[0], ad);
            }
        }
        verdicts.push(Verdict {
            identifier: id,
            ads: ad_count,
            groups,
            hub,
            overridden,
        });
    }
    Linking {
        network: sets.labels(),
        verdicts,
    }
}

fn distinct(sorted: &[u32]) -> Vec<u32> {
    let mut out = sorted.to_vec();
    out.dedup();
    out
}

/// One step of the evidence that links two ads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    pub from: u32,
    pub via: Via,
    pub to: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Via {
    /// Both ads come from template cluster (named by its earliest ad).
    Template(u32),
    /// Both ads show this identifier.
    Identifier(u32),
}

/// The shortest chain of shared evidence from ad `a` to ad `b`, using only
/// links that linking used (no hubs), or `None` if they are not linked.
/// `members` are the ads of the network to search (any superset of the path
/// works; a network's ads keep the search small).
pub fn explain(
    a: u32,
    b: u32,
    members: &[u32],
    templates: &[u32],
    identifiers: &[Vec<u32>],
    is_hub: impl Fn(u32) -> bool,
) -> Option<Vec<Step>> {
    if a == b {
        return Some(Vec::new());
    }
    let mut by_template: HashMap<u32, Vec<u32>> = HashMap::new();
    let mut by_identifier: HashMap<u32, Vec<u32>> = HashMap::new();
    for &ad in members {
        by_template
            .entry(templates[ad as usize])
            .or_default()
            .push(ad);
        for &id in &identifiers[ad as usize] {
            if !is_hub(id) {
                by_identifier.entry(id).or_default().push(ad);
            }
        }
    }
    let mut came_from: HashMap<u32, (u32, Via)> = HashMap::new();
    let mut queue = std::collections::VecDeque::from([a]);
    let mut seen_links: std::collections::HashSet<Via> = std::collections::HashSet::new();
    came_from.insert(a, (a, Via::Template(templates[a as usize])));
    while let Some(ad) = queue.pop_front() {
        let template = Via::Template(templates[ad as usize]);
        let links = std::iter::once(template).chain(
            identifiers[ad as usize]
                .iter()
                .filter(|&&id| !is_hub(id))
                .map(|&id| Via::Identifier(id)),
        );
        for via in links {
            if !seen_links.insert(via) {
                continue;
            }
            let neighbours = match via {
                Via::Template(t) => by_template.get(&t),
                Via::Identifier(i) => by_identifier.get(&i),
            };
            for &next in neighbours.into_iter().flatten() {
                if came_from.contains_key(&next) {
                    continue;
                }
                came_from.insert(next, (ad, via));
                if next == b {
                    let mut steps = Vec::new();
                    let mut at = b;
                    while at != a {
                        let (prev, via) = came_from[&at];
                        steps.push(Step {
                            from: prev,
                            via,
                            to: at,
                        });
                        at = prev;
                    }
                    steps.reverse();
                    return Some(steps);
                }
                queue.push_back(next);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Five networks, each two templates of three ads joined by an own
    /// phone; one hub phone shown by one ad of each; and a benign business
    /// posting four unrelated texts with one phone.
    fn corpus() -> (Vec<u32>, Vec<Vec<u32>>, usize) {
        let mut templates = Vec::new();
        let mut identifiers = Vec::new();
        let hub = 5;
        for network in 0..5u32 {
            for template in 0..2 {
                let first = templates.len() as u32;
                for copy in 0..3 {
                    templates.push(first);
                    let mut ids = vec![network];
                    if template == 0 && copy == 0 {
                        ids.push(hub);
                    }
                    identifiers.push(ids);
                }
            }
        }
        let business = 6;
        for _ in 0..4 {
            templates.push(templates.len() as u32);
            identifiers.push(vec![business]);
        }
        (templates, identifiers, 7)
    }

    #[test]
    fn hubs_do_not_merge_networks_but_own_phones_and_businesses_link() {
        let (templates, identifiers, count) = corpus();
        let postings = Postings::new(&identifiers, count);
        let linking = link(&templates, &postings, &NetworkParams::default());
        let mut networks = linking.network.clone();
        networks.sort_unstable();
        networks.dedup();
        assert_eq!(networks, vec![0, 6, 12, 18, 24, 30]);
        let hubs: Vec<u32> = linking.hubs().map(|v| v.identifier).collect();
        assert_eq!(hubs, vec![5]);
        let hub = linking.verdicts.iter().find(|v| v.identifier == 5).unwrap();
        assert_eq!((hub.ads, hub.groups), (5, 5));
    }

    #[test]
    fn overrides_beat_the_rule() {
        let (templates, identifiers, count) = corpus();
        let postings = Postings::new(&identifiers, count);
        let mut params = NetworkParams::default();
        params.overrides.insert(5, HubOverride::Link);
        params.overrides.insert(6, HubOverride::Suppress);
        let linking = link(&templates, &postings, &params);
        assert!(linking.network[..30].iter().all(|&n| n == 0));
        assert_eq!(&linking.network[30..], &[30, 31, 32, 33]);
    }

    #[test]
    fn a_lower_threshold_flags_more() {
        let (templates, identifiers, count) = corpus();
        let postings = Postings::new(&identifiers, count);
        let params = NetworkParams {
            hub_threshold: 2,
            ..NetworkParams::default()
        };
        let hubs: Vec<u32> = link(&templates, &postings, &params)
            .hubs()
            .map(|v| v.identifier)
            .collect();
        // Each network's own phone joins two templates of three ads.
        assert_eq!(hubs, vec![0, 1, 2, 3, 4, 5]);
    }

    #[test]
    fn explanation_follows_shared_evidence_and_avoids_hubs() {
        let (templates, identifiers, count) = corpus();
        let postings = Postings::new(&identifiers, count);
        let linking = link(&templates, &postings, &NetworkParams::default());
        let members: Vec<u32> = (0..templates.len() as u32).collect();
        let is_hub = |id: u32| linking.hubs().any(|v| v.identifier == id);
        let path = explain(1, 5, &members, &templates, &identifiers, is_hub).unwrap();
        assert_eq!(path.len(), 1);
        assert_eq!(path[0].via, Via::Identifier(0));
        let path = explain(1, 2, &members, &templates, &identifiers, is_hub).unwrap();
        assert_eq!(path[0].via, Via::Template(0));
        // Ads 0 and 6 share only the hub phone.
        assert_eq!(
            explain(0, 6, &members, &templates, &identifiers, is_hub),
            None
        );
    }

    #[test]
    fn postings_list_each_identifiers_ads() {
        let postings = Postings::new(&[vec![1], vec![0, 1], vec![1, 1]], 3);
        assert_eq!(postings.ads(0), &[1]);
        assert_eq!(postings.ads(1), &[0, 1, 2, 2]);
        assert!(postings.ads(2).is_empty());
    }
}

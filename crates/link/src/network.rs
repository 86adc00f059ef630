//! Networks: ads joined by a shared template or a shared identifier, with
//! hubs (booking services, agency numbers) kept from merging unrelated
//! groups.
//!
//! Hub suppression asks of each identifier: without it, how many separate
//! groups would its ads fall into? Groups are what templates and every other
//! identifier join, and only groups of two or more ads count, so a benign
//! business's reposts (each ad alone, joined only by its phone and e-mail)
//! never look like a hub, while a booking service's number, the only thing
//! joining several otherwise separate networks, does. An identifier whose
//! ads fall into `hub_threshold` or more groups is a hub: flagged, shown, and
//! not used to link. Only identifiers spanning that many template clusters
//! can qualify, and each is judged within the part of the corpus it can
//! reach, so the cost stays near linear.
//!
//! Limit: two hubs joining the same networks hide each other (without one,
//! the other still joins them); an analyst can suppress either by hand.

use crate::sets::DisjointSets;
use std::collections::HashMap;

/// Expert settings for linking.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkParams {
    /// An identifier whose ads fall into this many separate groups (of two
    /// or more ads) is a hub and does not link.
    pub hub_threshold: u32,
    /// A template cluster whose ads belong to this many separate posters
    /// (groups of two or more ads joined by identifiers) is shared text and
    /// does not link.
    pub template_hub_threshold: u32,
    /// Analyst decisions that override the hub rule, by identifier index.
    pub overrides: HashMap<u32, HubOverride>,
}

impl Default for NetworkParams {
    fn default() -> Self {
        NetworkParams {
            hub_threshold: 4,
            template_hub_threshold: 3,
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
    /// Separate groups of two or more ads its ads would fall into without
    /// it (0 when it spans too few template clusters to be judged).
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
    /// Every identifier shown by two or more ads, by index.
    pub verdicts: Vec<Verdict>,
    /// Template clusters judged shared text, which do not link.
    pub shared_text: Vec<TemplateVerdict>,
}

/// A template cluster whose ads belong to many separate posters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TemplateVerdict {
    pub template: u32,
    pub ads: u32,
    /// Separate posters among its ads: groups joined by identifiers that
    /// cannot be hubs, counting only ads that show an identifier shared
    /// with another ad.
    pub posters: u32,
}

impl Linking {
    pub fn hubs(&self) -> impl Iterator<Item = &Verdict> {
        self.verdicts.iter().filter(|v| v.hub)
    }
}

/// Links ads into networks. `templates[ad]` is the ad's template cluster (as
/// from [`crate::templates::cluster`]).
pub fn link(templates: &[u32], postings: &Postings, params: &NetworkParams) -> Linking {
    let ad_count = templates.len();
    let mut shared: Vec<(u32, Vec<u32>)> = Vec::new();
    for id in 0..postings.len() as u32 {
        let ads = distinct(postings.ads(id));
        if ads.len() >= 2 {
            shared.push((id, ads));
        }
    }
    // Identifiers spanning few template clusters cannot be hubs: they are
    // safe, and the groups they form judge the templates.
    let spreads: Vec<usize> = shared
        .iter()
        .map(|(_, ads)| {
            let mut spread: Vec<u32> = ads.iter().map(|&ad| templates[ad as usize]).collect();
            spread.sort_unstable();
            spread.dedup();
            spread.len()
        })
        .collect();
    let is_safe = |index: usize| {
        params.overrides.get(&shared[index].0) == Some(&HubOverride::Link)
            || (!params.overrides.contains_key(&shared[index].0)
                && (spreads[index] as u32) < params.hub_threshold)
    };
    let mut has_identifier = vec![false; ad_count];
    for (_, ads) in &shared {
        for &ad in ads {
            has_identifier[ad as usize] = true;
        }
    }
    let mut safe_sets = DisjointSets::new(ad_count);
    for index in (0..shared.len()).filter(|&i| is_safe(i)) {
        union_all(&mut safe_sets, &shared[index].1);
    }
    // A template cluster whose ads belong to many separate posters (by
    // their safe identifiers) is shared text, such as a catalogue phrase
    // set or boilerplate, rather than one author's template: it does not
    // link.
    let mut by_template: HashMap<u32, Vec<u32>> = HashMap::new();
    for (ad, &template) in templates.iter().enumerate() {
        by_template.entry(template).or_default().push(ad as u32);
    }
    let mut base = DisjointSets::new(ad_count);
    let mut shared_text = Vec::new();
    let mut by_template: Vec<(u32, Vec<u32>)> = by_template.into_iter().collect();
    by_template.sort_unstable_by_key(|(t, _)| *t);
    for (template, ads) in by_template {
        if ads.len() < 2 {
            continue;
        }
        // Every ad that shows an identifier speaks for its poster; ads that
        // show none say nothing about who wrote them.
        let mut roots: Vec<u32> = ads
            .iter()
            .filter(|&&ad| has_identifier[ad as usize])
            .map(|&ad| safe_sets.find(ad))
            .collect();
        roots.sort_unstable();
        roots.dedup();
        let posters = roots.len() as u32;
        if posters >= params.template_hub_threshold {
            shared_text.push(TemplateVerdict {
                template,
                ads: ads.len() as u32,
                posters,
            });
        } else {
            union_all(&mut base, &ads);
        }
    }
    let mut candidates: Vec<usize> = Vec::new();
    for (index, (id, ads)) in shared.iter().enumerate() {
        match params.overrides.get(id) {
            Some(HubOverride::Suppress) => {}
            _ if is_safe(index) => union_all(&mut base, ads),
            _ => candidates.push(index),
        }
    }
    // Candidates that can touch each other, grouped by their component when
    // every candidate links.
    let mut everything = base.clone();
    for &c in &candidates {
        union_all(&mut everything, &shared[c].1);
    }
    let mut by_component: HashMap<u32, Vec<usize>> = HashMap::new();
    for &c in &candidates {
        let root = everything.find(shared[c].1[0]);
        by_component.entry(root).or_default().push(c);
    }
    let mut members: HashMap<u32, Vec<u32>> = HashMap::new();
    for ad in 0..ad_count as u32 {
        let root = everything.find(ad);
        if by_component.contains_key(&root) {
            members.entry(root).or_default().push(ad);
        }
    }
    let mut groups_of: HashMap<usize, u32> = HashMap::new();
    let mut components: Vec<(u32, Vec<usize>)> = by_component.into_iter().collect();
    components.sort_unstable_by_key(|(root, _)| *root);
    for (root, in_component) in components {
        let ads = &members[&root];
        let local = |ad: u32| ads.binary_search(&ad).expect("ad is in the component") as u32;
        let seeded: Vec<u32> = ads.iter().map(|&ad| local(base.find(ad))).collect();
        for &judged in &in_component {
            // The groups the judged identifier's ads fall into without it.
            let mut sets = DisjointSets::new(ads.len());
            for (i, &root) in seeded.iter().enumerate() {
                sets.union(i as u32, root);
            }
            for &other in in_component.iter().filter(|&&o| o != judged) {
                let other_ads = &shared[other].1;
                let first = local(other_ads[0]);
                for &ad in &other_ads[1..] {
                    sets.union(first, local(ad));
                }
            }
            let mut roots: Vec<u32> = shared[judged]
                .1
                .iter()
                .map(|&ad| sets.find(local(ad)))
                .collect();
            roots.sort_unstable();
            roots.dedup();
            let groups = roots.iter().filter(|&&r| sets.size_of(r) >= 2).count() as u32;
            groups_of.insert(judged, groups);
        }
    }

    let mut verdicts = Vec::with_capacity(shared.len());
    let mut final_sets = base;
    for (index, (id, ads)) in shared.iter().enumerate() {
        let (hub, overridden, groups) = match params.overrides.get(id) {
            Some(HubOverride::Link) => (false, true, 0),
            Some(HubOverride::Suppress) => (true, true, 0),
            None => match groups_of.get(&index) {
                Some(&groups) => (groups >= params.hub_threshold, false, groups),
                None => (false, false, 0),
            },
        };
        if groups_of.contains_key(&index) && !hub {
            union_all(&mut final_sets, ads);
        }
        verdicts.push(Verdict {
            identifier: *id,
            ads: ads.len() as u32,
            groups,
            hub,
            overridden,
        });
    }
    Linking {
        network: final_sets.labels(),
        verdicts,
        shared_text,
    }
}

fn union_all(sets: &mut DisjointSets, ads: &[u32]) {
    for &ad in &ads[1..] {
        sets.union(ads[0], ad);
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
        // Templates judged by the identifier rule alone.
        let params = NetworkParams {
            hub_threshold: 2,
            template_hub_threshold: u32::MAX,
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
    fn a_template_shared_by_many_posters_does_not_link_them() {
        // Six ads from one text, each with its own phone: six posters.
        let templates = vec![0; 6];
        let identifiers: Vec<Vec<u32>> = (0..6).map(|i| vec![i]).collect();
        // Each phone also appears in a second, unrelated ad.
        let mut templates = templates;
        let mut identifiers = identifiers;
        for i in 0..6u32 {
            templates.push(6 + i);
            identifiers.push(vec![i]);
        }
        let postings = Postings::new(&identifiers, 6);
        let linking = link(&templates, &postings, &NetworkParams::default());
        assert_eq!(linking.shared_text.len(), 1);
        assert_eq!(linking.shared_text[0].posters, 6);
        let mut networks = linking.network.clone();
        networks.sort_unstable();
        networks.dedup();
        assert_eq!(networks.len(), 6, "each poster stays its own network");
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

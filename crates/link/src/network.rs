//! Networks: ads joined by a shared template or a shared identifier, with
//! hubs (booking services, agency numbers) kept from merging unrelated
//! groups.
//!
//! Hub suppression asks of each identifier: how many separate groups (of two
//! or more ads) would its ads fall into if it did not link? A benign
//! business's reposts (each ad alone, joined only by its phone and e-mail)
//! fall into none, while a booking service's number, shown by several
//! otherwise separate networks, falls into one per network. An identifier
//! whose ads fall into `hub_threshold` or more groups is a hub: flagged,
//! shown, and not used to link.
//!
//! Identifiers are judged one at a time in increasing spread (the number of
//! other identifiers and templates their ads show), each against the groups
//! that everything judged before it formed. Narrow identifiers, such as a
//! network's own phones, link first; a hub, which spans several networks'
//! evidence, comes later and sees them as separate groups. An identifier
//! whose spread is below the threshold cannot fall into that many groups
//! and links without being judged. The whole judging is one pass over the
//! identifiers' ads: linear, whatever the corpus size.
//!
//! Template clusters are judged by posters: a cluster whose ads belong to
//! many posters (groups joined by identifiers alone) is shared text, such as
//! catalogue phrases or a site's boilerplate, and does not link.

use crate::sets::DisjointSets;
use rayon::prelude::*;
use std::collections::HashMap;

/// Expert settings for linking.
#[derive(Debug, Clone, PartialEq)]
pub struct NetworkParams {
    /// An identifier whose ads fall into this many separate groups that
    /// each hold another identifier is a hub and does not link.
    pub hub_threshold: u32,
    /// A template cluster whose ads belong to this many posters (groups
    /// joined by identifiers alone; estimated, see `judge_template`) is
    /// shared text and does not link.
    pub template_hub_threshold: u32,
    /// Analyst decisions that override the hub rule, by identifier index.
    pub overrides: HashMap<u32, HubOverride>,
}

impl Default for NetworkParams {
    fn default() -> Self {
        NetworkParams {
            // A booking service serves three or more networks. Three is safe
            // for a network's own identifiers because only groups that hold
            // another identifier count (see `Grouping`): pieces of its own
            // template never make an own phone a hub. Measured on synth
            // (seed 7) network ARI at 10k / 100k / 1M: 0.956 / 0.915 / 0.800
            // with 3, 0.952 / 0.881 / 0.752 with 4.
            hub_threshold: 3,
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
    /// Estimated posters among its ads: the distinct posters (groups joined
    /// by identifiers alone) of its ads that show a shared identifier, scaled
    /// by all its ads over those; `u32::MAX` when none shows one.
    pub posters: u32,
}

impl Linking {
    pub fn hubs(&self) -> impl Iterator<Item = &Verdict> {
        self.verdicts.iter().filter(|v| v.hub)
    }
}

/// Links ads into networks. `templates[ad]` is the ad's template cluster (as
/// from [`crate::templates::cluster`]).
///
/// Three passes:
/// 1. **Posters.** Identifiers alone, judged in increasing spread (see
///    [`judge_in_order`]), group the ads into posters.
/// 2. **Templates.** A template cluster whose ads belong to
///    `template_hub_threshold` or more posters is shared text and does not
///    link; the others do.
/// 3. **Networks.** Every identifier is judged again, now against the groups
///    that linking templates and the identifiers judged before it form; the
///    ones that are not hubs link.
pub fn link(templates: &[u32], postings: &Postings, params: &NetworkParams) -> Linking {
    let ad_count = templates.len();
    let shared: Vec<(u32, Vec<u32>)> = (0..postings.len() as u32)
        .into_par_iter()
        .filter_map(|id| {
            let ads = distinct(postings.ads(id));
            (ads.len() >= 2).then_some((id, ads))
        })
        .collect();
    let decision: Vec<Option<HubOverride>> = shared
        .iter()
        .map(|(id, _)| params.overrides.get(id).copied())
        .collect();
    let by_ad = AdIdentifiers::new(ad_count, &shared, &decision);
    let threshold = params.hub_threshold;

    // Pass 1: posters, by identifiers alone.
    let mut posters = Grouping::new(ad_count);
    let spreads: Vec<u32> = (0..shared.len())
        .into_par_iter()
        .map(|index| spread(index, &shared[index].1, &by_ad, None))
        .collect();
    let candidates = split_candidates(&mut posters, &shared, &decision, &spreads, threshold);
    judge_in_order(&mut posters, &candidates, &shared, threshold);
    let poster_of = posters.sets.labels();

    // Pass 2: template clusters shared by many posters are shared text.
    let by_template = Groups::new(templates);
    let judged_templates: Vec<Option<(TemplateVerdict, Vec<u32>)>> = (0..by_template.len())
        .into_par_iter()
        .map(|group| {
            let ads = by_template.members(group);
            (ads.len() >= 2).then(|| judge_template(ads, templates, &by_ad, &poster_of))
        })
        .collect();
    let mut linking_template = vec![false; ad_count];
    let mut networks = Grouping::new(ad_count);
    let mut shared_text = Vec::new();
    for (verdict, joined) in judged_templates.into_iter().flatten() {
        if verdict.posters >= params.template_hub_threshold {
            shared_text.push(verdict);
        } else if joined.len() >= 2 {
            linking_template[verdict.template as usize] = true;
            union_all(&mut networks.sets, &joined);
        }
    }
    shared_text.sort_unstable_by_key(|v| v.template);

    // Pass 3: identifiers judged against templates and each other.
    let spreads: Vec<u32> = (0..shared.len())
        .into_par_iter()
        .map(|index| {
            spread(
                index,
                &shared[index].1,
                &by_ad,
                Some((templates, &linking_template)),
            )
        })
        .collect();
    let candidates = split_candidates(&mut networks, &shared, &decision, &spreads, threshold);
    let judged = judge_in_order(&mut networks, &candidates, &shared, threshold);

    let verdicts = shared
        .iter()
        .enumerate()
        .map(|(index, (id, ads))| {
            let (hub, overridden, groups) = match decision[index] {
                Some(HubOverride::Link) => (false, true, 0),
                Some(HubOverride::Suppress) => (true, true, 0),
                None => judged
                    .get(&index)
                    .map_or((false, false, 0), |&(groups, hub)| (hub, false, groups)),
            };
            Verdict {
                identifier: *id,
                ads: ads.len() as u32,
                groups,
                hub,
                overridden,
            }
        })
        .collect();
    Linking {
        network: networks.sets.labels(),
        verdicts,
        shared_text,
    }
}

/// Judges one template cluster (`ads`, two or more) by the posters of its
/// ads, and returns the ads it joins when it links.
///
/// Every ad that shows a shared identifier speaks for its poster. Ads that
/// show none cannot say who wrote them, so they are taken to come from
/// posters at the rate the identified ads do: the estimate is the distinct
/// posters scaled by all ads over identified ads. A site's boilerplate, a
/// few of whose ads carry a phone, thus counts as the many posters it has,
/// and a cluster with no identified ad at all names no poster and is shared
/// text. A template that links joins its anonymous ads and the posters with
/// two or more ads in it: one ad of another poster is a chance near-copy,
/// not evidence that the poster uses the template.
fn judge_template(
    ads: &[u32],
    templates: &[u32],
    by_ad: &AdIdentifiers,
    poster_of: &[u32],
) -> (TemplateVerdict, Vec<u32>) {
    let mut identified: Vec<(u32, u32)> = ads
        .iter()
        .filter(|&&ad| by_ad.has_any(ad))
        .map(|&ad| (poster_of[ad as usize], ad))
        .collect();
    identified.sort_unstable();
    let mut posters = 0u32;
    let mut joined: Vec<u32> = ads
        .iter()
        .copied()
        .filter(|&ad| !by_ad.has_any(ad))
        .collect();
    for run in identified.chunk_by(|a, b| a.0 == b.0) {
        posters += 1;
        if run.len() >= 2 {
            joined.extend(run.iter().map(|&(_, ad)| ad));
        }
    }
    let estimate = if identified.is_empty() {
        u32::MAX
    } else {
        let scaled = u64::from(posters) * ads.len() as u64;
        scaled
            .div_ceil(identified.len() as u64)
            .min(u64::from(u32::MAX)) as u32
    };
    joined.sort_unstable();
    let verdict = TemplateVerdict {
        template: templates[ads[0] as usize],
        ads: ads.len() as u32,
        posters: estimate,
    };
    (verdict, joined)
}

/// Links the identifiers that an analyst forced or that cannot be hubs
/// (their spread is below the threshold), and returns the others, the
/// candidates, in the order they are judged: increasing spread, then
/// increasing ads, then index.
fn split_candidates(
    sets: &mut Grouping,
    shared: &[(u32, Vec<u32>)],
    decision: &[Option<HubOverride>],
    spreads: &[u32],
    threshold: u32,
) -> Vec<usize> {
    let mut candidates = Vec::new();
    for (index, (_, ads)) in shared.iter().enumerate() {
        match decision[index] {
            Some(HubOverride::Suppress) => {}
            Some(HubOverride::Link) => sets.link_identifier(ads),
            None if spreads[index] < threshold => sets.link_identifier(ads),
            None => candidates.push(index),
        }
    }
    candidates.sort_unstable_by_key(|&i| (spreads[i], shared[i].1.len(), i));
    candidates
}

/// Judges hub candidates one at a time, in the given order (increasing
/// spread). Each is asked: into how many groups of two or more ads do my
/// ads fall, as `sets` stands now (whatever linked before me)? At
/// `threshold` or more it is a hub and does not link; below, it links and
/// its groups become one for the candidates after it.
///
/// Judging narrow identifiers first means a booking hub is judged after the
/// networks' own phones have joined each network and before it could merge
/// them, and two hubs spanning the same networks no longer hide each other
/// (leave-one-out judging let each one's networks stay joined by the other).
/// It costs one pass over the candidates' ads.
fn judge_in_order(
    sets: &mut Grouping,
    order: &[usize],
    shared: &[(u32, Vec<u32>)],
    threshold: u32,
) -> HashMap<usize, (u32, bool)> {
    let mut out = HashMap::with_capacity(order.len());
    let mut roots: Vec<u32> = Vec::new();
    for &index in order {
        let ads = &shared[index].1;
        roots.clear();
        roots.extend(ads.iter().map(|&ad| sets.find(ad)));
        roots.sort_unstable();
        roots.dedup();
        let groups = roots.iter().filter(|&&r| sets.is_identified(r)).count() as u32;
        let hub = groups >= threshold;
        if !hub {
            sets.link_identifier(ads);
        }
        out.insert(index, (groups, hub));
    }
    out
}

/// Ads grouped by what linked so far, knowing which groups hold a linking
/// identifier. Only those count as separate groups when an identifier is
/// judged: a piece of one network's template that shows no identifier but
/// the judged one is not a poster of its own, so a network's own phone that
/// joins many such pieces is not a hub.
struct Grouping {
    sets: DisjointSets,
    identified: Vec<bool>,
}

impl Grouping {
    fn new(len: usize) -> Grouping {
        Grouping {
            sets: DisjointSets::new(len),
            identified: vec![false; len],
        }
    }

    fn find(&mut self, ad: u32) -> u32 {
        self.sets.find(ad)
    }

    fn is_identified(&self, root: u32) -> bool {
        self.identified[root as usize]
    }

    /// Joins the ads of one identifier: their group now holds it.
    fn link_identifier(&mut self, ads: &[u32]) {
        union_all(&mut self.sets, ads);
        let root = self.sets.find(ads[0]);
        self.identified[root as usize] = true;
    }
}

/// How many distinct pieces of other evidence an identifier's ads show:
/// other shared identifiers, and (in pass 3) linking template clusters. It
/// bounds the groups of two or more ads its ads can fall into without it,
/// since each such group holds one of its ads joined to another ad by
/// some other evidence: below the hub threshold it cannot be a hub.
fn spread(
    index: usize,
    ads: &[u32],
    by_ad: &AdIdentifiers,
    templates: Option<(&[u32], &[bool])>,
) -> u32 {
    let mut keys: Vec<u64> = Vec::new();
    for &ad in ads {
        keys.extend(
            by_ad
                .of(ad)
                .iter()
                .filter(|&&other| other as usize != index)
                .map(|&other| u64::from(other)),
        );
        if let Some((templates, linking)) = templates {
            let template = templates[ad as usize];
            if linking[template as usize] {
                keys.push((1 << 32) | u64::from(template));
            }
        }
    }
    keys.sort_unstable();
    keys.dedup();
    keys.len() as u32
}

/// The shared identifiers (by index into the shared list) of each ad, in
/// compressed rows; suppressed identifiers are left out, as they never link.
struct AdIdentifiers {
    offsets: Vec<u32>,
    identifiers: Vec<u32>,
}

impl AdIdentifiers {
    fn new(
        ad_count: usize,
        shared: &[(u32, Vec<u32>)],
        decision: &[Option<HubOverride>],
    ) -> AdIdentifiers {
        let live = |index: usize| decision[index] != Some(HubOverride::Suppress);
        let mut offsets = vec![0u32; ad_count + 1];
        for (index, (_, ads)) in shared.iter().enumerate() {
            if live(index) {
                for &ad in ads {
                    offsets[ad as usize + 1] += 1;
                }
            }
        }
        for i in 1..offsets.len() {
            offsets[i] += offsets[i - 1];
        }
        let mut next = offsets.clone();
        let mut identifiers = vec![0u32; offsets[ad_count] as usize];
        for (index, (_, ads)) in shared.iter().enumerate() {
            if live(index) {
                for &ad in ads {
                    identifiers[next[ad as usize] as usize] = index as u32;
                    next[ad as usize] += 1;
                }
            }
        }
        AdIdentifiers {
            offsets,
            identifiers,
        }
    }

    fn of(&self, ad: u32) -> &[u32] {
        &self.identifiers
            [self.offsets[ad as usize] as usize..self.offsets[ad as usize + 1] as usize]
    }

    fn has_any(&self, ad: u32) -> bool {
        self.offsets[ad as usize] < self.offsets[ad as usize + 1]
    }
}

/// Items grouped by label, in compressed rows: groups in order of their
/// label, members ascending.
struct Groups {
    offsets: Vec<u32>,
    members: Vec<u32>,
}

impl Groups {
    fn new(labels: &[u32]) -> Groups {
        let mut counts = vec![0u32; labels.len() + 1];
        for &label in labels {
            counts[label as usize + 1] += 1;
        }
        for i in 1..counts.len() {
            counts[i] += counts[i - 1];
        }
        let mut next = counts.clone();
        let mut members = vec![0u32; labels.len()];
        for (item, &label) in labels.iter().enumerate() {
            members[next[label as usize] as usize] = item as u32;
            next[label as usize] += 1;
        }
        let mut offsets: Vec<u32> = counts;
        offsets.dedup();
        Groups { offsets, members }
    }

    fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    fn members(&self, group: usize) -> &[u32] {
        &self.members[self.offsets[group] as usize..self.offsets[group + 1] as usize]
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
        // The hub phone shown by three of the five networks only.
        let (templates, mut identifiers, count) = corpus();
        for ids in identifiers.iter_mut().skip(18) {
            ids.retain(|&id| id != 5);
        }
        let postings = Postings::new(&identifiers, count);
        let hubs = |hub_threshold: u32| -> Vec<u32> {
            let params = NetworkParams {
                hub_threshold,
                ..NetworkParams::default()
            };
            link(&templates, &postings, &params)
                .hubs()
                .map(|v| v.identifier)
                .collect()
        };
        assert!(hubs(4).is_empty(), "three networks are below four");
        assert_eq!(hubs(3), vec![5]);
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

    fn network_count(linking: &Linking) -> usize {
        let mut networks = linking.network.clone();
        networks.sort_unstable();
        networks.dedup();
        networks.len()
    }

    #[test]
    fn two_hubs_over_the_same_networks_are_both_hubs() {
        // Four networks of one template (four ads) and an own phone; two
        // booking phones each shown by one ad of every network. Judged
        // leave-one-out, each hub kept the networks joined through the
        // other and neither was flagged.
        let mut templates = Vec::new();
        let mut identifiers = Vec::new();
        let (hub_a, hub_b) = (4, 5);
        for network in 0..4u32 {
            let first = templates.len() as u32;
            for copy in 0..4 {
                templates.push(first);
                let mut ids = vec![network];
                match copy {
                    0 => ids.push(hub_a),
                    1 => ids.push(hub_b),
                    _ => {}
                }
                identifiers.push(ids);
            }
        }
        let postings = Postings::new(&identifiers, 6);
        let linking = link(&templates, &postings, &NetworkParams::default());
        let hubs: Vec<u32> = linking.hubs().map(|v| v.identifier).collect();
        assert_eq!(hubs, vec![hub_a, hub_b]);
        assert_eq!(network_count(&linking), 4);
    }

    #[test]
    fn a_hub_bridging_networks_joined_only_by_templates_is_a_hub() {
        // Four networks whose ads show no phone but the booking hub's and,
        // in the other copies, their own; each network's template joins
        // its ads.
        let mut templates = Vec::new();
        let mut identifiers = Vec::new();
        let hub = 4;
        for network in 0..4u32 {
            let first = templates.len() as u32;
            for copy in 0..5 {
                templates.push(first);
                identifiers.push(if copy < 2 { vec![hub] } else { vec![network] });
            }
        }
        let postings = Postings::new(&identifiers, 5);
        let linking = link(&templates, &postings, &NetworkParams::default());
        let verdict = linking
            .verdicts
            .iter()
            .find(|v| v.identifier == hub)
            .unwrap();
        assert!(verdict.hub, "{verdict:?}");
        assert_eq!(verdict.groups, 4);
        assert_eq!(network_count(&linking), 4);
    }

    #[test]
    fn an_own_phone_joining_pieces_of_its_template_is_not_a_hub() {
        // One network whose paraphrases fell into six template clusters of
        // two ads; its phone is the only identifier. The pieces are not
        // posters of their own, so the phone links them all.
        let templates: Vec<u32> = (0..12).map(|ad| ad / 2 * 2).collect();
        let identifiers: Vec<Vec<u32>> = (0..12).map(|_| vec![0]).collect();
        let postings = Postings::new(&identifiers, 1);
        let linking = link(&templates, &postings, &NetworkParams::default());
        assert_eq!(linking.hubs().count(), 0);
        assert_eq!(network_count(&linking), 1);
    }

    #[test]
    fn boilerplate_whose_ads_are_mostly_anonymous_is_shared_text() {
        // Ten ads of one boilerplate text; two carry a phone, each phone
        // also reposted in another, unrelated ad. Two posters among two
        // identified ads of ten: about ten posters, so it does not link.
        let mut templates = vec![0u32; 10];
        let mut identifiers: Vec<Vec<u32>> = vec![Vec::new(); 10];
        identifiers[3] = vec![0];
        identifiers[7] = vec![1];
        for phone in 0..2u32 {
            templates.push(templates.len() as u32);
            identifiers.push(vec![phone]);
        }
        let postings = Postings::new(&identifiers, 2);
        let linking = link(&templates, &postings, &NetworkParams::default());
        assert_eq!(linking.shared_text.len(), 1);
        assert_eq!(linking.shared_text[0].posters, 10);
        assert_ne!(linking.network[3], linking.network[7]);
        assert_eq!(linking.network[10], linking.network[3]);
        assert_eq!(linking.network[11], linking.network[7]);
    }

    #[test]
    fn one_near_copy_by_another_poster_does_not_join_it() {
        // Poster 0 wrote six ads from one template; one ad of poster 1,
        // which posts elsewhere, fell into the same cluster.
        let mut templates = vec![0u32; 7];
        let mut identifiers: Vec<Vec<u32>> = vec![vec![0]; 6];
        identifiers.push(vec![1]);
        templates.extend([7, 8]);
        identifiers.extend([vec![1], vec![1]]);
        let postings = Postings::new(&identifiers, 2);
        let linking = link(&templates, &postings, &NetworkParams::default());
        assert!(linking.network[..6].iter().all(|&n| n == 0));
        assert_eq!(&linking.network[6..], &[6, 6, 6]);
    }

    #[test]
    fn postings_list_each_identifiers_ads() {
        let postings = Postings::new(&[vec![1], vec![0, 1], vec![1, 1]], 3);
        assert_eq!(postings.ads(0), &[1]);
        assert_eq!(postings.ads(1), &[0, 1, 2, 2]);
        assert!(postings.ads(2).is_empty());
    }
}

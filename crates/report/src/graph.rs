//! The picture of a network: its templates and identifiers as an inline SVG
//! graph.
//!
//! The layout is two rings, computed in plain arithmetic so the same network
//! always gives the same picture: templates on the inner ring, identifiers on
//! the outer one. Templates that share identifiers are put next to each other
//! and each identifier is put near the templates it occurs with, which keeps
//! most lines short and few of them crossing. A force layout would look
//! looser but needs tuning per graph size and can tangle; rings read well up
//! to the node cap and never put a node outside the picture.
//!
//! Big networks are cut to their heaviest nodes; the caller says so under
//! the picture, and the tables beside it list everything.

use crate::escape::{Escaped, truncate};
use crate::network::{GraphNodeKind, NetworkGraph};
use crate::number;
use std::collections::BTreeSet;
use std::f64::consts::{FRAC_PI_2, TAU};
use std::fmt::{self, Write};

/// At most this many nodes are drawn, the heaviest ones.
pub(crate) const MAX_NODES: usize = 60;

/// At most this many of the drawn nodes are labelled, heaviest first, each
/// only where its label does not run into one already placed; every node
/// names itself in its tooltip.
pub(crate) const MAX_LABELS: usize = 24;

/// Labels longer than this many characters are cut with an ellipsis.
const LABEL_CHARS: usize = 18;

/// Font size of labels, in viewBox units; report.css sets the same. Used to
/// guess how much room a label takes, at a generous 0.6 em per character.
const LABEL_FONT: f64 = 12.0;

const WIDTH: f64 = 620.0;
const HEIGHT: f64 = 420.0;
const CX: f64 = WIDTH / 2.0;
const CY: f64 = HEIGHT / 2.0;
/// The outer ring leaves room for a label of `LABEL_CHARS` on either side.
const OUTER: f64 = 140.0;
const INNER: f64 = 62.0;
/// Rings start at the top and go clockwise.
const START: f64 = -FRAC_PI_2;

/// How much of the graph the picture shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Drawn {
    pub nodes: usize,
    pub total_nodes: usize,
    pub edges: usize,
    pub total_edges: usize,
    pub labels: usize,
}

/// Where one drawn node goes.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Place {
    /// Index into the graph's nodes.
    node: usize,
    x: f64,
    y: f64,
    /// Direction from the centre, for placing the label.
    angle: f64,
    /// Size of the shape, as the radius of its circle.
    size: f64,
}

#[derive(Debug, Clone, PartialEq)]
struct Layout {
    places: Vec<Place>,
    /// Pairs of indices into `places`.
    edges: Vec<(usize, usize)>,
    total_edges: usize,
}

/// The distinct links of the graph, each as `(low, high)`, leaving out loops
/// and indices that point past the nodes.
fn valid_edges(graph: &NetworkGraph) -> BTreeSet<(usize, usize)> {
    let n = graph.nodes.len();
    graph
        .edges
        .iter()
        .filter(|&&(a, b)| a != b && a < n && b < n)
        .map(|&(a, b)| (a.min(b), a.max(b)))
        .collect()
}

/// Lay out the heaviest [`MAX_NODES`] nodes of `graph`.
fn layout(graph: &NetworkGraph) -> Layout {
    let all_edges = valid_edges(graph);

    // The heaviest nodes, ties to the earlier one; `local[i]` is node i's
    // index among those drawn.
    let mut chosen: Vec<usize> = (0..graph.nodes.len()).collect();
    chosen.sort_by(|&a, &b| {
        graph.nodes[b]
            .weight
            .cmp(&graph.nodes[a].weight)
            .then(a.cmp(&b))
    });
    chosen.truncate(MAX_NODES);
    chosen.sort_unstable();
    let mut local = vec![usize::MAX; graph.nodes.len()];
    for (i, &node) in chosen.iter().enumerate() {
        local[node] = i;
    }
    let edges: Vec<(usize, usize)> = all_edges
        .iter()
        .filter(|&&(a, b)| local[a] != usize::MAX && local[b] != usize::MAX)
        .map(|&(a, b)| (local[a], local[b]))
        .collect();
    let mut neighbours = vec![Vec::new(); chosen.len()];
    for &(a, b) in &edges {
        neighbours[a].push(b);
        neighbours[b].push(a);
    }
    for list in &mut neighbours {
        list.sort_unstable();
    }
    let weight = |i: usize| graph.nodes[chosen[i]].weight;

    let (inner, outer): (Vec<usize>, Vec<usize>) =
        (0..chosen.len()).partition(|&i| graph.nodes[chosen[i]].kind == GraphNodeKind::Template);

    let mut angle = vec![0.0; chosen.len()];
    let mut radius = vec![0.0; chosen.len()];
    // How many nodes share each node's ring, for sizing.
    let mut crowd = vec![1; chosen.len()];
    // One ring alone goes on the outer radius, where there is most room.
    let rings: [(&[usize], f64); 2] = if inner.is_empty() || outer.is_empty() {
        let only = if inner.is_empty() { &outer } else { &inner };
        [(only, OUTER), (&[], 0.0)]
    } else {
        [(&inner, INNER), (&outer, OUTER)]
    };
    let (first, first_radius) = rings[0];
    for (slot, &i) in chain_order(first, &neighbours, &weight).iter().enumerate() {
        angle[i] = START + TAU * slot as f64 / first.len() as f64;
        radius[i] = if first.len() == 1 { 0.0 } else { first_radius };
        crowd[i] = first.len();
    }
    let (second, second_radius) = rings[1];
    if !second.is_empty() {
        for (i, a) in follow(second, first, &neighbours, &weight, &angle) {
            angle[i] = a;
            radius[i] = second_radius;
            crowd[i] = second.len();
        }
    }

    // Shapes scale with the square root of their weight, so area follows
    // ads, and shrink on a crowded ring so neighbours do not overlap.
    let max_weight = (0..chosen.len()).map(weight).max().unwrap_or(0);
    let mut places = Vec::with_capacity(chosen.len());
    for (i, &node) in chosen.iter().enumerate() {
        let room = if crowd[i] == 1 {
            f64::INFINITY
        } else {
            TAU * radius[i] / crowd[i] as f64 * 0.42
        };
        let largest = room.clamp(3.5, 13.0);
        let share = if max_weight == 0 {
            0.5
        } else {
            (weight(i) as f64 / max_weight as f64).sqrt()
        };
        places.push(Place {
            node,
            x: CX + radius[i] * angle[i].cos(),
            y: CY + radius[i] * angle[i].sin(),
            angle: angle[i],
            size: largest * (0.35 + 0.65 * share),
        });
    }
    Layout {
        places,
        edges,
        total_edges: all_edges.len(),
    }
}

/// `ring` in an order that keeps related nodes side by side: start with the
/// heaviest, then repeatedly take the node most related to the one just
/// placed (linked to it, or sharing neighbours with it), else the heaviest
/// left.
fn chain_order(
    ring: &[usize],
    neighbours: &[Vec<usize>],
    weight: &dyn Fn(usize) -> u64,
) -> Vec<usize> {
    let mut left: Vec<usize> = ring.to_vec();
    left.sort_by(|&a, &b| weight(b).cmp(&weight(a)).then(a.cmp(&b)));
    let mut order: Vec<usize> = Vec::with_capacity(left.len());
    while !left.is_empty() {
        let pick = match order.last() {
            None => 0,
            Some(&last) => {
                let mut best = (0, 0);
                for (at, &candidate) in left.iter().enumerate() {
                    let linked = usize::from(neighbours[last].binary_search(&candidate).is_ok());
                    let affinity = 2 * linked + shared(&neighbours[last], &neighbours[candidate]);
                    if affinity > best.1 {
                        best = (at, affinity);
                    }
                }
                best.0
            }
        };
        order.push(left.remove(pick));
    }
    order
}

/// How many entries two sorted lists have in common.
fn shared(a: &[usize], b: &[usize]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// Angles for the nodes of the outer `ring`, evenly spaced, each as near as
/// the spacing allows to the mean direction of its neighbours on the `placed`
/// inner ring. Nodes linked only to other outer nodes take their neighbours'
/// mean direction; nodes linked to nothing placed go last, related ones
/// together.
fn follow(
    ring: &[usize],
    placed: &[usize],
    neighbours: &[Vec<usize>],
    weight: &dyn Fn(usize) -> u64,
    angle: &[f64],
) -> Vec<(usize, f64)> {
    let mut wanted: Vec<Option<f64>> = vec![None; neighbours.len()];
    for &i in ring {
        wanted[i] = mean_angle(
            neighbours[i]
                .iter()
                .filter(|n| placed.contains(n))
                .map(|&n| angle[n]),
        );
    }
    // A few rounds reach identifiers two or three links from a template;
    // anything further is rare and goes with the unrelated ones.
    for _ in 0..3 {
        let before = wanted.clone();
        for &i in ring {
            if before[i].is_none() {
                wanted[i] = mean_angle(neighbours[i].iter().filter_map(|&n| before[n]));
            }
        }
    }

    let (mut keyed, loose): (Vec<usize>, Vec<usize>) =
        ring.iter().partition(|&&i| wanted[i].is_some());
    let key = |i: usize| {
        let a = wanted[i].unwrap_or(START);
        START + (a - START).rem_euclid(TAU)
    };
    keyed.sort_by(|&a, &b| {
        key(a)
            .total_cmp(&key(b))
            .then(weight(b).cmp(&weight(a)))
            .then(a.cmp(&b))
    });
    let order: Vec<usize> = keyed
        .iter()
        .copied()
        .chain(chain_order(&loose, neighbours, weight))
        .collect();

    let slot = |s: usize| START + TAU * s as f64 / order.len() as f64;
    // Turn the whole ring so that, on average, nodes sit where they want to.
    let turn = mean_angle(keyed.iter().enumerate().map(|(s, &i)| key(i) - slot(s))).unwrap_or(0.0);
    order
        .iter()
        .enumerate()
        .map(|(s, &i)| (i, slot(s) + turn))
        .collect()
}

/// The mean direction of `angles`, or `None` when there are none. When they
/// cancel out, such as two opposite ones, the first stands for all.
fn mean_angle(angles: impl Iterator<Item = f64>) -> Option<f64> {
    let (mut sin, mut cos, mut first) = (0.0, 0.0, None);
    for a in angles {
        first.get_or_insert(a);
        sin += a.sin();
        cos += a.cos();
    }
    let first = first?;
    Some(if sin.hypot(cos) < 1e-9 {
        first
    } else {
        sin.atan2(cos)
    })
}

/// Draw `graph` as an SVG with id `chart`. `name` is the network's id, for
/// the title; it is escaped here.
pub(crate) fn draw(
    out: &mut String,
    chart: &str,
    name: &str,
    graph: &NetworkGraph,
) -> Result<Drawn, fmt::Error> {
    let layout = layout(graph);
    writeln!(
        out,
        r#"<svg class="chart graph" id="{chart}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="{chart}-title {chart}-desc">"#
    )?;
    writeln!(
        out,
        r#"<title id="{chart}-title">Templates and identifiers of network {}</title>"#,
        Escaped(name)
    )?;
    writeln!(
        out,
        r#"<desc id="{chart}-desc">Graph: templates on the inner ring, identifiers on the outer ring, each sized by its number of ads. A line joins two that occur in the same ads. Hubs are grey with a dashed outline: shown, but not used to link. The tables below list every template and identifier.</desc>"#
    )?;

    let kind = |p: &Place| graph.nodes[p.node].kind;
    writeln!(out, r#"<g class="edges">"#)?;
    for &(a, b) in &layout.edges {
        let (a, b) = (&layout.places[a], &layout.places[b]);
        let class = if kind(a) == GraphNodeKind::Hub || kind(b) == GraphNodeKind::Hub {
            "edge hub"
        } else {
            "edge"
        };
        writeln!(
            out,
            r#"<line class="{class}" x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}"/>"#,
            a.x, a.y, b.x, b.y
        )?;
    }
    writeln!(out, "</g>")?;

    // Labels go to the heaviest nodes; the rest name themselves on hover.
    let mut by_weight: Vec<usize> = (0..layout.places.len()).collect();
    by_weight.sort_by(|&a, &b| {
        let (a, b) = (layout.places[a].node, layout.places[b].node);
        graph.nodes[b]
            .weight
            .cmp(&graph.nodes[a].weight)
            .then(a.cmp(&b))
    });
    let mut labels: Vec<Option<Spot>> = vec![None; layout.places.len()];
    let mut taken: Vec<Spot> = Vec::new();
    for &i in &by_weight {
        if taken.len() == MAX_LABELS {
            break;
        }
        let place = &layout.places[i];
        let text = truncate(&graph.nodes[place.node].label, LABEL_CHARS);
        let spot = spot(place, text.chars().count());
        if spot.inside() && !taken.iter().any(|t| t.overlaps(&spot)) {
            taken.push(spot);
            labels[i] = Some(spot);
        }
    }

    for (i, place) in layout.places.iter().enumerate() {
        let node = &graph.nodes[place.node];
        write!(out, r#"<g class="node {}">"#, node.kind.as_str())?;
        let what = match node.kind {
            GraphNodeKind::Hub => "hub, not used to link",
            other => other.as_str(),
        };
        write!(
            out,
            "<title>{what}: {} · {} ads</title>",
            Escaped(&node.label),
            number::grouped(node.weight)
        )?;
        shape(out, node.kind, place.x, place.y, place.size)?;
        if let Some(spot) = labels[i] {
            write!(
                out,
                r#"<text class="nlabel" x="{:.1}" y="{:.1}" text-anchor="{}">{}</text>"#,
                spot.x,
                spot.y,
                spot.anchor,
                Escaped(&truncate(&node.label, LABEL_CHARS))
            )?;
        }
        writeln!(out, "</g>")?;
    }
    writeln!(out, "</svg>")?;
    Ok(Drawn {
        nodes: layout.places.len(),
        total_nodes: graph.nodes.len(),
        edges: layout.edges.len(),
        total_edges: layout.total_edges,
        labels: taken.len(),
    })
}

/// The node's shape, centred on `(x, y)`, about `r` in radius. Shapes differ
/// by kind so the picture does not rely on colour alone.
fn shape(out: &mut String, kind: GraphNodeKind, x: f64, y: f64, r: f64) -> fmt::Result {
    let corners: &[(f64, f64)] = match kind {
        GraphNodeKind::Phone | GraphNodeKind::Hub => {
            return write!(
                out,
                r#"<circle class="shape" cx="{x:.1}" cy="{y:.1}" r="{r:.1}"/>"#
            );
        }
        GraphNodeKind::Template => &[(-0.85, -0.85), (0.85, -0.85), (0.85, 0.85), (-0.85, 0.85)],
        GraphNodeKind::Email => &[(0.0, -1.15), (1.15, 0.0), (0.0, 1.15), (-1.15, 0.0)],
        GraphNodeKind::Handle => &[(0.0, -1.2), (1.1, 0.8), (-1.1, 0.8)],
        GraphNodeKind::Wallet => &[
            (0.0, -1.1),
            (0.95, -0.55),
            (0.95, 0.55),
            (0.0, 1.1),
            (-0.95, 0.55),
            (-0.95, -0.55),
        ],
    };
    write!(out, r#"<polygon class="shape" points=""#)?;
    for (i, (dx, dy)) in corners.iter().enumerate() {
        let sep = if i == 0 { "" } else { " " };
        write!(out, "{sep}{:.1},{:.1}", x + dx * r, y + dy * r)?;
    }
    write!(out, r#""/>"#)
}

/// Where a label goes, and the box it is guessed to fill.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Spot {
    x: f64,
    y: f64,
    anchor: &'static str,
    left: f64,
    right: f64,
    top: f64,
    bottom: f64,
}

impl Spot {
    fn overlaps(&self, other: &Spot) -> bool {
        self.left < other.right
            && other.left < self.right
            && self.top < other.bottom
            && other.top < self.bottom
    }

    fn inside(&self) -> bool {
        self.left >= 0.0 && self.right <= WIDTH && self.top >= 0.0 && self.bottom <= HEIGHT
    }
}

/// A spot for a label of `chars` characters just outside the node, on the
/// side away from the centre, so labels on the outer ring fan out into the
/// margin.
fn spot(place: &Place, chars: usize) -> Spot {
    let gap = place.size + 3.0;
    let (cos, sin) = if place.x == CX && place.y == CY {
        // The node at the centre is labelled below.
        (0.0, 1.0)
    } else {
        (place.angle.cos(), place.angle.sin())
    };
    let width = chars as f64 * LABEL_FONT * 0.6;
    let x = place.x + cos * gap;
    let (anchor, left) = if cos > 0.35 {
        ("start", x)
    } else if cos < -0.35 {
        ("end", x - width)
    } else {
        ("middle", x - width / 2.0)
    };
    // Text sits on its baseline: labels below a node move down a line,
    // labels beside it half a line.
    let drop = if sin > 0.35 {
        LABEL_FONT * 0.8
    } else if sin < -0.35 {
        0.0
    } else {
        LABEL_FONT * 0.35
    };
    let y = place.y + sin * gap + drop;
    Spot {
        x,
        y,
        anchor,
        left,
        right: left + width,
        top: y - LABEL_FONT * 0.8,
        bottom: y + LABEL_FONT * 0.25,
    }
}

/// A small picture of one kind's shape, for the legend.
pub(crate) fn swatch(out: &mut String, kind: GraphNodeKind) -> fmt::Result {
    write!(
        out,
        r#"<svg class="swatch {}" viewBox="0 0 16 16" aria-hidden="true">"#,
        kind.as_str()
    )?;
    shape(out, kind, 8.0, 8.0, 5.5)?;
    write!(out, "</svg>")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::network::GraphNode;

    fn node(label: &str, kind: GraphNodeKind, weight: u64) -> GraphNode {
        GraphNode {
            label: label.into(),
            kind,
            weight,
        }
    }

    #[test]
    fn templates_go_inside_and_identifiers_near_their_templates() {
        // Two templates, each with two identifiers of its own.
        let graph = NetworkGraph {
            nodes: vec![
                node("T-1", GraphNodeKind::Template, 10),
                node("T-2", GraphNodeKind::Template, 9),
                node("a", GraphNodeKind::Phone, 5),
                node("b", GraphNodeKind::Email, 5),
                node("c", GraphNodeKind::Phone, 4),
                node("d", GraphNodeKind::Handle, 4),
            ],
            edges: vec![(0, 2), (3, 0), (1, 4), (1, 5), (1, 1), (0, 99), (2, 0)],
        };
        let layout = layout(&graph);
        assert_eq!(layout.places.len(), 6);
        assert_eq!(layout.edges.len(), 4, "loops, repeats and strays dropped");
        assert_eq!(layout.total_edges, 4);
        let at = |node: usize| layout.places.iter().find(|p| p.node == node).unwrap();
        let dist = |a: &Place, b: &Place| (a.x - b.x).hypot(a.y - b.y);
        let from_centre = |p: &Place| (p.x - CX).hypot(p.y - CY);
        assert!((from_centre(at(0)) - INNER).abs() < 1e-6);
        assert!((from_centre(at(2)) - OUTER).abs() < 1e-6);
        // Each identifier is nearer its own template than the other one.
        for (id, own, other) in [(2, 0, 1), (3, 0, 1), (4, 1, 0), (5, 1, 0)] {
            assert!(dist(at(id), at(own)) < dist(at(id), at(other)), "node {id}");
        }
        // Everything stays inside the picture.
        for p in &layout.places {
            assert!(p.x - p.size >= 0.0 && p.x + p.size <= WIDTH);
            assert!(p.y - p.size >= 0.0 && p.y + p.size <= HEIGHT);
        }
        assert_eq!(
            layout,
            super::layout(&graph),
            "the same graph, the same picture"
        );
    }

    #[test]
    fn a_single_template_sits_in_the_centre() {
        let graph = NetworkGraph {
            nodes: vec![
                node("x", GraphNodeKind::Phone, 1),
                node("T", GraphNodeKind::Template, 3),
            ],
            edges: vec![(0, 1)],
        };
        let layout = layout(&graph);
        let template = layout.places.iter().find(|p| p.node == 1).unwrap();
        assert_eq!((template.x, template.y), (CX, CY));
    }

    #[test]
    fn big_graphs_keep_their_heaviest_nodes() {
        let graph = NetworkGraph {
            nodes: (0..200)
                .map(|i| node(&format!("n{i}"), GraphNodeKind::Handle, i))
                .collect(),
            edges: (1..200).map(|i| (0, i)).collect(),
        };
        let layout = layout(&graph);
        assert_eq!(layout.places.len(), MAX_NODES);
        assert!(layout.places.iter().all(|p| p.node >= 200 - MAX_NODES));
        // Node 0 is the hub of every edge and is not drawn.
        assert!(layout.edges.is_empty());
        assert_eq!(layout.total_edges, 199);
    }

    #[test]
    fn an_empty_graph_draws_an_empty_picture() {
        let mut out = String::new();
        let drawn = draw(&mut out, "g", "N", &NetworkGraph::default()).unwrap();
        assert_eq!(drawn.nodes, 0);
        assert!(out.contains("viewBox") && out.ends_with("</svg>\n"));
    }
}

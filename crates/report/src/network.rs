//! Networks of linked ads, as the report shows them.
//!
//! ctip links ads that were written from one template or that share a phone,
//! e-mail, handle or wallet. The caller condenses each network into a
//! [`NetworkView`]; this crate only draws it. Every string in a view comes
//! from ads or is derived from them, so all of it is escaped like ad text.

/// One network of linked ads, ready to show.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetworkView {
    /// The network's id, such as `"N-1042"`.
    pub id: String,
    /// Number of ads in the network.
    pub ads: u64,
    /// How worrying the network looks, from 0 to 1. Like an ad's score, a
    /// lead and not a probability.
    pub risk: f32,
    /// Why the risk is what it is, one short phrase each, such as
    /// `"7 cities"` or `"4 names on one phone"`.
    pub risk_reasons: Vec<String>,
    /// Date of the earliest ad, such as `"2025-03-02"`; shown as given.
    pub first_seen: Option<String>,
    /// Date of the latest ad; shown as given.
    pub last_seen: Option<String>,
    /// Already formatted, such as `"80–300 USD/hour"`.
    pub price_range: Option<String>,
    /// Names the ads use.
    pub names: Vec<String>,
    /// Each city with its number of ads, most ads first.
    pub cities: Vec<(String, u64)>,
    /// Where the network's ads moved, one stop per stay, in date order.
    pub circuit: Vec<CircuitStop>,
    /// Ads posted per period (an ISO week such as `"2025-W10"`, or a day),
    /// oldest first.
    pub timeline: Vec<(String, u64)>,
    /// The identifiers the network's ads share.
    pub identifiers: Vec<NetworkIdentifier>,
    /// The templates its ads were written from.
    pub templates: Vec<TemplateView>,
    /// Templates and identifiers as a graph, for the picture.
    pub graph: NetworkGraph,
}

/// One stay of a network in a city.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CircuitStop {
    pub city: String,
    /// First day of the stay. An ISO date (`"2025-03-02"`) is shown short
    /// (`Mar 2`); anything else is shown as given.
    pub from: String,
    /// Last day of the stay, written like `from`.
    pub to: String,
    /// Ads posted there during the stay.
    pub ads: u64,
}

/// An identifier that ads of a network share.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkIdentifier {
    /// `phone`, `email`, `handle`, `wallet`, …
    pub kind: String,
    pub value: String,
    /// Ads of the network that carry it.
    pub ads: u64,
    /// True when the identifier is shared so widely (a booking service, an
    /// agency's switchboard, a placeholder) that ctip did not use it to link
    /// ads. Shown, marked as such.
    pub hub: bool,
}

/// A template: the text that several ads of a network were written from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TemplateView {
    pub id: String,
    /// Ads written from it.
    pub ads: u64,
    /// The template's text, with the parts that vary between ads written as
    /// slots such as `⟨phone⟩` or `⟨…⟩`.
    pub text: String,
    /// How much of its ads' text the template accounts for, from 0 to 1.
    pub coverage: f32,
}

/// Templates and identifiers, and which of them occur together in ads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetworkGraph {
    pub nodes: Vec<GraphNode>,
    /// Pairs of indices into `nodes`. Order within a pair does not matter;
    /// repeated pairs, loops and indices out of range are ignored.
    pub edges: Vec<(usize, usize)>,
}

/// A template or identifier in a [`NetworkGraph`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GraphNode {
    /// A template id or an identifier's value.
    pub label: String,
    pub kind: GraphNodeKind,
    /// Number of ads it stands for; sets the node's size.
    pub weight: u64,
}

/// What a [`GraphNode`] is; each kind gets its own shape and colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GraphNodeKind {
    Template,
    Phone,
    Email,
    Handle,
    Wallet,
    /// An identifier shared too widely to link by: drawn, but greyed out.
    Hub,
}

impl GraphNodeKind {
    /// Every kind, in the order the legend lists them.
    pub(crate) const ALL: [GraphNodeKind; 6] = [
        GraphNodeKind::Template,
        GraphNodeKind::Phone,
        GraphNodeKind::Email,
        GraphNodeKind::Handle,
        GraphNodeKind::Wallet,
        GraphNodeKind::Hub,
    ];

    /// The kind as a word, which is also its CSS class suffix.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            GraphNodeKind::Template => "template",
            GraphNodeKind::Phone => "phone",
            GraphNodeKind::Email => "email",
            GraphNodeKind::Handle => "handle",
            GraphNodeKind::Wallet => "wallet",
            GraphNodeKind::Hub => "hub",
        }
    }
}

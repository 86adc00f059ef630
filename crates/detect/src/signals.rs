//! Structural signals: facts about an ad as a whole rather than its words.
//!
//! | id | fires when |
//! |---|---|
//! | `struct.age_minor` | a stated age from 1 to 17. Young ages are not discarded as extraction noise: a false alarm costs an analyst a glance, a miss costs a child. |
//! | `struct.age_youth_emphasis` | a stated age of 18 or 19 *and* a youth indicator (`sex.youth.*`) in the same ad: the threshold age is the selling point. |
//! | `struct.multiple_ages` | two or more distinct ages (1–99): several people in one ad. |
//! | `struct.multiple_phones` | two or more distinct phone numbers. |
//! | `struct.multiple_names` | two or more distinct personal names: mentions such as `my name is X`, `ask for X`, `I'm X`, `call X`, `soy X`, `pregunta por X` with X capitalised in the original text, plus the ad's `name` field. |
//! | `struct.price_below_median` | the ad's hourly-equivalent price is under half the local median for its city and currency ([`crate::PriceBook`]). |
//! | `struct.many_cities` | the caller counted three or more cities in the ad. |

use ctip_core::{Ad, Identifier, IdentifierKind, Span};
use ctip_text::Normalised;

use crate::lexicon::is_word_char;

/// The structural signals, in lexicon order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Structural {
    AgeMinor,
    AgeYouthEmphasis,
    MultipleAges,
    MultiplePhones,
    MultipleNames,
    PriceBelowMedian,
    ManyCities,
}

/// Cities counted in one ad at and above which `struct.many_cities` fires.
pub const MANY_CITIES: usize = 3;
/// `struct.price_below_median` fires under this fraction of the median.
pub const BELOW_MEDIAN_FRACTION: f64 = 0.5;

impl Structural {
    pub const ALL: [Structural; 7] = [
        Structural::AgeMinor,
        Structural::AgeYouthEmphasis,
        Structural::MultipleAges,
        Structural::MultiplePhones,
        Structural::MultipleNames,
        Structural::PriceBelowMedian,
        Structural::ManyCities,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Structural::AgeMinor => "struct.age_minor",
            Structural::AgeYouthEmphasis => "struct.age_youth_emphasis",
            Structural::MultipleAges => "struct.multiple_ages",
            Structural::MultiplePhones => "struct.multiple_phones",
            Structural::MultipleNames => "struct.multiple_names",
            Structural::PriceBelowMedian => "struct.price_below_median",
            Structural::ManyCities => "struct.many_cities",
        }
    }

    pub fn from_id(id: &str) -> Option<Structural> {
        Structural::ALL.into_iter().find(|s| s.id() == id)
    }
}

/// One fired structural signal with where and why.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct SignalHit {
    pub signal: Structural,
    pub span: Option<Span>,
    pub evidence: String,
}

/// Words that follow a name trigger but are not names (`Call Now`, `I'm New`).
const NOT_NAMES: &[&str] = &[
    "a",
    "about",
    "after",
    "all",
    "also",
    "always",
    "am",
    "an",
    "and",
    "any",
    "anytime",
    "are",
    "at",
    "available",
    "back",
    "before",
    "best",
    "book",
    "booking",
    "busy",
    "by",
    "call",
    "can",
    "clean",
    "come",
    "contact",
    "cute",
    "daddy",
    "details",
    "discreet",
    "do",
    "down",
    "easy",
    "for",
    "free",
    "fresh",
    "friendly",
    "from",
    "fun",
    "get",
    "girl",
    "girls",
    "go",
    "gorgeous",
    "here",
    "hot",
    "how",
    "i",
    "if",
    "in",
    "incall",
    "info",
    "independent",
    "into",
    "it",
    "just",
    "lady",
    "last",
    "later",
    "let",
    "lets",
    "like",
    "local",
    "looking",
    "love",
    "make",
    "manager",
    "me",
    "meet",
    "more",
    "my",
    "new",
    "nice",
    "no",
    "not",
    "now",
    "of",
    "on",
    "one",
    "only",
    "open",
    "or",
    "our",
    "out",
    "outcall",
    "over",
    "please",
    "pm",
    "price",
    "prices",
    "rates",
    "ready",
    "real",
    "reply",
    "right",
    "service",
    "sexy",
    "so",
    "special",
    "still",
    "sweet",
    "sure",
    "text",
    "thanks",
    "that",
    "the",
    "them",
    "then",
    "there",
    "this",
    "tiny",
    "to",
    "today",
    "tomorrow",
    "tonight",
    "twenty",
    "two",
    "up",
    "us",
    "very",
    "visiting",
    "waiting",
    "we",
    "what",
    "when",
    "whatsapp",
    "where",
    "who",
    "why",
    "will",
    "with",
    "you",
    "young",
    "your",
    "yours",
    "ahora",
    "amable",
    "aqui",
    "bella",
    "cariñosa",
    "carinosa",
    "chica",
    "con",
    "de",
    "del",
    "disponible",
    "el",
    "en",
    "encargado",
    "es",
    "esta",
    "hoy",
    "joven",
    "la",
    "las",
    "lo",
    "los",
    "mas",
    "mi",
    "muy",
    "nueva",
    "nuevas",
    "para",
    "por",
    "que",
    "recien",
    "se",
    "sin",
    "su",
    "tu",
    "un",
    "una",
    "ya",
    "yo",
];

/// Longest accepted name, in characters.
const MAX_NAME_CHARS: usize = 20;

/// Finds personal names after trigger phrases: the word must be alphabetic,
/// 2–20 letters, capitalised but not all capitals in the original text, and
/// not a common word. Returns the folded name and its folded byte range.
pub(crate) fn names_after_triggers(
    text: &Normalised<'_>,
    trigger_ends: &[usize],
) -> Vec<(String, usize, usize)> {
    let mut names: Vec<(String, usize, usize)> = Vec::new();
    for &end in trigger_ends {
        let mut at = end;
        // `ask for Candy or Mia & Eva`: a name may be followed by more,
        // joined by a conjunction.
        while let Some((start, stop)) = name_at(text, at) {
            let word = &text.as_str()[start..stop];
            if !names.iter().any(|(n, _, _)| n == word) {
                names.push((word.to_owned(), start, stop));
            }
            match conjunction_after(text.as_str(), stop) {
                Some(next) => at = next,
                None => break,
            }
        }
    }
    names
}

/// The folded range of a name starting after at most three separator
/// characters from `at`.
fn name_at(text: &Normalised<'_>, at: usize) -> Option<(usize, usize)> {
    let folded = text.as_str();
    let rest = folded.get(at..)?;
    let gap = rest
        .char_indices()
        .find(|&(_, c)| !matches!(c, ' ' | '\t' | ':' | ',' | '-'))
        .map_or(rest.len(), |(i, _)| i);
    if gap == 0 || gap > 3 {
        return None;
    }
    let start = at + gap;
    let word_len = folded[start..]
        .char_indices()
        .find(|&(_, c)| !c.is_alphabetic())
        .map_or(folded.len() - start, |(i, _)| i);
    let stop = start + word_len;
    // A name is a whole word: reject `Maria2`.
    if folded[stop..].chars().next().is_some_and(is_word_char) {
        return None;
    }
    let word = &folded[start..stop];
    let chars = word.chars().count();
    if !(2..=MAX_NAME_CHARS).contains(&chars) || NOT_NAMES.contains(&word) {
        return None;
    }
    let original = text.original_text(start, stop);
    let mut letters = original.chars().filter(|c| c.is_alphabetic());
    let capitalised = letters.next().is_some_and(char::is_uppercase);
    let has_lower = letters.any(char::is_lowercase);
    (capitalised && has_lower).then_some((start, stop))
}

/// Just past ` or`, ` and`, ` &`, ` y`, ` o`, ` e` after a name.
fn conjunction_after(folded: &str, at: usize) -> Option<usize> {
    let rest = folded.get(at..)?;
    let trimmed = rest.trim_start_matches([' ', ',']);
    let skipped = rest.len() - trimmed.len();
    ["or", "and", "&", "y", "o", "e"].into_iter().find_map(|c| {
        let after = trimmed.strip_prefix(c)?;
        after
            .starts_with([' ', '\t'])
            .then_some(at + skipped + c.len())
    })
}

/// Parses an age identifier's value (`"17"`).
pub(crate) fn age_years(identifier: &Identifier) -> Option<u32> {
    (identifier.kind == IdentifierKind::Age)
        .then(|| identifier.value.trim().parse::<u32>().ok())
        .flatten()
}

/// The structural signals of one ad, except those that need the price book
/// or the caller's city count (see `Detector`).
pub(crate) fn structural_hits(
    ad: &Ad,
    text: &Normalised<'_>,
    identifiers: &[Identifier],
    trigger_ends: &[usize],
    youth_fired: bool,
    out: &mut Vec<SignalHit>,
) {
    // Ages.
    let mut ages: Vec<(u32, Span)> = Vec::new();
    for id in identifiers {
        if let Some(age) = age_years(id).filter(|a| (1..=99).contains(a))
            && !ages.iter().any(|&(a, _)| a == age)
        {
            ages.push((age, id.span));
        }
    }
    for &(age, span) in &ages {
        if age < 18 {
            out.push(SignalHit {
                signal: Structural::AgeMinor,
                span: Some(span),
                evidence: format!("stated age {age}"),
            });
        } else if age <= 19 && youth_fired {
            out.push(SignalHit {
                signal: Structural::AgeYouthEmphasis,
                span: Some(span),
                evidence: format!("stated age {age} with youth language"),
            });
        }
    }
    if ages.len() >= 2 {
        for (i, &(_, span)) in ages.iter().enumerate() {
            out.push(SignalHit {
                signal: Structural::MultipleAges,
                span: Some(span),
                evidence: format!("age {} of {} distinct", i + 1, ages.len()),
            });
        }
    }

    // Phones.
    let mut phones: Vec<(&str, Span)> = Vec::new();
    for id in identifiers
        .iter()
        .filter(|i| i.kind == IdentifierKind::Phone)
    {
        if !phones.iter().any(|&(v, _)| v == id.value) {
            phones.push((&id.value, id.span));
        }
    }
    if phones.len() >= 2 {
        for (i, &(_, span)) in phones.iter().enumerate() {
            out.push(SignalHit {
                signal: Structural::MultiplePhones,
                span: Some(span),
                evidence: format!("phone {} of {} distinct", i + 1, phones.len()),
            });
        }
    }

    // Names.
    let names = names_after_triggers(text, trigger_ends);
    let field = ad
        .name
        .as_deref()
        .map(|n| Normalised::new(n.trim()).as_str().to_owned())
        .filter(|n| !n.is_empty());
    let field_is_extra = field
        .as_deref()
        .is_some_and(|f| !names.iter().any(|(n, _, _)| n == f));
    let total = names.len() + usize::from(field_is_extra);
    if total >= 2 {
        for (i, &(_, start, end)) in names.iter().enumerate() {
            out.push(SignalHit {
                signal: Structural::MultipleNames,
                span: Some(text.original_span(start, end)),
                evidence: format!("name {} of {} distinct", i + 1, total),
            });
        }
        if field_is_extra {
            out.push(SignalHit {
                signal: Structural::MultipleNames,
                span: None,
                evidence: format!("the ad's name field is a further name ({total} distinct)"),
            });
        }
    }
}

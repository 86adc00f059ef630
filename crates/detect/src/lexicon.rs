//! The indicator lexicon: data in `lexicon/indicators.toml`, compiled once
//! into a single Aho-Corasick automaton.
//!
//! Every phrase is folded with [`Normalised`] when the lexicon loads, so it
//! matches the folded ad text whatever accents, case or look-alike letters
//! the ad used. Phrases match only on word boundaries (`we` never fires
//! inside `sweet`); emoji match anywhere. Where matches overlap, the
//! leftmost and then the longest wins (`new girls every week` beats `new
//! girls`).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use ctip_core::Exploitation;
use ctip_text::Normalised;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt;

use crate::model::signal_feature;
use crate::signals::Structural;

/// The lexicon shipped with ctip, embedded at build time.
pub const SHIPPED_LEXICON: &str = include_str!("../lexicon/indicators.toml");

/// Phrases after which a personal name may follow (`ask for Maria`). They
/// share the lexicon's automaton so that one pass finds both.
const NAME_TRIGGERS: &[&str] = &[
    "my name is",
    "name is",
    "ask for",
    "i'm",
    "i am",
    "im",
    "call",
    "text",
    "me llamo",
    "mi nombre es",
    "soy",
    "pregunta por",
    "preguntar por",
    "llama a",
];

/// Language of an indicator's phrases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    En,
    Es,
    /// Emoji and other patterns that read the same in every language.
    Any,
}

impl Language {
    pub fn as_str(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Es => "es",
            Language::Any => "any",
        }
    }
}

/// One lexicon indicator: a named group of phrases and emoji with one weight.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Indicator {
    /// Dotted id, `exploitation.category.name` (`sex.youth.fresh`).
    pub id: String,
    pub description: String,
    pub exploitation: Exploitation,
    pub category: String,
    /// Default weight in `(0, 1)`: this indicator's share in the noisy-OR score.
    pub weight: f32,
    pub language: Language,
    /// Citation key into the lexicon's `[sources]` table.
    pub source: String,
    /// Phrases as written in the lexicon (before folding).
    pub phrases: Vec<String>,
    pub emoji: Vec<String>,
}

/// A structural signal's documentation and default weight.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SignalInfo {
    pub id: String,
    pub description: String,
    pub exploitation: Exploitation,
    pub weight: f32,
    pub source: String,
}

/// Why a lexicon failed to load.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexiconError(String);

impl fmt::Display for LexiconError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid lexicon: {}", self.0)
    }
}

impl std::error::Error for LexiconError {}

fn invalid(message: impl Into<String>) -> LexiconError {
    LexiconError(message.into())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LexiconFile {
    version: String,
    #[serde(default)]
    sources: BTreeMap<String, String>,
    #[serde(default, rename = "signal")]
    signals: Vec<SignalEntry>,
    #[serde(default, rename = "indicator")]
    indicators: Vec<IndicatorEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SignalEntry {
    id: String,
    description: String,
    exploitation: Exploitation,
    weight: f32,
    source: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IndicatorEntry {
    id: String,
    description: String,
    exploitation: Exploitation,
    category: String,
    weight: f32,
    language: Language,
    source: String,
    #[serde(default)]
    phrases: Vec<String>,
    #[serde(default)]
    emoji: Vec<String>,
}

/// What one automaton pattern stands for.
#[derive(Debug, Clone, Default)]
struct PatternInfo {
    /// Indicators (indices into `Lexicon::indicators`) this folded pattern
    /// belongs to; two indicators may share a phrase.
    indicators: Vec<u16>,
    /// Whether the pattern must start and end on a word boundary.
    check_start: bool,
    check_end: bool,
    name_trigger: bool,
}

/// One indicator match in the folded text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Index into [`Lexicon::indicators`].
    pub indicator: usize,
    /// Byte range in the folded text ([`Normalised::as_str`]).
    pub start: usize,
    pub end: usize,
}

/// Everything one pass of the automaton found.
#[derive(Debug, Default)]
pub(crate) struct Scan {
    pub hits: Vec<Hit>,
    /// Folded byte offsets just past a name trigger (`ask for|`).
    pub name_trigger_ends: Vec<usize>,
}

/// The loaded, compiled lexicon.
#[derive(Debug, Clone)]
pub struct Lexicon {
    version: String,
    sources: BTreeMap<String, String>,
    indicators: Vec<Indicator>,
    /// Model feature index of each indicator, parallel to `indicators`.
    indicator_features: Vec<u32>,
    /// Indexed by `Structural as usize`.
    signals: Vec<SignalInfo>,
    signal_features: Vec<u32>,
    automaton: AhoCorasick,
    patterns: Vec<PatternInfo>,
}

impl Lexicon {
    /// The lexicon shipped with ctip.
    pub fn shipped() -> Lexicon {
        // The shipped file is checked by `shipped_lexicon_loads` and friends;
        // it is part of the build, not input.
        Lexicon::from_toml(SHIPPED_LEXICON).expect("the shipped lexicon is valid")
    }

    /// Parses and compiles a lexicon in the format documented in
    /// `lexicon/README.md`.
    pub fn from_toml(source: &str) -> Result<Lexicon, LexiconError> {
        let file: LexiconFile = toml::from_str(source).map_err(|e| invalid(e.to_string()))?;
        if file.version.trim().is_empty() {
            return Err(invalid("empty version"));
        }
        let check_source = |id: &str, key: &str| {
            if file.sources.contains_key(key) {
                Ok(())
            } else {
                Err(invalid(format!("{id}: unknown source key {key:?}")))
            }
        };
        let check_weight = |id: &str, w: f32| {
            if w > 0.0 && w < 1.0 {
                Ok(())
            } else {
                Err(invalid(format!("{id}: weight {w} outside (0, 1)")))
            }
        };

        let mut signals: Vec<Option<SignalInfo>> = vec![None; Structural::ALL.len()];
        for s in file.signals {
            let Some(kind) = Structural::from_id(&s.id) else {
                return Err(invalid(format!("unknown structural signal {:?}", s.id)));
            };
            check_weight(&s.id, s.weight)?;
            check_source(&s.id, &s.source)?;
            let slot = &mut signals[kind as usize];
            if slot.is_some() {
                return Err(invalid(format!("duplicate signal {:?}", s.id)));
            }
            *slot = Some(SignalInfo {
                id: s.id,
                description: s.description,
                exploitation: s.exploitation,
                weight: s.weight,
                source: s.source,
            });
        }
        let signals: Vec<SignalInfo> = signals
            .into_iter()
            .zip(Structural::ALL)
            .map(|(s, kind)| s.ok_or_else(|| invalid(format!("missing signal {}", kind.id()))))
            .collect::<Result<_, _>>()?;

        if file.indicators.len() > u16::MAX as usize {
            return Err(invalid("too many indicators"));
        }
        let mut ids = HashSet::new();
        let mut pattern_index: HashMap<String, usize> = HashMap::new();
        let mut pattern_texts: Vec<String> = Vec::new();
        let mut patterns: Vec<PatternInfo> = Vec::new();
        let mut add_pattern = |folded: String, boundary: bool| -> usize {
            *pattern_index.entry(folded.clone()).or_insert_with(|| {
                let (check_start, check_end) = if boundary {
                    (
                        folded.chars().next().is_some_and(is_word_char),
                        folded.chars().next_back().is_some_and(is_word_char),
                    )
                } else {
                    (false, false)
                };
                pattern_texts.push(folded);
                patterns.push(PatternInfo {
                    check_start,
                    check_end,
                    ..PatternInfo::default()
                });
                patterns.len() - 1
            })
        };

        let mut indicators = Vec::with_capacity(file.indicators.len());
        let mut links: Vec<(usize, u16)> = Vec::new();
        for (index, entry) in file.indicators.into_iter().enumerate() {
            validate_id(&entry.id)?;
            if !ids.insert(entry.id.clone()) {
                return Err(invalid(format!("duplicate indicator {:?}", entry.id)));
            }
            check_weight(&entry.id, entry.weight)?;
            check_source(&entry.id, &entry.source)?;
            if entry.phrases.is_empty() && entry.emoji.is_empty() {
                return Err(invalid(format!("{}: no phrases or emoji", entry.id)));
            }
            for phrase in &entry.phrases {
                for variant in apostrophe_variants(phrase) {
                    let folded = fold_pattern(&variant);
                    if folded.is_empty() {
                        return Err(invalid(format!("{}: empty phrase {phrase:?}", entry.id)));
                    }
                    links.push((add_pattern(folded, true), index as u16));
                }
            }
            for emoji in &entry.emoji {
                let folded = fold_pattern(emoji);
                if folded.is_empty() {
                    return Err(invalid(format!("{}: empty emoji {emoji:?}", entry.id)));
                }
                links.push((add_pattern(folded, false), index as u16));
            }
            indicators.push(Indicator {
                id: entry.id,
                description: entry.description,
                exploitation: entry.exploitation,
                category: entry.category,
                weight: entry.weight,
                language: entry.language,
                source: entry.source,
                phrases: entry.phrases,
                emoji: entry.emoji,
            });
        }
        let mut triggers = Vec::new();
        for trigger in NAME_TRIGGERS {
            for variant in apostrophe_variants(trigger) {
                triggers.push(add_pattern(fold_pattern(&variant), true));
            }
        }
        for (pattern, indicator) in links {
            let list = &mut patterns[pattern].indicators;
            if !list.contains(&indicator) {
                list.push(indicator);
            }
        }
        for pattern in triggers {
            patterns[pattern].name_trigger = true;
        }

        // Standard semantics, because overlapping search needs it. A full DFA
        // measured no faster here than the contiguous NFA and took three
        // times as long to build.
        let automaton = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(&pattern_texts)
            .map_err(|e| invalid(e.to_string()))?;

        let indicator_features = indicators.iter().map(|i| signal_feature(&i.id)).collect();
        let signal_features = signals.iter().map(|s| signal_feature(&s.id)).collect();
        Ok(Lexicon {
            version: file.version,
            sources: file.sources,
            indicators,
            indicator_features,
            signals,
            signal_features,
            automaton,
            patterns,
        })
    }

    /// The lexicon's `version` field, recorded with scan results.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Every indicator, in file order.
    pub fn indicators(&self) -> &[Indicator] {
        &self.indicators
    }

    /// The structural signals' documentation and default weights.
    pub fn signals(&self) -> &[SignalInfo] {
        &self.signals
    }

    pub fn signal(&self, signal: Structural) -> &SignalInfo {
        &self.signals[signal as usize]
    }

    /// The full citation behind a source key.
    pub fn citation(&self, key: &str) -> Option<&str> {
        self.sources.get(key).map(String::as_str)
    }

    pub fn sources(&self) -> &BTreeMap<String, String> {
        &self.sources
    }

    pub(crate) fn indicator_feature(&self, indicator: usize) -> u32 {
        self.indicator_features[indicator]
    }

    pub(crate) fn signal_feature(&self, signal: Structural) -> u32 {
        self.signal_features[signal as usize]
    }

    /// Every indicator match in `text`, leftmost-longest and non-overlapping,
    /// in text order. Offsets are into the folded text; map them back with
    /// [`Normalised::original_span`].
    pub fn find(&self, text: &Normalised<'_>) -> Vec<Hit> {
        self.scan(text.as_str()).hits
    }

    pub(crate) fn scan(&self, folded: &str) -> Scan {
        let mut scan = Scan::default();
        // Candidates: (start, end, pattern). Overlapping search reports every
        // pattern, so a long match rejected at a word boundary cannot hide a
        // shorter valid one; the leftmost-longest choice is made below.
        let mut candidates: Vec<(usize, usize, usize)> = Vec::new();
        for m in self.automaton.find_overlapping_iter(folded) {
            let info = &self.patterns[m.pattern().as_usize()];
            if (info.check_start && !boundary_before(folded, m.start()))
                || (info.check_end && !boundary_after(folded, m.end()))
            {
                continue;
            }
            if info.name_trigger {
                scan.name_trigger_ends.push(m.end());
            }
            if !info.indicators.is_empty() {
                candidates.push((m.start(), m.end(), m.pattern().as_usize()));
            }
        }
        candidates.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
        let mut covered = 0;
        for (start, end, pattern) in candidates {
            if start < covered {
                continue;
            }
            covered = end;
            for &indicator in &self.patterns[pattern].indicators {
                scan.hits.push(Hit {
                    indicator: indicator as usize,
                    start,
                    end,
                });
            }
        }
        scan.name_trigger_ends.sort_unstable();
        scan.name_trigger_ends.dedup();
        scan
    }
}

/// Letters and digits make words; everything else separates them.
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

fn boundary_before(text: &str, at: usize) -> bool {
    text.get(..at)
        .and_then(|s| s.chars().next_back())
        .is_none_or(|c| !is_word_char(c))
}

fn boundary_after(text: &str, at: usize) -> bool {
    text.get(at..)
        .and_then(|s| s.chars().next())
        .is_none_or(|c| !is_word_char(c))
}

fn fold_pattern(pattern: &str) -> String {
    Normalised::new(pattern.trim()).as_str().to_owned()
}

/// Ads write both `'` and `’`; a phrase with one matches the other too.
fn apostrophe_variants(phrase: &str) -> Vec<String> {
    if phrase.contains('\'') {
        vec![phrase.to_owned(), phrase.replace('\'', "\u{2019}")]
    } else {
        vec![phrase.to_owned()]
    }
}

fn validate_id(id: &str) -> Result<(), LexiconError> {
    let parts: Vec<&str> = id.split('.').collect();
    let ok = parts.len() >= 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        })
        && matches!(parts[0], "sex" | "labour" | "any");
    if ok {
        Ok(())
    } else {
        Err(invalid(format!(
            "bad indicator id {id:?}: want dotted lower-case words starting with sex., labour. or any."
        )))
    }
}

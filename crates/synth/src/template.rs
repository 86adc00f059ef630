//! A tiny phrase language: `{slot}` for a value filled per ad and
//! `[a|b|c]` for synonyms. Networks fix the synonyms of their templates and
//! swap a few per ad, which makes their ads near-duplicates, not copies.

use crate::random::chance;
use fastrand::Rng;

/// A value filled in per ad.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Name,
    Phone,
    /// A second, different phone of the same poster.
    Phone2,
    City,
    Age,
    Price,
    Emoji,
    Handle,
    Email,
    Wallet,
    /// A destination abroad, in recruitment ads.
    Place,
    Business,
    /// A 16-digit voucher number: a long digit string that is not a phone.
    Ref,
    /// A job reference built from the posting date: not a phone either.
    JobId,
    License,
    Link,
}

impl Slot {
    const ALL: [(&'static str, Slot); 16] = [
        ("name", Slot::Name),
        ("phone", Slot::Phone),
        ("phone2", Slot::Phone2),
        ("city", Slot::City),
        ("age", Slot::Age),
        ("price", Slot::Price),
        ("emoji", Slot::Emoji),
        ("handle", Slot::Handle),
        ("email", Slot::Email),
        ("wallet", Slot::Wallet),
        ("place", Slot::Place),
        ("business", Slot::Business),
        ("ref", Slot::Ref),
        ("jobid", Slot::JobId),
        ("license", Slot::License),
        ("link", Slot::Link),
    ];

    fn parse(name: &str) -> Option<Slot> {
        Slot::ALL.iter().find(|(n, _)| *n == name).map(|&(_, s)| s)
    }

    pub(crate) fn bit(self) -> u32 {
        1 << (self as u32)
    }
}

/// A set of slots, as bits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Slots(pub u32);

impl Slots {
    pub(crate) fn of(slots: &[Slot]) -> Self {
        Slots(slots.iter().fold(0, |acc, s| acc | s.bit()))
    }

    pub(crate) fn with(self, slot: Slot, present: bool) -> Self {
        if present {
            Slots(self.0 | slot.bit())
        } else {
            self
        }
    }

    pub(crate) fn contains_all(self, other: Slots) -> bool {
        other.0 & !self.0 == 0
    }

    pub(crate) fn has(self, slot: Slot) -> bool {
        self.0 & slot.bit() != 0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(&'static str),
    Slot(Slot),
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Piece(Piece),
    Synonyms(Vec<Vec<Piece>>),
}

/// A parsed phrase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Phrase {
    source: &'static str,
    parts: Vec<Part>,
    /// Every slot the phrase may need, in any synonym.
    pub slots: Slots,
    /// How many synonym groups it has.
    pub choices: usize,
}

/// Splits text into literal and `{slot}` pieces. An unknown slot name stays
/// literal text; the catalogue test rejects it.
fn pieces(text: &'static str, out: &mut Vec<Piece>, slots: &mut Slots) {
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        match Slot::parse(&rest[open + 1..close]) {
            Some(slot) => {
                if open > 0 {
                    out.push(Piece::Text(&rest[..open]));
                }
                out.push(Piece::Slot(slot));
                *slots = slots.with(slot, true);
            }
            None => out.push(Piece::Text(&rest[..=close])),
        }
        rest = &rest[close + 1..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest));
    }
}

impl Phrase {
    pub(crate) fn parse(source: &'static str) -> Phrase {
        let mut parts = Vec::new();
        let mut slots = Slots::default();
        let mut choices = 0;
        let mut rest = source;
        while let Some(open) = rest.find('[') {
            let Some(close) = rest[open..].find(']').map(|c| open + c) else {
                break;
            };
            let mut before = Vec::new();
            pieces(&rest[..open], &mut before, &mut slots);
            parts.extend(before.into_iter().map(Part::Piece));
            let options: Vec<Vec<Piece>> = rest[open + 1..close]
                .split('|')
                .map(|option| {
                    let mut p = Vec::new();
                    pieces(option, &mut p, &mut slots);
                    p
                })
                .collect();
            parts.push(Part::Synonyms(options));
            choices += 1;
            rest = &rest[close + 1..];
        }
        let mut tail = Vec::new();
        pieces(rest, &mut tail, &mut slots);
        parts.extend(tail.into_iter().map(Part::Piece));
        Phrase {
            source,
            parts,
            slots,
            choices,
        }
    }

    /// Whether every `{...}` in the source named a known slot.
    #[cfg(test)]
    pub(crate) fn is_well_formed(&self) -> bool {
        let texts = self.parts.iter().flat_map(|p| match p {
            Part::Piece(piece) => vec![piece],
            Part::Synonyms(options) => options.iter().flatten().collect(),
        });
        let mut ok = true;
        for piece in texts {
            if let Piece::Text(t) = piece {
                ok &= !t.contains(['{', '}', '[', ']', '|']);
            }
        }
        ok && !self.source.is_empty()
    }

    /// A fixed synonym pick for each group, as a template keeps them.
    pub(crate) fn random_choices(&self, rng: &mut Rng) -> Vec<u8> {
        self.parts
            .iter()
            .filter_map(|p| match p {
                Part::Synonyms(options) => Some(rng.u8(..options.len() as u8)),
                Part::Piece(_) => None,
            })
            .collect()
    }

    /// Writes the phrase: synonym groups take `choices` when given (a
    /// template) except that each is re-drawn with probability `swap`; slots
    /// go to `fill`. `shout` upper-cases the literal text only, never a value.
    pub(crate) fn render(
        &self,
        rng: &mut Rng,
        choices: Option<&[u8]>,
        swap: f64,
        shout: bool,
        out: &mut String,
        fill: &mut dyn FnMut(&mut Rng, Slot, &mut String),
    ) {
        let mut group = 0;
        for part in &self.parts {
            let pieces: &[Piece] = match part {
                Part::Piece(piece) => std::slice::from_ref(piece),
                Part::Synonyms(options) => {
                    let fixed = choices.and_then(|c| c.get(group)).map(|&c| usize::from(c));
                    group += 1;
                    let index = match fixed {
                        Some(i) if !chance(rng, swap) => i.min(options.len() - 1),
                        _ => rng.usize(..options.len()),
                    };
                    &options[index]
                }
            };
            for piece in pieces {
                match piece {
                    Piece::Text(t) if shout => out.push_str(&t.to_uppercase()),
                    Piece::Text(t) => out.push_str(t),
                    Piece::Slot(slot) => fill(rng, *slot, out),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_with(phrase: &Phrase, seed: u64, choices: Option<&[u8]>) -> String {
        let mut rng = Rng::with_seed(seed);
        let mut out = String::new();
        phrase.render(
            &mut rng,
            choices,
            0.0,
            false,
            &mut out,
            &mut |_, slot, out| {
                out.push_str(match slot {
                    Slot::Name => "Rosie",
                    Slot::City => "Miami",
                    _ => "?",
                })
            },
        );
        out
    }

    #[test]
    fn slots_and_synonyms_are_parsed() {
        let phrase = Phrase::parse("[Hi|Hello] {name}, [new in town|just arrived in {city}]!");
        assert!(phrase.is_well_formed());
        assert_eq!(phrase.choices, 2);
        assert!(phrase.slots.has(Slot::Name) && phrase.slots.has(Slot::City));
        assert!(!phrase.slots.has(Slot::Phone));
        assert_eq!(
            render_with(&phrase, 1, Some(&[1, 1])),
            "Hello Rosie, just arrived in Miami!"
        );
        assert_eq!(
            render_with(&phrase, 1, Some(&[0, 0])),
            "Hi Rosie, new in town!"
        );
    }

    #[test]
    fn unknown_slots_are_caught() {
        assert!(!Phrase::parse("call {phnoe}").is_well_formed());
    }

    #[test]
    fn shouting_leaves_values_alone() {
        let phrase = Phrase::parse("new girl {name}");
        let mut rng = Rng::with_seed(1);
        let mut out = String::new();
        phrase.render(&mut rng, None, 0.0, true, &mut out, &mut |_, _, out| {
            out.push_str("rosie")
        });
        assert_eq!(out, "NEW GIRL rosie");
    }
}

//! Fictitious phone numbers and every way an ad writes them.
//!
//! Only two ranges are ever used, both reserved for fiction: NANP
//! `NPA-555-0100..0199` (with real area codes) and the UK Ofcom drama range
//! `07700 900000..900999`. Each range is split in two so that network phones
//! and benign phones never collide by accident: the only phones shared across
//! networks are the booking hubs, on purpose.
//!
//! libphonenumber's GB metadata rejects the 07700 900xxx drama range as
//! invalid on purpose, so an extractor that validates with it must let that
//! range through explicitly or it will miss every UK phone planted here.

use crate::random::{chance, pick};
use crate::truth::obfuscation;
use fastrand::Rng;
use std::ops::Range;

/// NANP lines (the `XX` of `555-01XX`) reserved for networks and hubs.
pub(crate) const NANP_NETWORK_LINES: Range<u8> = 0..70;
/// NANP lines used by benign businesses.
pub(crate) const NANP_BENIGN_LINES: Range<u8> = 70..100;
/// UK lines (the `XXX` of `07700 900XXX`) reserved for networks and hubs.
pub(crate) const UK_NETWORK_LINES: Range<u16> = 0..700;
/// UK lines used by benign businesses.
pub(crate) const UK_BENIGN_LINES: Range<u16> = 700..1000;

/// Which numbering plan a phone belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Plan {
    Nanp,
    Uk,
}

impl Plan {
    /// The plan a business or network based in `country` takes its phones from.
    ///
    /// Always NANP: libphonenumber (which every validating extractor uses)
    /// rejects the UK drama range, and Spain and Mexico have no fictitious
    /// range at all, so ads outside North America carry `+1` numbers written
    /// with the country code, as travelling numbers are. The UK plan stays
    /// for tests of extractors that accept it.
    pub(crate) fn for_country(_country: &str) -> Plan {
        Plan::Nanp
    }

    /// Whether a national-format number of this plan is read correctly by
    /// someone assuming `country`'s numbering: otherwise the ad must write the
    /// country code.
    pub(crate) fn national_in(self, country: &str) -> bool {
        match self {
            Plan::Nanp => matches!(country, "US" | "CA"),
            Plan::Uk => country == "GB",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum PhoneNumber {
    Nanp { area_code: u16, line: u8 },
    Uk { line: u16 },
}

impl PhoneNumber {
    pub(crate) fn plan(self) -> Plan {
        match self {
            PhoneNumber::Nanp { .. } => Plan::Nanp,
            PhoneNumber::Uk { .. } => Plan::Uk,
        }
    }

    /// The canonical value: E.164.
    pub(crate) fn e164(self) -> String {
        match self {
            PhoneNumber::Nanp { area_code, line } => format!("+1{area_code}55501{line:02}"),
            PhoneNumber::Uk { line } => format!("+447700900{line:03}"),
        }
    }

    /// A number that identifies the phone, for seeding what belongs to it.
    pub(crate) fn key(self) -> u64 {
        match self {
            PhoneNumber::Nanp { area_code, line } => u64::from(area_code) * 100 + u64::from(line),
            PhoneNumber::Uk { line } => 1_000_000 + u64::from(line),
        }
    }

    /// The country code as written before an international number.
    fn country_code(self) -> &'static str {
        match self {
            PhoneNumber::Nanp { .. } => "+1",
            PhoneNumber::Uk { .. } => "+44",
        }
    }

    /// Digit groups as people group them: national (`07700`) or after the
    /// country code (`7700`).
    fn groups(self, international: bool) -> [String; 3] {
        match self {
            PhoneNumber::Nanp { area_code, line } => [
                area_code.to_string(),
                "555".to_owned(),
                format!("01{line:02}"),
            ],
            PhoneNumber::Uk { line } => {
                let trunk = if international { "7700" } else { "07700" };
                [trunk.to_owned(), "900".to_owned(), format!("{line:03}")]
            }
        }
    }
}

/// A way of writing a phone. [`PhoneForm::name`] is the `obfuscation` string
/// in the truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PhoneForm {
    Plain,
    SpelledMixed,
    SpelledAll,
    SpelledGlued,
    Fullwidth,
    Keycap,
    Circled,
    Bracketed,
    SymbolSeparated,
    LetterDigits,
    TensWords,
    OhZero,
}

impl PhoneForm {
    pub(crate) const OBFUSCATED: [PhoneForm; 11] = [
        PhoneForm::SpelledMixed,
        PhoneForm::SpelledAll,
        PhoneForm::SpelledGlued,
        PhoneForm::Fullwidth,
        PhoneForm::Keycap,
        PhoneForm::Circled,
        PhoneForm::Bracketed,
        PhoneForm::SymbolSeparated,
        PhoneForm::LetterDigits,
        PhoneForm::TensWords,
        PhoneForm::OhZero,
    ];

    pub(crate) fn name(self) -> &'static str {
        match self {
            PhoneForm::Plain => obfuscation::PLAIN,
            PhoneForm::SpelledMixed => obfuscation::SPELLED_MIXED,
            PhoneForm::SpelledAll => obfuscation::SPELLED_ALL,
            PhoneForm::SpelledGlued => obfuscation::SPELLED_GLUED,
            PhoneForm::Fullwidth => obfuscation::FULLWIDTH,
            PhoneForm::Keycap => obfuscation::KEYCAP,
            PhoneForm::Circled => obfuscation::CIRCLED,
            PhoneForm::Bracketed => obfuscation::BRACKETED,
            PhoneForm::SymbolSeparated => obfuscation::SYMBOL_SEPARATED,
            PhoneForm::LetterDigits => obfuscation::LETTER_DIGITS,
            PhoneForm::TensWords => obfuscation::TENS_WORDS,
            PhoneForm::OhZero => obfuscation::OH_ZERO,
        }
    }
}

const DIGIT_WORDS: [&str; 10] = [
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
];
/// English number words, shared by the phone and age writers.
pub(crate) const TEEN_WORDS: [&str; 10] = [
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
];
pub(crate) const TENS_WORDS: [&str; 10] = [
    "", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
];

/// How the letters of spelled digits are cased.
#[derive(Debug, Clone, Copy)]
enum Case {
    Lower,
    Upper,
    Title,
    /// `TwO oNe ThReE`: the alternation runs on across words.
    Alternating,
}

struct Caser {
    case: Case,
    upper_next: bool,
}

impl Caser {
    fn new(rng: &mut Rng, choices: &[Case]) -> Self {
        Caser {
            case: *pick(rng, choices),
            upper_next: true,
        }
    }

    fn push(&mut self, word: &str, out: &mut String) {
        match self.case {
            Case::Lower => out.push_str(word),
            Case::Upper => out.extend(word.chars().map(|c| c.to_ascii_uppercase())),
            Case::Title => {
                let mut chars = word.chars();
                if let Some(first) = chars.next() {
                    out.push(first.to_ascii_uppercase());
                    out.extend(chars);
                }
            }
            Case::Alternating => {
                for c in word.chars() {
                    out.push(if self.upper_next {
                        c.to_ascii_uppercase()
                    } else {
                        c
                    });
                    self.upper_next = !self.upper_next;
                }
            }
        }
    }
}

fn digit_value(d: u8) -> usize {
    usize::from(d - b'0')
}

/// Writes `number` in `form`. `international` adds the country code, which an
/// ad needs when its country does not read the number's national format.
pub(crate) fn render(
    rng: &mut Rng,
    number: PhoneNumber,
    international: bool,
    form: PhoneForm,
) -> String {
    let groups = number.groups(international);
    if form == PhoneForm::Plain {
        return plain(rng, number, international, &groups);
    }
    let mut out = String::with_capacity(48);
    if international {
        out.push_str(number.country_code());
        out.push(' ');
    }
    match form {
        PhoneForm::Plain => unreachable!("handled above"),
        PhoneForm::SpelledMixed => spelled_mixed(rng, &groups, &mut out),
        PhoneForm::SpelledAll => spelled_all(rng, &groups, &mut out),
        PhoneForm::SpelledGlued => spelled_glued(rng, &groups, &mut out),
        PhoneForm::Fullwidth => per_digit(rng, &groups, &["", " ", "-"], &mut out, |d, out| {
            out.push(char::from_u32(0xFF10 + u32::from(d - b'0')).unwrap_or('?'))
        }),
        PhoneForm::Keycap => per_digit(rng, &groups, &["", " "], &mut out, |d, out| {
            out.push(char::from(d));
            out.push('\u{FE0F}');
            out.push('\u{20E3}');
        }),
        PhoneForm::Circled => per_digit(rng, &groups, &["", "-", " "], &mut out, |d, out| {
            out.push(if d == b'0' {
                '\u{24EA}'
            } else {
                char::from_u32(0x2460 + u32::from(d - b'1')).unwrap_or('?')
            })
        }),
        PhoneForm::Bracketed => per_digit(rng, &groups, &["-", " ", ""], &mut out, |d, out| {
            out.push('[');
            out.push(char::from(d));
            out.push(']');
        }),
        PhoneForm::SymbolSeparated => symbol_separated(rng, &groups, &mut out),
        PhoneForm::LetterDigits => letter_digits(rng, &groups, &mut out),
        PhoneForm::TensWords => tens_words(rng, &groups, &mut out),
        PhoneForm::OhZero => oh_zero(rng, &groups, &mut out),
    }
    out
}

fn plain(rng: &mut Rng, number: PhoneNumber, international: bool, groups: &[String; 3]) -> String {
    let [a, b, c] = groups;
    match (number.plan(), international) {
        (Plan::Nanp, false) => match rng.u8(..5) {
            0 => format!("({a}) {b}-{c}"),
            1 => format!("{a}.{b}.{c}"),
            2 => format!("{a} {b} {c}"),
            3 => format!("{a}{b}{c}"),
            _ => format!("{a}-{b}-{c}"),
        },
        (Plan::Nanp, true) => match rng.u8(..4) {
            0 => format!("+1 {a}-{b}-{c}"),
            1 => format!("+1 ({a}) {b}-{c}"),
            2 => format!("+1{a}{b}{c}"),
            _ => format!("+1 {a} {b} {c}"),
        },
        (Plan::Uk, false) => match rng.u8(..3) {
            0 => format!("{a} {b}{c}"),
            1 => format!("{a}{b}{c}"),
            _ => format!("{a} {b} {c}"),
        },
        (Plan::Uk, true) => match rng.u8(..3) {
            0 => format!("+44 {a} {b}{c}"),
            1 => format!("+44{a}{b}{c}"),
            _ => format!("+44 {a} {b} {c}"),
        },
    }
}

/// Each digit drawn by `draw`, groups joined by one separator from `seps`.
fn per_digit(
    rng: &mut Rng,
    groups: &[String; 3],
    seps: &[&str],
    out: &mut String,
    draw: impl Fn(u8, &mut String),
) {
    let sep = *pick(rng, seps);
    for (i, group) in groups.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        for d in group.bytes() {
            draw(d, out);
        }
    }
}

/// `2ONE3-5FIVE5-0ONE4SEVEN`: some digits spelled, at least two of each.
fn spelled_mixed(rng: &mut Rng, groups: &[String; 3], out: &mut String) {
    let total: usize = groups.iter().map(String::len).sum();
    let mask: Vec<bool> = loop {
        let mask: Vec<bool> = (0..total).map(|_| rng.bool()).collect();
        let spelled = mask.iter().filter(|&&m| m).count();
        if spelled >= 2 && total - spelled >= 2 {
            break mask;
        }
    };
    let mut caser = Caser::new(
        rng,
        &[Case::Upper, Case::Lower, Case::Title, Case::Alternating],
    );
    let sep = *pick(rng, &["-", " ", "."]);
    let mut k = 0;
    for (i, group) in groups.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        for d in group.bytes() {
            if mask[k] {
                caser.push(DIGIT_WORDS[digit_value(d)], out);
            } else {
                out.push(char::from(d));
            }
            k += 1;
        }
    }
}

/// `TwO oNe ThReE fIvE ...`: every digit a word, one separator throughout.
fn spelled_all(rng: &mut Rng, groups: &[String; 3], out: &mut String) {
    let mut caser = Caser::new(
        rng,
        &[Case::Alternating, Case::Upper, Case::Lower, Case::Title],
    );
    let sep = *pick(rng, &[" ", "/", "-"]);
    let mut first = true;
    for d in groups.iter().flat_map(|g| g.bytes()) {
        if !first {
            out.push_str(sep);
        }
        first = false;
        caser.push(DIGIT_WORDS[digit_value(d)], out);
    }
}

/// `twoonethree-fivefivefive-zeroonefourseven`.
fn spelled_glued(rng: &mut Rng, groups: &[String; 3], out: &mut String) {
    let mut caser = Caser::new(rng, &[Case::Lower, Case::Lower, Case::Upper, Case::Title]);
    let sep = *pick(rng, &["-", " ", "."]);
    for (i, group) in groups.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        for d in group.bytes() {
            caser.push(DIGIT_WORDS[digit_value(d)], out);
        }
    }
}

/// `2@1@3@5@5@5...` or `**2**1**3**...**7**`.
fn symbol_separated(rng: &mut Rng, groups: &[String; 3], out: &mut String) {
    let digits = groups.iter().flat_map(|g| g.bytes());
    if rng.bool() {
        let sym = *pick(rng, &["@", "*", "#", "~", "•", "|"]);
        for (i, d) in digits.enumerate() {
            if i > 0 {
                out.push_str(sym);
            }
            out.push(char::from(d));
        }
    } else {
        let sym = *pick(rng, &["**", "*", "~"]);
        for d in digits {
            out.push_str(sym);
            out.push(char::from(d));
        }
        out.push_str(sym);
    }
}

/// `2l3-555-O147`: `O`/`o` for some zeros and `l`/`I` for some ones, at least
/// one letter.
fn letter_digits(rng: &mut Rng, groups: &[String; 3], out: &mut String) {
    let sep = *pick(rng, &["-", ".", " "]);
    let start = out.len();
    for (i, group) in groups.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        for d in group.bytes() {
            let c = match d {
                b'0' if chance(rng, 0.6) => *pick(rng, &['O', 'o']),
                b'1' if chance(rng, 0.6) => *pick(rng, &['l', 'I']),
                d => char::from(d),
            };
            out.push(c);
        }
    }
    if !out[start..].contains(['O', 'o', 'l', 'I']) {
        // Every fictitious number has a zero, so there is one to disguise.
        if let Some(at) = out[start..].find('0') {
            out.replace_range(start + at..start + at + 1, "O");
        }
    }
}

/// `twentyone3-555-0one47`: one or two digit pairs as a tens or teen word.
///
/// A pair is never `X0` (`forty`) because a bare tens word reads as its tens
/// digit followed by the next word, and never starts with `0`.
fn tens_words(rng: &mut Rng, groups: &[String; 3], out: &mut String) {
    let mut candidates: Vec<(usize, usize)> = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        let b = group.as_bytes();
        for i in 0..b.len().saturating_sub(1) {
            if b[i] != b'0' && (b[i] == b'1' || b[i + 1] != b'0') {
                candidates.push((g, i));
            }
        }
    }
    let mut chosen: Vec<(usize, usize)> = Vec::new();
    let wanted = if rng.bool() { 1 } else { 2 };
    for _ in 0..8 {
        if chosen.len() == wanted || candidates.is_empty() {
            break;
        }
        let c = *pick(rng, &candidates);
        let overlaps = chosen.iter().any(|&(g, i)| g == c.0 && i.abs_diff(c.1) < 2);
        if !overlaps {
            chosen.push(c);
        }
    }
    let mut caser = Caser::new(rng, &[Case::Lower, Case::Lower, Case::Title, Case::Upper]);
    let sep = *pick(rng, &["-", " ", "."]);
    for (g, group) in groups.iter().enumerate() {
        if g > 0 {
            out.push_str(sep);
        }
        let b = group.as_bytes();
        let mut i = 0;
        while i < b.len() {
            if chosen.contains(&(g, i)) {
                let (tens, unit) = (digit_value(b[i]), digit_value(b[i + 1]));
                if tens == 1 {
                    caser.push(TEEN_WORDS[unit], out);
                } else {
                    caser.push(TENS_WORDS[tens], out);
                    caser.push(DIGIT_WORDS[unit], out);
                }
                i += 2;
            } else {
                if chance(rng, 0.2) {
                    caser.push(DIGIT_WORDS[digit_value(b[i])], out);
                } else {
                    out.push(char::from(b[i]));
                }
                i += 1;
            }
        }
    }
}

/// `4ohthree`: every zero is "oh", other digits stay or are spelled.
fn oh_zero(rng: &mut Rng, groups: &[String; 3], out: &mut String) {
    let mut caser = Caser::new(rng, &[Case::Lower, Case::Lower, Case::Upper, Case::Title]);
    let sep = *pick(rng, &["-", " ", "."]);
    for (i, group) in groups.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        for d in group.bytes() {
            if d == b'0' {
                caser.push("oh", out);
            } else if chance(rng, 0.35) {
                caser.push(DIGIT_WORDS[digit_value(d)], out);
            } else {
                out.push(char::from(d));
            }
        }
    }
}

/// Which numbers of the fictitious ranges networks have taken, so that no two
/// networks share a phone by accident. Bounded: 100 bits per area code.
pub(crate) struct NetworkPhonePool {
    area_codes: Vec<u16>,
    nanp_used: Vec<u128>,
    uk_used: Vec<bool>,
}

impl NetworkPhonePool {
    pub(crate) fn new(area_codes: Vec<u16>) -> Self {
        let nanp_used = vec![0u128; area_codes.len()];
        NetworkPhonePool {
            area_codes,
            nanp_used,
            uk_used: vec![false; UK_NETWORK_LINES.end as usize],
        }
    }

    /// How many phones networks can ever get.
    pub(crate) fn capacity(&self) -> usize {
        self.area_codes.len() * NANP_NETWORK_LINES.len()
    }

    /// A free number of `plan`, preferring `preferred_codes` (a city's), then
    /// any area code; `None` when the plan's range is exhausted.
    pub(crate) fn take(
        &mut self,
        rng: &mut Rng,
        plan: Plan,
        preferred_codes: &[u16],
    ) -> Option<PhoneNumber> {
        match plan {
            Plan::Uk => {
                let free: Vec<u16> = UK_NETWORK_LINES
                    .filter(|&l| !self.uk_used[usize::from(l)])
                    .collect();
                let line = *free.get(rng.usize(..free.len().max(1)))?;
                self.uk_used[usize::from(line)] = true;
                Some(PhoneNumber::Uk { line })
            }
            Plan::Nanp => {
                let mut order: Vec<usize> = preferred_codes
                    .iter()
                    .filter_map(|c| self.area_codes.iter().position(|a| a == c))
                    .collect();
                rng.shuffle(&mut order);
                let mut rest: Vec<usize> = (0..self.area_codes.len())
                    .filter(|i| !order.contains(i))
                    .collect();
                rng.shuffle(&mut rest);
                order.extend(rest);
                for index in order {
                    let used = self.nanp_used[index];
                    let free: Vec<u8> = NANP_NETWORK_LINES
                        .filter(|&l| used & (1u128 << l) == 0)
                        .collect();
                    if free.is_empty() {
                        continue;
                    }
                    let line = *pick(rng, &free);
                    self.nanp_used[index] |= 1u128 << line;
                    return Some(PhoneNumber::Nanp {
                        area_code: self.area_codes[index],
                        line,
                    });
                }
                None
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Reads a surface back to digits the simple way, to check the renderers.
    pub(crate) fn decode(surface: &str) -> String {
        const WORDS: &[(&str, &str)] = &[
            ("seventeen", "17"),
            ("thirteen", "13"),
            ("fourteen", "14"),
            ("fifteen", "15"),
            ("sixteen", "16"),
            ("eighteen", "18"),
            ("nineteen", "19"),
            ("eleven", "11"),
            ("twelve", "12"),
            ("twenty", "2"),
            ("thirty", "3"),
            ("forty", "4"),
            ("fifty", "5"),
            ("sixty", "6"),
            ("seventy", "7"),
            ("eighty", "8"),
            ("ninety", "9"),
            ("zero", "0"),
            ("one", "1"),
            ("two", "2"),
            ("three", "3"),
            ("four", "4"),
            ("five", "5"),
            ("six", "6"),
            ("seven", "7"),
            ("eight", "8"),
            ("nine", "9"),
            ("ten", "10"),
            ("oh", "0"),
        ];
        let lower = surface.to_lowercase();
        let mut rest = lower.as_str();
        let mut digits = String::new();
        'outer: while let Some(c) = rest.chars().next() {
            for (word, value) in WORDS {
                if let Some(after) = rest.strip_prefix(word) {
                    digits.push_str(value);
                    rest = after;
                    continue 'outer;
                }
            }
            match c {
                '0'..='9' => digits.push(c),
                '\u{FF10}'..='\u{FF19}' => {
                    digits.push(char::from(b'0' + (c as u32 - 0xFF10) as u8))
                }
                '\u{2460}'..='\u{2468}' => {
                    digits.push(char::from(b'1' + (c as u32 - 0x2460) as u8))
                }
                '\u{24EA}' | 'o' => digits.push('0'),
                'l' | 'i' => digits.push('1'),
                _ => {}
            }
            rest = &rest[c.len_utf8()..];
        }
        digits
    }

    fn reads_as(number: PhoneNumber, surface: &str) -> bool {
        let e164_digits = &number.e164()[1..];
        let digits = decode(surface);
        match number {
            PhoneNumber::Nanp { .. } => {
                digits == e164_digits || format!("1{digits}") == e164_digits
            }
            PhoneNumber::Uk { .. } => {
                digits == e164_digits
                    || digits
                        .strip_prefix('0')
                        .map(|d| format!("44{d}"))
                        .as_deref()
                        == Some(e164_digits)
            }
        }
    }

    #[test]
    fn every_form_reads_back_to_the_number() {
        let mut rng = Rng::with_seed(11);
        let numbers = [
            PhoneNumber::Nanp {
                area_code: 213,
                line: 47,
            },
            PhoneNumber::Nanp {
                area_code: 305,
                line: 0,
            },
            PhoneNumber::Nanp {
                area_code: 416,
                line: 99,
            },
            PhoneNumber::Uk { line: 123 },
            PhoneNumber::Uk { line: 0 },
        ];
        for number in numbers {
            for form in std::iter::once(PhoneForm::Plain).chain(PhoneForm::OBFUSCATED) {
                for international in [false, true] {
                    for _ in 0..50 {
                        let surface = render(&mut rng, number, international, form);
                        assert!(
                            reads_as(number, &surface),
                            "{form:?} {surface:?} != {}",
                            number.e164()
                        );
                        assert_eq!(surface.trim(), surface);
                        if form != PhoneForm::Plain {
                            let plain_run = number.e164()[number.e164().len() - 7..].to_owned();
                            assert!(
                                !surface.contains(&plain_run),
                                "{form:?} {surface:?} is not disguised"
                            );
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn forms_match_the_examples() {
        let number = PhoneNumber::Nanp {
            area_code: 213,
            line: 47,
        };
        assert_eq!(number.e164(), "+12135550147");
        assert_eq!(PhoneNumber::Uk { line: 5 }.e164(), "+447700900005");
        let mut rng = Rng::with_seed(5);
        let keycap = render(&mut rng, number, false, PhoneForm::Keycap);
        assert!(keycap.starts_with("2\u{FE0F}\u{20E3}1\u{FE0F}\u{20E3}"));
        let circled = render(&mut rng, number, false, PhoneForm::Circled);
        assert!(circled.starts_with("②①③"));
        assert!(circled.contains('\u{24EA}'));
        let bracketed = render(&mut rng, number, false, PhoneForm::Bracketed);
        assert!(bracketed.starts_with("[2][1][3]"));
        let fullwidth = render(&mut rng, number, false, PhoneForm::Fullwidth);
        assert!(fullwidth.starts_with("２１３"));
        let international = render(&mut rng, number, true, PhoneForm::Fullwidth);
        assert!(international.starts_with("+1 ２１３"));
    }

    #[test]
    fn the_network_pool_never_hands_out_a_number_twice() {
        let mut pool = NetworkPhonePool::new(vec![213, 312]);
        let mut rng = Rng::with_seed(2);
        let mut seen = std::collections::HashSet::new();
        while let Some(n) = pool.take(&mut rng, Plan::Nanp, &[312]) {
            assert!(seen.insert(n));
        }
        assert_eq!(seen.len(), 2 * NANP_NETWORK_LINES.len());
        for _ in 0..UK_NETWORK_LINES.len() {
            assert!(pool.take(&mut rng, Plan::Uk, &[]).is_some());
        }
        assert!(pool.take(&mut rng, Plan::Uk, &[]).is_none());
    }
}

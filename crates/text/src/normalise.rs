//! Folding ad text into a matching form while remembering where every byte
//! came from.
//!
//! Ads hide identifiers and trigger words behind look-alike characters:
//! full-width digits, mathematical letters, Cyrillic `а` for Latin `a`,
//! circled and keycap digits, zero-width joiners. [`Normalised`] folds all of
//! that into lower-case, mostly-ASCII text that extractors and lexicons can
//! match, and keeps a byte-level map back to the original so that evidence is
//! always highlighted in the text the source wrote.

use ctip_core::Span;
use unicode_normalization::char::{decompose_compatible, is_combining_mark};

/// The folded form of a text plus, for every folded byte, the byte range of
/// the original character that produced it.
#[derive(Debug, Clone)]
pub struct Normalised<'a> {
    original: &'a str,
    folded: String,
    /// `origin_start[i]`/`origin_end[i]`: original byte range behind folded byte `i`.
    origin_start: Vec<u32>,
    origin_end: Vec<u32>,
}

impl<'a> Normalised<'a> {
    /// Folds `original`: compatibility decomposition (NFKD), combining marks
    /// and invisible characters removed, confusable letters mapped to their
    /// Latin look-alike, special digit forms mapped to ASCII digits, and
    /// everything lower-cased.
    pub fn new(original: &'a str) -> Self {
        let mut folder = Folder {
            folded: String::with_capacity(original.len() + 8),
            origin_start: Vec::with_capacity(original.len() + 8),
            origin_end: Vec::with_capacity(original.len() + 8),
        };
        let bytes = original.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b.is_ascii() {
                folder.push_ascii(b.to_ascii_lowercase(), i, i + 1);
                i += 1;
                continue;
            }
            // Safe to index: `i` is always on a char boundary here because we
            // advance by whole ASCII bytes or whole chars.
            let c = original[i..].chars().next().unwrap_or('\u{fffd}');
            let end = i + c.len_utf8();
            fold_char(c, i, end, &mut folder);
            i = end;
        }
        Normalised {
            original,
            folded: folder.folded,
            origin_start: folder.origin_start,
            origin_end: folder.origin_end,
        }
    }

    /// The folded text.
    pub fn as_str(&self) -> &str {
        &self.folded
    }

    pub fn original(&self) -> &'a str {
        self.original
    }

    /// Maps a byte range of the folded text back to the original text.
    ///
    /// The result covers every original character that contributed to the
    /// range, so a keycap `1️⃣` highlights all three code points.
    pub fn original_span(&self, start: usize, end: usize) -> Span {
        if self.origin_start.is_empty() || start >= end {
            let at = self
                .origin_start
                .get(start)
                .copied()
                .unwrap_or(self.original.len() as u32);
            return Span { start: at, end: at };
        }
        let start = start.min(self.origin_start.len() - 1);
        let last = end.clamp(start + 1, self.origin_end.len()) - 1;
        Span {
            start: self.origin_start[start],
            end: self.origin_end[last].max(self.origin_start[start]),
        }
    }

    /// The original text behind a folded byte range.
    pub fn original_text(&self, start: usize, end: usize) -> &'a str {
        let span = self.original_span(start, end);
        self.original.get(span.range()).unwrap_or("")
    }

    /// True when the folded range differs from its original text other than
    /// by ASCII case: the source disguised it.
    pub fn is_disguised(&self, start: usize, end: usize) -> bool {
        let original = self.original_text(start, end);
        let folded = self.folded.get(start..end).unwrap_or("");
        !original.eq_ignore_ascii_case(folded)
    }
}

struct Folder {
    folded: String,
    origin_start: Vec<u32>,
    origin_end: Vec<u32>,
}

impl Folder {
    fn push_ascii(&mut self, b: u8, start: usize, end: usize) {
        self.folded.push(b as char);
        self.origin_start.push(start as u32);
        self.origin_end.push(end as u32);
    }

    fn push_char(&mut self, c: char, start: usize, end: usize) {
        self.folded.push(c);
        for _ in 0..c.len_utf8() {
            self.origin_start.push(start as u32);
            self.origin_end.push(end as u32);
        }
    }

    fn push_folded(&mut self, c: char, start: usize, end: usize) {
        if c.is_ascii() {
            self.push_ascii(c.to_ascii_lowercase() as u8, start, end);
        } else {
            for lower in c.to_lowercase() {
                // `İ` lower-cases to `i` plus a combining dot: drop the mark
                // so folding stays idempotent.
                if is_combining_mark(lower) {
                    self.absorb(end);
                } else if lower.is_ascii() {
                    self.push_ascii(lower as u8, start, end);
                } else {
                    self.push_char(lower, start, end);
                }
            }
        }
    }

    /// A dropped character (variation selector, combining mark, zero-width
    /// joiner) still belongs to the evidence: widen the previous character's
    /// origin so highlights cover it.
    fn absorb(&mut self, end: usize) {
        let char_len = self.folded.chars().next_back().map_or(0, char::len_utf8);
        let n = self.origin_end.len();
        for slot in &mut self.origin_end[n - char_len..] {
            *slot = end as u32;
        }
    }
}

fn fold_char(c: char, start: usize, end: usize, out: &mut Folder) {
    if is_invisible(c) {
        out.absorb(end);
        return;
    }
    if let Some(d) = special_digit(c) {
        for digit in d.chars() {
            out.push_ascii(digit as u8, start, end);
        }
        return;
    }
    if is_pictographic(c) {
        // Emoji carry meaning of their own in ads (🌹 for money, 🍒 for
        // youth): keep them as they are.
        out.push_char(c, start, end);
        return;
    }
    let mut emitted = false;
    decompose_compatible(c, |d| {
        if is_combining_mark(d) || is_invisible(d) {
            return;
        }
        emitted = true;
        if d.is_ascii() {
            out.push_ascii(d.to_ascii_lowercase() as u8, start, end);
        } else if let Some(digit) = special_digit(d) {
            for x in digit.chars() {
                out.push_ascii(x as u8, start, end);
            }
        } else {
            fold_confusable(d, start, end, out);
        }
    });
    if !emitted {
        out.absorb(end);
    }
}

/// Maps letters that merely look Latin (Cyrillic `а`, Greek `ο`, small
/// capitals) to the Latin letter, using decancer's confusables tables.
fn fold_confusable(c: char, start: usize, end: usize, out: &mut Folder) {
    if !is_confusable_script(c) {
        out.push_folded(c, start, end);
        return;
    }
    match decancer::cure_char(c, decancer::Options::default()) {
        decancer::Translation::Character(t) => out.push_folded(t, start, end),
        decancer::Translation::String(s) => {
            for t in s.chars() {
                out.push_folded(t, start, end);
            }
        }
        decancer::Translation::None => out.absorb(end),
    }
}

/// Scripts and blocks whose letters are routinely used as Latin look-alikes.
/// Other scripts (Arabic, CJK, Thai) are real text and stay as written.
fn is_confusable_script(c: char) -> bool {
    matches!(c as u32,
        0x0100..=0x024F   // Latin Extended-A/B
        | 0x0250..=0x02AF // IPA
        | 0x0370..=0x03FF // Greek
        | 0x0400..=0x052F // Cyrillic
        | 0x13A0..=0x13FF // Cherokee
        | 0x1D00..=0x1DBF // phonetic extensions, small capitals
        | 0x1E00..=0x1EFF // Latin Extended Additional
        | 0x2100..=0x214F // letterlike symbols
        | 0x2C60..=0x2C7F // Latin Extended-C
        | 0xA720..=0xA7FF // Latin Extended-D
        | 0xAB30..=0xAB6F // Latin Extended-E
        | 0x1D400..=0x1D7FF // mathematical alphanumerics (NFKD handles most)
    )
}

/// Characters that render as nothing and are used to break up words.
fn is_invisible(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F | 0x1160 | 0x17B4 | 0x17B5 | 0x180B..=0x180E
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x20E3 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xE0100..=0xE01EF
    )
}

/// Digit forms that compatibility decomposition leaves alone: dingbat
/// circled digits, and the Arabic-Indic and Devanagari digits.
fn special_digit(c: char) -> Option<&'static str> {
    const DIGITS: [&str; 11] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"];
    let code = c as u32;
    let index = match code {
        0x2776..=0x277F => code - 0x2776 + 1,     // ❶..❿
        0x2780..=0x2789 => code - 0x2780 + 1,     // ➀..➉
        0x278A..=0x2793 => code - 0x278A + 1,     // ➊..➓
        0x24F5..=0x24FE => code - 0x24F5 + 1,     // ⓵..⓾
        0x24FF | 0x24EA | 0x1F10B | 0x1F10C => 0, // ⓿ ⓪ 🄋 🄌
        0x0660..=0x0669 => code - 0x0660,         // Arabic-Indic
        0x06F0..=0x06F9 => code - 0x06F0,         // Extended Arabic-Indic
        0x0966..=0x096F => code - 0x0966,         // Devanagari
        _ => return None,
    };
    DIGITS.get(index as usize).copied()
}

/// Emoji and pictographs, which must survive folding untouched.
fn is_pictographic(c: char) -> bool {
    matches!(c as u32,
        0x2600..=0x27BF | 0x2B00..=0x2BFF | 0x1F000..=0x1F0FF | 0x1F110..=0x1FAFF
    ) && special_digit(c).is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fold(s: &str) -> String {
        Normalised::new(s).as_str().to_owned()
    }

    #[test]
    fn ascii_is_lowercased_byte_for_byte() {
        let n = Normalised::new("Call ME Now");
        assert_eq!(n.as_str(), "call me now");
        assert_eq!(n.original_span(5, 7), Span::new(5, 7));
    }

    #[test]
    fn fullwidth_and_mathematical_digits_become_ascii() {
        assert_eq!(fold("２１３５５５"), "213555");
        assert_eq!(fold("𝟐𝟏𝟑"), "213");
        assert_eq!(fold("𝐂𝐚𝐥𝐥"), "call");
    }

    #[test]
    fn circled_and_keycap_digits_become_ascii() {
        assert_eq!(fold("①②③⓪"), "1230");
        assert_eq!(fold("❶➁➌"), "123");
        assert_eq!(fold("1\u{fe0f}\u{20e3}2\u{fe0f}\u{20e3}"), "12");
    }

    #[test]
    fn keycap_span_covers_the_whole_sequence() {
        let text = "x 1\u{fe0f}\u{20e3}2\u{fe0f}\u{20e3} y";
        let n = Normalised::new(text);
        assert_eq!(n.as_str(), "x 12 y");
        let span = n.original_span(2, 4);
        assert_eq!(&text[span.range()], "1\u{fe0f}\u{20e3}2\u{fe0f}\u{20e3}");
    }

    #[test]
    fn cyrillic_and_greek_homoglyphs_fold_to_latin() {
        // "уоung" with Cyrillic у and о; "Ϝresh" is not used, keep to real look-alikes.
        assert_eq!(fold("\u{0443}\u{043e}ung"), "young");
        assert_eq!(fold("fr\u{0435}sh"), "fresh");
        assert_eq!(fold("\u{03bf}ur girls"), "our girls");
    }

    #[test]
    fn accents_are_removed_and_invisible_characters_dropped() {
        assert_eq!(fold("recién llegada"), "recien llegada");
        assert_eq!(fold("yo\u{200b}ung"), "young");
    }

    #[test]
    fn emoji_survive_untouched() {
        assert_eq!(fold("Hi 🌹🍒 👑"), "hi 🌹🍒 👑");
    }

    #[test]
    fn arabic_text_is_kept() {
        assert_eq!(fold("مرحبا"), "مرحبا");
        assert_eq!(fold("٠١٢"), "012");
    }

    #[test]
    fn spans_map_multibyte_sources() {
        let text = "tel ２１３";
        let n = Normalised::new(text);
        assert_eq!(n.as_str(), "tel 213");
        let span = n.original_span(4, 7);
        assert_eq!(&text[span.range()], "２１３");
        assert!(n.is_disguised(4, 7));
        assert!(!n.is_disguised(0, 3));
    }
}

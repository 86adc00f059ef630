//! An ad as template clustering sees it: its words with the identifiers
//! masked, hashed to tokens, and a MinHash sketch of its word shingles.
//!
//! Masking is what lets one template with a different phone, price or age in
//! every copy still look like one text: each identifier span becomes a slot
//! token of its kind, and every run of digits becomes one number token.

use ctip_core::{IdentifierKind, Span};
use xxhash_rust::xxh3::xxh3_64;

/// Words per shingle. Three words keep paraphrased templates close (a swapped
/// synonym costs three shingles) while unrelated ads share almost none.
pub const SHINGLE_WORDS: usize = 3;
/// Values in a sketch: 16 bands of 4.
pub const SKETCH_LEN: usize = 64;

/// A densified one-permutation MinHash sketch: one pass over the shingles
/// fills 64 bins, and empty bins borrow from a fixed pseudo-random other bin
/// so that short ads still compare fairly (Shrivastava, ICML 2017). Values
/// keep 16 bits: two unrelated bins agree by chance 1 time in 65,536.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sketch(pub [u16; SKETCH_LEN]);

impl Sketch {
    /// The sketch of a document with no words: it matches nothing, as no
    /// band of a real sketch is all zeros by more than chance.
    pub const EMPTY: Sketch = Sketch([0; SKETCH_LEN]);

    /// Estimated Jaccard similarity of the two shingle sets.
    pub fn similarity(&self, other: &Sketch) -> f32 {
        let same = self.0.iter().zip(&other.0).filter(|(a, b)| a == b).count();
        same as f32 / SKETCH_LEN as f32
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        self.0.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    pub fn from_bytes(bytes: &[u8]) -> Option<Sketch> {
        if bytes.len() != SKETCH_LEN * 2 {
            return None;
        }
        let mut values = [0u16; SKETCH_LEN];
        for (value, pair) in values.iter_mut().zip(bytes.chunks_exact(2)) {
            *value = u16::from_le_bytes([pair[0], pair[1]]);
        }
        Some(Sketch(values))
    }
}

/// An ad's masked token sequence and its sketch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    pub tokens: Vec<u32>,
    pub sketch: Sketch,
}

/// One token of an ad: its hash and the text it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token<'a> {
    pub hash: u32,
    pub text: TokenText<'a>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenText<'a> {
    Word(&'a str),
    Number,
    Slot(IdentifierKind),
}

impl std::fmt::Display for TokenText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TokenText::Word(w) => f.write_str(w),
            TokenText::Number => f.write_str("⟨#⟩"),
            TokenText::Slot(kind) => write!(f, "⟨{kind}⟩"),
        }
    }
}

impl Document {
    /// `masks` are the spans of the ad's identifiers in `text`, in any order;
    /// spans that run past the text or split a character are ignored.
    pub fn new(text: &str, masks: &[(IdentifierKind, Span)]) -> Document {
        let mut tokens = Vec::with_capacity(text.len() / 5);
        for_each_token(text, masks, |token| tokens.push(token.hash));
        let sketch = sketch(&tokens);
        Document { tokens, sketch }
    }
}

/// The tokens of `text` with their text, for showing a template.
pub fn tokens<'a>(text: &'a str, masks: &[(IdentifierKind, Span)]) -> Vec<Token<'a>> {
    let mut out = Vec::new();
    for_each_token(text, masks, |token| out.push(token));
    out
}

fn for_each_token<'a>(
    text: &'a str,
    masks: &[(IdentifierKind, Span)],
    mut emit: impl FnMut(Token<'a>),
) {
    let mut masks: Vec<(IdentifierKind, Span)> = masks
        .iter()
        .copied()
        .filter(|(_, span)| {
            span.start < span.end
                && text.is_char_boundary(span.start as usize)
                && text.is_char_boundary(span.end as usize)
        })
        .collect();
    masks.sort_by_key(|(_, span)| (span.start, std::cmp::Reverse(span.end)));
    let mut next_mask = masks.iter().peekable();
    let bytes = text.as_bytes();
    let mut at = 0;
    let mut lower = String::new();
    while at < bytes.len() {
        while next_mask
            .peek()
            .is_some_and(|(_, span)| (span.end as usize) <= at)
        {
            next_mask.next();
        }
        if let Some(&&(kind, span)) = next_mask.peek()
            && span.start as usize <= at
        {
            emit(Token {
                hash: slot_hash(kind),
                text: TokenText::Slot(kind),
            });
            at = span.end as usize;
            next_mask.next();
            continue;
        }
        let limit = next_mask
            .peek()
            .map_or(bytes.len(), |(_, span)| span.start as usize);
        let c = text[at..].chars().next().expect("at is a char boundary");
        if c.is_ascii_digit() {
            let end = run_end(text, at, limit, |c| c.is_ascii_digit());
            emit(Token {
                hash: NUMBER_HASH,
                text: TokenText::Number,
            });
            at = end;
        } else if c.is_alphabetic() {
            let end = run_end(text, at, limit, char::is_alphanumeric);
            let word = &text[at..end];
            let hash = if word.bytes().all(|b| b.is_ascii_lowercase()) {
                word_hash(word.as_bytes())
            } else {
                lower.clear();
                lower.extend(word.chars().flat_map(char::to_lowercase));
                word_hash(lower.as_bytes())
            };
            emit(Token {
                hash,
                text: TokenText::Word(word),
            });
            at = end;
        } else {
            at += c.len_utf8();
        }
    }
}

fn run_end(text: &str, start: usize, limit: usize, keep: impl Fn(char) -> bool) -> usize {
    text[start..limit]
        .char_indices()
        .find(|&(_, c)| !keep(c))
        .map_or(limit, |(i, _)| start + i)
}

const NUMBER_HASH: u32 = 0x4e55_4d42;

fn word_hash(word: &[u8]) -> u32 {
    xxh3_64(word) as u32
}

fn slot_hash(kind: IdentifierKind) -> u32 {
    0x534c_4f00 | kind as u32
}

/// A 64-bit mix (splitmix64's finaliser): spreads shingle hashes evenly over
/// the bins and the values.
fn mix(mut x: u64) -> u64 {
    x ^= x >> 30;
    x = x.wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x ^= x >> 27;
    x = x.wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

fn shingle_hash(window: &[u32]) -> u64 {
    let mut h = 0x9e37_79b9_7f4a_7c15u64;
    for &t in window {
        h = mix(h ^ u64::from(t));
    }
    h
}

/// The sketch of a token sequence's shingles (the whole sequence when it is
/// shorter than a shingle).
pub fn sketch(tokens: &[u32]) -> Sketch {
    if tokens.is_empty() {
        return Sketch::EMPTY;
    }
    let mut bins = [u32::MAX; SKETCH_LEN];
    let mut filled = [false; SKETCH_LEN];
    let width = SHINGLE_WORDS.min(tokens.len());
    for window in tokens.windows(width) {
        let h = shingle_hash(window);
        let bin = (h >> 58) as usize;
        let value = (h & 0xffff) as u32;
        if value < bins[bin] || !filled[bin] {
            bins[bin] = bins[bin].min(value);
            filled[bin] = true;
        }
    }
    let mut out = [0u16; SKETCH_LEN];
    for (bin, value) in out.iter_mut().enumerate() {
        let source = if filled[bin] {
            bin
        } else {
            // Optimal densification: probe a fixed pseudo-random sequence of
            // bins, the same for every document, until one is filled.
            (0..)
                .map(|attempt| (mix(((bin as u64) << 32) | attempt) % SKETCH_LEN as u64) as usize)
                .find(|&b| filled[b])
                .expect("at least one bin is filled")
        };
        *value = bins[source] as u16;
    }
    Sketch(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(text: &str) -> Document {
        Document::new(text, &[])
    }

    #[test]
    fn masked_identifiers_and_numbers_do_not_change_the_tokens() {
        let a = "New in town! Call 555 0101 for Jessica, 200 roses";
        let b = "New in town! Call 555 0199 for Jessica, 300 roses";
        let mask = |text: &str| {
            let start = text.find("Call ").unwrap() + 5;
            vec![(IdentifierKind::Phone, Span::new(start, start + 8))]
        };
        let da = Document::new(a, &mask(a));
        let db = Document::new(b, &mask(b));
        assert_eq!(da.tokens, db.tokens);
        assert_eq!(da.sketch.similarity(&db.sketch), 1.0);
    }

    #[test]
    fn case_and_punctuation_are_ignored_but_words_are_not() {
        assert_eq!(doc("HELLO, World!").tokens, doc("hello world").tokens);
        assert_ne!(doc("hello world").tokens, doc("hello there").tokens);
    }

    #[test]
    fn similarity_tracks_shared_shingles() {
        let base = "sweet young girl new in town available now incall outcall \
                    ask about my specials call or text no blocked numbers";
        let near = "sweet young girl new in town available today incall outcall \
                    ask about my specials call or text no blocked numbers";
        let far = "we are hiring warehouse staff full time benefits apply \
                   online today with your resume and two references";
        let s = doc(base).sketch;
        assert!(s.similarity(&doc(near).sketch) > 0.5);
        assert!(s.similarity(&doc(far).sketch) < 0.2);
    }

    #[test]
    fn bad_mask_spans_are_ignored() {
        let text = "héllo world";
        let d = Document::new(
            text,
            &[
                (IdentifierKind::Phone, Span::new(2, 3)),
                (IdentifierKind::Email, Span::new(5, 999)),
            ],
        );
        assert_eq!(d.tokens, doc(text).tokens);
    }

    #[test]
    fn sketch_bytes_round_trip() {
        let s = doc("one two three four five").sketch;
        assert_eq!(Sketch::from_bytes(&s.to_bytes()), Some(s));
        assert_eq!(Sketch::from_bytes(&[1, 2, 3]), None);
    }

    proptest::proptest! {
        #[test]
        fn any_text_and_masks_tokenise_without_panicking(
            text in "\\PC{0,80}",
            spans in proptest::collection::vec((0u32..90, 0u32..90), 0..4),
        ) {
            let masks: Vec<_> = spans
                .into_iter()
                .map(|(a, b)| (IdentifierKind::Phone, Span { start: a.min(b), end: a.max(b) }))
                .collect();
            let d = Document::new(&text, &masks);
            proptest::prop_assert_eq!(d.tokens.len(), tokens(&text, &masks).len());
        }
    }
}

//! Phone numbers, including the ones ads disguise on purpose.
//!
//! The extractor reads the folded text (see [`Normalised`]) as a stream of
//! *blocks*: maximal runs of ASCII letters and digits. A block takes part in a
//! number when it can be read entirely as digits, number words (`one`,
//! `twenty`, `thousand`, with `0` for `o` and `1` for `i`/`l` inside words) and
//! letters standing for digits (`o`, `l`, `i` beside real digits). Blocks
//! separated by at most [`MAX_GAP`] separator characters (`-`, `.`, `[`, `@`,
//! `*`, spaces…) form a *run*. Candidate numbers are cut from a run only at
//! block boundaries, so a solid 16-digit card number is never sliced into a
//! phone, and every candidate must pass libphonenumber's validation for the
//! ad's region before it is reported in E.164.

use crate::Normalised;
use ctip_core::{Identifier, IdentifierKind};
use rlibphonenumber::{PhoneNumber, PhoneNumberFormat, Region};

/// Separator characters allowed between two blocks of one number.
const MAX_GAP: usize = 3;
/// Blocks longer than this are not numbers (base64, hashes, long words).
const MAX_BLOCK: usize = 64;
/// E.164 allows at most 15 digits; national forms add at most a trunk prefix.
const MAX_DIGITS: usize = 17;
const MIN_DIGITS: usize = 7;

/// Number words and the digits they stand for. Longer words come before their
/// prefixes (`seventeen` before `seven`) so the segmentation prefers them.
const NUMBER_WORDS: &[(&str, &str)] = &[
    ("thousand", "000"),
    ("hundred", "00"),
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
    ("fourty", "4"),
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

/// The first two letters of every number word: most ordinary words fail this
/// test, so the word list is tried only where a number word can start.
const NUMBER_WORD_PREFIXES: [[u8; 2]; 14] = [
    *b"th", *b"tw", *b"te", *b"hu", *b"se", *b"si", *b"fo", *b"fi", *b"ei", *b"el", *b"ni", *b"ze",
    *b"on", *b"oh",
];

/// Words that, just before a digit run, say it is a reference and not a phone.
const REFERENCE_WORDS: &[&str] = &[
    "ref",
    "reference",
    "order",
    "invoice",
    "card",
    "acct",
    "account",
    "tracking",
    "iban",
    "sku",
    "ticket",
    "serial",
    "id",
    "isbn",
    "vin",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ItemKind {
    Digit,
    Word,
    /// A tens word (`twenty`) whose units digit is still to come: `0` unless
    /// a unit word follows.
    Tens,
    LetterDigit,
}

#[derive(Debug, Clone)]
struct Item {
    digits: &'static str,
    kind: ItemKind,
}

/// A block that reads as digits, with the folded byte range it covers.
#[derive(Debug, Clone)]
struct DigitBlock {
    start: usize,
    end: usize,
    digits: String,
    disguised: bool,
}

/// What the scanner hands to validation: consecutive blocks of one run.
#[derive(Debug)]
struct Run {
    blocks: Vec<DigitBlock>,
    plus: bool,
    odd_separators: bool,
}

/// Finds every phone number in `text`, reading national forms in `region`.
pub fn extract_phones(text: &Normalised<'_>, region: Region, out: &mut Vec<Identifier>) {
    let folded = text.as_str().as_bytes();
    let mut i = 0;
    while i < folded.len() {
        if !folded[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        let (run, next) = scan_run(folded, i);
        if let Some(run) = run
            && !preceded_by_reference_word(folded, run.blocks[0].start)
        {
            emit_numbers(text, &run, region, out);
        }
        i = next.max(i + 1);
    }
}

fn block_end(folded: &[u8], start: usize) -> usize {
    let mut end = start;
    while end < folded.len() && folded[end].is_ascii_alphanumeric() {
        end += 1;
    }
    end
}

/// Reads one run starting at the block at `start`. Returns the run (if it has
/// any digit blocks) and where scanning should resume.
fn scan_run(folded: &[u8], start: usize) -> (Option<Run>, usize) {
    let mut blocks: Vec<DigitBlock> = Vec::new();
    let mut odd_separators = false;
    let plus = start > 0 && folded[start - 1] == b'+'
        || (start > 1 && folded[start - 2] == b'+' && folded[start - 1] == b' ');
    let mut pos = start;
    loop {
        let end = block_end(folded, pos);
        let block = read_block(folded, pos, end).or_else(|| {
            // `555-OlIl`: a group made only of look-alike letters counts when
            // it continues a run that already has digits.
            (!blocks.is_empty())
                .then(|| letters_as_digits(folded, pos, end))
                .flatten()
        });
        let Some(block) = block else {
            // A block that is not a number ends the run; resume after it.
            return (
                finish(blocks, plus, odd_separators),
                if pos == start { end } else { pos },
            );
        };
        let ends_in_junk = block.end < end;
        let starts_in_junk = block.start > pos;
        if starts_in_junk && !blocks.is_empty() {
            // Letters glued before the digits break the run here.
            return (finish(blocks, plus, odd_separators), pos);
        }
        blocks.push(block);
        if ends_in_junk {
            return (finish(blocks, plus, odd_separators), end);
        }
        // Skip a short gap of separators to the next block.
        let mut gap = end;
        let mut gap_chars = 0;
        while gap < folded.len() && !folded[gap].is_ascii_alphanumeric() && gap_chars <= MAX_GAP {
            let b = folded[gap];
            if b == b'\n' || b == b'\r' {
                break;
            }
            if !matches!(b, b' ' | b'-' | b'.' | b'(' | b')' | b'/') {
                odd_separators = true;
            }
            // Count characters, not bytes: a bullet `•` is one separator.
            if !(0x80..0xC0).contains(&b) {
                gap_chars += 1;
            }
            gap += 1;
        }
        if gap_chars == 0
            || gap_chars > MAX_GAP
            || gap >= folded.len()
            || !folded[gap].is_ascii_alphanumeric()
        {
            return (finish(blocks, plus, odd_separators), gap.max(end));
        }
        pos = gap;
    }
}

/// A short block of only `o`, `l` and `i`, read as the digits they imitate.
fn letters_as_digits(folded: &[u8], start: usize, end: usize) -> Option<DigitBlock> {
    let block = &folded[start..end];
    if block.len() > 4 || !block.iter().all(|b| matches!(b, b'o' | b'l' | b'i')) {
        return None;
    }
    let digits = block
        .iter()
        .map(|&b| if b == b'o' { '0' } else { '1' })
        .collect();
    Some(DigitBlock {
        start,
        end,
        digits,
        disguised: true,
    })
}

fn finish(blocks: Vec<DigitBlock>, plus: bool, odd_separators: bool) -> Option<Run> {
    (!blocks.is_empty()).then_some(Run {
        blocks,
        plus,
        odd_separators,
    })
}

/// Reads a block `[start, end)` as digits. Letters that are not number words
/// are allowed only as a prefix or suffix glued to a real digit
/// (`call2135550147`), and then the block's number part is returned alone.
fn read_block(folded: &[u8], start: usize, end: usize) -> Option<DigitBlock> {
    if end - start > MAX_BLOCK {
        return None;
    }
    let block = &folded[start..end];
    if let Some(items) = segment(block) {
        return to_block(start, end, &items, block);
    }
    // Allow junk letters only next to a real digit: `tel2135550147`.
    let first_digit = block.iter().position(u8::is_ascii_digit)?;
    let last_digit = block.iter().rposition(u8::is_ascii_digit)?;
    let from = if first_digit > 0 && segment(&block[..first_digit]).is_none() {
        first_digit
    } else {
        0
    };
    let to = if last_digit + 1 < block.len() && segment(&block[last_digit + 1..]).is_none() {
        last_digit + 1
    } else {
        block.len()
    };
    let items = segment(&block[from..to])?;
    to_block(start + from, start + to, &items, &block[from..to])
}

fn to_block(start: usize, end: usize, items: &[Item], raw: &[u8]) -> Option<DigitBlock> {
    // A block of letters alone (`oil`, `lol`) is never a number.
    if !items
        .iter()
        .any(|i| matches!(i.kind, ItemKind::Digit | ItemKind::Word | ItemKind::Tens))
    {
        return None;
    }
    let mut digits = String::new();
    for (index, item) in items.iter().enumerate() {
        digits.push_str(item.digits);
        if item.kind == ItemKind::Tens {
            let unit_follows = items.get(index + 1).is_some_and(|next| {
                next.kind == ItemKind::Word && next.digits.len() == 1 && next.digits != "0"
            });
            if !unit_follows {
                digits.push('0');
            }
        }
    }
    let disguised =
        items.iter().any(|i| i.kind != ItemKind::Digit) || !raw.iter().all(u8::is_ascii_digit);
    Some(DigitBlock {
        start,
        end,
        digits,
        disguised,
    })
}

/// Splits a block into digits, number words and letter-digits, preferring the
/// fewest items. Returns `None` when the block cannot be read as a number.
fn segment(block: &[u8]) -> Option<Vec<Item>> {
    let n = block.len();
    if n == 0 {
        return None;
    }
    // Cheap rejection for ordinary words: a number must start with a digit, a
    // letter-digit, or a letter that starts a number word.
    if !matches!(
        block[0],
        b'0'..=b'9' | b'o' | b'l' | b'i' | b'z' | b't' | b'f' | b's' | b'e' | b'n' | b'h'
    ) {
        return None;
    }
    // Most blocks are ordinary words: without a digit, a block must open
    // with a number word (or a letter-digit before one) to be a number.
    if !block.iter().any(u8::is_ascii_digit) {
        let opens_number = |at: usize| {
            let rest = &block[at..];
            rest.len() >= 2
                && NUMBER_WORD_PREFIXES.contains(&[rest[0], rest[1]])
                && NUMBER_WORDS
                    .iter()
                    .any(|(w, _)| match_word(rest, w).is_some())
        };
        if !(opens_number(0)
            || (matches!(block[0], b'o' | b'l' | b'i') && n > 1 && opens_number(1)))
        {
            return None;
        }
    }
    // best[p] = (items, previous position, item) for the prefix block[..p].
    let mut best: Vec<Option<(u16, usize, Item)>> = vec![None; n + 1];
    let mut reachable = vec![false; n + 1];
    reachable[0] = true;
    for p in 0..n {
        if !reachable[p] {
            continue;
        }
        let cost = if p == 0 {
            0
        } else {
            best[p].as_ref().map_or(0, |b| b.0)
        };
        let relax = |to: usize,
                     item: Item,
                     best: &mut Vec<Option<(u16, usize, Item)>>,
                     reachable: &mut Vec<bool>| {
            let c = cost + 1;
            if best[to].as_ref().is_none_or(|b| c < b.0) {
                best[to] = Some((c, p, item));
                reachable[to] = true;
            }
        };
        let b = block[p];
        if b.is_ascii_digit() {
            relax(
                p + 1,
                Item {
                    digits: DIGIT_STR[(b - b'0') as usize],
                    kind: ItemKind::Digit,
                },
                &mut best,
                &mut reachable,
            );
        }
        // Number words start with one of these letters; `0` may stand for
        // the `o` of `one` or `oh`. No word starts with `i` or `l`.
        let word_may_start = matches!(
            b,
            b't' | b'h' | b's' | b'f' | b'e' | b'n' | b'z' | b'o' | b'0'
        );
        for &(word, digits) in NUMBER_WORDS.iter().filter(|_| word_may_start) {
            if let Some(len) = match_word(&block[p..], word) {
                let kind = if word.ends_with('y') && digits.len() == 1 {
                    ItemKind::Tens
                } else {
                    ItemKind::Word
                };
                relax(p + len, Item { digits, kind }, &mut best, &mut reachable);
            }
        }
        let letter_digit = match b {
            b'o' => Some("0"),
            b'l' | b'i' => Some("1"),
            _ => None,
        };
        if let Some(d) = letter_digit {
            relax(
                p + 1,
                Item {
                    digits: d,
                    kind: ItemKind::LetterDigit,
                },
                &mut best,
                &mut reachable,
            );
        }
    }
    if !reachable[n] {
        return None;
    }
    let mut items = Vec::new();
    let mut at = n;
    while at > 0 {
        let (_, prev, item) = best[at].clone()?;
        items.push(item);
        at = prev;
    }
    items.reverse();
    // Letter-digits must touch a real digit or number word, or `oil` and
    // `lil` would read as numbers.
    for (index, item) in items.iter().enumerate() {
        if item.kind == ItemKind::LetterDigit {
            let touches = |j: Option<&Item>| j.is_some_and(|x| x.kind != ItemKind::LetterDigit);
            let near = touches(index.checked_sub(1).and_then(|k| items.get(k)))
                || touches(items.get(index + 1))
                || items.iter().any(|x| x.kind == ItemKind::Digit);
            if !near {
                return None;
            }
        }
    }
    Some(items)
}

const DIGIT_STR: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

/// Matches a number word at the start of `text`, allowing `0` for `o` and `1`
/// for `i` or `l` as obfuscators write (`th0usand`, `n1ne`).
fn match_word(text: &[u8], word: &str) -> Option<usize> {
    let word = word.as_bytes();
    if text.len() < word.len() {
        return None;
    }
    let mut has_letter = false;
    for (&t, &w) in text.iter().zip(word) {
        let ok = t == w || (t == b'0' && w == b'o') || (t == b'1' && (w == b'i' || w == b'l'));
        if !ok {
            return None;
        }
        has_letter |= t.is_ascii_alphabetic();
    }
    has_letter.then_some(word.len())
}

fn preceded_by_reference_word(folded: &[u8], start: usize) -> bool {
    // Look back over separators and at most two words.
    let mut pos = start;
    for _ in 0..2 {
        while pos > 0 && !folded[pos - 1].is_ascii_alphanumeric() && start - pos < 8 {
            pos -= 1;
        }
        let word_end = pos;
        while pos > 0 && folded[pos - 1].is_ascii_alphabetic() {
            pos -= 1;
        }
        if word_end == pos {
            return false;
        }
        let word = &folded[pos..word_end];
        if REFERENCE_WORDS.iter().any(|r| r.as_bytes() == word) {
            return true;
        }
    }
    false
}

/// Cuts validated numbers out of a run: the longest valid prefix of whole
/// blocks from each starting block, skipping blocks that start no number.
fn emit_numbers(text: &Normalised<'_>, run: &Run, region: Region, out: &mut Vec<Identifier>) {
    let total: usize = run.blocks.iter().map(|b| b.digits.len()).sum();
    if total < MIN_DIGITS {
        return;
    }
    if looks_like_card(run, total) {
        return;
    }
    let mut first = 0;
    let mut candidate = String::with_capacity(MAX_DIGITS + 1);
    while first < run.blocks.len() {
        let mut found = None;
        let mut len = 0;
        let mut last = first;
        while last < run.blocks.len() {
            len += run.blocks[last].digits.len();
            if len > MAX_DIGITS {
                break;
            }
            last += 1;
        }
        // Try the longest span of whole blocks first.
        for end in (first + 1..=last).rev() {
            let digits: usize = run.blocks[first..end].iter().map(|b| b.digits.len()).sum();
            if digits < MIN_DIGITS {
                break;
            }
            candidate.clear();
            if run.plus && first == 0 {
                candidate.push('+');
            }
            for block in &run.blocks[first..end] {
                candidate.push_str(&block.digits);
            }
            if let Some(e164) = validate(&candidate, region) {
                found = Some((end, e164));
                break;
            }
        }
        match found {
            Some((end, e164)) => {
                let start_at = run.blocks[first].start;
                let end_at = run.blocks[end - 1].end;
                let span = text.original_span(start_at, end_at);
                let mut id = Identifier::new(IdentifierKind::Phone, e164, span);
                id.obfuscated = run.odd_separators
                    || run.blocks[first..end].iter().any(|b| b.disguised)
                    || text.is_disguised(start_at, end_at);
                out.push(id);
                first = end;
            }
            None => first += 1,
        }
    }
}

/// Payment card numbers: 13 to 19 digits in groups of four (or the 4-6-5
/// American Express layout) that pass the Luhn check.
fn looks_like_card(run: &Run, total: usize) -> bool {
    if !(13..=19).contains(&total) {
        return false;
    }
    let sizes: Vec<usize> = run.blocks.iter().map(|b| b.digits.len()).collect();
    let grouped =
        sizes.len() == 1 || sizes[..sizes.len() - 1].iter().all(|&s| s == 4) || sizes == [4, 6, 5];
    grouped && luhn_valid(run.blocks.iter().flat_map(|b| b.digits.bytes()))
}

fn luhn_valid(digits: impl DoubleEndedIterator<Item = u8>) -> bool {
    let mut sum = 0u32;
    for (index, d) in digits.rev().enumerate() {
        let mut v = u32::from(d - b'0');
        if index % 2 == 1 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    sum.is_multiple_of(10)
}

/// Validations remembered per thread: networks repeat the same few numbers
/// across thousands of ads, and parsing is the costly step.
const VALIDATION_CACHE_SIZE: usize = 8192;

thread_local! {
    static VALIDATED: std::cell::RefCell<std::collections::HashMap<(Region, String), Option<String>>> =
        std::cell::RefCell::new(std::collections::HashMap::with_capacity(VALIDATION_CACHE_SIZE));
}

fn validate(candidate: &str, region: Region) -> Option<String> {
    let key = (region, candidate.to_owned());
    if let Some(known) = VALIDATED.with(|cache| cache.borrow().get(&key).cloned()) {
        return known;
    }
    let outcome = validate_uncached(candidate, region);
    VALIDATED.with(|cache| {
        let mut cache = cache.borrow_mut();
        // A full cache starts over: simpler than LRU and as good for
        // batches where the same numbers recur.
        if cache.len() >= VALIDATION_CACHE_SIZE {
            cache.clear();
        }
        cache.insert(key, outcome.clone());
    });
    outcome
}

fn validate_uncached(candidate: &str, region: Region) -> Option<String> {
    let number = PhoneNumber::parse(candidate, Some(region)).ok()?;
    if !number.is_valid() {
        return None;
    }
    Some(number.format_as(PhoneNumberFormat::E164).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phones(text: &str) -> Vec<String> {
        let n = Normalised::new(text);
        let mut out = Vec::new();
        extract_phones(&n, Region::US, &mut out);
        out.into_iter().map(|i| i.value).collect()
    }

    #[test]
    fn obfuscated_phones_are_recovered() {
        let cases: &[(&str, &str)] = &[
            ("call (213) 555-0147 now", "+12135550147"),
            ("213.555.0147", "+12135550147"),
            ("2135550147", "+12135550147"),
            ("+1 213-555-0147", "+12135550147"),
            ("2ONE3-5FIVE5-0ONE4SEVEN", "+12135550147"),
            (
                "TwO/oNe/tHrEe/fIvE/fIvE/fIvE/zErO/oNe/FoUr/SeVeN",
                "+12135550147",
            ),
            ("twoonethree-fivefivefive-zeroonefourseven", "+12135550147"),
            ("２１３５５５０１４７", "+12135550147"),
            (
                "2\u{fe0f}\u{20e3}1\u{fe0f}\u{20e3}3\u{fe0f}\u{20e3}5\u{fe0f}\u{20e3}5\u{fe0f}\u{20e3}5\u{fe0f}\u{20e3}0\u{fe0f}\u{20e3}1\u{fe0f}\u{20e3}4\u{fe0f}\u{20e3}7\u{fe0f}\u{20e3}",
                "+12135550147",
            ),
            ("②①③⑤⑤⑤⓪①④⑦", "+12135550147"),
            ("[2][1][3]-[5][5][5]-[0][1][4][7]", "+12135550147"),
            ("2@1@3@5@5@5@0@1@4@7", "+12135550147"),
            ("**2**1**3**5**5**5**0**1**4**7", "+12135550147"),
            ("2l3-555-O147", "+12135550147"),
            ("6twentysix-4ohthree-o6oo", "+16264030600"),
            ("4l4-555-OlIl", "+14145550111"),
            ("fourfoureight 555 0123", "+14485550123"),
            ("TwO/6/zERo-FouR/5/5/0/1/2/3", "+12604550123"),
            ("call me 2ONE6-SIX2TWO-5NINE5FOUR", "+12166225954"),
        ];
        for (text, want) in cases {
            assert_eq!(phones(text), vec![want.to_string()], "input: {text}");
        }
    }

    #[test]
    fn two_numbers_in_one_run_are_split() {
        assert_eq!(
            phones("213-555-0147, 312-555-0188"),
            vec!["+12135550147".to_string(), "+13125550188".to_string()]
        );
    }

    #[test]
    fn long_digit_strings_are_not_phones() {
        for text in [
            "Ref 4539 1488 0343 6467",
            "card 4539148803436467",
            "Job ID 20250314001",
            "order #2135550147",
            "4539 1488 0343 6467",
            "tracking 1Z999AA10123456784",
        ] {
            assert!(
                phones(text).is_empty(),
                "input: {text} gave {:?}",
                phones(text)
            );
        }
    }

    #[test]
    fn ordinary_words_are_not_digits() {
        for text in [
            "someone tone money often weight phone",
            "oil lol lil",
            "the one and only, two girls, three days",
            "open 24 hours 7 days",
            "$200 300 400",
        ] {
            assert!(
                phones(text).is_empty(),
                "input: {text} gave {:?}",
                phones(text)
            );
        }
    }

    #[test]
    fn phone_span_points_at_the_original_text() {
        let text = "tel: ２１３-555-0147!";
        let n = Normalised::new(text);
        let mut out = Vec::new();
        extract_phones(&n, Region::US, &mut out);
        assert_eq!(&text[out[0].span.range()], "２１３-555-0147");
        assert!(out[0].obfuscated);
    }

    #[test]
    fn plain_numbers_are_not_marked_obfuscated() {
        let n = Normalised::new("(213) 555-0147");
        let mut out = Vec::new();
        extract_phones(&n, Region::US, &mut out);
        assert!(!out[0].obfuscated);
    }

    #[test]
    fn national_numbers_read_in_the_ads_region() {
        let n = Normalised::new("07911 123456");
        let mut out = Vec::new();
        extract_phones(&n, Region::GB, &mut out);
        assert_eq!(out[0].value, "+447911123456");
    }
}

//! Escaping untrusted text for HTML text and attribute values.

use std::borrow::Cow;
use std::fmt;

/// Escape `s` so that it can stand in HTML text or inside a quoted attribute
/// value. See [`Escaped`] for exactly what changes.
pub fn escape_html(s: &str) -> String {
    Escaped(s).to_string()
}

/// Writes its text with `&`, `<`, `>`, `"` and `'` replaced by character
/// references, so the text can never open a tag, end an attribute or start an
/// entity. Control characters other than tab, line feed and carriage return
/// are not allowed in HTML and become U+FFFD REPLACEMENT CHARACTER.
///
/// The same escaping is safe in text and in attribute values quoted with
/// either `"` or `'`. It is not meant for unquoted attributes, URLs, CSS or
/// script, and the report puts untrusted text in none of those.
#[derive(Debug, Clone, Copy)]
pub struct Escaped<'a>(pub &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.0;
        let mut clean_from = 0;
        for (at, c) in text.char_indices() {
            let replacement = match c {
                '&' => "&amp;",
                '<' => "&lt;",
                '>' => "&gt;",
                '"' => "&quot;",
                '\'' => "&#39;",
                '\t' | '\n' | '\r' => continue,
                c if c.is_control() => "\u{FFFD}",
                _ => continue,
            };
            f.write_str(&text[clean_from..at])?;
            f.write_str(replacement)?;
            clean_from = at + c.len_utf8();
        }
        f.write_str(&text[clean_from..])
    }
}

/// `label` cut to at most `chars` characters, the last one an ellipsis when
/// anything was cut. Cuts fall between characters, never inside one; the
/// result still needs escaping.
pub(crate) fn truncate(label: &str, chars: usize) -> Cow<'_, str> {
    match label.char_indices().nth(chars) {
        None => label.into(),
        Some(_) => {
            let keep = chars.saturating_sub(1);
            let end = label
                .char_indices()
                .nth(keep)
                .map_or(label.len(), |(at, _)| at);
            format!("{}…", &label[..end]).into()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_characters_become_references() {
        let cases = [
            ("plain text", "plain text"),
            (
                "<script>alert(1)</script>",
                "&lt;script&gt;alert(1)&lt;/script&gt;",
            ),
            (
                r#""><img src=x onerror='x'>"#,
                "&quot;&gt;&lt;img src=x onerror=&#39;x&#39;&gt;",
            ),
            ("a & b &amp; c", "a &amp; b &amp;amp; c"),
            ("été 😀 ok", "été 😀 ok"),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(escape_html(input), expected, "input {input:?}");
        }
    }

    #[test]
    fn control_characters_are_replaced_but_line_breaks_kept() {
        assert_eq!(
            escape_html("a\0b\u{7}c\u{85}d"),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}d"
        );
        assert_eq!(escape_html("a\tb\nc\r\nd"), "a\tb\nc\r\nd");
    }

    #[test]
    fn labels_are_cut_on_characters_with_an_ellipsis() {
        assert_eq!(truncate("short", 18), "short");
        assert_eq!(truncate("exactly-eighteen!!", 18), "exactly-eighteen!!");
        assert_eq!(truncate("a much longer label than fits", 10), "a much lo…");
        assert_eq!(truncate("😀😀😀😀", 3), "😀😀…");
        assert_eq!(truncate("", 3), "");
    }
}

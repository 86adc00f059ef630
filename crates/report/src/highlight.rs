//! Marking reason and identifier spans in an ad's original text.
//!
//! Spans come from data we did not write: they may overlap, nest, run past the
//! end of the text or cut a character in half. Invalid spans are skipped and
//! counted. Valid ones are flattened: the text is cut at every span edge, and
//! each piece gets at most one `<mark>` naming everything that covers it, so
//! marks never nest and the output is always well formed.

use crate::escape::Escaped;
use ctip_core::Span;
use std::fmt::Write;
use std::ops::Range;

/// What a highlight points at; each gets its own CSS class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layer {
    Indicator,
    Identifier,
}

/// One span to mark, and the name shown in its tooltip.
#[derive(Debug, Clone)]
pub(crate) struct Highlight {
    pub span: Span,
    pub layer: Layer,
    pub label: String,
}

/// Escaped HTML for the text with its highlights, and how many highlights
/// could not be placed on it.
#[derive(Debug)]
pub(crate) struct Marked {
    pub html: String,
    pub skipped: usize,
}

/// The look of one highlighted piece: which layers cover it and its tooltip.
#[derive(Debug, PartialEq, Eq)]
struct Style {
    indicator: bool,
    identifier: bool,
    title: String,
}

impl Style {
    /// The style of a piece covered by `covering`, or `None` when nothing covers it.
    fn of<'h>(covering: impl Iterator<Item = &'h Highlight>) -> Option<Style> {
        let covering: Vec<&Highlight> = covering.collect();
        if covering.is_empty() {
            return None;
        }
        let mut labels: Vec<&str> = Vec::new();
        for highlight in &covering {
            if !labels.contains(&highlight.label.as_str()) {
                labels.push(&highlight.label);
            }
        }
        Some(Style {
            indicator: covering.iter().any(|h| h.layer == Layer::Indicator),
            identifier: covering.iter().any(|h| h.layer == Layer::Identifier),
            title: labels.join("; "),
        })
    }

    fn class(&self) -> &'static str {
        match (self.indicator, self.identifier) {
            (true, true) => "ind idf",
            (true, false) => "ind",
            _ => "idf",
        }
    }
}

/// True when `span` is a non-empty slice of `text` on character boundaries.
fn fits(text: &str, span: Span) -> bool {
    let Range { start, end } = span.range();
    start < end && text.get(start..end).is_some()
}

/// Render `text` as escaped HTML with every valid highlight wrapped in `<mark>`.
pub(crate) fn mark_up(text: &str, highlights: &[Highlight]) -> Marked {
    let (valid, invalid): (Vec<&Highlight>, Vec<&Highlight>) =
        highlights.iter().partition(|h| fits(text, h.span));

    let mut cuts: Vec<usize> = valid
        .iter()
        .flat_map(|h| [h.span.range().start, h.span.range().end])
        .chain([0, text.len()])
        .collect();
    cuts.sort_unstable();
    cuts.dedup();

    // Every span starts and ends on a cut, so each piece between two cuts is
    // either wholly inside a span or wholly outside it.
    let mut pieces: Vec<(Range<usize>, Option<Style>)> = Vec::new();
    for pair in cuts.windows(2) {
        let piece = pair[0]..pair[1];
        let covering = valid
            .iter()
            .copied()
            .filter(|h| h.span.range().start <= piece.start && piece.end <= h.span.range().end);
        let style = Style::of(covering);
        match pieces.last_mut() {
            Some((last, last_style)) if *last_style == style => last.end = piece.end,
            _ => pieces.push((piece, style)),
        }
    }

    let mut html = String::with_capacity(text.len() + 64 * valid.len());
    for (range, style) in pieces {
        let piece = Escaped(&text[range]);
        // Writing to a String cannot fail.
        let _ = match style {
            None => write!(html, "{piece}"),
            Some(style) => write!(
                html,
                r#"<mark class="{}" title="{}">{piece}</mark>"#,
                style.class(),
                Escaped(&style.title),
            ),
        };
    }
    Marked {
        html,
        skipped: invalid.len(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn ind(start: u32, end: u32, label: &str) -> Highlight {
        Highlight {
            span: Span { start, end },
            layer: Layer::Indicator,
            label: label.into(),
        }
    }

    fn idf(start: u32, end: u32, label: &str) -> Highlight {
        Highlight {
            layer: Layer::Identifier,
            ..ind(start, end, label)
        }
    }

    /// The text content of marked-up HTML: tags removed, references resolved.
    fn text_of(html: &str) -> String {
        let mut text = String::new();
        let mut rest = html;
        while let Some(open) = rest.find('<') {
            text.push_str(&rest[..open]);
            let close = rest[open..].find('>').expect("unclosed tag") + open;
            rest = &rest[close + 1..];
        }
        text.push_str(rest);
        text.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    }

    #[test]
    fn a_single_span_is_marked_with_its_layer_and_label() {
        let marked = mark_up("call 555 now", &[idf(5, 8, "phone: +1555")]);
        assert_eq!(
            marked.html,
            r#"call <mark class="idf" title="phone: +1555">555</mark> now"#
        );
        assert_eq!(marked.skipped, 0);
    }

    #[test]
    fn overlapping_spans_are_split_into_flat_marks() {
        let marked = mark_up("abcdef", &[ind(0, 4, "a"), idf(2, 6, "b")]);
        assert_eq!(
            marked.html,
            concat!(
                r#"<mark class="ind" title="a">ab</mark>"#,
                r#"<mark class="ind idf" title="a; b">cd</mark>"#,
                r#"<mark class="idf" title="b">ef</mark>"#,
            )
        );
    }

    #[test]
    fn nested_spans_keep_the_outer_highlight_around_the_inner_one() {
        let marked = mark_up("abcdef", &[ind(0, 6, "outer"), ind(2, 3, "inner")]);
        assert_eq!(
            marked.html,
            concat!(
                r#"<mark class="ind" title="outer">ab</mark>"#,
                r#"<mark class="ind" title="outer; inner">c</mark>"#,
                r#"<mark class="ind" title="outer">def</mark>"#,
            )
        );
    }

    #[test]
    fn duplicate_spans_make_one_mark() {
        let marked = mark_up("abc", &[ind(0, 3, "x"), ind(0, 3, "x")]);
        assert_eq!(marked.html, r#"<mark class="ind" title="x">abc</mark>"#);
    }

    #[test]
    fn invalid_spans_are_skipped_and_counted() {
        let text = "é<b>"; // 'é' is two bytes, so offset 1 is inside it.
        let marked = mark_up(
            text,
            &[
                ind(1, 3, "inside a char"),
                ind(2, 99, "past the end"),
                ind(3, 2, "backwards"),
                ind(2, 2, "empty"),
                idf(2, 5, "fine"),
            ],
        );
        assert_eq!(marked.skipped, 4);
        assert_eq!(
            marked.html,
            r#"é<mark class="idf" title="fine">&lt;b&gt;</mark>"#
        );
    }

    #[test]
    fn labels_are_escaped_in_the_title_attribute() {
        let marked = mark_up("x", &[ind(0, 1, r#""><script>"#)]);
        assert_eq!(
            marked.html,
            r#"<mark class="ind" title="&quot;&gt;&lt;script&gt;">x</mark>"#
        );
    }

    #[test]
    fn empty_text_renders_empty() {
        let marked = mark_up("", &[ind(0, 1, "x")]);
        assert_eq!(marked.html, "");
        assert_eq!(marked.skipped, 1);
    }

    fn highlights() -> impl Strategy<Value = Vec<Highlight>> {
        let one = (0u32..48, 0u32..48, any::<bool>(), "[a-c<&\"]{0,3}").prop_map(
            |(start, end, indicator, label)| Highlight {
                span: Span { start, end },
                layer: if indicator {
                    Layer::Indicator
                } else {
                    Layer::Identifier
                },
                label,
            },
        );
        prop::collection::vec(one, 0..12)
    }

    /// What escaping makes of a text's characters, references aside.
    fn as_escaped(text: &str) -> String {
        let allowed = |c: char| !c.is_control() || matches!(c, '\t' | '\n' | '\r');
        text.chars()
            .map(|c| if allowed(c) { c } else { '\u{FFFD}' })
            .collect()
    }

    /// The inside of every tag in `html`, in order.
    fn tags(html: &str) -> Vec<&str> {
        html.split('<')
            .skip(1)
            .map(|t| &t[..t.find('>').expect("closed tag")])
            .collect()
    }

    /// Arbitrary Unicode, and short ASCII-heavy text that spans often land in.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![".{0,24}", "[a-c<&é😀\n]{0,24}"]
    }

    proptest! {
        #[test]
        fn marking_up_never_changes_the_text(text in text(), highlights in highlights()) {
            let marked = mark_up(&text, &highlights);
            prop_assert_eq!(text_of(&marked.html), as_escaped(&text));
        }

        #[test]
        fn marks_never_nest(text in text(), highlights in highlights()) {
            let marked = mark_up(&text, &highlights);
            for pair in tags(&marked.html).chunks(2) {
                prop_assert!(pair[0].starts_with("mark "), "{:?}", pair);
                prop_assert_eq!(pair.get(1).copied(), Some("/mark"));
            }
        }
    }
}

//! Text folding for matching: compatibility decomposition, combining marks removed, lower case.
//! "Médicos del Mundo" and "medicos del mundo" fold to the same string.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Folds text for case- and accent-insensitive matching (never for display).
pub(crate) fn fold(text: &str) -> String {
    text.nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect()
}

/// Splits folded text into search tokens (runs of letters and digits).
pub(crate) fn tokens(folded: &str) -> impl Iterator<Item = &str> {
    folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_and_accents() {
        assert_eq!(fold("Médicos ÀÉÎ Straße"), "medicos aei straße");
        assert_eq!(fold("Ｌｏｎｄｏｎ"), "london");
        let folded = fold("Casa-Refugio, São Paulo");
        assert_eq!(
            tokens(&folded).collect::<Vec<_>>(),
            ["casa", "refugio", "sao", "paulo"]
        );
    }
}

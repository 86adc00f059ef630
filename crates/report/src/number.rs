//! Numbers as people read them: grouped digits, fixed decimals, durations.
//! Anything not finite prints as an en dash rather than `NaN` or `inf`.

const MISSING: &str = "–";

/// `1234567` as `1,234,567`.
pub(crate) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A short count for chart labels where space is tight: `950`, `12k`, `3.4M`.
pub(crate) fn compact(n: u64) -> String {
    match n {
        0..1_000 => n.to_string(),
        1_000..10_000 => format!("{:.1}k", n as f64 / 1e3),
        10_000..1_000_000 => format!("{}k", n / 1_000),
        1_000_000..10_000_000 => format!("{:.1}M", n as f64 / 1e6),
        10_000_000..1_000_000_000 => format!("{}M", n / 1_000_000),
        _ => format!("{:.1}G", n as f64 / 1e9),
    }
}

/// `x` with `places` decimals.
pub(crate) fn decimal(x: f64, places: usize) -> String {
    if x.is_finite() {
        format!("{x:.places$}")
    } else {
        MISSING.to_owned()
    }
}

/// A whole rate such as ads per second, grouped: `12,345`.
pub(crate) fn rate(x: f64) -> String {
    if x.is_finite() && x >= 0.0 {
        grouped(x.round() as u64)
    } else {
        MISSING.to_owned()
    }
}

/// Elapsed time: `4.2 s`, `3 min 07 s`, `2 h 05 min`.
pub(crate) fn duration(secs: f64) -> String {
    if !secs.is_finite() || secs < 0.0 {
        return MISSING.to_owned();
    }
    if secs < 60.0 {
        return format!("{secs:.1} s");
    }
    let whole = secs.round() as u64;
    let (hours, minutes, seconds) = (whole / 3600, whole / 60 % 60, whole % 60);
    if hours == 0 {
        format!("{minutes} min {seconds:02} s")
    } else {
        format!("{hours} h {minutes:02} min")
    }
}

/// `part` as a percentage of `whole`, or a dash when `whole` is zero.
pub(crate) fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        MISSING.to_owned()
    } else {
        format!("{:.1}%", part as f64 / whole as f64 * 100.0)
    }
}

/// A fraction of one as a whole percentage: `0.724` as `72%`.
pub(crate) fn share(x: f64) -> String {
    if x.is_finite() {
        format!("{:.0}%", x * 100.0)
    } else {
        MISSING.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_grouped_by_thousands() {
        let cases = [
            (0, "0"),
            (999, "999"),
            (1_000, "1,000"),
            (123_456, "123,456"),
            (1_234_567, "1,234,567"),
        ];
        for (n, expected) in cases {
            assert_eq!(grouped(n), expected);
        }
    }

    #[test]
    fn compact_counts_fit_a_narrow_bar() {
        let cases = [
            (7, "7"),
            (1_234, "1.2k"),
            (56_789, "56k"),
            (3_400_000, "3.4M"),
            (u64::MAX, "18446744073.7G"),
        ];
        for (n, expected) in cases {
            assert_eq!(compact(n), expected);
        }
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(4.24), "4.2 s");
        assert_eq!(duration(187.0), "3 min 07 s");
        assert_eq!(duration(7_500.0), "2 h 05 min");
        assert_eq!(duration(f64::NAN), "–");
    }

    #[test]
    fn missing_values_print_as_a_dash() {
        assert_eq!(decimal(f64::INFINITY, 2), "–");
        assert_eq!(rate(-1.0), "–");
        assert_eq!(percent(1, 0), "–");
        assert_eq!(percent(1, 4), "25.0%");
        assert_eq!(share(0.724), "72%");
        assert_eq!(share(f64::NAN), "–");
    }
}

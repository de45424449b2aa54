//! Small text helpers shared by several stages.

/// The closest candidate within a third of its length (at least 2 edits).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::levenshtein(word, c), c))
        .filter(|(distance, c)| *distance > 0 && *distance <= (c.chars().count() / 3).max(2))
        .min()
        .map(|(_, c)| c)
}

/// Parse an haproxy time (configuration.txt §2.5) into milliseconds:
/// `us`, `ms` (default), `s`, `m`, `h`, `d`.
pub fn parse_duration_ms(text: &str) -> Option<u64> {
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, unit) = text.split_at(split);
    let value: u64 = digits.parse().ok()?;
    let factor_us: u64 = match unit {
        "us" => 1,
        "" | "ms" => 1_000,
        "s" => 1_000_000,
        "m" => 60_000_000,
        "h" => 3_600_000_000,
        "d" => 86_400_000_000,
        _ => return None,
    };
    value.checked_mul(factor_us).map(|us| us / 1_000)
}

/// Milliseconds back to the shortest exact haproxy time.
pub fn format_duration_ms(ms: u64) -> String {
    const UNITS: &[(u64, &str)] = &[
        (86_400_000, "d"),
        (3_600_000, "h"),
        (60_000, "m"),
        (1_000, "s"),
    ];
    for (size, unit) in UNITS {
        if ms > 0 && ms.is_multiple_of(*size) {
            return format!("{}{unit}", ms / size);
        }
    }
    format!("{ms}ms")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_and_durations() {
        assert_eq!(
            closest("ssl-verfy-none", ["ssl-verify-none", "syntax"]),
            Some("ssl-verify-none")
        );
        assert_eq!(parse_duration_ms("1h"), Some(3_600_000));
        assert_eq!(parse_duration_ms("500"), Some(500));
        assert_eq!(parse_duration_ms("10x"), None);
        assert_eq!(format_duration_ms(90_000), "90s");
        assert_eq!(format_duration_ms(3_600_000), "1h");
        assert_eq!(format_duration_ms(1500), "1500ms");
    }
}

//! A timeout written as a small bare number: milliseconds where seconds were meant.

use super::{Context, Rule};
use crate::finding::{Finding, Fix};
use crate::fix::edits;
use crate::model::SectionKind;

#[derive(Default)]
pub struct TimeoutMissingUnit;

/// Bare values below this many milliseconds are almost always seconds
/// written without their unit (`timeout client 30`); larger bare values
/// (`timeout client 30000`) are milliseconds written on purpose.
const SUSPICIOUS_BELOW_MS: u64 = 1000;

impl Rule for TimeoutMissingUnit {
    const ID: &'static str = "timeout-missing-unit";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        // Only `timeout` lines, found by their interned key, not by reading every statement.
        let keys = model.key_set_of_keywords(&["timeout"]);
        for section in model
            .sections
            .iter()
            .filter(|s| s.kind.is_proxy() || s.kind == SectionKind::Defaults)
        {
            for (stmt, _) in model.statements_in(section, &keys) {
                if model.value(stmt, 0) != Some("timeout") {
                    continue;
                }
                let Some(name) = model.value(stmt, 1) else {
                    continue;
                };
                let Some(value) = model.value(stmt, 2) else {
                    continue;
                };
                if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                    continue;
                }
                let Ok(ms) = value.parse::<u64>() else {
                    continue;
                };
                if ms == 0 || ms >= SUSPICIOUS_BELOW_MS {
                    continue;
                }
                // From 3.2 haproxy itself warns below 100: timeout-without-unit reports those.
                if ms < 100 && cx.target >= crate::version::Version::new(3, 2) {
                    continue;
                }
                out.push(
                    Finding::new(
                        Self::ID,
                        model.word_span(stmt, 2),
                        format!(
                            "`timeout {name} {value}` is {value} milliseconds: a number without a \
                            unit is read as milliseconds"
                        ),
                    )
                    .note(format!(
                        "with {value} ms, connections and requests are cut off almost at once (a \
                        client or server pause of a fraction of a second ends the exchange); \
                        `{value}s` was most likely meant"
                    ))
                    .help(format!("write the unit: `timeout {name} {value}s`"))
                    .fix(Fix::unsafe_(
                        format!("read it as seconds: `{value}s`"),
                        vec![edits::replace_word(model, stmt, 2, &format!("{value}s"))],
                    )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{findings, findings_with};
    use crate::version::Version;

    const ID: &str = "timeout-missing-unit";

    #[test]
    fn small_bare_numbers() {
        let at = |major, minor| crate::Options {
            target: Version::new(major, minor),
            ..Default::default()
        };
        let config = "defaults\n  timeout client 30\n  timeout server 500\n";
        assert_eq!(findings_with(ID, config, at(3, 0)).len(), 2);
        // below 100, 3.2's own warning (timeout-without-unit) speaks instead
        assert_eq!(findings_with(ID, config, at(3, 2)).len(), 1);
        assert_eq!(findings(ID, "defaults\n  timeout server 500\n").len(), 1);
        assert!(
            findings(
                ID,
                "defaults\n  timeout client 30000\n  timeout server 30s\n"
            )
            .is_empty()
        );
    }
}

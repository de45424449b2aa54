//! A small duration written without a unit: haproxy reads milliseconds, and
//! from 3.2 on it warns when the number is below 100, where seconds were
//! most likely meant.

use super::{Context, Rule};
use crate::finding::{Finding, Fix};
use crate::fix::edits;
use crate::model::{SectionKind, Stmt};
use crate::version::Version;

#[derive(Default)]
pub struct TimeoutWithoutUnit;

/// The server parameters haproxy checks the same way.
const SERVER_DURATIONS: [&str; 3] = ["inter", "fastinter", "downinter"];

/// Whether `value` is a bare number from 1 to 99.
fn suspicious(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 2
        && value.bytes().all(|b| b.is_ascii_digit())
        && value.bytes().any(|b| b != b'0')
}

impl TimeoutWithoutUnit {
    fn report(
        &self,
        cx: &Context<'_>,
        stmt: Stmt,
        index: usize,
        name: &str,
        value: &str,
        out: &mut Vec<Finding>,
    ) {
        let model = cx.model;
        out.push(
            Finding::new(
                Self::ID,
                model.word_span(stmt, index),
                format!("`{name} {value}` has no unit, so it means {value} milliseconds"),
            )
            .note(
                "a duration without a unit is in milliseconds; a value this small was usually \
                meant in seconds, and haproxy warns about it from 3.2 on",
            )
            .help(format!(
                "write the unit: `{value}s` for seconds, or `{value}ms` to keep today's value"
            ))
            .fix(Fix::safe(
                format!("write `{value}ms` (same value, explicit unit)"),
                vec![edits::replace_word(
                    model,
                    stmt,
                    index,
                    &format!("{value}ms"),
                )],
            )),
        );
    }
}

impl Rule for TimeoutWithoutUnit {
    const ID: &'static str = "timeout-without-unit";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        if cx.target < Version::new(3, 2) {
            return;
        }
        let model = cx.model;
        let keys =
            model.key_set_of_keywords(&["timeout", "server", "default-server", "server-template"]);
        for section in &model.sections {
            if !(section.kind.is_proxy() || section.kind == SectionKind::Defaults) {
                continue;
            }
            for (stmt, _) in model.statements_in(section, &keys) {
                if cx.activity(stmt) != crate::syntax::Activity::Active {
                    continue;
                }
                // No allocation per line: 50,000 backends have as many server lines.
                let mut values = model.values(stmt);
                match values.next() {
                    Some("timeout") => {
                        if let (Some(name), Some(value), None) =
                            (values.next(), values.next(), values.next())
                            && suspicious(value)
                        {
                            self.report(cx, stmt, 2, &format!("timeout {name}"), value, out);
                        }
                    }
                    Some("no" | "default") | None => {}
                    Some(_) => {
                        let mut previous = "";
                        for (i, value) in values.enumerate() {
                            if SERVER_DURATIONS.contains(&previous) && suspicious(value) {
                                self.report(cx, stmt, i + 1, previous, value, out);
                            }
                            previous = value;
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Options;
    use crate::rules::testing::findings_with;
    use crate::version::Version;

    const CONFIG: &str = "defaults\n  timeout client 5\n  timeout server 100\n  timeout connect 0\
    \n  timeout queue 5s\nbackend be\n  default-server inter 40\n  \
    server s1 10.0.0.1:80 check fastinter 20 downinter 3000 inter 99\n";

    #[test]
    fn small_bare_numbers_from_3_2() {
        let at = |v| Options {
            target: v,
            ..Default::default()
        };
        let lines: Vec<u32> = findings_with("timeout-without-unit", CONFIG, at(Version::new(3, 2)))
            .iter()
            .map(|(l, _)| *l)
            .collect();
        assert_eq!(lines, vec![2, 7, 8, 8]);
        assert!(findings_with("timeout-without-unit", CONFIG, at(Version::new(3, 0))).is_empty());
    }
}

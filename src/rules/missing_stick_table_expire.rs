//! Stick-tables whose entries never expire.

use super::{Context, Rule};
use crate::finding::{Finding, Fix};
use crate::fix::edits;
use crate::model::SectionKind;
use crate::text::{format_duration_ms, parse_duration_ms};

#[derive(Default)]
pub struct MissingStickTableExpire;

/// The longest period among `store …_rate(<period>)` entries.
fn longest_rate_period(values: &[&str]) -> Option<u64> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .filter_map(|item| {
            let (name, rest) = item.split_once('(')?;
            name.ends_with("_rate").then(|| rest.trim_end_matches(')'))
        })
        .filter_map(parse_duration_ms)
        .max()
}

impl Rule for MissingStickTableExpire {
    const ID: &'static str = "missing-stick-table-expire";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for section in &model.sections {
            let keyword = match section.kind {
                SectionKind::Peers => "table",
                kind if kind.is_proxy() => "stick-table",
                _ => continue,
            };
            for stmt in model.statements_with(section, keyword) {
                let values: Vec<&str> = model.values(stmt).collect();
                if values.contains(&"expire") {
                    continue;
                }
                let nopurge = values.contains(&"nopurge");
                let proposal =
                    longest_rate_period(&values).map_or(30 * 60 * 1000, |p| (3 * p).max(30_000));
                let proposal = format_duration_ms(proposal);
                let finding = Finding::new(
                    Self::ID,
                    model.stmt_span(stmt),
                    format!(
                        "entries of this stick-table in {} never expire",
                        section.display_name()
                    ),
                )
                .note(if nopurge {
                    "with `nopurge` and no `expire`, the table fills up once \
                     and then no new entry can be created: tracking, rate \
                     limits and persistence silently stop for new clients"
                } else {
                    "old entries only leave when the table is full, so counters \
                     and rates of clients gone long ago stay; a full table then \
                     drops the least recently used entries nothing references, and \
                     when none can go, new clients get no entry and escape tracking"
                })
                .help(format!(
                    "add `expire {proposal}` (three times the longest rate \
                     period stored, at least 30s; 30m for tables without rates)"
                ))
                .fix(Fix::unsafe_(
                    format!("add `expire {proposal}`"),
                    vec![edits::append_words(
                        model,
                        stmt,
                        &format!("expire {proposal}"),
                    )],
                ));
                out.push(finding);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    #[test]
    fn tables_without_expire() {
        let id = "missing-stick-table-expire";
        assert_eq!(
            findings(
                id,
                "frontend f\n  bind :80\n  stick-table type ip size 100k store http_req_rate(10s)\n"
            )
            .len(),
            1
        );
        assert!(
            findings(
                id,
                "frontend f\n  bind :80\n  stick-table type ip size 100k expire 30s\n"
            )
            .is_empty()
        );
        assert_eq!(
            super::longest_rate_period(&["store", "conn_cur,http_req_rate(10s),conn_rate(1m)"]),
            Some(60_000)
        );
    }
}

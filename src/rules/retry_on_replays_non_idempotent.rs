//! `retry-on` conditions that can send a POST twice.

use super::{Context, Rule, list_names};
use crate::finding::{Finding, Fix};
use crate::fix::edits;
use crate::model::{Mode, Section, Stmt};
use std::collections::BTreeMap;

#[derive(Default)]
pub struct RetryOnReplaysNonIdempotent;

/// Conditions that fire only after the request may have reached the server.
fn after_delivery(condition: &str) -> bool {
    matches!(
        condition,
        "empty-response" | "junk-response" | "response-timeout" | "all-retryable-errors"
    ) || (condition.len() == 3
        && condition.chars().all(|c| c.is_ascii_digit())
        && condition != "425")
}

fn restricts_retries(cx: &Context<'_>, section: &Section) -> bool {
    section.statements.iter().any(|&stmt| {
        cx.model.value(stmt, 0) == Some("http-request")
            && cx.model.value(stmt, 1) == Some("disable-l7-retry")
    })
}

impl Rule for RetryOnReplaysNonIdempotent {
    const ID: &'static str = "retry-on-replays-non-idempotent";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let mut sites: BTreeMap<Stmt, Vec<&Section>> = BTreeMap::new();
        for backend in model.proxies().filter(|s| s.kind.has_backend()) {
            if model.mode(backend) != Mode::Http {
                continue;
            }
            let Some(setting) = model.setting(backend, "retry-on") else {
                continue;
            };
            if !model.values(setting.stmt).skip(1).any(after_delivery) {
                continue;
            }
            let frontends = model
                .frontends_using(backend.id)
                .iter()
                .map(|&id| model.section(id));
            if restricts_retries(cx, backend) || frontends.clone().any(|f| restricts_retries(cx, f))
            {
                continue;
            }
            sites.entry(setting.stmt).or_default().push(backend);
        }
        for (stmt, backends) in sites {
            let conditions: Vec<&str> = model
                .values(stmt)
                .skip(1)
                .filter(|c| after_delivery(c))
                .collect();
            let names: Vec<&str> = backends.iter().filter_map(|b| b.name.as_deref()).collect();
            let edits: Vec<_> = backends
                .iter()
                .map(|b| {
                    edits::insert_statement_after(
                        model,
                        b.header,
                        &edits::body_indent(model, b),
                        "http-request disable-l7-retry unless METH_GET || METH_HEAD || \
                        METH_OPTIONS",
                    )
                })
                .collect();
            out.push(
                Finding::new(
                    Self::ID,
                    model.stmt_span(stmt),
                    format!(
                        "`retry-on {}` can send a POST or other non-idempotent request of \
                        backend {} twice",
                        conditions.join(" "),
                        list_names(names)
                    ),
                )
                .note(
                    "these conditions fire after the request may have reached the server; haproxy \
                    replays it whatever its method, so a payment or an order the server already \
                    processed can be executed again",
                )
                .help(
                    "keep these retries for safe methods with `http-request disable-l7-retry \
                    unless METH_GET || METH_HEAD || METH_OPTIONS`, or limit `retry-on` to \
                    `conn-failure`, unless the application detects replays",
                )
                .fix(Fix::unsafe_(
                    "disable layer-7 retries for non-idempotent methods",
                    edits,
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "retry-on-replays-non-idempotent";

    #[test]
    fn only_conditions_after_delivery_without_restriction() {
        assert_eq!(
            findings(
                ID,
                "defaults\n  mode http\n  retry-on 503 response-timeout\nbackend b\n  \
                server s 10.0.0.1:80\n"
            )
            .len(),
            1
        );
        assert!(
            findings(
                ID,
                "defaults\n  mode http\n  retry-on conn-failure 425\nbackend b\n  \
                server s 10.0.0.1:80\n"
            )
            .is_empty()
        );
        assert!(
            findings(
                ID,
                "defaults\n  mode http\n  retry-on all-retryable-errors\nbackend b\n  \
                http-request disable-l7-retry if METH_POST\n  server s 10.0.0.1:80\n"
            )
            .is_empty()
        );
    }
}

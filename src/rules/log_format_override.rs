//! `log-format` and `option httplog/tcplog/httpslog` replacing each other in one section.

use super::{Context, Rule};
use crate::finding::{Finding, Fix};
use crate::fix::edits;
use crate::model::Stmt;

#[derive(Default)]
pub struct LogFormatOverride;

/// The statements that set a section's log format: the last one wins.
fn log_format_kind(model: &crate::model::Model, stmt: Stmt) -> Option<String> {
    let (key, negated) = model.keyword(stmt);
    if negated {
        return None;
    }
    match key.as_str() {
        "log-format" => Some("log-format".to_string()),
        "option httplog" | "option tcplog" | "option httpslog" => {
            let mut text = key;
            if model.value(stmt, 2) == Some("clf") {
                text.push_str(" clf");
            }
            Some(text)
        }
        _ => None,
    }
}

impl Rule for LogFormatOverride {
    const ID: &'static str = "log-format-override";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let keys = model.key_set(&[
            "log-format",
            "option httplog",
            "option tcplog",
            "option httpslog",
        ]);
        for section in &model.sections {
            if !section.kind.inherits_defaults() {
                continue;
            }
            let mut previous: Option<(Stmt, String)> = None;
            for (stmt, _) in model.statements_in(section, &keys) {
                let Some(kind) = log_format_kind(model, stmt) else {
                    continue;
                };
                if let Some((earlier, earlier_kind)) = &previous
                    && kind != *earlier_kind
                {
                    out.push(
                        Finding::new(
                            Self::ID,
                            model.stmt_span(stmt),
                            format!(
                                "`{}` replaces the `{earlier_kind}` set earlier in {}",
                                if kind == "log-format" {
                                    "log-format"
                                } else {
                                    kind.as_str()
                                },
                                section.display_name()
                            ),
                        )
                        .label(model.stmt_span(*earlier), "this one has no effect")
                        .note(
                            "only the last log format of a section is used; the \
                             earlier line misleads readers about what the logs contain",
                        )
                        .help(format!("remove the `{earlier_kind}` line"))
                        .fix(Fix::safe(
                            format!("remove the overridden `{earlier_kind}`"),
                            vec![edits::delete_statement(model, *earlier)],
                        )),
                    );
                }
                previous = Some((stmt, kind));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    #[test]
    fn later_line_wins_and_is_reported() {
        let found = findings(
            "log-format-override",
            "defaults\n  option httplog\n  log-format %ci\n",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 3);
        assert!(
            findings(
                "log-format-override",
                "defaults\n  option httplog\nfrontend f\n  log-format %ci\n"
            )
            .is_empty()
        );
    }
}

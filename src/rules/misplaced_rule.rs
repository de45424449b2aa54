//! A rule written after a rule that haproxy evaluates later: haproxy keeps
//! one list per kind of rule and runs the lists in a fixed order, so the
//! position in the file does not say when the rule runs.

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::{SectionKind, Stmt};

#[derive(Default)]
pub struct MisplacedRule;

/// The kinds of rules in the order haproxy evaluates them, with their name.
const ORDER: [&str; 8] = [
    "tcp-request connection",
    "tcp-request session",
    "tcp-request content",
    "monitor fail",
    "http-request",
    "redirect",
    "use_backend",
    "use-server",
];

/// The position in `ORDER` of a statement's rule kind, from its first two words.
fn kind_of<'a>(mut words: impl Iterator<Item = &'a str>) -> Option<usize> {
    let first = words.next()?;
    let name = match first {
        "tcp-request" => match words.next()? {
            "connection" => "tcp-request connection",
            "session" => "tcp-request session",
            "content" => "tcp-request content",
            _ => return None,
        },
        "monitor" => match words.next()? {
            "fail" => "monitor fail",
            _ => return None,
        },
        other => other,
    };
    ORDER.iter().position(|kind| *kind == name)
}

impl Rule for MisplacedRule {
    const ID: &'static str = "misplaced-rule";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let keys = model.key_set(&[
            "tcp-request",
            "monitor",
            "http-request",
            "redirect",
            "use_backend",
            "use-server",
        ]);
        for section in &model.sections {
            if !(section.kind.is_proxy() || section.kind == SectionKind::Defaults) {
                continue;
            }
            // The first statement of each kind seen so far.
            let mut seen: [Option<Stmt>; ORDER.len()] = [None; ORDER.len()];
            for (stmt, _) in model.statements_in(section, &keys) {
                if cx.activity(stmt) != crate::syntax::Activity::Active {
                    continue;
                }
                let Some(kind) = kind_of(model.values(stmt)) else {
                    continue;
                };
                // haproxy names the nearest kind after this one that already has a rule.
                if let Some((later, first)) = seen
                    .iter()
                    .enumerate()
                    .skip(kind + 1)
                    .find_map(|(i, s)| s.map(|s| (i, s)))
                {
                    let words = if ORDER[kind].contains(' ') { 2 } else { 1 };
                    out.push(
                        Finding::new(
                            Self::ID,
                            model.words_span(stmt, 0, words),
                            format!(
                                "this `{}` rule is written after a `{}` rule but runs before it",
                                ORDER[kind], ORDER[later]
                            ),
                        )
                        .label(
                            model.words_span(
                                first,
                                0,
                                if ORDER[later].contains(' ') { 2 } else { 1 },
                            ),
                            format!("`{}` rules run after `{}` rules", ORDER[later], ORDER[kind]),
                        )
                        .note(
                            "haproxy evaluates tcp-request connection, session and content rules, \
                             then monitor fail, http-request, redirect, use_backend and use-server \
                             rules, each kind as a block, whatever the order in the file",
                        )
                        .help(format!(
                            "move this line above the first `{}` rule so \
                             the file reads in the order haproxy runs it",
                            ORDER[later]
                        )),
                    );
                }
                if seen[kind].is_none() {
                    seen[kind] = Some(stmt);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    #[test]
    fn order_of_evaluation() {
        let config = "frontend fe\n  mode http\n  bind :80\n  use_backend be if { path_beg /x }\
                      \n  http-request deny if { path_beg /y }\n  http-response set-header X a\
                      \n  redirect location / if { path_beg /z }\n  tcp-request content accept\
                      \n  monitor fail if FALSE\n  default_backend be\
                      \n  tcp-request connection accept\nbackend be\n  mode http\
                      \n  use-server s1 if TRUE\n  http-request deny if FALSE\
                      \n  server s1 127.0.0.1:80\n";
        let lines: Vec<u32> = findings("misplaced-rule", config)
            .iter()
            .map(|(l, _)| *l)
            .collect();
        assert_eq!(lines, vec![5, 7, 8, 9, 11, 15]);
        let messages: Vec<String> = findings("misplaced-rule", config)
            .into_iter()
            .map(|(_, m)| m)
            .collect();
        assert!(
            messages[2].contains("`tcp-request content` rule is written after a `http-request`"),
            "{messages:?}"
        );
    }

    #[test]
    fn in_order_is_quiet() {
        assert!(
            findings(
                "misplaced-rule",
                "frontend fe\n  mode http\n  bind :80\n  tcp-request connection accept\
                 \n  http-request deny if { path_beg /y }\n  use_backend be if TRUE\
                 \n  http-response set-header X a\nbackend be\n  server s 10.0.0.1:80\n"
            )
            .is_empty()
        );
    }
}

//! Proxies that inherit TCP/HTTP rules from a named defaults section where
//! haproxy forbids it: a listen, or a defaults section, inheriting any rule;
//! a backend inheriting `tcp-request connection|session`; a frontend
//! inheriting `tcp-response content`; a frontend and a backend sharing one
//! defaults section that defines any rule (haproxy 2.6 to 3.4 refuse the second
//! of the two, whatever the rule).

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::{Section, SectionKind, Stmt};

#[derive(Default)]
pub struct DefaultsRulesInheritance;

/// The first rule of a defaults section of each family haproxy tells apart.
#[derive(Default)]
struct Rules {
    any: Option<Stmt>,
    tcp_connection_or_session: Option<Stmt>,
    tcp_response: Option<Stmt>,
}

fn rules_of(cx: &Context<'_>, defaults: &Section) -> Rules {
    let model = cx.model;
    let mut rules = Rules::default();
    for &stmt in &defaults.statements {
        let (first, second) = (model.value(stmt, 0), model.value(stmt, 1));
        let family = match (first, second) {
            (Some("http-request" | "http-response" | "http-after-response"), _) => 0,
            (Some("tcp-request"), Some("connection" | "session")) => 1,
            (Some("tcp-request"), Some("content")) => 0,
            (Some("tcp-response"), Some("content")) => 2,
            _ => continue,
        };
        rules.any.get_or_insert(stmt);
        match family {
            1 => {
                rules.tcp_connection_or_session.get_or_insert(stmt);
            }
            2 => {
                rules.tcp_response.get_or_insert(stmt);
            }
            _ => {}
        }
    }
    rules
}

impl Rule for DefaultsRulesInheritance {
    const ID: &'static str = "defaults-rules-inheritance";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        // Read once per defaults section, not once per proxy that uses it.
        let mut read: rustc_hash::FxHashMap<crate::model::SectionId, Rules> =
            rustc_hash::FxHashMap::default();
        // The first frontend and the first backend seen using each defaults section.
        let mut users: rustc_hash::FxHashMap<
            crate::model::SectionId,
            (Option<Stmt>, Option<Stmt>),
        > = rustc_hash::FxHashMap::default();
        for section in &model.sections {
            let Some(defaults) = section.defaults.map(|id| model.section(id)) else {
                continue;
            };
            let rules = read
                .entry(defaults.id)
                .or_insert_with(|| rules_of(cx, defaults));
            if let (Some(rule), SectionKind::Frontend | SectionKind::Backend) =
                (rules.any, section.kind)
            {
                let seen = users.entry(defaults.id).or_default();
                let (mine, other, other_kind) = match section.kind {
                    SectionKind::Frontend => (&mut seen.0, seen.1, "backend"),
                    _ => (&mut seen.1, seen.0, "frontend"),
                };
                let first_of_its_kind = mine.is_none();
                mine.get_or_insert(section.header);
                if let (true, Some(other)) = (first_of_its_kind, other) {
                    let from = defaults.display_name();
                    out.push(
                        Finding::new(
                            Self::ID,
                            model.word_span(section.header, 0),
                            format!(
                                "{} cannot use {from}: a {other_kind} already \
                                 uses it and it defines TCP/HTTP rules",
                                section.display_name()
                            ),
                        )
                        .label(
                            model.stmt_span(other),
                            format!("the {other_kind} that uses it first"),
                        )
                        .label(model.stmt_span(rule), "a rule it defines")
                        .note(
                            "haproxy refuses a defaults section with rules \
                             shared by frontends and backends: each rule would \
                             run once in the frontend and again in the backend",
                        )
                        .help(
                            "give the frontends and the backends separate defaults \
                             sections, and keep the rules in the one the frontends use",
                        ),
                    );
                    continue;
                }
            }
            let (culprit, what) = match section.kind {
                SectionKind::Listen | SectionKind::Defaults => (rules.any, "TCP/HTTP rules"),
                SectionKind::Backend => (
                    rules.tcp_connection_or_session,
                    "`tcp-request connection` or `tcp-request session` rules",
                ),
                SectionKind::Frontend => (rules.tcp_response, "`tcp-response content` rules"),
                _ => (None, ""),
            };
            let Some(culprit) = culprit else { continue };
            let from = defaults.display_name();
            out.push(
                Finding::new(
                    Self::ID,
                    model.word_span(section.header, 0),
                    format!(
                        "{} cannot inherit from {from}, which defines {what}",
                        section.display_name()
                    ),
                )
                .label(model.stmt_span(culprit), "the rule it would inherit")
                .note(
                    "haproxy refuses to start: such rules would run \
                     in this section where they cannot apply, or twice",
                )
                .help(format!(
                    "give {} its own defaults section without those rules, \
                     or move the rules into the proxies that need them",
                    section.display_name()
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    #[test]
    fn forbidden_inheritance() {
        let config = "defaults d\n  mode http\n  http-request deny\
                      \n  tcp-request connection reject\nlisten l from d\n  bind :80\
                      \nbackend b from d\n  server s 10.0.0.1:80\nfrontend f from d\n  bind :81\n";
        let lines: Vec<u32> = findings("defaults-rules-inheritance", config)
            .iter()
            .map(|(l, _)| *l)
            .collect();
        assert_eq!(lines, vec![5, 7, 9]);
    }

    #[test]
    fn frontend_and_backend_sharing_rules_is_refused() {
        // haproxy 2.6 .. 3.4 reject the second user of the section (tests/proofs.rs shows it).
        let shared = "defaults web\n  mode http\n  http-request deny\nfrontend f from web\
                      \n  bind :80\nbackend b from web\n  server s 10.0.0.1:80\n";
        let lines: Vec<u32> = findings("defaults-rules-inheritance", shared)
            .iter()
            .map(|(l, _)| *l)
            .collect();
        assert_eq!(lines, vec![6]);
        let implicit = "defaults web\n  mode http\n  http-request deny\nbackend b\
                        \n  server s 10.0.0.1:80\nfrontend f\n  bind :80\n";
        let lines: Vec<u32> = findings("defaults-rules-inheritance", implicit)
            .iter()
            .map(|(l, _)| *l)
            .collect();
        assert_eq!(lines, vec![6]);
        let separate = "defaults web\n  mode http\n  http-request deny\
                        \nfrontend f from web\n  bind :80\ndefaults plain\
                        \n  mode http\nbackend b from plain\n  server s 10.0.0.1:80\n";
        assert!(findings("defaults-rules-inheritance", separate).is_empty());
    }
}

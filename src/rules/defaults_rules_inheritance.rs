//! Proxies that inherit TCP/HTTP rules from a named defaults section where
//! haproxy forbids it: a listen, or a defaults section, inheriting any rule;
//! a backend inheriting `tcp-request connection|session`; a frontend
//! inheriting `tcp-response content`.

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
        let mut read: rustc_hash::FxHashMap<crate::model::SectionId, Rules> = rustc_hash::FxHashMap::default();
        for section in &model.sections {
            let Some(defaults) = section.defaults.map(|id| model.section(id)) else { continue };
            let rules = read.entry(defaults.id).or_insert_with(|| rules_of(cx, defaults));
            let (culprit, what) = match section.kind {
                SectionKind::Listen | SectionKind::Defaults => (rules.any, "TCP/HTTP rules"),
                SectionKind::Backend => (rules.tcp_connection_or_session, "`tcp-request connection` or `tcp-request session` rules"),
                SectionKind::Frontend => (rules.tcp_response, "`tcp-response content` rules"),
                _ => (None, ""),
            };
            let Some(culprit) = culprit else { continue };
            let from = defaults.display_name();
            out.push(
                Finding::new(Self::ID, model.word_span(section.header, 0), format!("{} cannot inherit from {from}, which defines {what}", section.display_name()))
                    .label(model.stmt_span(culprit), "the rule it would inherit")
                    .note("haproxy refuses to start: such rules would run in this section where they cannot apply, or twice")
                    .help(format!("give {} its own defaults section without those rules, or move the rules into the proxies that need them", section.display_name())),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    #[test]
    fn forbidden_inheritance() {
        let config = "defaults d\n  mode http\n  http-request deny\n  tcp-request connection reject\nlisten l from d\n  bind :80\nbackend b from d\n  server s 10.0.0.1:80\nfrontend f from d\n  bind :81\n";
        let lines: Vec<u32> = findings("defaults-rules-inheritance", config).iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![5, 7]);
    }
}

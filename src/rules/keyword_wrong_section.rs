//! Proxy keywords written in a kind of section that does not take them:
//! `bind` in a backend, `balance` in a frontend, `use_backend` in defaults.

use super::keyword_lines::{note, noted_lines, option_place};
use super::{Context, Rule};
use crate::finding::{Finding, Severity};
use crate::model::SectionKind;
use crate::model::vocabulary::{self, Context as Vocabulary};

#[derive(Default)]
pub struct KeywordWrongSection;

/// In a frontend these stop haproxy; other misplaced keywords are ignored with a warning.
const FATAL_IN_FRONTEND: &[&str] = &["server", "server-template", "default-server", "use-server"];

impl Rule for KeywordWrongSection {
    const ID: &'static str = "keyword-wrong-section";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for line in noted_lines(cx, note::PLACE) {
            if line.vocabulary != Vocabulary::Proxy {
                continue;
            }
            let Some(keyword) = vocabulary::proxy(&line.words) else {
                continue;
            };
            let Some(sections) = keyword.sections else {
                continue;
            };
            let kind = line.section.kind;
            if kind == SectionKind::Defaults
                && line.section.name.is_none()
                && keyword.named_defaults_only
            {
                let span = cx.model.words_span(
                    line.stmt,
                    line.first,
                    line.first + keyword.name.split(' ').count(),
                );
                let mut finding = Finding::new(
                    Self::ID,
                    span,
                    format!(
                        "`{}` is only allowed in a named defaults section",
                        keyword.name
                    ),
                )
                .note(
                    "haproxy refuses to start: rules and ACLs in an anonymous defaults \
                     section would apply to every proxy after it without a way to tell",
                )
                .help(
                    "name the section (`defaults base`) and have \
                     the proxies that need the rules use `from base`",
                );
                finding.severity = Some(Severity::Error);
                out.push(finding);
                continue;
            }
            let oracle = option_place(&line, cx.target);
            let allowed = match (oracle, kind) {
                (Some((allowed, _)), _) => allowed,
                (None, SectionKind::Defaults) => sections.defaults,
                (None, SectionKind::Frontend) => sections.frontend,
                (None, SectionKind::Listen) => sections.listen,
                (None, SectionKind::Backend) => sections.backend,
                _ => true,
            };
            if allowed {
                continue;
            }
            let fatal = oracle.is_some_and(|(_, fatal)| fatal)
                || kind == SectionKind::Defaults
                || (kind == SectionKind::Frontend && FATAL_IN_FRONTEND.contains(&keyword.name));
            let mut places: Vec<&str> = Vec::new();
            for (ok, name) in [
                (sections.defaults, "defaults"),
                (sections.frontend, "frontend"),
                (sections.listen, "listen"),
                (sections.backend, "backend"),
            ] {
                if ok {
                    places.push(name);
                }
            }
            let span = cx.model.words_span(
                line.stmt,
                line.first,
                line.first + keyword.name.split(' ').count(),
            );
            let consequence = if oracle.is_some_and(|(_, fatal)| fatal) {
                format!(
                    "haproxy {} refuses to start on it (\"unknown option\"); \
                     3.0 and earlier only ignored it with a warning",
                    cx.target
                )
            } else if fatal {
                "haproxy refuses to start".to_string()
            } else {
                format!(
                    "haproxy ignores it with a warning, so it has no effect in this {}",
                    kind.keyword()
                )
            };
            let mut finding = Finding::new(
                Self::ID,
                span,
                format!(
                    "`{}` is not allowed in a {} section",
                    keyword.name,
                    kind.keyword()
                ),
            )
            .note(consequence)
            .help(format!("move it to a {} section", places.join(" or ")));
            finding.severity = Some(if fatal {
                Severity::Error
            } else {
                Severity::Warning
            });
            out.push(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::finding::Severity;
    use crate::source::SourceSet;

    #[test]
    fn misplaced_keywords_with_haproxy_severities() {
        let config = "defaults\n  use_backend b\nfrontend f\n  bind :80\
                      \n  balance roundrobin\n  server s 10.0.0.1:80\n  default_backend b\
                      \nbackend b\n  bind :81\n  server s 10.0.0.1:80\n";
        let mut sources = SourceSet::new();
        sources.add("t.cfg", None, config);
        let options = crate::Options {
            select: Some(vec!["keyword-wrong-section".into()]),
            ..Default::default()
        };
        let report = crate::check(sources, &options);
        let found: Vec<(String, Severity)> = report
            .active()
            .map(|f| (f.finding.message.clone(), f.severity))
            .collect();
        assert_eq!(
            found,
            vec![
                (
                    "`use_backend` is not allowed in a defaults section".to_string(),
                    Severity::Error
                ),
                (
                    "`balance` is not allowed in a frontend section".to_string(),
                    Severity::Warning
                ),
                (
                    "`server` is not allowed in a frontend section".to_string(),
                    Severity::Error
                ),
                (
                    "`bind` is not allowed in a backend section".to_string(),
                    Severity::Warning
                ),
            ]
        );
    }

    #[test]
    fn rules_need_a_named_defaults_section() {
        let found = crate::rules::testing::findings(
            "keyword-wrong-section",
            "defaults
  http-request deny
defaults named
  http-request deny
",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 2);
    }
}

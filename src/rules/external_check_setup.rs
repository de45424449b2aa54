//! `option external-check` without what it needs in `global`:
//! `external-check` (else haproxy refuses to start), a command, and
//! `insecure-fork-wanted` (else haproxy warns the checks will likely fail).

use super::{Context, Rule};
use crate::finding::{Finding, Severity};
use crate::model::SectionKind;
use crate::syntax::Activity;

#[derive(Default)]
pub struct ExternalCheckSetup;

impl Rule for ExternalCheckSetup {
    const ID: &'static str = "external-check-setup";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        if model.key_id("option external-check").is_none() {
            return;
        }
        let in_global = |keyword: &str| {
            model.sections_of(SectionKind::Global).any(|g| {
                model
                    .statements_with(g, keyword)
                    .any(|stmt| cx.activity(stmt) != Activity::Inactive)
            })
        };
        let (enabled, fork) = (
            in_global("external-check"),
            in_global("insecure-fork-wanted"),
        );
        let mut reported = rustc_hash::FxHashSet::default();
        for section in model.proxies().filter(|s| s.kind.has_backend()) {
            let Some((true, setting)) = model.option(section, "external-check") else {
                continue;
            };
            if cx.activity(setting.stmt) != Activity::Active || !reported.insert(setting.stmt) {
                continue;
            }
            let span = model.words_span(setting.stmt, 0, 2);
            if !enabled {
                out.push(
                    Finding::new(
                        Self::ID,
                        span,
                        "`option external-check` needs `external-check` in the `global` section"
                            .to_string(),
                    )
                    .note(
                        "haproxy refuses to start a proxy with \
                         external checks unless `global` allows them",
                    )
                    .help(
                        "add `external-check` (and `insecure-fork-wanted`) to the `global` section",
                    ),
                );
            } else if !has_command(cx, section) {
                out.push(
                    Finding::new(
                        Self::ID,
                        span,
                        format!(
                            "`option external-check` in {} has no `external-check command`",
                            section.display_name()
                        ),
                    )
                    .note(
                        "haproxy refuses to start when it does \
                         not know which program runs the check",
                    )
                    .help("add `external-check command /path/to/script` next to the option"),
                );
            }
            if !fork {
                let mut finding = Finding::new(
                    Self::ID,
                    span,
                    "`option external-check` without `insecure-fork-wanted` in `global`"
                        .to_string(),
                )
                .note(
                    "haproxy forbids forking by default, so the check programs \
                     will likely fail to start; haproxy warns about it",
                )
                .help("add `insecure-fork-wanted` to the `global` section");
                finding.severity = Some(Severity::Warning);
                out.push(finding);
            }
        }
    }
}

/// Whether the proxy or the defaults it inherits from set `external-check command`.
fn has_command(cx: &Context<'_>, section: &crate::model::Section) -> bool {
    let model = cx.model;
    let own = |s: &crate::model::Section| {
        model.statements_with(s, "external-check").any(|stmt| {
            model.value(stmt, 1) == Some("command") && cx.activity(stmt) != Activity::Inactive
        })
    };
    own(section) || section.defaults.is_some_and(|d| own(model.section(d)))
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    #[test]
    fn what_external_checks_need() {
        let bare = "backend app\n  option external-check\
                    \n  external-check command /bin/true\n  server s 10.0.0.1:80 check\n";
        assert_eq!(findings("external-check-setup", bare).len(), 2);
        let no_command = "global\n  external-check\n  insecure-fork-wanted\nbackend app\
                          \n  option external-check\n  server s 10.0.0.1:80 check\n";
        assert_eq!(findings("external-check-setup", no_command).len(), 1);
        let complete = "global\n  external-check\n  insecure-fork-wanted\nbackend app\
                        \n  option external-check\n  external-check command /bin/true\
                        \n  server s 10.0.0.1:80 check\n";
        assert!(findings("external-check-setup", complete).is_empty());
    }
}

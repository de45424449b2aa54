//! `expose-experimental-directives` in a production configuration.

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::SectionKind;

#[derive(Default)]
pub struct ExperimentalDirectives;

impl Rule for ExperimentalDirectives {
    const ID: &'static str = "experimental-directives";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for global in model.sections_of(SectionKind::Global) {
            for &stmt in &global.statements {
                if model.value(stmt, 0) == Some("expose-experimental-directives") {
                    out.push(
                        Finding::new(
                            Self::ID,
                            model.stmt_span(stmt),
                            "`expose-experimental-directives` enables \
                             features haproxy does not support yet",
                        )
                        .note(
                            "experimental keywords may change or disappear in a patch \
                             release and are outside the stability guarantees of the \
                             branch; a configuration relying on them can break on an update",
                        )
                        .help(
                            "keep it in test configurations; in production, remove \
                             it together with the experimental keywords it unlocks",
                        ),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "experimental-directives";

    #[test]
    fn flagged() {
        assert_eq!(
            findings(ID, "global\n  expose-experimental-directives\n").len(),
            1
        );
        assert!(findings(ID, "global\n  maxconn 1\n").is_empty());
    }
}

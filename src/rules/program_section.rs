//! `program` sections in haproxy 3.2: deprecated, and refused unless an
//! earlier `global` section sets `expose-deprecated-directives` (3.3 removed
//! them; `unknown-keyword` reports that).

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::SectionKind;
use crate::syntax::Activity;
use crate::version::Version;

#[derive(Default)]
pub struct ProgramSection;

impl Rule for ProgramSection {
    const ID: &'static str = "program-section";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        if cx.target < Version::new(3, 2) || cx.target >= Version::new(3, 3) {
            return;
        }
        let model = cx.model;
        let mut exposed = false;
        for section in &model.sections {
            match section.kind {
                SectionKind::Global => {
                    exposed |= model
                        .statements_with(section, "expose-deprecated-directives")
                        .any(|stmt| cx.activity(stmt) != Activity::Inactive);
                }
                SectionKind::Program
                    if !exposed && cx.activity(section.header) == Activity::Active =>
                {
                    out.push(
                        Finding::new(
                            Self::ID,
                            model.word_span(section.header, 0),
                            format!(
                                "{} is deprecated in 3.2, which refuses it without \
                                `expose-deprecated-directives`",
                                section.display_name()
                            ),
                        )
                        .note(
                            "haproxy 3.2 stops on a `program` section unless `global` allows \
                            deprecated directives first; 3.3 removed the section",
                        )
                        .help(
                            "start the program from a process manager (systemd, s6, supervisord) \
                            instead, or add `expose-deprecated-directives` to a `global` \
                            section above it",
                        ),
                    )
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Options;
    use crate::rules::testing::findings_with;
    use crate::version::Version;

    #[test]
    fn refused_in_3_2_only() {
        let config = "program p\n  command /bin/true\n";
        let at = |minor| Options {
            target: Version::new(3, minor),
            ..Default::default()
        };
        assert_eq!(findings_with("program-section", config, at(2)).len(), 1);
        assert!(findings_with("program-section", config, at(0)).is_empty());
        let exposed = "global\n  expose-deprecated-directives\nprogram p\n  command /bin/true\n";
        assert!(findings_with("program-section", exposed, at(2)).is_empty());
    }
}

//! `insecure-fork-wanted` / `insecure-setuid-wanted`: protections turned off.

use super::{Context, Rule};
use crate::finding::{Finding, Severity};
use crate::model::SectionKind;

#[derive(Default)]
pub struct InsecureForkWanted;

impl Rule for InsecureForkWanted {
    const ID: &'static str = "insecure-fork-wanted";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let external_check = model
            .sections_of(SectionKind::Global)
            .flat_map(|g| g.statements.iter())
            .any(|&stmt| model.value(stmt, 0) == Some("external-check"));
        for global in model.sections_of(SectionKind::Global) {
            for &stmt in &global.statements {
                match model.value(stmt, 0) {
                    Some("insecure-setuid-wanted") => out.push(
                        Finding::new(
                            Self::ID,
                            model.stmt_span(stmt),
                            "`insecure-setuid-wanted` lets haproxy \
                             run programs that change their privileges",
                        )
                        .severity(Severity::Warning)
                        .note(
                            "haproxy normally forbids setuid and file-capability programs to \
                             what it starts (external checks, Lua); with this, code an attacker \
                             gets into the process can run a setuid helper and regain privileges",
                        )
                        .help(
                            "remove it; an external check that needs privileges should get \
                             them another way (sudo rules for one command, or a check agent)",
                        ),
                    ),
                    Some("insecure-fork-wanted") => {
                        let why = if external_check {
                            "`external-check` needs it, and every health \
                             check then runs a program: keep the script \
                             minimal and out of reach of the proxied traffic"
                        } else {
                            "nothing here runs external checks, so it only \
                             widens what an attacker inside the process can do"
                        };
                        out.push(
                            Finding::new(
                                Self::ID,
                                model.stmt_span(stmt),
                                "`insecure-fork-wanted` lets the \
                                 haproxy process start other programs",
                            )
                            .note(format!(
                                "haproxy refuses fork() by default so that a flaw in the \
                                 process (or a Lua script) cannot spawn a shell; {why}"
                            ))
                            .help(if external_check {
                                "prefer `tcp-check`/`http-check` sequences or an \
                                 agent check over `external-check`, then remove it"
                            } else {
                                "remove it"
                            }),
                        );
                    }
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "insecure-fork-wanted";

    #[test]
    fn both_directives() {
        assert_eq!(
            findings(
                ID,
                "global\n  insecure-fork-wanted\n  insecure-setuid-wanted\n"
            )
            .len(),
            2
        );
        assert!(findings(ID, "global\n  maxconn 10\n").is_empty());
    }
}

//! haproxy told to keep root privileges after start-up.

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::SectionKind;

#[derive(Default)]
pub struct RunsAsRoot;

impl Rule for RunsAsRoot {
    const ID: &'static str = "runs-as-root";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for global in model.sections_of(SectionKind::Global) {
            for &stmt in &global.statements {
                let root = match (model.value(stmt, 0), model.value(stmt, 1)) {
                    (Some("user"), Some("root")) | (Some("uid"), Some("0")) => "user",
                    (Some("group"), Some("root")) | (Some("gid"), Some("0")) => "group",
                    _ => continue,
                };
                out.push(
                    Finding::new(
                        Self::ID,
                        model.stmt_span(stmt),
                        format!("haproxy keeps running with the root {root} after start-up"),
                    )
                    .note(
                        "haproxy binds its ports and reads its certificates as root, then switches \
                        to the configured user; naming root keeps full privileges in the process \
                        that parses every request, so a flaw in it (or in a Lua script) \
                        owns the host",
                    )
                    .help(
                        "run as a dedicated account: `user haproxy` and `group haproxy` (Debian \
                        and the official images create it)",
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "runs-as-root";

    #[test]
    fn explicit_root_only() {
        assert_eq!(findings(ID, "global\n  user root\n  group root\n").len(), 2);
        assert_eq!(findings(ID, "global\n  uid 0\n").len(), 1);
        assert!(findings(ID, "global\n  user haproxy\n  group haproxy\n").is_empty());
        assert!(findings(ID, "global\n  maxconn 100\n").is_empty());
    }
}

//! No `user`/`uid` in `global`: started as root, haproxy stays root.

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::SectionKind;

#[derive(Default)]
pub struct NoPrivilegeDrop;

impl Rule for NoPrivilegeDrop {
    const ID: &'static str = "no-privilege-drop";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let Some(global) = model.sections_of(SectionKind::Global).next() else {
            return;
        };
        let sets = |names: &[&str]| {
            model
                .sections_of(SectionKind::Global)
                .flat_map(|g| g.statements.iter())
                .any(|&stmt| model.value(stmt, 0).is_some_and(|k| names.contains(&k)))
        };
        if sets(&["user", "uid"]) {
            return;
        }
        out.push(
            Finding::new(
                Self::ID,
                model.stmt_span(global.header),
                "`global` names no `user`: started as root, haproxy keeps running as root",
            )
            .note(
                "haproxy only gives up root when `user`/`uid` says to whom; a container or a \
                systemd unit may already start it unprivileged, in which case this does not apply",
            )
            .help(
                "add `user haproxy` and `group haproxy` to `global` (and `chroot \
                /var/lib/haproxy`)",
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "no-privilege-drop";

    #[test]
    fn global_without_user() {
        assert_eq!(findings(ID, "global\n  maxconn 100\n").len(), 1);
        assert!(findings(ID, "global\n  user haproxy\n").is_empty());
        assert!(findings(ID, "defaults\n  mode http\n").is_empty());
    }
}

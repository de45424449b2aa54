//! No `chroot`: a compromised process sees the whole file system.

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::SectionKind;

#[derive(Default)]
pub struct NoChroot;

impl Rule for NoChroot {
    const ID: &'static str = "no-chroot";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let Some(global) = model.sections_of(SectionKind::Global).next() else {
            return;
        };
        let chrooted = model
            .sections_of(SectionKind::Global)
            .flat_map(|g| g.statements.iter())
            .any(|&stmt| model.value(stmt, 0) == Some("chroot"));
        if chrooted {
            return;
        }
        out.push(
            Finding::new(
                Self::ID,
                model.stmt_span(global.header),
                "`global` has no `chroot`: the running process can read the whole file system",
            )
            .note(
                "after start-up haproxy needs no file but what it already opened; a `chroot` to an \
                empty directory leaves an attacker who takes over the process nothing to read \
                (private keys, other services' secrets)",
            )
            .help(
                "add `chroot /var/lib/haproxy` (an empty directory owned by root), with \
                `user`/`group` so the process cannot leave it",
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "no-chroot";

    #[test]
    fn global_without_chroot() {
        assert_eq!(findings(ID, "global\n  user haproxy\n").len(), 1);
        assert!(findings(ID, "global\n  chroot /var/lib/haproxy\n").is_empty());
    }
}

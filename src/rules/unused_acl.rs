//! ACLs declared in a proxy and used by no condition of it.

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::{RefKind, SectionKind};
use rustc_hash::FxHashSet as HashSet;

#[derive(Default)]
pub struct UnusedAcl;

impl Rule for UnusedAcl {
    const ID: &'static str = "unused-acl";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let used: HashSet<(crate::model::SectionId, &str)> = model
            .references
            .iter()
            .filter(|r| r.kind == RefKind::Acl)
            .map(|r| (r.section, r.name.as_str()))
            .collect();
        for section in &model.sections {
            // ACLs of a defaults section serve the proxies that inherit it.
            if !section.kind.is_proxy() || section.kind == SectionKind::Defaults {
                continue;
            }
            let mut reported = HashSet::default();
            for (name, stmt) in &section.acls {
                if used.contains(&(section.id, name.as_str())) || !reported.insert(name.as_str()) {
                    continue;
                }
                // Conditions may also be written where haplint does not read
                // names (Lua, `%[acl(…)]`): only plain names are judged.
                if name.contains(['%', '$']) {
                    continue;
                }
                out.push(
                    Finding::new(
                        Self::ID,
                        model.word_span(*stmt, 1),
                        format!(
                            "ACL `{name}` is never used in {} {}",
                            section.kind.keyword(),
                            section.name.as_deref().unwrap_or("")
                        ),
                    )
                    .note(
                        "an unused ACL usually means a rule that should use it was removed or \
                        misspells its name",
                    )
                    .help(format!("use it in a condition (`if {name}`) or remove it")),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    #[test]
    fn acls_without_conditions() {
        let found = findings(
            "unused-acl",
            "frontend f\n  bind :80\n  acl api path_beg /api\n  acl api path_beg /v2\n  \
            acl old path_beg /old\n  use_backend b if api\n  default_backend b\nbackend b\n  \
            server s 10.0.0.1:80\n",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.starts_with("ACL `old`"));
    }
}

//! Backends no frontend routes to: dead configuration, or a routing rule
//! that lost its `use_backend`.

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::{RefKind, SectionKind};

#[derive(Default)]
pub struct UnusedBackend;

impl Rule for UnusedBackend {
    const ID: &'static str = "unused-backend";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        // A name built at run time (`use_backend %[…]`) may reach any backend;
        // so may the runtime API and Lua, which haplint cannot see.
        let dynamic = model
            .sections
            .iter()
            .filter(|s| s.kind.has_frontend())
            .any(|s| {
                s.statements.iter().any(|&stmt| {
                    matches!(
                        model.value(stmt, 0),
                        Some("use_backend" | "default_backend")
                    ) && model
                        .value(stmt, 1)
                        .is_some_and(|n| n.contains("%[") || n.contains('$'))
                })
            })
            || model.sections_of(SectionKind::Global).any(|s| {
                model.statements_with(s, "lua-load").next().is_some()
                    || model
                        .statements_with(s, "lua-load-per-thread")
                        .next()
                        .is_some()
            });
        if dynamic {
            return;
        }
        let has_frontend = model.sections.iter().any(|s| s.kind.has_frontend());
        if !has_frontend {
            // A file of backends only, meant to be loaded beside the frontends.
            return;
        }
        let mut referenced = vec![false; model.sections.len()];
        for reference in model
            .references
            .iter()
            .filter(|r| r.kind == RefKind::Backend)
        {
            if let Some(id) = reference.target_section
                && let Some(flag) = referenced.get_mut(id.0 as usize)
            {
                *flag = true;
            }
        }
        for section in model
            .sections
            .iter()
            .filter(|s| s.kind == SectionKind::Backend)
        {
            if referenced
                .get(section.id.0 as usize)
                .copied()
                .unwrap_or(true)
            {
                continue;
            }
            let Some(name) = section.name.as_deref() else {
                continue;
            };
            out.push(
                Finding::new(
                    Self::ID,
                    model.word_span(section.header, 1),
                    format!("backend `{name}` is not used by any frontend"),
                )
                .note(
                    "no `use_backend` or `default_backend` names it, so it receives no traffic (it \
                    still runs health checks)",
                )
                .help(format!(
                    "route to it with `use_backend {name} if …`, or remove it"
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    #[test]
    fn backends_without_routes() {
        let config = "frontend f\n  bind :80\n  use_backend a if { path_beg /a }\n  \
        default_backend b\nbackend a\n  server s 10.0.0.1:80\nbackend b\n  server s 10.0.0.1:80\
        \nbackend c\n  server s 10.0.0.1:80\n";
        let found = findings("unused-backend", config);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.contains("`c`"));
        assert!(findings("unused-backend", "backend c\n  server s 10.0.0.1:80\n").is_empty());
        assert!(
            findings(
                "unused-backend",
                &config.replace("use_backend a", "use_backend %[req.hdr(host)]")
            )
            .is_empty()
        );
    }
}

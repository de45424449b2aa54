//! A frontend or listen section without any `bind` line: it accepts no
//! connection, and haproxy warns that it should have been a backend.

use super::{Context, Rule};
use crate::finding::Finding;
use crate::syntax::Activity;

#[derive(Default)]
pub struct FrontendWithoutBind;

impl Rule for FrontendWithoutBind {
    const ID: &'static str = "frontend-without-bind";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let Some(bind) = model.key_id("bind") else {
            self.each(cx, |_| false, out);
            return;
        };
        // A `bind` haplint cannot judge (in an undecidable `.if`) counts as present.
        self.each(
            cx,
            |section| {
                model
                    .keyed_statements(section)
                    .any(|(stmt, key)| key == bind && cx.activity(stmt) != Activity::Inactive)
            },
            out,
        );
    }
}

impl FrontendWithoutBind {
    fn each(
        &self,
        cx: &Context<'_>,
        has_bind: impl Fn(&crate::model::Section) -> bool,
        out: &mut Vec<Finding>,
    ) {
        let model = cx.model;
        for section in model.proxies().filter(|s| s.kind.has_frontend()) {
            if cx.activity(section.header) != Activity::Active || has_bind(section) {
                continue;
            }
            let backend = section.kind.has_backend();
            out.push(
                Finding::new(
                    Self::ID,
                    model.word_span(section.header, 0),
                    format!(
                        "{} has no `bind` line, so it accepts no connection",
                        section.display_name()
                    ),
                )
                .note("a frontend without a listening address does nothing; haproxy warns about it")
                .help(if backend {
                    "add a `bind` line, or make it a `backend` if other proxies only route to it"
                } else {
                    "add a `bind` line with the address to listen on, or remove the frontend"
                }),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    #[test]
    fn frontends_and_listens_without_bind() {
        let config = "frontend a\n  default_backend b\nfrontend c\n  bind :80\n  default_backend b\
                      \nlisten d\n  server s 10.0.0.1:80\nbackend b\n  server s 10.0.0.1:80\n";
        let lines: Vec<u32> = findings("frontend-without-bind", config)
            .iter()
            .map(|(l, _)| *l)
            .collect();
        assert_eq!(lines, vec![1, 6]);
    }
}

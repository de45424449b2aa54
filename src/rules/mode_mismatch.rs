//! An HTTP frontend routing to a TCP backend, which haproxy refuses.

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::{Mode, RefKind};

#[derive(Default)]
pub struct ModeMismatch;

impl Rule for ModeMismatch {
    const ID: &'static str = "mode-mismatch";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for reference in model
            .references
            .iter()
            .filter(|r| r.kind == RefKind::Backend)
        {
            let Some(target) = reference.target_section else {
                continue;
            };
            let frontend = model.section(reference.section);
            let backend = model.section(target);
            if model.mode(frontend) != Mode::Http || model.mode(backend) != Mode::Tcp {
                continue;
            }
            let mut finding = Finding::new(
                Self::ID,
                reference.span,
                format!(
                    "HTTP {} routes to TCP {}: haproxy refuses to start",
                    frontend.display_name(),
                    backend.display_name()
                ),
            )
            .note(
                "an HTTP stream cannot be handed to a backend that only \
                 relays bytes; only TCP to HTTP (an upgrade) is allowed",
            )
            .help(format!(
                "set `mode http` in {} (or route this traffic from a TCP frontend)",
                backend.display_name()
            ));
            match model.setting(backend, "mode") {
                Some(setting) => {
                    finding = finding.label(
                        model.stmt_span(setting.stmt),
                        format!("{} is in TCP mode here", backend.display_name()),
                    )
                }
                None => {
                    finding =
                        finding.label(model.stmt_span(backend.header), "no `mode`: TCP by default")
                }
            }
            if let Some(setting) = model.setting(frontend, "mode") {
                finding = finding.label(
                    model.stmt_span(setting.stmt),
                    format!("{} is in HTTP mode here", frontend.display_name()),
                );
            }
            out.push(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    #[test]
    fn http_to_tcp_only() {
        assert_eq!(
            findings(
                "mode-mismatch",
                "frontend f\n  mode http\n  bind :80\n  default_backend b\
                 \nbackend b\n  server s 10.0.0.1:80\n"
            )
            .len(),
            1
        );
        assert!(
            findings(
                "mode-mismatch",
                "frontend f\n  bind :80\n  default_backend b\
                 \nbackend b\n  mode http\n  server s 10.0.0.1:80\n"
            )
            .is_empty()
        );
    }
}

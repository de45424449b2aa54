//! HTTPS frontends that never send `Strict-Transport-Security`.

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::Mode;

#[derive(Default)]
pub struct MissingHsts;

impl Rule for MissingHsts {
    const ID: &'static str = "missing-hsts";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let mentions_hsts = |section: &crate::model::Section| {
            section.statements.iter().any(|&stmt| {
                model
                    .values(stmt)
                    .any(|w| w.eq_ignore_ascii_case("strict-transport-security"))
            })
        };
        for frontend in model
            .proxies()
            .filter(|s| s.kind.has_frontend() && model.mode(s) == Mode::Http)
        {
            let Some(tls) = frontend.binds.iter().find(|b| b.is_tls()) else {
                continue;
            };
            // The header may be added here, in a defaults section, or by every backend it uses.
            if mentions_hsts(frontend)
                || model
                    .defaults_chain(frontend)
                    .any(|id| mentions_hsts(model.section(id)))
            {
                continue;
            }
            let backends = model.backends_used_by(frontend.id);
            if !backends.is_empty() && backends.iter().all(|&id| mentions_hsts(model.section(id))) {
                continue;
            }
            out.push(
                Finding::new(
                    Self::ID,
                    model.stmt_span(tls.stmt),
                    format!(
                        "{} serves HTTPS without a `Strict-Transport-Security` header",
                        frontend.display_name()
                    ),
                )
                .note(
                    "without HSTS a browser that once typed the plain http:// \
                     address can be held on HTTP by an attacker on the path (SSL \
                     stripping); the header tells browsers to use HTTPS only",
                )
                .help(
                    "http-response set-header Strict-Transport-Security \"max-age=31536000\" \
                     (add includeSubDomains once every subdomain serves HTTPS)",
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "missing-hsts";

    #[test]
    fn tls_frontends_without_the_header() {
        assert_eq!(
            findings(
                ID,
                "frontend f\n  mode http\n  bind :443 ssl crt /s.pem\
                 \n  default_backend b\nbackend b\n  mode http\n  server s 10.0.0.1:80\n"
            )
            .len(),
            1
        );
        assert!(
            findings(
                ID,
                "frontend f\n  mode http\n  bind :443 ssl crt /s.pem\
                 \n  http-response set-header Strict-Transport-Security max-age=31536000\
                 \n  default_backend b\nbackend b\n  mode http\n  server s 10.0.0.1:80\n"
            )
            .is_empty()
        );
        assert!(
            findings(
                ID,
                "frontend f\n  mode http\n  bind :80\n  default_backend b\
                 \nbackend b\n  mode http\n  server s 10.0.0.1:80\n"
            )
            .is_empty()
        );
    }
}

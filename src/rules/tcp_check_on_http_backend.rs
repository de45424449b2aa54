//! HTTP backends whose health checks only test that a connection opens.

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::Mode;

#[derive(Default)]
pub struct TcpCheckOnHttpBackend;

/// Options that pick a check protocol deliberately.
const CHECK_OPTIONS: &[&str] = &[
    "httpchk",
    "tcp-check",
    "ssl-hello-chk",
    "smtpchk",
    "ldap-check",
    "mysql-check",
    "pgsql-check",
    "redis-check",
    "spop-check",
    "external-check",
];

impl Rule for TcpCheckOnHttpBackend {
    const ID: &'static str = "tcp-check-on-http-backend";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        // Options no section sets have no id and cannot be in effect.
        let check_options: Vec<u32> = CHECK_OPTIONS
            .iter()
            .filter_map(|o| model.key_id(&format!("option {o}")))
            .collect();
        for backend in model.proxies().filter(|s| s.kind.has_backend()) {
            if model.mode(backend) != Mode::Http {
                continue;
            }
            if check_options
                .iter()
                .any(|&id| model.setting_by_id(backend, id).is_some_and(|s| !s.negated))
            {
                continue;
            }
            let Some(checked) = model.real_servers(backend).find(|s| {
                model
                    .server_param(backend, s, "check")
                    .is_some_and(|p| p.enabled)
            }) else {
                continue;
            };
            let check = model.server_param(backend, checked, "check");
            let span = check.map_or(model.stmt_span(checked.stmt), |p| {
                model.word_span(p.stmt, p.word as usize)
            });
            let name = backend.name.as_deref().unwrap_or("?");
            let host = checked.host().unwrap_or("www.example.com");
            out.push(
                Finding::new(
                    Self::ID,
                    span,
                    format!(
                        "health checks of backend {name} only test that a connection opens, not \
                        that HTTP requests succeed"
                    ),
                )
                .note(
                    "a server (or a load balancer in front of unhealthy targets) that accepts \
                    connections but answers 503 stays UP and keeps receiving requests",
                )
                .help(format!(
                    "add an HTTP check to backend {name}, e.g. `option httpchk` with `http-check \
                    send meth GET uri /health hdr host {host}` and `http-check expect status 200`, \
                    using an endpoint that reflects the application's health"
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "tcp-check-on-http-backend";

    #[test]
    fn http_mode_with_plain_checks() {
        assert_eq!(
            findings(
                ID,
                "defaults\n  mode http\nbackend b\n  server s 10.0.0.1:80 check\n"
            )
            .len(),
            1
        );
        assert!(
            findings(
                ID,
                "defaults\n  mode http\n  option httpchk\nbackend b\n  \
                server s 10.0.0.1:80 check\n"
            )
            .is_empty()
        );
        assert!(findings(ID, "backend b\n  server s 10.0.0.1:80 check\n").is_empty());
        assert!(
            findings(
                ID,
                "defaults\n  mode http\nbackend b\n  server s 10.0.0.1:80\n"
            )
            .is_empty()
        );
    }
}

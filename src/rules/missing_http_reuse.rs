//! HTTP backends toward TLS servers that leave `http-reuse` implicit.

use super::{Context, Rule};
use crate::finding::{Finding, Fix};
use crate::fix::edits;
use crate::model::Mode;

#[derive(Default)]
pub struct MissingHttpReuse;

impl Rule for MissingHttpReuse {
    const ID: &'static str = "missing-http-reuse";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for backend in model.proxies().filter(|s| s.kind.has_backend()) {
            if model.mode(backend) != Mode::Http || !model.any_server_tls(backend) {
                continue;
            }
            if model.setting(backend, "http-reuse").is_some() {
                continue;
            }
            let cloud_lb = model.real_servers(backend).any(|s| {
                s.host()
                    .and_then(|h| cx.upstream(h))
                    .and_then(|u| u.kind)
                    .is_some_and(|k| k == "aws-alb" || k == "aws-nlb")
            });
            let (mode, why) = if cloud_lb {
                (
                    "always",
                    "the servers are a cloud load balancer that does not tie a connection to a client, so any idle connection can serve any request",
                )
            } else {
                (
                    "safe",
                    "`safe` is already the default; writing it down makes the choice visible, and `always` is better when the servers never close idle connections early",
                )
            };
            let name = backend.name.as_deref().unwrap_or("?");
            let anchor = backend.header;
            let indent = edits::body_indent(model, backend);
            out.push(
                Finding::new(
                    Self::ID,
                    model.stmt_span(backend.header),
                    format!("backend {name} talks TLS to its servers but does not choose an `http-reuse` mode"),
                )
                .note("with the default `safe` mode the first request of every new client connection never takes an idle server connection, so each new client pays a fresh TCP and TLS handshake to the upstream")
                .help(format!("add `http-reuse {mode}`: {why}"))
                .fix(Fix::unsafe_(
                    format!("add `http-reuse {mode}` to backend {name}"),
                    vec![edits::insert_statement_after(model, anchor, &indent, &format!("http-reuse {mode}"))],
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::rules::testing::{findings, findings_with};

    const ID: &str = "missing-http-reuse";
    const TLS: &str = "defaults\n  mode http\nbackend b\n  server s lb-1.us-east-1.elb.amazonaws.com:443 ssl verify none\n";

    #[test]
    fn suggests_always_toward_a_cloud_load_balancer() {
        let found = findings(ID, TLS);
        assert_eq!(found.len(), 1);
        let config = Config::parse("x", "upstreams:\n  api.local: nginx\n").unwrap();
        let options = crate::Options { facts: config.facts().unwrap(), ..Default::default() };
        let found = findings_with(ID, "defaults\n  mode http\nbackend b\n  server s api.local:443 ssl\n", options);
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn explicit_or_inherited_reuse_and_plain_servers_are_fine() {
        assert!(findings(ID, "defaults\n  mode http\n  http-reuse safe\nbackend b\n  server s 10.0.0.1:443 ssl\n").is_empty());
        assert!(findings(ID, "defaults\n  mode http\nbackend b\n  server s 10.0.0.1:80\n").is_empty());
        assert!(findings(ID, "backend b\n  server s 10.0.0.1:443 ssl\n").is_empty());
    }
}

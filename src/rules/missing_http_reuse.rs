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
            // The same mode `haplint tune` writes (rules/upstreams/kinds.yaml,
            // `safe` for every known kind): the manual keeps `always` for paths
            // known never to drop a connection soon after it was released, and a
            // cloud load balancer closes idle ones on its own schedule.
            let mode = model
                .real_servers(backend)
                .filter_map(|s| cx.upstream(s.host()?)?.kind.clone())
                .find_map(|kind| {
                    crate::config::upstream_kinds()
                        .get(&kind)?
                        .http_reuse
                        .clone()
                })
                .unwrap_or_else(|| "safe".to_string());
            let why = if mode == "safe" {
                "`safe` is already the default, so nothing changes; writing it down \
                 records the choice, and `always` belongs only where the path to \
                 the servers never closes a connection soon after it was released"
            } else {
                "the mode chosen for this upstream kind"
            };
            let name = backend.name.as_deref().unwrap_or("?");
            let anchor = backend.header;
            let indent = edits::body_indent(model, backend);
            out.push(
                Finding::new(
                    Self::ID,
                    model.stmt_span(backend.header),
                    format!(
                        "backend {name} talks TLS to its servers \
                         but does not choose an `http-reuse` mode"
                    ),
                )
                .note(
                    "with `safe` (the default) the first request of each new client \
                     connection gets a server connection of its own, so many \
                     short-lived clients mean many new connections to the upstream \
                     (TLS sessions are resumed, so these are not full handshakes)",
                )
                .help(format!("add `http-reuse {mode}`: {why}"))
                .fix(Fix::safe(
                    format!("add `http-reuse {mode}` to backend {name}"),
                    vec![edits::insert_statement_after(
                        model,
                        anchor,
                        &indent,
                        &format!("http-reuse {mode}"),
                    )],
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::rules::testing::{findings, findings_with, first_help};

    const ID: &str = "missing-http-reuse";
    const TLS: &str = "defaults\n  mode http\nbackend b\
                       \n  server s lb-1.us-east-1.elb.amazonaws.com:443 ssl verify none\n";

    #[test]
    fn suggests_safe_toward_a_cloud_load_balancer_like_tune() {
        let found = findings(ID, TLS);
        assert_eq!(found.len(), 1);
        let help = first_help(ID, TLS);
        assert!(help.starts_with("add `http-reuse safe`"), "{help}");
        // What `haplint tune` writes toward the same kind.
        assert_eq!(
            crate::config::upstream_kinds()
                .get("aws-alb")
                .and_then(|k| k.http_reuse.as_deref()),
            Some("safe")
        );
        let config = Config::parse("x", "upstreams:\n  api.local: nginx\n").unwrap();
        let options = crate::Options {
            facts: config.facts().unwrap(),
            ..Default::default()
        };
        let found = findings_with(
            ID,
            "defaults\n  mode http\nbackend b\n  server s api.local:443 ssl\n",
            options,
        );
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn explicit_or_inherited_reuse_and_plain_servers_are_fine() {
        assert!(
            findings(
                ID,
                "defaults\n  mode http\n  http-reuse safe\nbackend b\n  server s 10.0.0.1:443 ssl\n"
            )
            .is_empty()
        );
        assert!(
            findings(
                ID,
                "defaults\n  mode http\nbackend b\n  server s 10.0.0.1:80\n"
            )
            .is_empty()
        );
        assert!(findings(ID, "backend b\n  server s 10.0.0.1:443 ssl\n").is_empty());
    }
}

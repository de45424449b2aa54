//! `port N` for health checks equal to the server's own port.

use super::{Context, Rule, param_sites, server_names};
use crate::finding::{Finding, Fix};
use crate::fix::edits;

#[derive(Default)]
pub struct RedundantCheckPort;

impl Rule for RedundantCheckPort {
    const ID: &'static str = "redundant-check-port";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        // Only where `port` is written on the server line itself: on a
        // default-server line it may serve servers on other ports.
        // On an `ssl` server, `port` also turns the checks from TLS into plain
        // connections unless `check-ssl` is set (tests/proofs.rs shows it), so
        // it is not redundant there.
        fn enabled(
            model: &crate::model::Model,
            section: &crate::model::Section,
            server: &crate::model::Server,
            name: &str,
        ) -> bool {
            model
                .server_param(section, server, name)
                .is_some_and(|p| p.enabled)
        }
        let sites = param_sites(model, "port", |section, server, param| {
            param.enabled
                && param.stmt == server.stmt
                && server.port().is_some()
                && model.value(param.stmt, param.word as usize + 1) == server.port()
                && (!enabled(model, section, server, "ssl")
                    || enabled(model, section, server, "check-ssl"))
        });
        for site in sites {
            let port = model.value(site.stmt, site.word + 1).unwrap_or("");
            out.push(
                Finding::new(
                    Self::ID,
                    model.words_span(site.stmt, site.word, site.word + 2),
                    format!(
                        "`port {port}` sends health checks to the port {} already uses",
                        server_names(&site.servers)
                    ),
                )
                .note(
                    "`port` only matters when checks must go elsewhere than the traffic; repeating \
                    the server's port suggests a difference that does not exist",
                )
                .help(format!("remove `port {port}`"))
                .fix(Fix::safe(
                    format!("remove `port {port}`"),
                    vec![edits::remove_words(
                        model,
                        site.stmt,
                        site.word,
                        site.word + 2,
                    )],
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    #[test]
    fn same_port_only() {
        assert_eq!(
            findings(
                "redundant-check-port",
                "backend b\n  server s a.example:443 check port 443\n"
            )
            .len(),
            1
        );
        assert!(
            findings(
                "redundant-check-port",
                "backend b\n  server s a.example:443 check port 8080\n"
            )
            .is_empty()
        );
        assert!(
            findings(
                "redundant-check-port",
                "backend b\n  default-server port 443\n  server s a.example:443 check\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn not_on_ssl_servers_where_port_makes_checks_plain() {
        assert!(
            findings(
                "redundant-check-port",
                "backend b\n  server s a.example:443 ssl check port 443\n"
            )
            .is_empty()
        );
        assert!(
            findings(
                "redundant-check-port",
                "backend b\n  default-server ssl\n  server s a.example:443 check port 443\n"
            )
            .is_empty()
        );
        assert_eq!(
            findings(
                "redundant-check-port",
                "backend b\n  server s a.example:443 ssl check check-ssl port 443\n"
            )
            .len(),
            1
        );
    }
}

//! TLS to a server name without SNI.

use super::{Context, Rule};
use crate::finding::{Finding, Fix};
use crate::fix::edits;
use crate::model::{Mode, is_host_name};

#[derive(Default)]
pub struct MissingServerSni;

impl Rule for MissingServerSni {
    const ID: &'static str = "missing-server-sni";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for backend in model.proxies().filter(|s| s.kind.has_backend()) {
            for server in model.real_servers(backend) {
                if !model
                    .server_param(backend, server, "ssl")
                    .is_some_and(|p| p.enabled)
                {
                    continue;
                }
                let Some(host) = server.host().filter(|h| is_host_name(h)) else {
                    continue;
                };
                if model.server_param_value(backend, server, "sni").is_some() {
                    continue;
                }
                let http = model.mode(backend) == Mode::Http;
                let checked = model
                    .server_param(backend, server, "check")
                    .is_some_and(|p| p.enabled);
                let mut words = if http {
                    "sni req.hdr(host)".to_string()
                } else {
                    format!("sni str({host})")
                };
                if checked
                    && model
                        .server_param_value(backend, server, "check-sni")
                        .is_none()
                {
                    words.push_str(&format!(" check-sni {host}"));
                }
                let address = server.address_word.map_or(1, |w| w as usize);
                out.push(
                    Finding::new(
                        Self::ID,
                        model.word_span(server.stmt, address),
                        format!("TLS to `{host}` sends no SNI"),
                    )
                    .note(
                        "upstreams that pick a certificate or a route by server \
                         name (load balancers with several certificates, CDNs, API \
                         gateways) answer with a default certificate or refuse the \
                         handshake; without SNI, `verify required` also cannot \
                         check the certificate's name unless `verifyhost` is set",
                    )
                    .help(format!(
                        "add `{words}`: {}",
                        if http {
                            "the Host header of each request is the name the upstream expects"
                        } else {
                            "the server's own name"
                        }
                    ))
                    .fix(Fix::unsafe_(
                        format!("add `{words}`"),
                        vec![edits::append_words(model, server.stmt, &words)],
                    )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "missing-server-sni";

    #[test]
    fn names_over_tls_without_sni() {
        assert_eq!(
            findings(
                ID,
                "backend b\n  mode http\n  server s api.example.com:443 ssl check\n"
            )
            .len(),
            1
        );
        assert!(findings(ID, "backend b\n  server s 10.0.0.1:443 ssl\n").is_empty());
        assert!(
            findings(
                ID,
                "backend b\n  server s api.example.com:443 ssl sni str(api.example.com)\n"
            )
            .is_empty()
        );
        assert!(findings(ID, "backend b\n  server s api.example.com:80\n").is_empty());
    }
}

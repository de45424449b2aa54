//! Plain HTTP sent to a server port that speaks TLS.

use super::{Context, Rule};
use crate::finding::{Finding, Fix};
use crate::fix::edits;
use crate::model::Mode;
use crate::model::exposure::port_number;

#[derive(Default)]
pub struct ServerTlsPortWithoutSsl;

/// Ports where a server expects TLS from the first byte.
const TLS_PORTS: &[u16] = &[443, 8443];

impl Rule for ServerTlsPortWithoutSsl {
    const ID: &'static str = "server-tls-port-without-ssl";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        // In TCP mode a 443 server is TLS passthrough: the client's own TLS goes through.
        for backend in model
            .proxies()
            .filter(|s| s.kind.has_backend() && model.mode(s) == Mode::Http)
        {
            for server in model.real_servers(backend) {
                let Some(address) = server.address.as_deref() else {
                    continue;
                };
                if model
                    .server_param(backend, server, "ssl")
                    .is_some_and(|p| p.enabled)
                {
                    continue;
                }
                let tls_port = port_number(address).filter(|p| TLS_PORTS.contains(p));
                let tls_check = model
                    .server_param(backend, server, "check-ssl")
                    .is_some_and(|p| p.enabled);
                if tls_port.is_none() && !tls_check {
                    continue;
                }
                let why = match tls_port {
                    Some(port) => format!("port {port} is the TLS port"),
                    None => "its health checks use TLS (`check-ssl`)".to_string(),
                };
                out.push(
                    Finding::new(
                        Self::ID,
                        model.stmt_span(server.stmt),
                        format!(
                            "server {} gets plain HTTP although {why}",
                            server.name.as_deref().unwrap_or("")
                        ),
                    )
                    .note(
                        "without `ssl` haproxy speaks clear HTTP on this connection: a TLS server \
                        answers with a handshake error or a 400, and where something does accept \
                        it, requests and cookies cross the network unencrypted",
                    )
                    .help(
                        "add `ssl verify required ca-file @system-ca` (with `sni` for a name-based \
                        upstream), or use the server's plain-HTTP port",
                    )
                    .fix(Fix::unsafe_(
                        "add `ssl verify required ca-file @system-ca`",
                        vec![edits::append_words(
                            model,
                            server.stmt,
                            "ssl verify required ca-file @system-ca",
                        )],
                    )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "server-tls-port-without-ssl";

    #[test]
    fn http_to_443_only_in_http_mode() {
        assert_eq!(
            findings(ID, "backend b\n  mode http\n  server s 10.0.0.1:443\n").len(),
            1
        );
        assert_eq!(
            findings(
                ID,
                "backend b\n  mode http\n  server s 10.0.0.1:8080 check check-ssl\n"
            )
            .len(),
            1
        );
        assert!(
            findings(
                ID,
                "backend b\n  mode http\n  server s 10.0.0.1:443 ssl verify none\n"
            )
            .is_empty()
        );
        assert!(findings(ID, "backend b\n  mode tcp\n  server s 10.0.0.1:443\n").is_empty());
        assert!(
            findings(
                ID,
                "backend b\n  mode http\n  default-server ssl\n  server s 10.0.0.1:443\n"
            )
            .is_empty()
        );
    }
}

//! A server that is one of the proxy's own listeners: requests loop.

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::exposure::{Reach, is_loopback_host, port_number, reach};
use crate::model::split_address;

#[derive(Default)]
pub struct ServerLoopsToSelf;

/// Whether a connection to `server` (whose port is `server_port`) lands on
/// the listener at `bind`.
fn lands_on(server: &str, server_port: u16, bind: &str) -> bool {
    let Some(bind_port) = port_number(bind) else {
        return false;
    };
    if server_port != bind_port {
        return false;
    }
    let server_host = split_address(server).0;
    match reach(bind) {
        // A wildcard listener takes connections to every local address; the
        // ones haplint can be sure are local are the loopback ones.
        Reach::AllInterfaces => is_loopback_host(server_host),
        Reach::Loopback | Reach::Interface => server_host == split_address(bind).0,
        _ => false,
    }
}

impl Rule for ServerLoopsToSelf {
    const ID: &'static str = "server-loops-to-self";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for backend in model.proxies().filter(|s| s.kind.has_backend()) {
            // The frontends whose traffic reaches this backend (a listen section reaches itself).
            let mut feeders: Vec<&crate::model::Section> = model
                .frontends_using(backend.id)
                .iter()
                .map(|&id| model.section(id))
                .collect();
            if backend.kind.has_frontend() {
                feeders.push(backend);
            }
            for server in model.real_servers(backend) {
                let Some(address) = server.address.as_deref() else {
                    continue;
                };
                // A server without a plain port lands on no listener.
                let Some(port) = port_number(address) else {
                    continue;
                };
                let hit = feeders.iter().find_map(|frontend| {
                    frontend
                        .binds
                        .iter()
                        .find(|b| {
                            b.address
                                .as_deref()
                                .is_some_and(|a| lands_on(address, port, a))
                        })
                        .map(|b| (*frontend, b))
                });
                let Some((frontend, bind)) = hit else {
                    continue;
                };
                out.push(
                    Finding::new(
                        Self::ID,
                        model.stmt_span(server.stmt),
                        format!(
                            "server {} at `{address}` is {}'s own listener: requests loop back \
                            into haproxy",
                            server.name.as_deref().unwrap_or(""),
                            frontend.display_name()
                        ),
                    )
                    .label(model.stmt_span(bind.stmt), "this listener")
                    .note(
                        "each request sent to this server arrives again at the frontend that sent \
                        it and is forwarded again, until connections or `maxconn` run out; the \
                        client sees a timeout or a 503",
                    )
                    .help("point the server at the application's own address and port"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "server-loops-to-self";

    #[test]
    fn servers_on_the_proxys_own_listener() {
        assert_eq!(
            findings(
                ID,
                "frontend f\n  bind :80\n  default_backend b\nbackend b\n  server s 127.0.0.1:80\n"
            )
            .len(),
            1
        );
        assert_eq!(
            findings(
                ID,
                "listen l\n  bind 10.0.0.5:8080\n  server s 10.0.0.5:8080\n"
            )
            .len(),
            1
        );
        assert!(
            findings(
                ID,
                "frontend f\n  bind :80\n  default_backend b\nbackend b\n  \
                server s 127.0.0.1:8080\n"
            )
            .is_empty()
        );
        assert!(
            findings(
                ID,
                "frontend f\n  bind :80\n  default_backend b\nbackend b\n  server s 10.0.0.9:80\n"
            )
            .is_empty()
        );
    }
}

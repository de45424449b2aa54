//! Servers given by a host name that haproxy must resolve at startup: without
//! `resolvers` and without `none` in `init-addr`, a name that does not resolve
//! at that moment stops haproxy from starting or reloading. With `resolvers`,
//! haproxy starts with such a server disabled (tests/proofs.rs shows both).

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::is_host_name;

#[derive(Default)]
pub struct MissingInitAddr;

impl Rule for MissingInitAddr {
    const ID: &'static str = "missing-init-addr";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for section in model.proxies().filter(|s| s.kind.has_backend()) {
            for server in model.real_servers(section) {
                let Some(host) = server.host().filter(|host| is_host_name(host)) else {
                    continue;
                };
                if model
                    .server_param_value(section, server, "resolvers")
                    .is_some()
                {
                    continue;
                }
                let tolerant = model
                    .server_param_value(section, server, "init-addr")
                    .is_some_and(|(value, _)| {
                        value.split(',').any(|method| {
                            method == "none" || method.parse::<std::net::IpAddr>().is_ok()
                        })
                    });
                if tolerant {
                    continue;
                }
                let address = server.address_word.map_or(1, |w| w as usize);
                out.push(
                    Finding::new(
                        Self::ID,
                        model.word_span(server.stmt, address),
                        format!(
                            "haproxy refuses to start or reload while `{host}` does not \
                             resolve: the server has no `resolvers` and no `init-addr` fallback"
                        ),
                    )
                    .note(
                        "a server name is resolved when haproxy starts; without \
                         `resolvers` a name that fails then (a DNS outage during a \
                         deploy) is a fatal error for the whole configuration, while \
                         with `resolvers` haproxy starts with that server disabled",
                    )
                    .help(
                        "give the server `resolvers` (it then starts disabled and comes up when \
                         the name resolves), or add `init-addr last,libc,none` (it then starts in \
                         maintenance and, without `resolvers`, stays there until the next reload)",
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    #[test]
    fn names_without_resolvers_or_fallback() {
        // The old rule fired on exactly the configuration haproxy starts with.
        assert!(
            findings(
                "missing-init-addr",
                "backend b\n  server-template a 3 a.example.com:443 resolvers dns\n"
            )
            .is_empty()
        );
        assert_eq!(
            findings(
                "missing-init-addr",
                "backend b\n  server a a.example.com:443\n"
            )
            .len(),
            1
        );
        assert!(findings("missing-init-addr", "backend b\n  server a 10.0.0.1:443\n").is_empty());
        assert!(
            findings(
                "missing-init-addr",
                "backend b\n  default-server init-addr last,libc,none\
                 \n  server a a.example.com:443\n"
            )
            .is_empty()
        );
        assert!(
            findings(
                "missing-init-addr",
                "backend b\n  server a a.example.com:443 init-addr libc,10.0.0.9\n"
            )
            .is_empty()
        );
        assert_eq!(
            findings(
                "missing-init-addr",
                "backend b\n  server a a.example.com:443 init-addr last,libc\n"
            )
            .len(),
            1
        );
    }
}

//! Servers resolved by `resolvers` that still need DNS at startup.

use super::{Context, Rule};
use crate::finding::{Finding, Fix};
use crate::fix::edits;
use crate::model::is_host_name;

#[derive(Default)]
pub struct MissingInitAddr;

impl Rule for MissingInitAddr {
    const ID: &'static str = "missing-init-addr";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for section in model.proxies().filter(|s| s.kind.has_backend()) {
            for server in model.real_servers(section) {
                // The parameters first: they are rarely set, and asking is cheap.
                if model.server_param_value(section, server, "resolvers").is_none() || model.server_param(section, server, "init-addr").is_some() {
                    continue;
                }
                let Some(host) = server.host().filter(|host| is_host_name(host)) else { continue };
                let address = server.address_word.map_or(1, |w| w as usize);
                out.push(
                    Finding::new(Self::ID, model.word_span(server.stmt, address), format!("`{host}` must resolve when haproxy starts: no `init-addr` lets it start without DNS"))
                        .note("by default (`init-addr last,libc`) haproxy resolves server names through the system resolver at startup and refuses to start or reload when one fails, although `resolvers` would fill the address in moments later")
                        .help("add `init-addr last,libc,none` (on the server or on `default-server`) so haproxy starts with the server in maintenance until the resolvers answer")
                        .fix(Fix::unsafe_("add `init-addr last,libc,none`", vec![edits::append_words(model, server.stmt, "init-addr last,libc,none")])),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    #[test]
    fn names_with_resolvers_only() {
        assert_eq!(findings("missing-init-addr", "backend b\n  server-template a 3 a.example.com:443 resolvers dns\n").len(), 1);
        assert!(findings("missing-init-addr", "backend b\n  server a 10.0.0.1:443 resolvers dns\n").is_empty());
        assert!(findings("missing-init-addr", "backend b\n  default-server init-addr none\n  server a a.example.com:443 resolvers dns\n").is_empty());
        assert!(findings("missing-init-addr", "backend b\n  server a a.example.com:443\n").is_empty());
    }
}

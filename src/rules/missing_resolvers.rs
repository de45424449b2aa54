//! Cloud load balancer names resolved only once, at startup.

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::is_host_name;

#[derive(Default)]
pub struct MissingResolvers;

impl Rule for MissingResolvers {
    const ID: &'static str = "missing-resolvers";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        if !cx.has_upstreams() {
            return;
        }
        for backend in model.proxies().filter(|s| s.kind.has_backend()) {
            for server in model.real_servers(backend) {
                let Some(host) = server.host() else { continue };
                let Some(kind) = cx.upstream(host).and_then(|u| u.kind) else {
                    continue;
                };
                if !kind.starts_with("aws-")
                    || !is_host_name(host)
                    || model
                        .server_param_value(backend, server, "resolvers")
                        .is_some()
                {
                    continue;
                }
                let address = server.address_word.map_or(1, |w| w as usize);
                out.push(
                    Finding::new(
                        Self::ID,
                        model.word_span(server.stmt, address),
                        format!("`{host}` ({kind}) is resolved only once, when haproxy starts"),
                    )
                    .note(
                        "cloud load balancers change their IP addresses as they \
                         scale or are maintained; without `resolvers` haproxy \
                         keeps sending to the addresses it found at startup until \
                         the next reload, and traffic to the stale ones fails",
                    )
                    .help(
                        "add a `resolvers` section (e.g. `resolvers dns` with `parse-resolv-conf` \
                         and `hold valid 10s`) and `resolvers dns init-addr last,libc,none` on \
                         the server; `server-template` keeps several addresses in use",
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
    fn cloud_names_only() {
        let id = "missing-resolvers";
        assert_eq!(
            findings(
                id,
                "backend b\n  server s api-1.us-east-1.elb.amazonaws.com:443\n"
            )
            .len(),
            1
        );
        assert!(
            findings(
                id,
                "backend b\n  server s api-1.us-east-1.elb.amazonaws.com:443 resolvers dns\n"
            )
            .is_empty()
        );
        assert!(findings(id, "backend b\n  server s db.internal:5432\n").is_empty());
    }
}

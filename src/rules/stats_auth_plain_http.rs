//! Statistics-page credentials sent in clear over a network listener.

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::exposure::reachable_from_network;

#[derive(Default)]
pub struct StatsAuthPlainHttp;

impl Rule for StatsAuthPlainHttp {
    const ID: &'static str = "stats-auth-plain-http";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for proxy in model.proxies().filter(|s| s.kind.has_frontend()) {
            let Some(auth) = model.setting(proxy, "stats auth") else {
                continue;
            };
            if model.setting(proxy, "stats uri").is_none()
                && model.setting(proxy, "stats enable").is_none()
            {
                continue;
            }
            let plain: Vec<String> = proxy
                .binds
                .iter()
                .filter(|b| !b.is_tls())
                .filter_map(|b| b.address.clone())
                .filter(|a| reachable_from_network(a))
                .collect();
            if plain.is_empty() {
                continue;
            }
            out.push(
                Finding::new(
                    Self::ID,
                    model.stmt_span(auth.stmt),
                    format!(
                        "the statistics page of {} asks for its password over plain HTTP on `{}`",
                        proxy.display_name(),
                        plain.join("`, `")
                    ),
                )
                .note(
                    "basic authentication sends the user and password with every request, only \
                    base64-encoded; anyone on the path reads them",
                )
                .help(
                    "serve the page on a TLS listener (`bind :8404 ssl crt …`) or on an internal \
                    address only",
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "stats-auth-plain-http";

    #[test]
    fn plain_network_listener_with_auth() {
        assert_eq!(
            findings(
                ID,
                "listen stats\n  bind :8404\n  mode http\n  stats uri /\n  \
                stats auth ops:Vx9pq2LmR7tw\n"
            )
            .len(),
            1
        );
        assert!(
            findings(
                ID,
                "listen stats\n  bind :8404 ssl crt /etc/ssl/s.pem\n  mode http\n  stats uri /\n  \
                stats auth ops:Vx9pq2LmR7tw\n"
            )
            .is_empty()
        );
        assert!(
            findings(
                ID,
                "listen stats\n  bind 127.0.0.1:8404\n  mode http\n  stats uri /\n  \
                stats auth ops:Vx9pq2LmR7tw\n"
            )
            .is_empty()
        );
    }
}

//! `stats admin if TRUE`: every visitor who reaches the statistics page may
//! drain, disable or re-weight servers.

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::exposure::reachable_from_network;

#[derive(Default)]
pub struct StatsAdminUnconditional;

/// Conditions that are always true (`if TRUE`, `if { always_true }`, `unless FALSE`).
fn always_true(words: &[&str]) -> bool {
    matches!(
        words,
        ["if", "TRUE"]
            | ["unless", "FALSE"]
            | ["if", "!FALSE"]
            | ["unless", "!TRUE"]
            | ["if", "{", "always_true", "}"]
            | ["unless", "{", "always_false", "}"]
    )
}

impl Rule for StatsAdminUnconditional {
    const ID: &'static str = "stats-admin-unconditional";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for proxy in model.proxies().filter(|s| s.kind.has_frontend()) {
            let public = proxy
                .binds
                .iter()
                .any(|b| b.address.as_deref().is_some_and(reachable_from_network));
            if !public {
                continue;
            }
            for &stmt in &proxy.statements {
                if model.value(stmt, 0) != Some("stats") || model.value(stmt, 1) != Some("admin") {
                    continue;
                }
                let words: Vec<&str> = model.values(stmt).skip(2).collect();
                if !always_true(&words) {
                    continue;
                }
                let authenticated = model.setting(proxy, "stats auth").is_some();
                let who = if authenticated {
                    "every user of `stats auth`"
                } else {
                    "anyone who reaches the page"
                };
                out.push(
                    Finding::new(
                        Self::ID,
                        model.stmt_span(stmt),
                        format!(
                            "`stats admin` is granted unconditionally in {}: {who} may drain, \
                            disable or re-weight servers",
                            proxy.display_name()
                        ),
                    )
                    .note(
                        "the condition of `stats admin` is the only thing that separates viewing \
                        the page from changing the running load balancer; a page reachable from \
                        the network with an always-true condition hands that to whoever gets in",
                    )
                    .help(
                        "grant it to the operators' network only: `stats admin if { src 10.0.0.0/8 \
                        }` (or an `http_auth_group` of a userlist)",
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "stats-admin-unconditional";

    #[test]
    fn always_true_on_a_network_listener() {
        assert_eq!(
            findings(
                ID,
                "listen stats\n  bind :8404\n  mode http\n  stats uri /\n  \
                stats auth ops:Vx9pq2LmR7tw\n  stats admin if TRUE\n"
            )
            .len(),
            1
        );
        assert!(
            findings(
                ID,
                "listen stats\n  bind :8404\n  mode http\n  stats uri /\n  \
                stats admin if { src 10.0.0.0/8 }\n"
            )
            .is_empty()
        );
        assert!(
            findings(
                ID,
                "listen stats\n  bind 127.0.0.1:8404\n  mode http\n  stats uri /\n  \
                stats admin if TRUE\n"
            )
            .is_empty()
        );
    }
}

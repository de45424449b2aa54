//! Public HTTP frontends with no rate limit of any kind.

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::Mode;
use crate::model::exposure::reachable_from_network;

#[derive(Default)]
pub struct NoRequestRateLimit;

/// Words that show some form of rate or connection limiting.
fn limits(word: &str) -> bool {
    word.starts_with("track-sc")
        || word.starts_with("sc_")
        || word.starts_with("sc0_")
        || word.starts_with("sc1_")
        || word.starts_with("sc2_")
        || word.starts_with("src_conn_rate")
        || word.starts_with("src_http_req_rate")
        || word.starts_with("fe_sess_rate")
        || word.starts_with("fe_req_rate")
        || word == "rate-limit"
}

impl Rule for NoRequestRateLimit {
    const ID: &'static str = "no-request-rate-limit";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for frontend in model
            .proxies()
            .filter(|s| s.kind.has_frontend() && model.mode(s) == Mode::Http)
        {
            let Some(public) = frontend
                .binds
                .iter()
                .find(|b| b.address.as_deref().is_some_and(reachable_from_network))
            else {
                continue;
            };
            let limited = frontend
                .statements
                .iter()
                .any(|&stmt| model.values(stmt).any(limits));
            if limited {
                continue;
            }
            out.push(
                Finding::new(
                    Self::ID,
                    model.stmt_span(public.stmt),
                    format!(
                        "{} accepts requests from the network with no rate limit",
                        frontend.display_name()
                    ),
                )
                .note(
                    "one client (or a small botnet) can take every connection slot and the \
                    servers' capacity; `maxconn` caps the total but not any single source",
                )
                .help(
                    "track clients in a stick table and deny above a rate: `stick-table type ip \
                    size 100k expire 30s store http_req_rate(10s)`, `http-request track-sc0 src`, \
                    `http-request deny deny_status 429 if { sc_http_req_rate(0) gt 100 }`",
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "no-request-rate-limit";

    #[test]
    fn public_frontends_without_limits() {
        assert_eq!(
            findings(ID, "frontend f\n  mode http\n  bind :80\n").len(),
            1
        );
        assert!(
            findings(
                ID,
                "frontend f\n  mode http\n  bind :80\n  http-request track-sc0 src\n"
            )
            .is_empty()
        );
        assert!(findings(ID, "frontend f\n  mode http\n  bind 127.0.0.1:80\n").is_empty());
    }
}

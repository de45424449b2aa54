//! Very long `timeout server` / `timeout tunnel` in HTTP mode.

use super::{Context, Rule, list_names};
use crate::finding::{Finding, Fix};
use crate::fix::edits;
use crate::model::Stmt;
use crate::text::{format_duration_ms, parse_duration_ms};
use std::collections::BTreeMap;

#[derive(Default)]
pub struct LongServerTimeout;

/// A long timeout where it is written: which timeout, its value, the backends
/// it applies to.
type Site<'m> = (String, u64, Vec<&'m str>);

/// Beyond this an HTTP server timeout stops protecting anything.
const SERVER_LIMIT_MS: u64 = 5 * 60 * 1000;
/// Tunnels (WebSocket, CONNECT) legitimately idle for hours; beyond a day they are forgotten.
const TUNNEL_LIMIT_MS: u64 = 24 * 60 * 60 * 1000;

impl Rule for LongServerTimeout {
    const ID: &'static str = "long-server-timeout";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let mut sites: BTreeMap<Stmt, Site> = BTreeMap::new();
        let timeouts = [
            ("server", model.key_id("timeout server"), SERVER_LIMIT_MS),
            ("tunnel", model.key_id("timeout tunnel"), TUNNEL_LIMIT_MS),
        ];
        // An upstream's keep-alive idle timeout says how long it keeps a
        // connection open *between* requests, not how long a response may take,
        // so it does not size `timeout server` (a 5 s keep-alive upstream may
        // well take 30 s to answer a report).
        for backend in model.http_backends() {
            for (name, key, limit) in timeouts {
                let Some(setting) = key.and_then(|key| model.setting_by_id(backend, key)) else {
                    continue;
                };
                // `timeout <name> <value>`, after a `no` if there is one.
                let Some(value) = model.value(setting.stmt, 2 + usize::from(setting.negated))
                else {
                    continue;
                };
                let Some(ms) = parse_duration_ms(value) else {
                    continue;
                };
                if ms <= limit {
                    continue;
                }
                let site = sites
                    .entry(setting.stmt)
                    .or_insert_with(|| (name.to_string(), ms, Vec::new()));
                site.2.push(backend.name.as_deref().unwrap_or("?"));
            }
        }
        for (stmt, (name, ms, backends)) in sites {
            let current = format_duration_ms(ms);
            let (proposal, reason) = match name.as_str() {
                "server" => (
                    60_000,
                    "haplint knows no response times here, so it proposes a stated \
                     default: 60s covers the slow requests of ordinary web applications; \
                     give the few slower endpoints their own backend with a longer value"
                        .to_string(),
                ),
                _ => (
                    60 * 60 * 1000,
                    "an hour keeps idle WebSockets open while freeing forgotten ones".to_string(),
                ),
            };
            let proposal = format_duration_ms(proposal);
            let message = if name == "tunnel" {
                format!(
                    "`timeout tunnel {current}` keeps forgotten tunnels \
                     (WebSocket, CONNECT) of backend {} open for up to {current}",
                    list_names(backends)
                )
            } else {
                format!(
                    "`timeout server {current}` lets a stalled upstream hold each \
                     request of backend {} for up to {current} before haproxy gives up",
                    list_names(backends)
                )
            };
            out.push(
                Finding::new(Self::ID, model.stmt_span(stmt), message)
                    .note(
                        "the timeout does not cause stalls, it decides how long one lasts: \
                         while a server does not answer, the client connection, its slot in \
                         `maxconn` and the server's slot stay taken, and under load such \
                         requests pile up instead of ending in a 504 the client can retry",
                    )
                    .help(format!("use `timeout {name} {proposal}`: {reason}"))
                    .fix(Fix::unsafe_(
                        format!("use `timeout {name} {proposal}`"),
                        vec![edits::replace_word(model, stmt, 2, &proposal)],
                    )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "long-server-timeout";

    #[test]
    fn hour_long_server_timeout_in_http_mode() {
        let found = findings(
            ID,
            "defaults\n  mode http\n  timeout server 1h\
             \n  timeout tunnel 1h\nbackend b\n  server s 10.0.0.1:80\n",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 3);
        assert!(
            findings(
                ID,
                "defaults\n  timeout server 1h\nbackend b\n  server s 10.0.0.1:80\n"
            )
            .is_empty()
        );
        assert!(
            findings(
                ID,
                "defaults\n  mode http\n  timeout server 30s\nbackend b\n  server s 10.0.0.1:80\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn an_upstream_idle_timeout_does_not_size_the_response_time() {
        // Keep-alive idle time is not response time: 2 minutes toward an ALB
        // (60 s idle) is not flagged, and nothing proposes idle + 5 s.
        assert!(
            findings(
                ID,
                "defaults\n  mode http\n  timeout server 2m\nbackend b\
                 \n  server s x.us-east-1.elb.amazonaws.com:443\n"
            )
            .is_empty()
        );
    }
}

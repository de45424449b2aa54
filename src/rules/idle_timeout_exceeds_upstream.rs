//! Idle server connections kept longer than the upstream keeps them open.

use super::{Context, Rule};
use crate::finding::{Finding, Fix};
use crate::fix::edits;
use crate::text::{format_duration_ms, parse_duration_ms};

#[derive(Default)]
pub struct IdleTimeoutExceedsUpstream;

/// haproxy's `pool-purge-delay` when none is set.
const DEFAULT_PURGE_MS: u64 = 5_000;

impl Rule for IdleTimeoutExceedsUpstream {
    const ID: &'static str = "idle-timeout-exceeds-upstream";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        if !cx.has_upstreams() {
            return;
        }
        for backend in model.proxies().filter(|s| s.kind.has_backend()) {
            for server in model.real_servers(backend) {
                let Some(host) = server.host() else { continue };
                let Some(idle) = cx.upstream(host).and_then(|u| u.idle_timeout_ms) else {
                    continue;
                };
                let purge = model.server_param_value(backend, server, "pool-purge-delay");
                let purge_ms = purge
                    .and_then(|(v, _)| parse_duration_ms(v))
                    .unwrap_or(DEFAULT_PURGE_MS);
                // Each purge interval haproxy closes half of the idle connections
                // beyond those it expects to need; a surplus connection can so stay
                // idle two intervals or more. The ones it expects to need have no
                // age limit at all, which no setting here changes.
                if 2 * purge_ms < idle {
                    continue;
                }
                let proposal = format_duration_ms((idle / 4).max(100));
                let written = match purge {
                    Some((value, param)) => (
                        model.words_span(param.stmt, param.word as usize, param.word as usize + 2),
                        format!("`pool-purge-delay {value}`"),
                    ),
                    None => (
                        model.word_span(server.stmt, server.address_word.map_or(1, |w| w as usize)),
                        format!(
                            "the default `pool-purge-delay` of {}",
                            format_duration_ms(DEFAULT_PURGE_MS)
                        ),
                    ),
                };
                let fix = match purge {
                    Some((_, param)) => {
                        edits::replace_word(model, param.stmt, param.word as usize + 1, &proposal)
                    }
                    None => edits::append_words(
                        model,
                        server.stmt,
                        &format!("pool-purge-delay {proposal}"),
                    ),
                };
                out.push(
                    Finding::new(
                        Self::ID,
                        written.0,
                        format!(
                            "idle connections to {host} may be reused after the upstream closed \
                             them: it drops idle connections after {}, and {} keeps them longer",
                            format_duration_ms(idle),
                            written.1
                        ),
                    )
                    .note(
                        "every purge interval haproxy closes part of the idle connections it \
                         does not expect to need, and keeps the others with no age limit; when \
                         the upstream closes one first, a request reused on it fails with a 502",
                    )
                    .help(format!(
                        "set `pool-purge-delay {proposal}` (a quarter of the upstream's {} \
                         idle timeout, the value `haplint tune` writes) so surplus connections \
                         go sooner; raising the upstream's keep-alive timeout above haproxy's \
                         reuse is the full cure, `retry-on conn-failure empty-response` covers \
                         the idempotent requests that still hit the race",
                        format_duration_ms(idle)
                    ))
                    .fix(Fix::unsafe_(
                        format!("use `pool-purge-delay {proposal}`"),
                        vec![fix],
                    )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::rules::testing::findings_with;

    #[test]
    fn short_idle_upstreams_race_the_default_purge() {
        let config = Config::parse(
            "x",
            "upstreams:\n  node.local: { kind: generic-http, idle-timeout: 5s }\
             \n  alb.local: aws-alb\n",
        )
        .unwrap();
        let options = || crate::Options {
            facts: config.facts().unwrap(),
            ..Default::default()
        };
        let found = findings_with(
            "idle-timeout-exceeds-upstream",
            "backend b\n  server s node.local:3000\n  server t alb.local:443\n",
            options(),
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            findings_with(
                "idle-timeout-exceeds-upstream",
                "backend b\n  server s node.local:3000 pool-purge-delay 1s\n",
                options()
            )
            .is_empty()
        );
    }
}

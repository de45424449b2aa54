//! Timeouts outside the range where they do their job.

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::{Mode, SectionKind};
use crate::text::{format_duration_ms, parse_duration_ms};

#[derive(Default)]
pub struct ImplausibleTimeout;

/// A TCP connection that is not established within a minute will not be.
const CONNECT_MAX_MS: u64 = 60_000;
/// Client and server inactivity timeouts under a second cut ordinary pauses.
const INACTIVITY_MIN_MS: u64 = 1_000;

impl Rule for ImplausibleTimeout {
    const ID: &'static str = "implausible-timeout";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        // Only `timeout` lines, found by their interned key, not by reading every statement.
        let keys = model.key_set_of_keywords(&["timeout"]);
        for section in model
            .sections
            .iter()
            .filter(|s| s.kind.is_proxy() || s.kind == SectionKind::Defaults)
        {
            let http = model.mode(section) == Mode::Http;
            for (stmt, _) in model.statements_in(section, &keys) {
                if model.value(stmt, 0) != Some("timeout") {
                    continue;
                }
                let (Some(name), Some(value)) = (model.value(stmt, 1), model.value(stmt, 2)) else {
                    continue;
                };
                // Bare small numbers are timeout-missing-unit's.
                if value.bytes().all(|b| b.is_ascii_digit())
                    && value.parse::<u64>().is_ok_and(|v| v < 1000)
                {
                    continue;
                }
                let Some(ms) = parse_duration_ms(value) else {
                    continue;
                };
                let finding = match name {
                    "connect" if ms > CONNECT_MAX_MS => Finding::new(
                        Self::ID,
                        model.word_span(stmt, 2),
                        format!(
                            "`timeout connect {value}` waits {} for a TCP connection to a server",
                            format_duration_ms(ms)
                        ),
                    )
                    .note(
                        "a connection that is not established in a few seconds is not \
                         coming (the server is down or the network drops the SYN); \
                         meanwhile each attempt holds a client, and with `retries` \
                         the wait multiplies before haproxy gives up or redispatches",
                    )
                    .help(
                        "use a few seconds (`timeout connect 5s`); \
                         retries and `option redispatch` handle the rest",
                    ),
                    "client" | "server" if http && ms > 0 && ms < INACTIVITY_MIN_MS => {
                        Finding::new(
                            Self::ID,
                            model.word_span(stmt, 2),
                            format!(
                                "`timeout {name} {value}` ends an \
                                 HTTP exchange after {} of silence",
                                format_duration_ms(ms)
                            ),
                        )
                        .note(if name == "server" {
                            "a server that takes longer than this to start answering gets \
                             its request aborted with a 504, including ordinary slow pages"
                        } else {
                            "a client that pauses this long (mobile networks, a slow \
                             upload) is disconnected with a 408 or a cut response"
                        })
                        .help(format!(
                            "use seconds (`timeout {name} 30s` is common); cut \
                             slow attacks with `timeout http-request` instead"
                        ))
                    }
                    _ => continue,
                };
                out.push(finding);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "implausible-timeout";

    #[test]
    fn long_connect_and_tiny_inactivity() {
        assert_eq!(
            findings(ID, "defaults\n  mode http\n  timeout connect 500s\n").len(),
            1
        );
        assert_eq!(
            findings(ID, "defaults\n  mode http\n  timeout server 500ms\n").len(),
            1
        );
        assert!(
            findings(
                ID,
                "defaults\n  mode http\n  timeout connect 5s\n  timeout server 30s\n"
            )
            .is_empty()
        );
        assert!(findings(ID, "defaults\n  mode tcp\n  timeout server 500ms\n").is_empty());
    }
}

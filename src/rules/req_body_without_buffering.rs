//! Request-body fetches without `option http-buffer-request`: they see
//! whatever part of the body happened to arrive.

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::Mode;

#[derive(Default)]
pub struct ReqBodyWithoutBuffering;

/// Fetches of the request body, as written in expressions.
const BODY_FETCHES: &[&str] = &[
    "req.body",
    "req.body_param",
    "req.body_len",
    "req.body_size",
];

/// The position of the first word that uses a request-body fetch.
fn body_fetch_word(words: &[&str]) -> Option<usize> {
    words.iter().position(|w| {
        // Every fetch starts with `req.body`: most words lack it.
        if !w.as_bytes().windows(8).any(|part| part == b"req.body") {
            return false;
        }
        BODY_FETCHES.iter().any(|f| {
            w.match_indices(f).any(|(at, _)| {
                let before = w.get(..at).and_then(|b| b.chars().last());
                let after = w.get(at + f.len()..).and_then(|a| a.chars().next());
                !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
                    && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            })
        })
    })
}

impl Rule for ReqBodyWithoutBuffering {
    const ID: &'static str = "req-body-without-buffering";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let http_request = model.key_id("http-request");
        let mut words: Vec<&str> = Vec::new();
        for proxy in model.proxies().filter(|s| model.mode(s) == Mode::Http) {
            if model.option_enabled(proxy, "http-buffer-request").is_some() {
                continue;
            }
            for (stmt, key) in model.keyed_statements(proxy) {
                // `http-request wait-for-body` waits just as the option does.
                if Some(key) == http_request
                    && model.value(stmt, 0) == Some("http-request")
                    && model.value(stmt, 1) == Some("wait-for-body")
                {
                    break;
                }
                if !model.may_hold_expression(stmt) {
                    continue;
                }
                words.clear();
                words.extend(model.values(stmt));
                let Some(index) = body_fetch_word(&words) else {
                    continue;
                };
                out.push(
                    Finding::new(
                        Self::ID,
                        model.word_span(stmt, index),
                        format!(
                            "{} reads the request body without waiting for it",
                            proxy.display_name()
                        ),
                    )
                    .note(
                        "without `option http-buffer-request` (or `http-request wait-for-body`) \
                        the rules run as soon as the headers are in, so the body fetch sees only \
                        what arrived in the same packets: often nothing, and a client can split \
                        its body to slip past the check",
                    )
                    .help(
                        "add `option http-buffer-request` to this proxy, or `http-request \
                        wait-for-body time 1s` before the rule",
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "req-body-without-buffering";

    #[test]
    fn body_fetches_need_buffering() {
        assert_eq!(
            findings(
                ID,
                "frontend f\n  mode http\n  bind :80\n  http-request deny if { req.body -m \
                sub attack }\n"
            )
            .len(),
            1
        );
        assert!(
            findings(
                ID,
                "frontend f\n  mode http\n  bind :80\n  option http-buffer-request\n  \
                http-request deny if { req.body -m sub attack }\n"
            )
            .is_empty()
        );
        assert!(
            findings(
                ID,
                "frontend f\n  mode http\n  bind :80\n  http-request wait-for-body time 1s\n  \
                http-request deny if { req.body -m sub attack }\n"
            )
            .is_empty()
        );
        assert!(
            findings(
                ID,
                "frontend f\n  mode http\n  bind :80\n  http-request deny if { req.body_lenx \
                -m int 1 }\n"
            )
            .is_empty()
        );
    }
}

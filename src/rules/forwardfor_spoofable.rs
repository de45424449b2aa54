//! Conditions that trust `X-Forwarded-For` while the client can write it.

use super::{Context, Rule};
use crate::finding::Finding;

#[derive(Default)]
pub struct ForwardforSpoofable;

/// Sample fetches that read a request header, as written in expressions.
const HEADER_FETCHES: &[&str] = &[
    "hdr(",
    "req.hdr(",
    "hdr_ip(",
    "req.hdr_ip(",
    "req.fhdr(",
    "hdr_beg(",
    "hdr_sub(",
    "hdr_reg(",
    "hdr_end(",
    "hdr_dom(",
];

/// Whether `word` reads the X-Forwarded-For header in a way a client
/// controls: in a match (ACL) every occurrence is tried unless one is named,
/// and positive occurrences count from the first, which the client sent.
/// A negative occurrence (`-1`: the last) is what the nearest hop appended.
fn reads_client_xff(word: &str) -> bool {
    // Every needle ends in the header name: most words lack it.
    let name = b"x-forwarded-for";
    if !word
        .as_bytes()
        .windows(name.len())
        .any(|w| w.eq_ignore_ascii_case(name))
    {
        return false;
    }
    let lower = word.to_ascii_lowercase();
    HEADER_FETCHES.iter().any(|f| {
        let needle = format!("{f}x-forwarded-for");
        let Some(at) = lower.find(&needle) else {
            return false;
        };
        let rest = lower.get(at + needle.len()..).unwrap_or("");
        match rest.strip_prefix(',') {
            Some(occurrence) => !occurrence.trim_start().starts_with('-'),
            None => true,
        }
    })
}

impl Rule for ForwardforSpoofable {
    const ID: &'static str = "forwardfor-spoofable";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let http_request = model.key_id("http-request");
        let mut words: Vec<&str> = Vec::new();
        for frontend in model.proxies().filter(|s| s.kind.has_frontend()) {
            // Behind a proxy that speaks the PROXY protocol the header's origin is known.
            if frontend
                .binds
                .iter()
                .any(|b| b.param("accept-proxy").is_some())
            {
                continue;
            }
            for (stmt, key) in model.keyed_statements(frontend) {
                // Past a cleanup the header is the proxy's own: nothing more to say here.
                if Some(key) == http_request
                    && model.value(stmt, 0) == Some("http-request")
                    && matches!(model.value(stmt, 1), Some("del-header" | "set-header"))
                    && model
                        .value(stmt, 2)
                        .is_some_and(|h| h.eq_ignore_ascii_case("x-forwarded-for"))
                {
                    break;
                }
                if !model.may_hold_expression(stmt) {
                    continue;
                }
                words.clear();
                words.extend(model.values(stmt));
                // Only decisions: ACL definitions and rule conditions.
                let condition = if words.first() == Some(&"acl") {
                    2
                } else {
                    match words.iter().position(|w| *w == "if" || *w == "unless") {
                        Some(at) => at + 1,
                        None => continue,
                    }
                };
                // `-m found` only asks whether the header is there.
                if words.windows(2).any(|pair| pair == ["-m", "found"]) {
                    continue;
                }
                let Some(index) = words
                    .iter()
                    .enumerate()
                    .skip(condition)
                    .find(|(_, w)| reads_client_xff(w))
                    .map(|(i, _)| i)
                else {
                    continue;
                };
                out.push(
                    Finding::new(
                        Self::ID,
                        model.word_span(stmt, index),
                        format!(
                            "{} decides on `X-Forwarded-For`, which the client writes",
                            frontend.display_name()
                        ),
                    )
                    .note(
                        "nothing removes the header a client sends, so any client can claim any \
                        address in it; allow-lists, rate limits and deny rules keyed on it are \
                        bypassed by setting it (`option forwardfor` only appends the real \
                        address later)",
                    )
                    .help(
                        "decide on `src` (with `accept-proxy` or the load balancer's PROXY \
                        protocol if one is in front), or delete the header first with \
                        `http-request del-header X-Forwarded-For` unless it comes from a trusted \
                        hop (`if { src <lb-addresses> }`)",
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "forwardfor-spoofable";

    #[test]
    fn trusted_header_without_cleanup() {
        assert_eq!(
            findings(
                ID,
                "frontend f\n  mode http\n  bind :80\n  acl office req.hdr_ip(X-Forwarded-For) \
                10.0.0.0/8\n  http-request deny unless office\n"
            )
            .len(),
            1
        );
        assert!(
            findings(
                ID,
                "frontend f\n  mode http\n  bind :80\n  http-request del-header X-Forwarded-For\n  \
                acl office req.hdr_ip(X-Forwarded-For) 10.0.0.0/8\n"
            )
            .is_empty()
        );
        assert!(
            findings(
                ID,
                "frontend f\n  mode http\n  bind :80 accept-proxy\n  \
                acl office req.hdr_ip(X-Forwarded-For) 10.0.0.0/8\n"
            )
            .is_empty()
        );
        assert!(
            findings(
                ID,
                "frontend f\n  mode http\n  bind :80\n  acl office src 10.0.0.0/8\n"
            )
            .is_empty()
        );
        // the last occurrence is what the nearest hop appended
        assert!(
            findings(
                ID,
                "frontend f\n  mode http\n  bind :80\n  acl office req.hdr_ip(X-Forwarded-For,-1) \
                10.0.0.0/8\n"
            )
            .is_empty()
        );
        assert_eq!(
            findings(
                ID,
                "frontend f\n  mode http\n  bind :80\n  http-request deny if { \
                hdr(x-forwarded-for,1) -m ip 1.2.3.4 }\n"
            )
            .len(),
            1
        );
        // presence only
        assert!(
            findings(
                ID,
                "frontend f\n  mode http\n  bind :80\n  acl has_xff \
                req.hdr(X-Forwarded-For) -m found\n"
            )
            .is_empty()
        );
        // a tracking key, not a decision
        assert!(
            findings(
                ID,
                "frontend f\n  mode http\n  bind :80\n  http-request track-sc0 \
                req.hdr_ip(X-Forwarded-For)\n"
            )
            .is_empty()
        );
    }
}

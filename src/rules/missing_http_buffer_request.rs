//! Request bodies streamed at the client's pace into an upstream that buffers them.

use super::{Context, Rule};
use crate::finding::{Finding, Fix};
use crate::fix::edits;
use crate::model::{Mode, Section};

#[derive(Default)]
pub struct MissingHttpBufferRequest;

impl MissingHttpBufferRequest {
    /// `option http-buffer-request` or `http-request wait-for-body` in the
    /// backend or in a frontend that routes to it.
    fn buffered(cx: &Context<'_>, backend: &Section) -> bool {
        let model = cx.model;
        let mut sections = vec![backend];
        sections.extend(
            model
                .frontends_using(backend.id)
                .iter()
                .map(|&id| model.section(id)),
        );
        sections.iter().any(|s| {
            model.option_enabled(s, "http-buffer-request").is_some()
                || s.statements.iter().any(|&stmt| {
                    model.value(stmt, 0) == Some("http-request")
                        && model.value(stmt, 1) == Some("wait-for-body")
                })
        })
    }
}

impl Rule for MissingHttpBufferRequest {
    const ID: &'static str = "missing-http-buffer-request";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        if !cx.has_upstreams() {
            return;
        }
        for backend in model.proxies().filter(|s| s.kind.has_backend()) {
            if model.mode(backend) != Mode::Http {
                continue;
            }
            let buffering = model.real_servers(backend).find_map(|s| {
                let host = s.host()?;
                let upstream = cx.upstream(host)?;
                (upstream.buffers_requests == Some(true)).then(|| {
                    (
                        host.to_string(),
                        upstream.kind.unwrap_or_else(|| "upstream".to_string()),
                    )
                })
            });
            let Some((host, kind)) = buffering else {
                continue;
            };
            if Self::buffered(cx, backend) {
                continue;
            }
            let name = backend.name.as_deref().unwrap_or("?");
            // With buffering, `timeout http-request` also bounds the body: a body
            // slower than it becomes a 408 (tests/proofs.rs shows it on every oracle).
            let request_timeout = match model.setting_value(backend, "timeout http-request") {
                Some((v, _)) => format!(
                    "`timeout http-request {v}` then also bounds the body: a client \
                     whose body takes longer than {v} gets a 408 instead of a slow \
                     request, so raise it above the body delays you expect first"
                ),
                None => "`timeout http-request` (unset here, so `timeout client`) \
                         then also bounds the body: a body slower than it gets a 408"
                    .to_string(),
            };
            let indent = edits::body_indent(model, backend);
            out.push(
                Finding::new(
                    Self::ID,
                    model.stmt_span(backend.header),
                    format!(
                        "backend {name} streams request bodies \
                         to {host} ({kind}) at the client's pace"
                    ),
                )
                .note(
                    "haproxy connects and forwards the headers as soon as they arrive, then \
                     the body trickles in; the upstream waits for the whole body before it \
                     acts, holding a connection, and a slow mobile upload shows up as \
                     upstream slowness (a long Tr with a tiny processing time upstream)",
                )
                .help(format!(
                    "add `option http-buffer-request` to backend {name} so haproxy collects \
                     the body (up to one buffer) before connecting; {request_timeout}"
                ))
                .fix(Fix::unsafe_(
                    "add `option http-buffer-request`",
                    vec![edits::insert_statement_after(
                        model,
                        backend.header,
                        &indent,
                        "option http-buffer-request",
                    )],
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{findings, first_help};

    const ID: &str = "missing-http-buffer-request";

    #[test]
    fn the_help_names_the_408_the_request_timeout_would_give() {
        let config = "defaults\n  mode http\n  timeout http-request 5s\nbackend b\
                      \n  server s x-1.us-east-1.elb.amazonaws.com:443 ssl\n";
        let help = first_help(ID, config);
        assert!(help.contains("takes longer than 5s gets a 408"), "{help}");
    }

    #[test]
    fn buffering_upstreams_only() {
        let alb = "defaults\n  mode http\nbackend b\
                   \n  server s x-1.us-east-1.elb.amazonaws.com:443 ssl\n";
        assert_eq!(findings(ID, alb).len(), 1);
        assert!(
            findings(
                ID,
                "defaults\n  mode http\nbackend b\n  server s 10.0.0.1:80\n"
            )
            .is_empty()
        );
        assert!(
            findings(
                ID,
                "defaults\n  mode http\n  option http-buffer-request\nbackend b\
                 \n  server s x-1.us-east-1.elb.amazonaws.com:443 ssl\n"
            )
            .is_empty()
        );
    }
}

//! A redirect to HTTPS on a listener that is already HTTPS: a redirect loop.

use super::{Context, Rule};
use crate::finding::Finding;

#[derive(Default)]
pub struct HttpsRedirectLoop;

/// The words of a statement that redirect to the https scheme:
/// `redirect scheme https …` or `http-request redirect scheme https …`.
fn redirect_condition<'a>(words: &'a [&'a str]) -> Option<&'a [&'a str]> {
    let rest = match words {
        ["redirect", "scheme", scheme, rest @ ..] if scheme.eq_ignore_ascii_case("https") => rest,
        ["http-request", "redirect", "scheme", scheme, rest @ ..]
            if scheme.eq_ignore_ascii_case("https") =>
        {
            rest
        }
        _ => return None,
    };
    let at = rest.iter().position(|w| *w == "if" || *w == "unless");
    Some(at.map_or(&[][..], |i| rest.get(i..).unwrap_or(&[])))
}

impl Rule for HttpsRedirectLoop {
    const ID: &'static str = "https-redirect-loop";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for frontend in model.proxies().filter(|s| s.kind.has_frontend()) {
            if frontend.binds.is_empty() || !frontend.binds.iter().all(|b| b.is_tls()) {
                continue;
            }
            // Behind a TLS-terminating hop the request may have been plain HTTP before it; such
            // configurations look at a header, which makes the condition non-empty.
            for &stmt in &frontend.statements {
                let words: Vec<&str> = model.values(stmt).collect();
                let Some(condition) = redirect_condition(&words) else {
                    continue;
                };
                if !condition.is_empty() {
                    continue;
                }
                out.push(
                    Finding::new(
                        Self::ID,
                        model.stmt_span(stmt),
                        format!(
                            "every listener of {} is already TLS, and this \
                             redirects every request to https:// without a condition",
                            frontend.display_name()
                        ),
                    )
                    .note(
                        "the browser follows the redirect to the same HTTPS address and gets \
                         the same redirect again, until it gives up with \"too many redirects\"",
                    )
                    .help(
                        "redirect only plain-HTTP requests: add `unless { ssl_fc \
                         }` (or move the redirect to the port-80 listener)",
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "https-redirect-loop";

    #[test]
    fn unconditional_https_redirect_on_tls_only_frontend() {
        assert_eq!(
            findings(
                ID,
                "frontend f\n  mode http\n  bind :443 ssl crt /s.pem\
                 \n  http-request redirect scheme https\n"
            )
            .len(),
            1
        );
        assert!(
            findings(
                ID,
                "frontend f\n  mode http\n  bind :443 ssl crt /s.pem\
                 \n  http-request redirect scheme https unless { ssl_fc }\n"
            )
            .is_empty()
        );
        assert!(
            findings(
                ID,
                "frontend f\n  mode http\n  bind :80\n  bind :443 ssl crt /s.pem\
                 \n  redirect scheme https code 301\n"
            )
            .is_empty()
        );
    }
}

//! `retries 0` with `option redispatch`: the redispatch can never happen.

use super::{Context, Rule};
use crate::finding::Finding;

#[derive(Default)]
pub struct RetriesZeroWithRedispatch;

impl Rule for RetriesZeroWithRedispatch {
    const ID: &'static str = "retries-zero-with-redispatch";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let mut reported = std::collections::BTreeSet::new();
        for backend in model.proxies().filter(|s| s.kind.has_backend()) {
            let Some(redispatch) = model.option_enabled(backend, "redispatch") else {
                continue;
            };
            if model.value(redispatch.stmt, 2) == Some("0") {
                continue;
            }
            let Some((retries, setting)) = model.setting_value(backend, "retries") else {
                continue;
            };
            if retries != "0" {
                continue;
            }
            // A defaults section shared by many backends is reported once.
            if !reported.insert((setting.stmt, redispatch.stmt)) {
                continue;
            }
            out.push(
                Finding::new(
                    Self::ID,
                    model.stmt_span(setting.stmt),
                    format!(
                        "`retries 0` in {} leaves `option redispatch` nothing to do",
                        backend.display_name()
                    ),
                )
                .label(
                    model.stmt_span(redispatch.stmt),
                    "redispatch happens on a retry",
                )
                .note(
                    "haproxy moves a failed connection to another server only when it retries; \
                    with no retries a connection failure goes straight to the client as a 503, \
                    whatever `option redispatch` says",
                )
                .help(
                    "allow a retry (`retries 1` or the default 3) so a dead or restarting server \
                    costs one attempt, not an error",
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "retries-zero-with-redispatch";

    #[test]
    fn zero_retries_with_redispatch() {
        assert_eq!(
            findings(
                ID,
                "backend b\n  retries 0\n  option redispatch\n  server s 10.0.0.1:80\n"
            )
            .len(),
            1
        );
        assert!(
            findings(
                ID,
                "backend b\n  retries 3\n  option redispatch\n  server s 10.0.0.1:80\n"
            )
            .is_empty()
        );
        assert!(findings(ID, "backend b\n  retries 0\n  server s 10.0.0.1:80\n").is_empty());
    }
}

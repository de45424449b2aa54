//! One certificate served on listeners that verify clients differently.

use super::{Context, Rule};
use crate::finding::Finding;
use std::collections::BTreeMap;

#[derive(Default)]
pub struct CrtSharedVerifyMismatch;

impl Rule for CrtSharedVerifyMismatch {
    const ID: &'static str = "crt-shared-verify-mismatch";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        // crt path -> (verify setting, bind statement, proxy name) per TLS listener
        let mut by_crt: BTreeMap<String, Vec<(String, crate::model::Stmt, String)>> =
            BTreeMap::new();
        for proxy in model.proxies().filter(|s| s.kind.has_frontend()) {
            for bind in proxy.binds.iter().filter(|b| b.is_tls()) {
                // The bind's own parameter list says where each value is.
                let value_of = |name: &str| {
                    bind.param(name)
                        .and_then(|p| model.value(bind.stmt, p.word as usize + 1))
                        .map(str::to_string)
                };
                let Some(crt) = value_of("crt") else { continue };
                let verify = value_of("verify").unwrap_or_else(|| "none".to_string());
                by_crt
                    .entry(crt)
                    .or_default()
                    .push((verify, bind.stmt, proxy.display_name()));
            }
        }
        for (crt, listeners) in by_crt {
            let Some((first_verify, first_stmt, first_proxy)) = listeners.first() else {
                continue;
            };
            for (verify, stmt, proxy) in listeners.iter().skip(1) {
                if verify == first_verify {
                    continue;
                }
                out.push(
                    Finding::new(
                        Self::ID,
                        model.stmt_span(*stmt),
                        format!(
                            "certificate `{crt}` is served with `verify {verify}` \
                             here and `verify {first_verify}` in {first_proxy}"
                        ),
                    )
                    .label(
                        model.stmt_span(*first_stmt),
                        format!("`verify {first_verify}` in {first_proxy}"),
                    )
                    .note(format!(
                        "a client that is refused on the listener requiring client \
                         certificates can reach the same name on the other one \
                         ({proxy} side); TLS sessions may also be resumed across them"
                    ))
                    .help(
                        "give the mutual-TLS service its own certificate (or name), \
                         or apply the same `verify` to every listener serving it",
                    ),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "crt-shared-verify-mismatch";

    #[test]
    fn same_crt_different_verify() {
        assert_eq!(
            findings(
                ID,
                "frontend a\n  bind :443 ssl crt /s.pem verify required ca-file /ca.pem\
                 \nfrontend b\n  bind :8443 ssl crt /s.pem\n"
            )
            .len(),
            1
        );
        assert!(
            findings(
                ID,
                "frontend a\n  bind :443 ssl crt /s.pem\nfrontend b\n  bind :8443 ssl crt /s.pem\n"
            )
            .is_empty()
        );
    }
}

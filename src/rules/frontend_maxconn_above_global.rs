//! A frontend `maxconn` the process-wide `maxconn` can never let it reach.

use super::{Context, Rule};
use crate::finding::{Finding, Fix};
use crate::fix::edits;

#[derive(Default)]
pub struct FrontendMaxconnAboveGlobal;

impl Rule for FrontendMaxconnAboveGlobal {
    const ID: &'static str = "frontend-maxconn-above-global";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let Some((global_stmt, global)) = model.global_maxconn() else {
            return;
        };
        let mut seen = std::collections::BTreeSet::new();
        for frontend in model.proxies().filter(|s| s.kind.has_frontend()) {
            let Some((value, setting)) = model.setting_value(frontend, "maxconn") else {
                continue;
            };
            let Ok(limit) = value.parse::<u64>() else {
                continue;
            };
            if limit <= global || !seen.insert(setting.stmt) {
                continue;
            }
            out.push(
                Finding::new(
                    Self::ID,
                    model.stmt_span(setting.stmt),
                    format!(
                        "`maxconn {limit}` in {} is above the process limit `maxconn {global}`",
                        frontend.display_name()
                    ),
                )
                .label(model.stmt_span(global_stmt), "process-wide limit")
                .note(
                    "the global limit is reached first, so this frontend never gets the \
                     connections its setting promises, and capacity planning based on it is wrong",
                )
                .help(format!(
                    "lower it to at most {global}, or raise the global \
                     `maxconn` (mind memory: each connection needs buffers)"
                ))
                .fix(Fix::unsafe_(
                    format!("use `maxconn {global}`"),
                    vec![edits::replace_word(
                        model,
                        setting.stmt,
                        1,
                        &global.to_string(),
                    )],
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    #[test]
    fn above_global_only() {
        let id = "frontend-maxconn-above-global";
        assert_eq!(
            findings(
                id,
                "global\n  maxconn 1000\nfrontend f\n  bind :80\n  maxconn 5000\n"
            )
            .len(),
            1
        );
        assert!(
            findings(
                id,
                "global\n  maxconn 10000\nfrontend f\n  bind :80\n  maxconn 5000\n"
            )
            .is_empty()
        );
        assert!(findings(id, "frontend f\n  bind :80\n  maxconn 5000\n").is_empty());
    }
}

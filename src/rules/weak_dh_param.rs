//! Diffie-Hellman parameters below 2048 bits.

use super::{Context, Rule};
use crate::finding::{Finding, Fix};
use crate::fix::edits;
use crate::model::SectionKind;

#[derive(Default)]
pub struct WeakDhParam;

impl Rule for WeakDhParam {
    const ID: &'static str = "weak-dh-param";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for global in model.sections_of(SectionKind::Global) {
            for &stmt in &global.statements {
                if model.value(stmt, 0) != Some("tune.ssl.default-dh-param") {
                    continue;
                }
                let Some(bits) = model.value(stmt, 1).and_then(|v| v.parse::<u32>().ok()) else {
                    continue;
                };
                if bits >= 2048 {
                    continue;
                }
                let message = format!(
                    "`tune.ssl.default-dh-param {bits}` allows {bits}-bit Diffie-Hellman groups"
                );
                let fix = edits::replace_word(model, stmt, 1, "2048");
                out.push(
                    Finding::new(Self::ID, model.word_span(stmt, 1), message)
                        .note(
                            "DHE key exchanges with groups under 2048 bits are within reach of \
                             well-funded attackers (Logjam) and are refused by current browsers \
                             and scanners; with OpenSSL 3 haproxy cannot load such a group at \
                             all, warns at startup and offers no DHE suite",
                        )
                        .help("use 2048 (or rely on ECDHE ciphers and remove the setting)")
                        .fix(Fix::unsafe_("use 2048 bits", vec![fix])),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "weak-dh-param";

    #[test]
    fn below_2048() {
        assert_eq!(
            findings(ID, "global\n  tune.ssl.default-dh-param 1024\n").len(),
            1
        );
        assert!(findings(ID, "global\n  tune.ssl.default-dh-param 2048\n").is_empty());
    }
}

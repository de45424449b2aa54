//! A `ring` section's `size` that haproxy 2.6 reads below its 16384-byte
//! minimum: 2.6 reads only the leading digits (`1M` is 1), warns that it
//! ignores the size, and refuses the configuration.

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::SectionKind;
use crate::syntax::Activity;
use crate::version::Version;

#[derive(Default)]
pub struct RingSize;

/// The smallest ring haproxy 2.6 keeps (its default size).
const MINIMUM: u64 = 16384;

impl Rule for RingSize {
    const ID: &'static str = "ring-size";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        // Checked on 2.6 (and 3.0, which reads units); the releases between were not.
        if cx.target >= Version::new(2, 7) {
            return;
        }
        let model = cx.model;
        for section in model.sections_of(SectionKind::Ring) {
            for stmt in model.statements_with(section, "size") {
                let Some(value) = model.value(stmt, 1) else {
                    continue;
                };
                if cx.activity(stmt) != Activity::Active || value.contains('$') {
                    continue;
                }
                let digits: String = value.chars().take_while(char::is_ascii_digit).collect();
                let Ok(read) = digits.parse::<u64>() else {
                    continue;
                };
                if read >= MINIMUM {
                    continue;
                }
                let unit = digits.len() < value.len();
                out.push(
                    Finding::new(
                        Self::ID,
                        model.word_span(stmt, 1),
                        format!(
                            "ring size `{value}` is read as {read} {} by haproxy {}, below its \
                            minimum of {MINIMUM}",
                            if read == 1 { "byte" } else { "bytes" },
                            cx.target
                        ),
                    )
                    .note(if unit {
                        "haproxy 2.6 reads only the digits of a ring size (no unit), ignores a \
                        size below 16384 with a warning, and refuses the configuration"
                    } else {
                        "haproxy 2.6 ignores a ring size below 16384 with a warning and refuses \
                        the configuration"
                    })
                    .help("write the size in bytes, at least 16384 (`size 1048576` for 1 MB)"),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Options;
    use crate::rules::testing::findings_with;
    use crate::version::Version;

    #[test]
    fn units_unread_before_3_0() {
        let config = "ring a\n  size 1M\nring b\n  size 32768\nring c\n  size 100\n";
        let at = |major, minor| Options {
            target: Version::new(major, minor),
            ..Default::default()
        };
        let lines: Vec<u32> = findings_with("ring-size", config, at(2, 6))
            .iter()
            .map(|(l, _)| *l)
            .collect();
        assert_eq!(lines, vec![2, 6]);
        assert!(findings_with("ring-size", config, at(3, 0)).is_empty());
    }
}

//! Keywords the target HAProxy version still accepts but has deprecated,
//! with the version that deprecated them and what replaces them.

use super::keyword_lines::{note, noted_lines};
use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::vocabulary::{self, Context as Vocabulary};

#[derive(Default)]
pub struct DeprecatedKeyword;

impl Rule for DeprecatedKeyword {
    const ID: &'static str = "deprecated-keyword";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let target = cx.target;
        for line in noted_lines(cx, note::RETIRED) {
            let retired = vocabulary::retired(line.vocabulary, &line.words);
            // Past its removal it is the other rule's finding.
            if retired.is_some_and(|r| r.removed.is_some_and(|removed| removed <= target)) {
                continue;
            }
            let documented = match line.vocabulary {
                Vocabulary::Global => line.words.first().and_then(|w| vocabulary::global(w)),
                Vocabulary::Proxy => vocabulary::proxy(&line.words),
            };
            let since = retired
                .and_then(|r| r.deprecated)
                .or_else(|| documented.and_then(|k| k.life.deprecated));
            let Some(since) = since.filter(|since| *since <= target) else {
                continue;
            };
            let name = retired.map_or_else(|| documented.map_or("", |k| k.name), |r| r.name);
            if name.is_empty() {
                continue;
            }
            let replacement = retired.map_or(
                "no direct replacement: see the manual of your version",
                |r| r.replacement,
            );
            let span =
                cx.model
                    .words_span(line.stmt, line.first, line.first + name.split(' ').count());
            let removal = retired
                .and_then(|r| r.removed)
                .map(|removed| format!(" and is removed in {removed}"))
                .unwrap_or_default();
            out.push(
                Finding::new(
                    Self::ID,
                    span,
                    format!("`{name}` is deprecated since HAProxy {since}{removal}"),
                )
                .note(
                    "a deprecated keyword warns at every start and stops \
                     the configuration from loading once it is removed",
                )
                .help(format!("use {replacement} instead")),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings_with;
    use crate::version::Version;

    #[test]
    fn deprecations_depend_on_the_target() {
        let config = "backend b\n  dispatch 10.0.0.1:80\n  option accept-invalid-http-response\n";
        let on = |major, minor| {
            findings_with(
                "deprecated-keyword",
                config,
                crate::Options {
                    target: Version::new(major, minor),
                    ..Default::default()
                },
            )
        };
        assert!(on(2, 6).is_empty());
        let on_31 = on(3, 1);
        assert_eq!(on_31.len(), 1, "{on_31:?}");
        assert!(
            on_31[0]
                .1
                .contains("option accept-invalid-http-response` is deprecated since HAProxy 3.1")
        );
    }
}

//! Property tests: the parser accepts every input, loses no byte, and the
//! whole check never panics.

// Test helpers may unwrap: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use haplint::source::SourceSet;
use haplint::syntax;
use proptest::prelude::*;

/// Fragments that exercise quoting, escapes, comments, directives and line ends.
fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(" ".to_string()),
        Just("\t".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just("\r".to_string()),
        Just("#".to_string()),
        Just("\"".to_string()),
        Just("'".to_string()),
        Just("\\".to_string()),
        Just("\\x4".to_string()),
        Just("$".to_string()),
        Just("${".to_string()),
        Just("}".to_string()),
        Just("[*]".to_string()),
        Just(".if".to_string()),
        Just(".endif".to_string()),
        Just("global".to_string()),
        Just("backend".to_string()),
        Just("server".to_string()),
        Just("option".to_string()),
        Just("é".to_string()),
        Just("\u{0}".to_string()),
        "[a-z0-9:._-]{1,8}",
        any::<char>().prop_map(|c| c.to_string()),
    ]
}

fn config_text() -> impl Strategy<Value = String> {
    prop::collection::vec(fragment(), 0..60).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 2000,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x6861_706c),
        ..ProptestConfig::default()
    })]

    #[test]
    fn parse_is_total_and_lossless(text in config_text()) {
        let mut sources = SourceSet::new();
        let id = sources.add("p.cfg", None, text.as_str());
        let tree = syntax::parse(sources.get(id).unwrap());
        prop_assert_eq!(tree.reprint(), text.clone());
        for finding in &tree.findings {
            prop_assert!(!finding.message.starts_with("internal error"), "{}", finding.message);
        }
        let mut at = 0;
        for line in &tree.lines {
            prop_assert_eq!(line.start, at);
            at = line.end;
        }
        prop_assert_eq!(at as usize, text.len());
    }

    #[test]
    fn check_never_panics(text in config_text()) {
        let mut sources = SourceSet::new();
        sources.add("p.cfg", None, text.as_str());
        let report = haplint::check(sources, &haplint::Options::default());
        let _ = haplint::report::json::render(&report);
    }

    #[test]
    fn arbitrary_unicode_never_breaks_the_parser(text in "\\PC{0,200}") {
        let mut sources = SourceSet::new();
        let id = sources.add("p.cfg", None, text.as_str());
        let tree = syntax::parse(sources.get(id).unwrap());
        prop_assert_eq!(tree.reprint(), text);
    }
}

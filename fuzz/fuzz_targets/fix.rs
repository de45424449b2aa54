//! Fixes: converge, add no syntax error, and a second run changes nothing.
#![no_main]

use haplint::finding::Severity;
use haplint::source::SourceSet;
use libfuzzer_sys::fuzz_target;

fn syntax_errors(text: &str) -> usize {
    let mut sources = SourceSet::new();
    sources.add("fuzz.cfg", None, text);
    haplint::check(sources, &haplint::Options::default())
        .active()
        .filter(|f| f.finding.rule == "syntax" && f.severity == Severity::Error)
        .count()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let options = haplint::Options::default();
    let fixed = haplint::fix_text("fuzz.cfg", text, &options, true);
    assert!(fixed.converged);
    assert!(syntax_errors(&fixed.text) <= syntax_errors(text));
    let again = haplint::fix_text("fuzz.cfg", &fixed.text, &options, true);
    assert_eq!(again.applied, 0);
});

//! The whole check with every rule, and both reports: never panic.
#![no_main]

use haplint::source::SourceSet;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut sources = SourceSet::new();
    sources.add("fuzz.cfg", None, text);
    let report = haplint::check(sources, &haplint::Options::default());
    let _ = haplint::report::json::render(&report);
    let _ = haplint::report::human::render(&report, haplint::report::human::Style::default());
});

//! Shapes that make naive linters quadratic must still complete: one
//! frontend with 100,000 `use_backend` rules and ACLs. (Speed itself is
//! measured by `bench/run`, not asserted here.)

// Test helpers may unwrap: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use haplint::source::SourceSet;
use std::fmt::Write;

#[test]
fn one_frontend_with_100k_use_backend_rules_completes() {
    let mut text = String::from(
        "defaults\n    mode http\n    timeout connect 5s\n    \
            timeout client 30s\n    timeout server 30s\nfrontend www\
            \n    bind :80\n",
    );
    for i in 0..100_000 {
        writeln!(text, "    acl path_{i} path_beg /p{i}/").unwrap();
        writeln!(text, "    use_backend be_{} if path_{i}", i % 100).unwrap();
    }
    for b in 0..100 {
        writeln!(
            text,
            "backend be_{b}\n    server s1 10.0.0.{}:8080 check",
            b + 1
        )
        .unwrap();
    }
    let mut sources = SourceSet::new();
    sources.add("patho.cfg", None, text);
    let report = haplint::check(sources, &haplint::Options::default());
    assert_eq!(report.model.references.len(), 200_000);
    assert!(report.model.references.iter().all(|r| r.target.is_some()));
    assert_eq!(
        report
            .model
            .backends_used_by(report.model.sections[1].id)
            .len(),
        100
    );
}

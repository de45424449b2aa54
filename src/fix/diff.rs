//! Unified diffs of what a fix changes.

use similar::TextDiff;

/// A unified diff between two versions of one file, with 2 lines of context.
pub fn unified(name: &str, before: &str, after: &str) -> String {
    let name = name.trim_start_matches('/');
    TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(2)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

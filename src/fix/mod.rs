//! Applying fixes: byte edits on the original text, never a reprint.
//!
//! Fixes are applied in position order; a fix whose edits overlap (or touch)
//! an edit already taken waits for the next pass, after re-parsing and
//! re-linting. Everything outside an edit stays byte for byte as it was.

pub mod diff;
pub mod edits;
pub mod verify;
pub mod write;

use crate::finding::{Applicability, Edit, Fix};
use crate::source::FileId;

/// What one pass over one file did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    pub text: String,
    /// Fixes applied in this pass.
    pub applied: usize,
    /// Fixes left for a later pass because they overlapped an applied one.
    pub deferred: usize,
}

/// Which fixes to apply.
pub fn allowed(fix: &Fix, include_unsafe: bool) -> bool {
    fix.applicability == Applicability::Safe || include_unsafe
}

fn overlaps(a: &Edit, b: &Edit) -> bool {
    // Touching counts: two insertions at one offset, or an insertion at the edge of a
    // replacement, have no defined order.
    a.span.start <= b.span.end && b.span.start <= a.span.end
}

/// Apply to `text` (file `file`) every fix whose edits all lie in this file
/// and do not overlap an edit already taken.
pub fn apply(text: &str, file: FileId, fixes: &[&Fix]) -> Applied {
    let local: Vec<&Fix> = fixes
        .iter()
        .copied()
        .filter(|fix| fix.edits.iter().all(|e| e.span.file == file))
        .collect();
    let texts = std::collections::BTreeMap::from([(file, text.to_string())]);
    let mut pass = apply_all(&texts, &local);
    Applied {
        text: pass
            .changed
            .remove(&file)
            .unwrap_or_else(|| text.to_string()),
        applied: pass.applied.len(),
        deferred: pass.deferred,
    }
}

/// Apply fixes across several files at once: a fix is taken only if none of
/// its edits, in any file, overlaps an edit already taken. Returns the new
/// text of every file that changed, and the counts.
pub fn apply_all(texts: &std::collections::BTreeMap<FileId, String>, fixes: &[&Fix]) -> AppliedAll {
    // A fix whose every edit would write back what is already there makes no
    // progress: applying it would only loop.
    let changes = |fix: &Fix| {
        fix.edits.iter().any(|e| {
            texts
                .get(&e.span.file)
                .and_then(|text| text.get(e.span.start as usize..e.span.end as usize))
                != Some(e.replacement.as_str())
        })
    };
    let mut ordered: Vec<(usize, &Fix)> = fixes
        .iter()
        .copied()
        .enumerate()
        .filter(|(_, fix)| !fix.edits.is_empty() && changes(fix))
        .collect();
    ordered.sort_by_key(|(_, fix)| {
        fix.edits
            .iter()
            .map(|e| (e.span.file, e.span.start, e.span.end))
            .min()
    });
    let mut taken: Vec<&Edit> = Vec::new();
    let mut applied = Vec::new();
    let mut deferred = 0;
    for (index, fix) in ordered {
        let in_bounds = fix.edits.iter().all(|e| {
            texts.get(&e.span.file).is_some_and(|text| {
                e.span.start <= e.span.end
                    && (e.span.end as usize) <= text.len()
                    && text.is_char_boundary(e.span.start as usize)
                    && text.is_char_boundary(e.span.end as usize)
            })
        });
        let clash = fix.edits.iter().enumerate().any(|(i, e)| {
            taken
                .iter()
                .any(|t| t.span.file == e.span.file && overlaps(e, t))
                || fix
                    .edits
                    .iter()
                    .skip(i + 1)
                    .any(|o| o.span.file == e.span.file && overlaps(e, o))
        });
        if !in_bounds || clash {
            deferred += 1;
            continue;
        }
        taken.extend(fix.edits.iter());
        applied.push(index);
    }
    applied.sort_unstable();
    let mut changed = std::collections::BTreeMap::new();
    for (file, text) in texts {
        let mut edits: Vec<&Edit> = taken
            .iter()
            .copied()
            .filter(|e| e.span.file == *file)
            .collect();
        if edits.is_empty() {
            continue;
        }
        edits.sort_by_key(|e| (e.span.start, e.span.end));
        changed.insert(*file, splice(text, &edits));
    }
    AppliedAll {
        changed,
        applied,
        deferred,
    }
}

/// What one pass over several files did.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AppliedAll {
    /// New text of every file that changed.
    pub changed: std::collections::BTreeMap<FileId, String>,
    /// Indices (into the fixes given) of the fixes applied.
    pub applied: Vec<usize>,
    /// Fixes left for a later pass because they overlapped an applied one.
    pub deferred: usize,
}

fn splice(text: &str, edits: &[&Edit]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0usize;
    for edit in edits {
        out.push_str(text.get(at..edit.span.start as usize).unwrap_or(""));
        out.push_str(&edit.replacement);
        at = edit.span.end as usize;
    }
    out.push_str(text.get(at..).unwrap_or(""));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Span;

    fn edit(start: u32, end: u32, text: &str) -> Edit {
        Edit {
            span: Span::new(FileId(0), start, end),
            replacement: text.to_string(),
        }
    }

    #[test]
    fn applies_in_order_and_defers_overlaps() {
        let text = "0123456789";
        let a = Fix::safe("a", vec![edit(1, 3, "AB")]);
        let b = Fix::safe("b", vec![edit(2, 4, "X")]);
        let c = Fix::safe("c", vec![edit(6, 6, "+"), edit(8, 9, "")]);
        let result = apply(text, FileId(0), &[&b, &c, &a]);
        assert_eq!(result.text, "0AB345+679");
        assert_eq!(result.applied, 2);
        assert_eq!(result.deferred, 1);
    }

    #[test]
    fn edits_that_change_nothing_are_not_applied() {
        let fix = Fix::safe("same", vec![edit(0, 3, "abc")]);
        let result = apply("abcdef", FileId(0), &[&fix]);
        assert_eq!(result.applied, 0);
        assert_eq!(result.text, "abcdef");
    }

    #[test]
    fn out_of_bounds_edits_are_never_applied() {
        let fix = Fix::safe("x", vec![edit(5, 50, "")]);
        let result = apply("short", FileId(0), &[&fix]);
        assert_eq!(result.text, "short");
        assert_eq!(result.deferred, 1);
    }
}

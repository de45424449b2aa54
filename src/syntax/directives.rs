//! Conditional blocks and report directives (configuration.txt §2.4):
//! `.if/.elif/.else/.endif` must nest properly and `.diag/.notice/.warning/.alert`
//! take one message. haproxy checks these while reading, before any keyword.

use super::{SYNTAX, SyntaxTree};
use crate::finding::Finding;
use crate::source::Span;

/// haproxy's limit on nested `.if` levels (MAXNESTEDCONDS).
const MAX_NESTED_CONDITIONS: usize = 100;

/// A predicate usable in `.if`/`.elif` conditions.
pub const PREDICATES: &[&str] = &[
    "defined",
    "feature",
    "streq",
    "strneq",
    "strstr",
    "version_atleast",
    "version_before",
    "openssl_version_atleast",
    "openssl_version_before",
    "ssllib_name_startswith",
    "awslc_api_atleast",
    "awslc_api_before",
    "enabled",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    If,
    Else,
}

pub(super) fn check(tree: &mut SyntaxTree) {
    let mut open: Vec<(Span, Part)> = Vec::new();
    let mut findings = Vec::new();
    for line in &tree.lines {
        let words = tree.words(line);
        let Some(first) = words.first() else { continue };
        let directive = tree.value(first);
        if !directive.starts_with('.') || first.is_quoted() {
            continue;
        }
        let span = tree.word_span(first);
        let extra = words.get(1).map(|w| tree.word_span(w));
        match directive {
            ".if" => {
                if open.len() + 1 == MAX_NESTED_CONDITIONS {
                    findings.push(Finding::new(
                        SYNTAX,
                        span,
                        format!(
                            "too many nested `.if` blocks: haproxy accepts at most {}",
                            MAX_NESTED_CONDITIONS - 1
                        ),
                    ));
                }
                check_condition(tree, words, span, &mut findings);
                open.push((span, Part::If));
            }
            ".elif" => {
                match open.last() {
                    None => findings.push(lone(span, ".elif")),
                    Some((_, Part::Else)) => findings.push(
                        Finding::new(SYNTAX, span, "`.elif` after `.else` is not permitted")
                            .help("move this branch before `.else`"),
                    ),
                    Some(_) => {}
                }
                check_condition(tree, words, span, &mut findings);
            }
            ".else" | ".endif" => {
                if let Some(extra) = extra {
                    findings.push(Finding::new(
                        SYNTAX,
                        extra,
                        format!("`{directive}` takes no argument"),
                    ));
                }
                match (directive, open.last_mut()) {
                    (_, None) => findings.push(lone(span, directive)),
                    (".else", Some((_, part))) if *part == Part::Else => findings.push(
                        Finding::new(SYNTAX, span, "`.else` after `.else` is not permitted"),
                    ),
                    (".else", Some((_, part))) => *part = Part::Else,
                    _ => {
                        open.pop();
                    }
                }
            }
            ".diag" | ".notice" | ".warning" | ".alert" => {
                if let Some(extra) = words.get(2) {
                    findings.push(
                        Finding::new(
                            SYNTAX,
                            tree.word_span(extra),
                            format!("unexpected argument for `{directive}`"),
                        )
                        .help("put the whole message in double quotes"),
                    );
                }
            }
            _ => findings.push(
                Finding::new(SYNTAX, span, format!("unknown directive `{directive}`")).help(
                    "expected one of .if, .elif, .else, .endif, .diag, .notice, .warning, .alert",
                ),
            ),
        }
    }
    for (span, _) in open {
        findings.push(
            Finding::new(SYNTAX, span, "this `.if` block is never closed")
                .help("add `.endif` where the block ends"),
        );
    }
    tree.findings.extend(findings);
}

fn lone(span: Span, directive: &str) -> Finding {
    Finding::new(
        SYNTAX,
        span,
        format!("`{directive}` without a matching `.if`"),
    )
}

/// Predicate names must be known; an empty condition is allowed (it is false).
fn check_condition(
    tree: &SyntaxTree,
    words: &[super::Word],
    span: Span,
    findings: &mut Vec<Finding>,
) {
    for word in words.iter().skip(1) {
        let value = tree.value(word);
        for name in predicate_names(value) {
            if !PREDICATES.contains(&name) {
                findings.push(
                    Finding::new(
                        SYNTAX,
                        tree.word_span(word),
                        format!("unknown predicate `{name}` in condition"),
                    )
                    .label(span, "in this condition")
                    .help(format!("expected one of {}", PREDICATES.join(", "))),
                );
            }
        }
    }
}

/// Names directly followed by `(` in a condition expression.
fn predicate_names(expr: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let bytes = expr.as_bytes();
    let mut i = 0;
    let mut depth = 0usize;
    while i < bytes.len() {
        let c = bytes.get(i).copied().unwrap_or(0);
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while bytes
                .get(i)
                .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
            {
                i += 1;
            }
            if bytes.get(i) == Some(&b'(')
                && depth == 0
                && let Some(name) = expr.get(start..i)
            {
                names.push(name);
            }
            continue;
        }
        match c {
            b'(' => {
                depth += usize::from(
                    i > 0
                        && bytes
                            .get(i - 1)
                            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_'),
                )
            }
            b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    names
}

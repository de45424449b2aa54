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
    for (_, line, directive) in tree.directives() {
        let words = tree.words(line);
        let Some(first) = words.first() else { continue };
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

/// Whether haproxy of a given version reads a line, as decided by the
/// `.if`/`.elif`/`.else` blocks around it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Activity {
    Active,
    Inactive,
    /// A condition haplint cannot decide (`defined(VAR)`, `feature(…)`…).
    Unknown,
}

impl Activity {
    fn and(self, other: Activity) -> Activity {
        match (self, other) {
            (Activity::Inactive, _) | (_, Activity::Inactive) => Activity::Inactive,
            (Activity::Active, Activity::Active) => Activity::Active,
            _ => Activity::Unknown,
        }
    }

    fn or(self, other: Activity) -> Activity {
        match (self, other) {
            (Activity::Active, _) | (_, Activity::Active) => Activity::Active,
            (Activity::Inactive, Activity::Inactive) => Activity::Inactive,
            _ => Activity::Unknown,
        }
    }

    fn not(self) -> Activity {
        match self {
            Activity::Active => Activity::Inactive,
            Activity::Inactive => Activity::Active,
            Activity::Unknown => Activity::Unknown,
        }
    }
}

/// One `.if` block being read: whether a branch was taken so far, and
/// whether the current branch is.
struct Block {
    taken: Activity,
    current: Activity,
}

/// For every line of the tree, whether haproxy `target` reads it. Directive
/// lines themselves are `Active`. A file without directives gets an empty
/// list: every line is read, and lines missing from the list are `Active`.
pub fn line_activity(tree: &SyntaxTree, target: crate::version::Version) -> Vec<Activity> {
    if tree.directives().next().is_none() {
        return Vec::new();
    }
    let mut blocks: Vec<Block> = Vec::new();
    let mut activity = Vec::with_capacity(tree.lines.len());
    for line in &tree.lines {
        let words = tree.words(line);
        let directive = words
            .first()
            .filter(|w| !w.is_quoted())
            .map(|w| tree.value(w))
            .filter(|d| d.starts_with('.'));
        let condition = || {
            let text: Vec<&str> = words.iter().skip(1).map(|w| tree.value(w)).collect();
            evaluate(&text.join(" "), target)
        };
        match directive {
            Some(".if") => {
                let current = condition();
                blocks.push(Block {
                    taken: current,
                    current,
                });
            }
            Some(".elif") => {
                if let Some(block) = blocks.last_mut() {
                    block.current = block.taken.not().and(condition());
                    block.taken = block.taken.or(block.current);
                }
            }
            Some(".else") => {
                if let Some(block) = blocks.last_mut() {
                    block.current = block.taken.not();
                    block.taken = Activity::Active;
                }
            }
            Some(".endif") => {
                blocks.pop();
            }
            _ => {}
        }
        let here = match directive {
            Some(_) => Activity::Active,
            None => blocks
                .iter()
                .fold(Activity::Active, |state, block| state.and(block.current)),
        };
        activity.push(here);
    }
    activity
}

/// A `.if` condition: terms joined by `&&` and `||` (`&&` binds tighter),
/// `!` negation, parentheses; only the version predicates are decided.
fn evaluate(condition: &str, target: crate::version::Version) -> Activity {
    let tokens = tokenize(condition);
    let mut at = 0;
    let value = or_expression(&tokens, &mut at, target);
    if at == tokens.len() {
        value
    } else {
        Activity::Unknown
    }
}

fn tokenize(text: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c.is_whitespace() {
            i += 1;
        } else if (c == '&' || c == '|') && chars.get(i + 1) == Some(&c) {
            tokens.push(format!("{c}{c}"));
            i += 2;
        } else if c == '!' || c == '(' || c == ')' {
            tokens.push(c.to_string());
            i += 1;
        } else {
            let start = i;
            while let Some(&c) = chars.get(i) {
                if c.is_whitespace() || matches!(c, '!' | ')' | '&' | '|') {
                    break;
                }
                i += 1;
                if c == '(' {
                    // A predicate's arguments run to the closing parenthesis.
                    while let Some(&c) = chars.get(i) {
                        i += 1;
                        if c == ')' {
                            break;
                        }
                    }
                    break;
                }
            }
            tokens.push(chars.get(start..i).unwrap_or(&[]).iter().collect());
        }
    }
    tokens
}

fn or_expression(tokens: &[String], at: &mut usize, target: crate::version::Version) -> Activity {
    let mut value = and_expression(tokens, at, target);
    while tokens.get(*at).is_some_and(|t| t == "||") {
        *at += 1;
        value = value.or(and_expression(tokens, at, target));
    }
    value
}

fn and_expression(tokens: &[String], at: &mut usize, target: crate::version::Version) -> Activity {
    let mut value = term(tokens, at, target);
    while tokens.get(*at).is_some_and(|t| t == "&&") {
        *at += 1;
        value = value.and(term(tokens, at, target));
    }
    value
}

fn term(tokens: &[String], at: &mut usize, target: crate::version::Version) -> Activity {
    let Some(token) = tokens.get(*at) else {
        return Activity::Unknown;
    };
    *at += 1;
    match token.as_str() {
        "!" => term(tokens, at, target).not(),
        "(" => {
            let value = or_expression(tokens, at, target);
            if tokens.get(*at).is_some_and(|t| t == ")") {
                *at += 1;
                value
            } else {
                Activity::Unknown
            }
        }
        "1" => Activity::Active,
        "0" => Activity::Inactive,
        call => predicate(call, target),
    }
}

fn predicate(call: &str, target: crate::version::Version) -> Activity {
    let Some((name, rest)) = call.split_once('(') else {
        return Activity::Unknown;
    };
    let argument = rest.trim_end_matches(')').trim().trim_matches('"');
    match name {
        "version_atleast" => at_least(argument, target),
        "version_before" => at_least(argument, target).not(),
        _ => Activity::Unknown,
    }
}

/// Whether every `target.x` release is at least `version` (`2.9-dev0`,
/// `2.6`, `2.6.5`): decided when the major.minor differ or the patch level
/// is 0 (or a development version of that release).
fn at_least(version: &str, target: crate::version::Version) -> Activity {
    let Some(wanted) = crate::version::Version::parse(version) else {
        return Activity::Unknown;
    };
    if target != wanted {
        return if target > wanted {
            Activity::Active
        } else {
            Activity::Inactive
        };
    }
    let core = version.split(['-', '+']).next().unwrap_or("");
    let patch = core.split('.').nth(2).unwrap_or("0");
    if patch == "0" || version.contains("-dev") {
        Activity::Active
    } else {
        Activity::Unknown
    }
}

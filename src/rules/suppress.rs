//! Inline suppressions in haproxy.cfg comments:
//!
//! - `# haplint: disable=ID[,ID]` after a statement: that line;
//! - `# haplint: disable-next-line=ID` on its own line: the next statement;
//! - `# haplint: disable=ID` … `# haplint: enable=ID` on their own lines: the
//!   lines between, ending at the end of the section at the latest;
//! - `# haplint: disable-section=ID`: the section the comment is in (or, above
//!   the first section header, the section that follows);
//! - `# haplint: disable-file=ID`: the whole file.
//!
//! `all` stands for every rule. An optional `-- reason` follows the ids.
//! `syntax` findings are never suppressed. Suppressions that suppress nothing,
//! and unknown ids, are reported as `unused-suppression`.

use crate::finding::{Edit, Finding, Fix};
use crate::model::Model;
use crate::source::{FileId, Span};
use crate::syntax::{SYNTAX, SyntaxTree};

pub const UNUSED_SUPPRESSION: &str = "unused-suppression";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    Line,
    NextLine,
    Range,
    Section,
    File,
}

#[derive(Clone, Debug)]
struct Directive {
    file: FileId,
    /// The whole comment, `#` included.
    comment: Span,
    /// Line index of the comment, and whether a statement shares its line.
    line: usize,
    trailing: bool,
    ids: Vec<(String, Span)>,
    reason: Option<String>,
    /// Byte range of the file the directive covers.
    covers: (u32, u32),
    used: Vec<bool>,
}

/// A suppression that silenced a finding, kept for reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suppression {
    pub reason: Option<String>,
    pub comment: Span,
}

pub struct Suppressions {
    directives: Vec<Directive>,
    /// `# haplint: enable=` lines, kept so they are not reported as garbage.
    problems: Vec<Finding>,
}

impl Suppressions {
    pub fn collect(model: &Model) -> Suppressions {
        let mut directives = Vec::new();
        let mut problems = Vec::new();
        // Section header lines per file, gathered once for all files.
        let mut headers: std::collections::HashMap<crate::source::FileId, Vec<usize>> =
            std::collections::HashMap::new();
        for section in &model.sections {
            headers
                .entry(section.header.file)
                .or_default()
                .push(section.header.line as usize);
        }
        for tree in model.trees() {
            let bounds = section_bounds(tree, headers.remove(&tree.file).unwrap_or_default());
            let mut open: Vec<usize> = Vec::new();
            for (index, line) in tree.lines.iter().enumerate() {
                let Some(comment) = tree.comment_text(line) else {
                    continue;
                };
                let Some(start) = line.comment() else {
                    continue;
                };
                let Some(parsed) = parse_comment(comment, start, tree.file) else {
                    continue;
                };
                let comment_span = Span::new(tree.file, start, start + comment.len() as u32);
                let trailing = line.has_words();
                let (keyword, ids, reason) = match parsed {
                    Ok(parsed) => parsed,
                    Err(message) => {
                        problems.push(
                            Finding::new(UNUSED_SUPPRESSION, comment_span, message).help(
                                "write `# haplint: disable=<rule-id>`; `haplint rules` \
                                lists the ids",
                            ),
                        );
                        continue;
                    }
                };
                let (section_start, section_end) = bounds(index);
                let line_end = line.end;
                let scope = match (keyword, trailing) {
                    ("disable", true) => Scope::Line,
                    ("disable", false) => Scope::Range,
                    ("disable-next-line", _) => Scope::NextLine,
                    ("disable-section", _) => Scope::Section,
                    ("disable-file", _) => Scope::File,
                    ("enable", _) => {
                        close_ranges(
                            &mut directives,
                            &mut open,
                            &ids,
                            line.start,
                            &mut problems,
                            comment_span,
                        );
                        continue;
                    }
                    _ => continue,
                };
                let covers = match scope {
                    Scope::Line => (line.start, line_end),
                    Scope::NextLine => next_statement(tree, index).unwrap_or((line_end, line_end)),
                    Scope::Range => (line.start, section_end),
                    Scope::Section => (section_start, section_end),
                    Scope::File => (0, tree.text.len() as u32),
                };
                if scope == Scope::Range {
                    open.push(directives.len());
                }
                let used = vec![false; ids.len()];
                directives.push(Directive {
                    file: tree.file,
                    comment: comment_span,
                    line: index,
                    trailing,
                    ids,
                    reason,
                    covers,
                    used,
                });
            }
        }
        Suppressions {
            directives,
            problems,
        }
    }

    /// If a directive covers this finding, mark it used and return it.
    pub fn suppress(&mut self, finding: &Finding) -> Option<Suppression> {
        if finding.rule == SYNTAX {
            return None;
        }
        let span = finding.primary.span;
        for directive in &mut self.directives {
            if directive.file != span.file
                || span.start < directive.covers.0
                || span.start >= directive.covers.1
            {
                continue;
            }
            let hit = directive
                .ids
                .iter()
                .position(|(id, _)| id == finding.rule || id == "all");
            if let Some(hit) = hit {
                if let Some(used) = directive.used.get_mut(hit) {
                    *used = true;
                }
                return Some(Suppression {
                    reason: directive.reason.clone(),
                    comment: directive.comment,
                });
            }
        }
        None
    }

    /// `unused-suppression` findings: unknown ids, and ids that suppressed
    /// nothing among the rules that ran (`enabled`).
    pub fn unused(&self, model: &Model, enabled: &dyn Fn(&str) -> bool) -> Vec<Finding> {
        let mut findings = self.problems.clone();
        for directive in &self.directives {
            let mut unused = Vec::new();
            for ((id, span), used) in directive.ids.iter().zip(&directive.used) {
                if *used {
                    continue;
                }
                if id != "all" && !super::is_known(id) {
                    let mut finding = Finding::new(
                        UNUSED_SUPPRESSION,
                        *span,
                        format!("unknown rule id `{id}` in suppression"),
                    );
                    if let Some(suggestion) = super::suggest(id) {
                        finding = finding.help(format!("did you mean `{suggestion}`?"));
                    }
                    findings.push(finding);
                    unused.push(id.as_str());
                } else if id == SYNTAX {
                    findings.push(
                        Finding::new(
                            UNUSED_SUPPRESSION,
                            *span,
                            "`syntax` findings cannot be suppressed",
                        )
                        .help("fix the syntax error instead"),
                    );
                    unused.push(id.as_str());
                } else if id == "all" || enabled(id) {
                    unused.push(id.as_str());
                    if directive.ids.len() > 1 {
                        findings.push(
                            Finding::new(
                                UNUSED_SUPPRESSION,
                                *span,
                                format!("suppression of `{id}` suppresses nothing"),
                            )
                            .help(format!("remove `{id}` from the suppression"))
                            .fix(Fix::safe(
                                format!("remove `{id}` from the suppression"),
                                vec![remove_id(model, directive, span)],
                            )),
                        );
                    }
                }
            }
            if directive.ids.len() == 1 && unused.len() == 1 {
                let (id, span) = match directive.ids.first() {
                    Some(first) => first,
                    None => continue,
                };
                if id == SYNTAX || (id != "all" && !super::is_known(id)) {
                    continue;
                }
                findings.push(
                    Finding::new(
                        UNUSED_SUPPRESSION,
                        *span,
                        format!("suppression of `{id}` suppresses nothing"),
                    )
                    .label(directive.comment, "this suppression")
                    .help("remove the suppression comment")
                    .fix(Fix::safe(
                        "remove the unused suppression",
                        vec![delete_directive(model, directive)],
                    )),
                );
            }
        }
        findings
    }
}

/// Parse `# haplint: KEYWORD=ID,ID -- reason`. `None` when the comment is not
/// meant for haplint; `Err` when it is but cannot be understood.
#[allow(clippy::type_complexity)]
fn parse_comment(
    comment: &str,
    start: u32,
    file: FileId,
) -> Option<Result<(&'static str, Vec<(String, Span)>, Option<String>), String>> {
    let body = comment.strip_prefix('#')?;
    let trimmed = body.trim_start();
    let rest = trimmed.strip_prefix("haplint:")?;
    let offset_of = |s: &str| start + (s.as_ptr() as usize - comment.as_ptr() as usize) as u32;
    let (directive, reason) = match rest.split_once("--") {
        Some((directive, reason)) => (
            directive,
            Some(reason.trim().to_string()).filter(|r| !r.is_empty()),
        ),
        None => (rest, None),
    };
    let directive = directive.trim();
    let Some((keyword, ids_text)) = directive.split_once('=') else {
        return Some(Err(format!(
            "cannot read haplint directive `{directive}`: expected KEYWORD=ID[,ID]"
        )));
    };
    let keyword = match keyword.trim() {
        "disable" => "disable",
        "disable-next-line" => "disable-next-line",
        "disable-section" => "disable-section",
        "disable-file" => "disable-file",
        "enable" => "enable",
        other => {
            return Some(Err(format!(
                "unknown haplint directive `{other}`: expected disable, disable-next-line, \
                disable-section, disable-file or enable"
            )));
        }
    };
    let mut ids = Vec::new();
    for id in ids_text.split(',') {
        let trimmed = id.trim();
        if trimmed.is_empty() {
            continue;
        }
        let at = offset_of(trimmed);
        ids.push((
            trimmed.to_string(),
            Span::new(file, at, at + trimmed.len() as u32),
        ));
    }
    if ids.is_empty() {
        return Some(Err(format!(
            "haplint directive `{keyword}` names no rule id"
        )));
    }
    Some(Ok((keyword, ids, reason)))
}

/// For each line of the tree, the byte range of the section it belongs to;
/// lines above the first header belong to the section that follows.
fn section_bounds(tree: &SyntaxTree, mut headers: Vec<usize>) -> impl Fn(usize) -> (u32, u32) {
    headers.sort_unstable();
    let starts: Vec<u32> = headers
        .iter()
        .filter_map(|&h| tree.lines.get(h).map(|l| l.start))
        .collect();
    let file_end = tree.text.len() as u32;
    move |line_index: usize| {
        let after = headers.partition_point(|&h| h <= line_index);
        let (start, next) = if after == 0 {
            (starts.first().copied().unwrap_or(0), starts.get(1).copied())
        } else {
            (
                starts.get(after - 1).copied().unwrap_or(0),
                starts.get(after).copied(),
            )
        };
        (start, next.unwrap_or(file_end))
    }
}

fn next_statement(tree: &SyntaxTree, index: usize) -> Option<(u32, u32)> {
    tree.lines
        .iter()
        .skip(index + 1)
        .find(|l| l.has_words())
        .map(|l| (l.start, l.end))
}

fn close_ranges(
    directives: &mut [Directive],
    open: &mut [usize],
    ids: &[(String, Span)],
    at: u32,
    problems: &mut Vec<Finding>,
    comment: Span,
) {
    for (id, _) in ids {
        let found = open.iter().rposition(|&d| {
            directives
                .get(d)
                .is_some_and(|d| d.ids.iter().any(|(i, _)| i == id) && d.covers.1 > at)
        });
        match found.and_then(|i| open.get(i).copied()) {
            Some(d) => {
                if let Some(directive) = directives.get_mut(d) {
                    directive.covers.1 = at;
                }
            }
            None => problems.push(
                Finding::new(
                    UNUSED_SUPPRESSION,
                    comment,
                    format!("`enable={id}` has no open `disable={id}` above it in this section"),
                )
                .help("remove it, or add the matching `# haplint: disable=` line"),
            ),
        }
    }
}

/// Delete the directive: the whole line when the comment stands alone,
/// otherwise the comment and the blanks before it.
fn delete_directive(model: &Model, directive: &Directive) -> Edit {
    let tree = model.tree(directive.file);
    let line = tree.and_then(|t| t.lines.get(directive.line));
    match (tree, line) {
        (Some(tree), Some(line)) if !directive.trailing => Edit {
            span: tree.line_span(line),
            replacement: String::new(),
        },
        (Some(tree), Some(line)) => {
            let code_end = tree.words(line).last().map_or(line.start, |w| w.end);
            Edit {
                span: Span::new(directive.file, code_end, directive.comment.end),
                replacement: String::new(),
            }
        }
        _ => Edit {
            span: directive.comment,
            replacement: String::new(),
        },
    }
}

/// Remove one id (and one neighbouring comma) from a list of several.
fn remove_id(model: &Model, directive: &Directive, span: &Span) -> Edit {
    let text = model.tree(directive.file).map(|t| t.text.clone());
    let text = text.as_deref().unwrap_or("");
    let bytes = text.as_bytes();
    let mut end = span.end as usize;
    while bytes.get(end) == Some(&b' ') {
        end += 1;
    }
    if bytes.get(end) == Some(&b',') {
        end += 1;
        while bytes.get(end) == Some(&b' ') {
            end += 1;
        }
        return Edit {
            span: Span::new(directive.file, span.start, end as u32),
            replacement: String::new(),
        };
    }
    let mut start = span.start as usize;
    while start > 0 && bytes.get(start - 1) == Some(&b' ') {
        start -= 1;
    }
    if start > 0 && bytes.get(start - 1) == Some(&b',') {
        start -= 1;
    }
    Edit {
        span: Span::new(directive.file, start as u32, span.end),
        replacement: String::new(),
    }
}

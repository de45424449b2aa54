//! Human output: one miette report per finding, with the source line and the
//! exact words underlined, origin labels (`defaults` lines…) and help.

use crate::finding::Severity;
use crate::{Report, Reported};
use miette::{
    Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource, SourceCode,
};
use std::fmt;
use std::sync::Arc;

/// How to draw reports.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    pub color: bool,
    pub unicode: bool,
    pub width: usize,
}

impl Default for Style {
    fn default() -> Self {
        Style {
            color: false,
            unicode: true,
            width: 100,
        }
    }
}

struct HumanDiagnostic {
    message: String,
    code: String,
    severity: Severity,
    source: Option<NamedSource<Arc<str>>>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
    related: Vec<HumanDiagnostic>,
}

impl fmt::Debug for HumanDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Display for HumanDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HumanDiagnostic {}

impl Diagnostic for HumanDiagnostic {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        (!self.code.is_empty()).then(|| Box::new(&self.code) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Info => miette::Severity::Advice,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.source.as_ref().map(|s| s as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        (!self.labels.is_empty())
            .then(|| Box::new(self.labels.iter().cloned()) as Box<dyn Iterator<Item = LabeledSpan>>)
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        (!self.related.is_empty()).then(|| {
            Box::new(self.related.iter().map(|d| d as &dyn Diagnostic))
                as Box<dyn Iterator<Item = &'a dyn Diagnostic>>
        })
    }
}

fn source_of(report: &Report, file: crate::source::FileId) -> Option<NamedSource<Arc<str>>> {
    report
        .sources
        .get(file)
        .map(|f| NamedSource::new(f.name.clone(), f.text.clone()).with_language("haproxy"))
}

/// Source lines longer than this are not drawn (a hostile or generated line
/// of megabytes would flood the terminal); the position is given instead.
const MAX_DRAWN_LINE: usize = 4096;

fn line_too_long(report: &Report, span: crate::source::Span) -> bool {
    report
        .sources
        .get(span.file)
        .is_some_and(|file| file.line_range_at(span.start).len() > MAX_DRAWN_LINE)
}

fn to_miette(report: &Report, reported: &Reported) -> HumanDiagnostic {
    let finding = &reported.finding;
    let primary = finding.primary.span;
    if line_too_long(report, primary) {
        let (name, at, _) = super::locate(report, primary);
        return HumanDiagnostic {
            message: format!(
                "{}: {} (at {name}:{}:{})",
                finding.rule, finding.message, at.line, at.column
            ),
            code: String::new(),
            severity: reported.severity,
            source: None,
            labels: Vec::new(),
            help: finding.help.clone(),
            related: Vec::new(),
        };
    }
    let mut labels = vec![LabeledSpan::new_primary_with_span(
        finding.primary.text.clone(),
        (primary.start as usize, primary.len() as usize),
    )];
    let mut related = Vec::new();
    for label in &finding.secondary {
        let span = (label.span.start as usize, label.span.len() as usize);
        if label.span.file == primary.file {
            labels.push(LabeledSpan::new_with_span(label.text.clone(), span));
        } else {
            related.push(HumanDiagnostic {
                message: label.text.clone().unwrap_or_else(|| "related".to_string()),
                code: String::new(),
                severity: Severity::Info,
                source: source_of(report, label.span.file),
                labels: vec![LabeledSpan::new_primary_with_span(None, span)],
                help: None,
                related: Vec::new(),
            });
        }
    }
    let mut help = Vec::new();
    if let Some(text) = &finding.help {
        help.push(text.clone());
    }
    if let Some(note) = &finding.note {
        help.push(format!("note: {note}"));
    }
    if let Some(fix) = &finding.fix {
        let title = &fix.title;
        let kind = fix.applicability.as_str();
        if finding.help.as_deref() != Some(title.as_str()) {
            help.push(format!("fix ({kind}): {title}"));
        } else {
            help.push(format!(
                "{} {kind} fix is available",
                if kind.starts_with(|c: char| "aeiou".contains(c)) {
                    "an"
                } else {
                    "a"
                }
            ));
        }
    }
    HumanDiagnostic {
        message: format!("{}: {}", finding.rule, finding.message),
        code: String::new(),
        severity: reported.severity,
        source: source_of(report, primary.file),
        labels,
        help: (!help.is_empty()).then(|| help.join("\n")),
        related,
    }
}

/// Render every active finding and a summary line; with more than
/// [`COUNTS_FROM`] findings, a count per rule before the summary.
pub fn render(report: &Report, style: Style) -> String {
    let mut out = render_findings(report, style);
    if report.active().count() > COUNTS_FROM {
        out.push_str("findings per rule:\n");
        out.push_str(&per_rule(report));
    }
    out.push_str(&summary(report));
    out
}

/// Above this many findings, the human report ends with a count per rule.
pub const COUNTS_FROM: usize = 20;

/// Findings per rule, most frequent first: `  12  missing-server-maxconn  [*]`
/// (`[*]` when the rule's findings carry fixes).
pub fn per_rule(report: &Report) -> String {
    let mut counts: Vec<(&str, usize, bool)> = Vec::new();
    for reported in report.active() {
        let rule = reported.finding.rule;
        let fixable = reported.finding.fix.is_some();
        match counts.iter_mut().find(|(id, _, _)| *id == rule) {
            Some(entry) => {
                entry.1 += 1;
                entry.2 |= fixable;
            }
            None => counts.push((rule, 1, fixable)),
        }
    }
    counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let width = counts.iter().map(|c| c.0.len()).max().unwrap_or(0);
    let mut out = String::new();
    for (rule, count, fixable) in counts {
        let mark = if fixable { "[*]" } else { "" };
        out.push_str(format!("{count:6}  {rule:width$}  {mark}").trim_end());
        out.push('\n');
    }
    out
}

/// The active findings as people read them: errors, then warnings, then
/// infos (file order within each), and findings of one rule with one message
/// gathered under the first one.
pub fn groups(report: &Report) -> Vec<Vec<&Reported>> {
    let mut groups: Vec<Vec<&Reported>> = Vec::new();
    let mut index: std::collections::HashMap<(Severity, &str, &str), usize> =
        std::collections::HashMap::new();
    for reported in report.active() {
        let key = (
            reported.severity,
            reported.finding.rule,
            reported.finding.message.as_str(),
        );
        match index.get(&key) {
            Some(&at) => {
                if let Some(group) = groups.get_mut(at) {
                    group.push(reported);
                }
            }
            None => {
                index.insert(key, groups.len());
                groups.push(vec![reported]);
            }
        }
    }
    // Stable: file order is kept within a severity.
    groups.sort_by_key(|group| {
        std::cmp::Reverse(group.first().map_or(Severity::Info, |r| r.severity))
    });
    groups
}

/// How many line numbers a group lists before `…`.
const LISTED_LINES: usize = 20;

/// "and 37 more: lines 12, 40, …" (with file names when the group spans files).
fn more_line(report: &Report, group: &[&Reported]) -> String {
    let Some((first, rest)) = group.split_first() else {
        return String::new();
    };
    let first_file = first.finding.primary.span.file;
    let one_file = rest
        .iter()
        .all(|r| r.finding.primary.span.file == first_file);
    let places: Vec<String> = rest
        .iter()
        .take(LISTED_LINES)
        .map(|r| {
            let (name, at, _) = super::locate(report, r.finding.primary.span);
            if one_file {
                at.line.to_string()
            } else {
                format!("{name}:{}", at.line)
            }
        })
        .collect();
    let ellipsis = if rest.len() > LISTED_LINES {
        ", …"
    } else {
        ""
    };
    format!(
        "  and {} more: {}{}{}\n",
        rest.len(),
        match (one_file, rest.len()) {
            (true, 1) => "line ",
            (true, _) => "lines ",
            _ => "",
        },
        places.join(", "),
        ellipsis
    )
}

/// Render every active finding, nothing else (`--quiet`).
pub fn render_findings(report: &Report, style: Style) -> String {
    let theme = match (style.unicode, style.color) {
        (true, true) => GraphicalTheme::unicode(),
        (true, false) => GraphicalTheme::unicode_nocolor(),
        (false, _) => GraphicalTheme::none(),
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_context_lines(1);
    let mut out = String::new();
    for group in groups(report) {
        let Some(reported) = group.first() else {
            continue;
        };
        let diagnostic = to_miette(report, reported);
        if handler.render_report(&mut out, &diagnostic).is_err() {
            out.push_str(&reported.finding.message);
            out.push('\n');
        }
        if group.len() > 1 {
            out.push_str(&more_line(report, &group));
        }
        out.push('\n');
    }
    out
}

pub fn summary(report: &Report) -> String {
    let errors = report.count(Severity::Error);
    let warnings = report.count(Severity::Warning);
    let infos = report.count(Severity::Info);
    let files = report.sources.len();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    if errors + warnings + infos == 0 {
        format!("no problems found in {}\n", plural(files, "file"))
    } else {
        format!(
            "{}, {}, {} in {}\n",
            plural(errors, "error"),
            plural(warnings, "warning"),
            plural(infos, "info"),
            plural(files, "file")
        )
    }
}

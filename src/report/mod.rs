//! Findings → what people and tools read: `human` (miette), `json`, `sarif`,
//! `github` (Actions annotations), `checkstyle` (XML) and `concise` (one line each).

pub mod checkstyle;
pub mod concise;
pub mod explain;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

use crate::Report;
use crate::source::{Position, Span};

/// Line and column (1-based, in characters) of both ends of a span.
pub fn locate(report: &Report, span: Span) -> (String, Position, Position) {
    match report.sources.get(span.file) {
        Some(file) => (
            file.name.clone(),
            file.position(span.start),
            file.position(span.end),
        ),
        None => (
            String::new(),
            Position { line: 1, column: 1 },
            Position { line: 1, column: 1 },
        ),
    }
}

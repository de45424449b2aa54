//! Edit helpers that know the layout of a configuration line, so rules never
//! assemble whitespace by hand. Every helper keeps the file's own indentation
//! and line ends.

use crate::finding::Edit;
use crate::model::{Model, Stmt};
use crate::source::Span;
use crate::syntax::word;

/// Remove the whole physical line of a statement, its end of line and any
/// trailing comment included.
pub fn delete_statement(model: &Model, stmt: Stmt) -> Edit {
    Edit {
        span: model.line_span(stmt),
        replacement: String::new(),
    }
}

/// Replace word `index` of a statement with `value`, quoted as needed.
pub fn replace_word(model: &Model, stmt: Stmt, index: usize, value: &str) -> Edit {
    Edit {
        span: model.word_span(stmt, index),
        replacement: word::quote(value),
    }
}

/// Replace words `from..to` (exclusive) with already-written text.
pub fn replace_words(model: &Model, stmt: Stmt, from: usize, to: usize, text: &str) -> Edit {
    Edit {
        span: model.words_span(stmt, from, to),
        replacement: text.to_string(),
    }
}

/// Remove words `from..to` (exclusive) and the blanks before them.
pub fn remove_words(model: &Model, stmt: Stmt, from: usize, to: usize) -> Edit {
    let words = model.words(stmt);
    let span = model.words_span(stmt, from, to);
    let start = match from.checked_sub(1).and_then(|i| words.get(i)) {
        Some(previous) => previous.end,
        None => span.start,
    };
    Edit {
        span: Span::new(stmt.file, start, span.end),
        replacement: String::new(),
    }
}

/// Append words after the last word of a statement (before its comment).
pub fn append_words(model: &Model, stmt: Stmt, text: &str) -> Edit {
    let end = model.stmt_span(stmt).end;
    Edit {
        span: Span::empty_at(stmt.file, end),
        replacement: format!(" {text}"),
    }
}

/// The indentation of a statement's line and its end-of-line bytes.
pub fn layout(model: &Model, stmt: Stmt) -> (String, String) {
    let Some(tree) = model.tree(stmt.file) else {
        return ("    ".to_string(), "\n".to_string());
    };
    let Some(line) = tree.lines.get(stmt.line as usize) else {
        return ("    ".to_string(), "\n".to_string());
    };
    let first = tree
        .words(line)
        .first()
        .map_or(line.content_end, |w| w.start);
    let indent = tree
        .text
        .get(line.start as usize..first as usize)
        .unwrap_or("")
        .to_string();
    let eol = tree
        .text
        .get(line.content_end as usize..line.end as usize)
        .unwrap_or("");
    let eol = if eol.is_empty() { "\n" } else { eol };
    (indent, eol.to_string())
}

/// Insert a new statement on its own line after `anchor`, with `indent`.
pub fn insert_statement_after(model: &Model, anchor: Stmt, indent: &str, text: &str) -> Edit {
    let (_, eol) = layout(model, anchor);
    let line = model.line_span(anchor);
    let anchor_has_eol = model
        .tree(anchor.file)
        .and_then(|t| t.lines.get(anchor.line as usize))
        .is_some_and(|l| l.end > l.content_end);
    let replacement = if anchor_has_eol {
        format!("{indent}{text}{eol}")
    } else {
        format!("{eol}{indent}{text}")
    };
    Edit {
        span: Span::empty_at(anchor.file, line.end),
        replacement,
    }
}

/// Indentation for a new statement in `section`: that of its first body
/// statement, or the header's plus four spaces.
pub fn body_indent(model: &Model, section: &crate::model::Section) -> String {
    match section.statements.first() {
        Some(&first) => layout(model, first).0,
        None => format!("{}    ", layout(model, section.header).0),
    }
}

/// Where to insert a statement so it lands at the end of a section's body:
/// after its last statement (or its header).
pub fn section_end_anchor(section: &crate::model::Section) -> Stmt {
    section.statements.last().copied().unwrap_or(section.header)
}

//! The statements the keyword rules judge: those of `global` and of proxy
//! sections that haproxy of the target version reads, with their words
//! split into the `no`/`default` prefix and the rest.

use super::Context;
use crate::model::vocabulary::Context as Vocabulary;
use crate::model::{Section, SectionKind, Stmt};
use crate::syntax::Activity;

pub struct KeywordLine<'a> {
    pub section: &'a Section,
    pub stmt: Stmt,
    /// `no` or `default` when the statement starts with one.
    pub prefix: Option<&'a str>,
    /// Index of the first word after the prefix.
    pub first: usize,
    /// The words after the prefix.
    pub words: Vec<&'a str>,
    pub vocabulary: Vocabulary,
}

/// Every judged statement, in order. Lines inside `.if` blocks haplint cannot
/// decide are skipped (haproxy may never read them), as are lines whose
/// keyword comes from an environment variable or has a lexical error.
pub fn keyword_lines<'a>(cx: &'a Context<'a>) -> impl Iterator<Item = KeywordLine<'a>> + 'a {
    let model = cx.model;
    model.sections.iter().flat_map(move |section| {
        let vocabulary = match section.kind {
            SectionKind::Global => Some(Vocabulary::Global),
            kind if kind.inherits_defaults() => Some(Vocabulary::Proxy),
            _ => None,
        };
        vocabulary.into_iter().flat_map(move |vocabulary| {
            section.statements.iter().filter_map(move |&stmt| {
                if cx.activity(stmt) != Activity::Active {
                    return None;
                }
                let raw = model.words(stmt);
                let first_word = raw.first()?;
                if first_word.has_env() || first_word.is_invalid() || first_word.is_quoted() {
                    return None;
                }
                let values: Vec<&str> = model.values(stmt).collect();
                let prefix = values
                    .first()
                    .copied()
                    .filter(|w| vocabulary == Vocabulary::Proxy && matches!(*w, "no" | "default"))
                    .filter(|_| values.len() > 1);
                let first = usize::from(prefix.is_some());
                Some(KeywordLine {
                    section,
                    stmt,
                    prefix,
                    first,
                    words: values.get(first..).unwrap_or(&[]).to_vec(),
                    vocabulary,
                })
            })
        })
    })
}

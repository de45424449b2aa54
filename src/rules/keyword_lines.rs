//! The statements the keyword rules judge: those of `global` and of proxy
//! sections that haproxy of the target version reads, with their words
//! split into the `no`/`default` prefix and the rest.

use super::Context;
use super::arguments;
use crate::model::registry;
use crate::model::vocabulary::{self, Context as Vocabulary};
use crate::model::{Section, SectionId, SectionKind, Stmt};
use crate::syntax::Activity;
use rustc_hash::FxHashMap as HashMap;

pub struct KeywordLine<'a> {
    pub section: &'a Section,
    pub stmt: Stmt,
    /// `no` or `default` when the statement starts with one.
    pub prefix: Option<&'a str>,
    /// Index of the first word after the prefix.
    pub first: usize,
    /// The first words after the prefix (the rules look no further).
    pub words: FirstWords<'a>,
    pub vocabulary: Vocabulary,
}

/// Up to four words, kept inline: the keyword rules run on every statement
/// of configurations with hundreds of thousands of them.
#[derive(Clone, Copy, Default)]
pub struct FirstWords<'a> {
    words: [&'a str; 4],
    count: usize,
}

impl<'a> FirstWords<'a> {
    fn push(&mut self, word: &'a str) -> bool {
        match self.words.get_mut(self.count) {
            Some(slot) => {
                *slot = word;
                self.count += 1;
                true
            }
            None => false,
        }
    }
}

impl<'a> std::ops::Deref for FirstWords<'a> {
    type Target = [&'a str];

    fn deref(&self) -> &[&'a str] {
        self.words.get(..self.count).unwrap_or(&[])
    }
}

/// The rules that read the notes.
pub const RULES: &[&str] = &[
    "unknown-keyword",
    "removed-keyword",
    "deprecated-keyword",
    "keyword-wrong-section",
    "invalid-argument",
];

/// What a statement may interest a keyword rule for.
pub mod note {
    /// Not in the tables, or not in the target version.
    pub const UNKNOWN: u8 = 1;
    /// Deprecated or removed (retired table, or deprecated in the manual).
    pub const RETIRED: u8 = 2;
    /// A proxy keyword outside the sections that take it, or a rule-only
    /// keyword in an anonymous defaults section.
    pub const PLACE: u8 = 4;
    /// A keyword whose argument is checked (`timeout …`, `balance`…) and
    /// found wrong (see `arguments::argument_finding`).
    pub const ARGUMENT: u8 = 8;
    /// A `no`/`default` prefix on a keyword that does not take one.
    pub const NEGATION: u8 = 16;
}

/// The `global` keywords haproxy lets `no`/`default` invert (any other
/// stops it: "negation/default currently supported only for …", the same
/// list in 2.6, 3.0, 3.2 and 3.4).
const GLOBAL_NEGATABLE: &[&str] = &[
    "log",
    "busy-polling",
    "set-dumpable",
    "strict-limits",
    "insecure-fork-wanted",
    "numa-cpu-mapping",
];

/// Whether haproxy takes the `no`/`default` prefix on this statement.
fn prefix_allowed(line: &KeywordLine<'_>) -> bool {
    let Some(&first) = line.words.first() else {
        return true;
    };
    match line.vocabulary {
        Vocabulary::Global => GLOBAL_NEGATABLE.contains(&first),
        Vocabulary::Proxy => {
            // An unknown option is reported as unknown.
            first == "log"
                || (first == "option"
                    && vocabulary::proxy(&line.words)
                        .is_none_or(|k| k.negatable || !k.name.starts_with("option ")))
        }
    }
}

/// An option of haproxy's option tables (complete in -dK) that some oracle
/// lists but none of the target's window does: that release refuses it
/// although its manual may document it.
pub(super) fn oracle_lacks_option(line: &KeywordLine<'_>, target: crate::version::Version) -> bool {
    let (Some(&"option"), Some(option)) = (line.words.first(), line.words.get(1)) else {
        return false;
    };
    !registry::listed_in("option", option).is_empty() && !registry::lists("option", option, target)
}

/// For an option of haproxy's option tables: whether it works in this
/// section, and whether haproxy stops when it does not (from the oracles'
/// annotations, which override the manual's matrix).
pub(super) fn option_place(
    line: &KeywordLine<'_>,
    target: crate::version::Version,
) -> Option<(bool, bool)> {
    let (Some(&"option"), Some(option)) = (line.words.first(), line.words.get(1)) else {
        return None;
    };
    let sides = registry::option_sides(option, target)?;
    let allowed = match line.section.kind {
        SectionKind::Frontend => sides.frontend,
        SectionKind::Backend => sides.backend,
        _ => true,
    };
    Some((allowed, sides.fatal_elsewhere))
}

/// Whether the oracles of the target version list the keyword although the
/// manual tables do not have it in that version (backports, keywords the
/// manuals never listed). Only positive: -dK lists are not complete.
fn oracle_knows(line: &KeywordLine<'_>, target: crate::version::Version) -> bool {
    let Some(&first) = line.words.first() else {
        return false;
    };
    let second = line.words.get(1).map(|s| s.split('(').next().unwrap_or(s));
    match line.vocabulary {
        Vocabulary::Global => registry::lists("global", first, target),
        Vocabulary::Proxy => match (first, second) {
            ("option", Some(option)) => registry::lists("option", option, target),
            ("tcp-check" | "http-check", Some(action)) => matches!(
                registry::action(first, action, target),
                Some(registry::Action::Known)
            ),
            (_, _) if vocabulary::family(first).is_empty() => {
                registry::lists("proxy", first, target)
            }
            _ => false,
        },
    }
}

/// A statement a keyword rule has something to look at.
#[derive(Clone, Copy, Debug)]
pub struct Noted {
    pub section: SectionId,
    pub stmt: Stmt,
    pub notes: u8,
}

fn classify(cx: &Context<'_>, line: &KeywordLine<'_>) -> u8 {
    let Some(&first) = line.words.first() else {
        return 0;
    };
    let target = cx.target;
    let mut notes = 0;
    if line.prefix.is_some() && !prefix_allowed(line) {
        notes |= note::NEGATION;
    }
    // Only arguments with something to report: every backend has a
    // `balance` line, and nearly all are right.
    if line.prefix.is_none()
        && arguments::checks_argument(line.vocabulary, first, line.words.get(1).copied())
        && arguments::argument_finding(
            cx.model,
            line.stmt,
            line.section.kind,
            line.vocabulary,
            line.first,
            target,
        )
        .is_some()
    {
        notes |= note::ARGUMENT;
    }
    if vocabulary::retired(line.vocabulary, &line.words).is_some() {
        return notes | note::RETIRED;
    }
    let known = match line.vocabulary {
        Vocabulary::Global => vocabulary::global(first),
        Vocabulary::Proxy => vocabulary::proxy(&line.words),
    };
    let Some(keyword) = known else {
        if oracle_knows(line, target) {
            return notes;
        }
        return notes | note::UNKNOWN;
    };
    if !keyword.life.exists_in(target) && !oracle_knows(line, target) {
        notes |= note::UNKNOWN;
    }
    if oracle_lacks_option(line, target) {
        notes |= note::UNKNOWN;
    }
    if keyword.life.deprecated.is_some_and(|d| d <= target) {
        notes |= note::RETIRED;
    }
    if let Some((allowed, _)) = option_place(line, target) {
        if !allowed {
            notes |= note::PLACE;
        }
    } else if let Some(sections) = keyword.sections {
        let kind = line.section.kind;
        let allowed = match kind {
            SectionKind::Defaults => {
                sections.defaults && !(keyword.named_defaults_only && line.section.name.is_none())
            }
            SectionKind::Frontend => sections.frontend,
            SectionKind::Listen => sections.listen,
            SectionKind::Backend => sections.backend,
            _ => true,
        };
        if !allowed {
            notes |= note::PLACE;
        }
    }
    notes
}

/// The statements with any of the `wanted` notes, in order; the notes are
/// computed once per check, on the first call.
pub fn noted_lines<'a>(
    cx: &'a Context<'a>,
    wanted: u8,
) -> impl Iterator<Item = KeywordLine<'a>> + 'a {
    let noted = cx.keyword_notes.get_or_init(|| note_lines(cx));
    noted
        .iter()
        .filter(move |n| n.notes & wanted != 0)
        .filter_map(move |n| line_of(cx, cx.model.section(n.section), n.stmt))
}

/// Classify every judged statement (on two threads for large
/// configurations); `analyze` does it before the rules start, so that no
/// rule waits for another to fill the cache. Statements that start with the
/// same words get the same notes (50,000 backends have 50,000 `balance`
/// lines), so each distinct start is classified once per run of sections.
pub fn note_lines(cx: &Context<'_>) -> Vec<Noted> {
    cx.model
        .map_section_runs(|sections| {
            let mut known: HashMap<(SectionKind, bool, &str), u8> = HashMap::default();
            let mut reads: HashMap<(u32, bool), usize> = HashMap::default();
            let mut noted = Vec::new();
            for section in sections {
                let vocabulary = match section.kind {
                    SectionKind::Global => Vocabulary::Global,
                    kind if kind.inherits_defaults() => Vocabulary::Proxy,
                    _ => continue,
                };
                for (stmt, key) in cx.model.keyed_statements(section) {
                    let text = deciding_text(cx, stmt, (key, vocabulary), &mut reads);
                    let cached = text
                        .and_then(|text| known.get(&(section.kind, section.name.is_some(), text)));
                    let notes = match cached {
                        Some(&notes) => notes,
                        None => {
                            let Some(line) = line_of_kind(cx, section, stmt, vocabulary) else {
                                continue;
                            };
                            let notes = classify(cx, &line);
                            if let Some(text) = text {
                                known.insert((section.kind, section.name.is_some(), text), notes);
                            }
                            notes
                        }
                    };
                    if notes != 0 {
                        noted.push(Noted {
                            section: section.id,
                            stmt,
                            notes,
                        });
                    }
                }
            }
            noted
        })
        .into_iter()
        .flatten()
        .collect()
}

/// The text of the words [`classify`] reads (the `no`/`default` prefix,
/// the keyword, and for `option` and keyword families the next two), when
/// the statement is one [`line_of_kind`] gives and none of those words has
/// quotes, escapes or variables: two statements with the same text get the
/// same notes in sections of the same kind and naming. `reads` keeps how
/// many words are read per setting key (and vocabulary): the keyword is the
/// key's first word whenever a text comes out.
fn deciding_text<'a>(
    cx: &'a Context<'a>,
    stmt: Stmt,
    (key, vocabulary): (u32, Vocabulary),
    reads: &mut HashMap<(u32, bool), usize>,
) -> Option<&'a str> {
    let model = cx.model;
    if cx.activity(stmt) != Activity::Active {
        return None;
    }
    let words = model.words(stmt);
    let tree = model.tree(stmt.file)?;
    let raw = |index: usize| words.get(index).map(|w| tree.raw(w));
    let prefixed = matches!(raw(0), Some("no" | "default")) && words.len() > 1;
    let first_at = usize::from(prefixed);
    let first = raw(first_at)?;
    // The keyword is among the deciding words: written plainly, or no text.
    let keyword = words.get(first_at)?;
    if keyword.is_cooked() || keyword.has_env() || keyword.is_invalid() || keyword.is_quoted() {
        return None;
    }
    let count = || {
        let family = if first == "option" || !vocabulary::family(first).is_empty() {
            3
        } else {
            1
        };
        family.max(arguments::words_read(vocabulary, first))
    };
    let read = if key == crate::model::NO_KEY {
        count()
    } else {
        *reads
            .entry((key, vocabulary == Vocabulary::Global))
            .or_insert_with(count)
    };
    let deciding = words.get(..first_at.saturating_add(read).min(words.len()))?;
    if deciding
        .iter()
        .any(|w| w.is_cooked() || w.has_env() || w.is_invalid() || w.is_quoted())
    {
        return None;
    }
    let (start, end) = (deciding.first()?.start, deciding.last()?.end);
    tree.text.get(start as usize..end as usize)
}

fn line_of<'a>(cx: &'a Context<'a>, section: &'a Section, stmt: Stmt) -> Option<KeywordLine<'a>> {
    let vocabulary = match section.kind {
        SectionKind::Global => Vocabulary::Global,
        kind if kind.inherits_defaults() => Vocabulary::Proxy,
        _ => return None,
    };
    line_of_kind(cx, section, stmt, vocabulary)
}

fn line_of_kind<'a>(
    cx: &'a Context<'a>,
    section: &'a Section,
    stmt: Stmt,
    vocabulary: Vocabulary,
) -> Option<KeywordLine<'a>> {
    let model = cx.model;
    if cx.activity(stmt) != Activity::Active {
        return None;
    }
    let raw = model.words(stmt);
    let first_word = raw.first()?;
    if first_word.has_env() || first_word.is_invalid() || first_word.is_quoted() {
        return None;
    }
    let mut values = model.values(stmt);
    let head = values.next()?;
    let mut words = FirstWords::default();
    let prefix = if matches!(head, "no" | "default") && raw.len() > 1 {
        Some(head)
    } else {
        words.push(head);
        None
    };
    for value in values {
        if !words.push(value) {
            break;
        }
    }
    Some(KeywordLine {
        section,
        stmt,
        prefix,
        first: usize::from(prefix.is_some()),
        words,
        vocabulary,
    })
}

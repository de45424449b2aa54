//! Syntax trees → the configuration as haproxy understands it: sections,
//! statements, effective settings after `defaults` inheritance, servers,
//! binds, ACLs and the references between them.
//!
//! Files are read in order and behave as several `-f` arguments do: each file
//! starts outside any section, and the "latest defaults" and every name carry
//! over from one file to the next.

pub mod keywords;
mod references;
mod section;
mod servers;
mod settings;
pub mod vocabulary;

pub use references::{RefKind, Reference};
pub use section::{SectionKind, invalid_name_char};
pub use servers::{
    Bind, Param, ParamOrigin, Server, ServerKind, ServerParam, is_host_name, split_address,
};
pub use settings::{HttpConnectionMode, Mode, Setting};

use crate::finding::Finding;
use crate::source::{FileId, Span};
use crate::syntax::{self, SyntaxTree, Word};
use rustc_hash::FxHashMap as HashMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SectionId(pub u32);

/// From this many statements on, per-section work is split over two threads;
/// below it, starting a thread costs more than it saves.
pub(crate) const PARALLEL_STATEMENTS: usize = 20_000;

/// A statement: one non-empty line of a file, by file and line index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Stmt {
    pub file: FileId,
    pub line: u32,
}

#[derive(Debug)]
pub struct Section {
    pub id: SectionId,
    pub kind: SectionKind,
    pub name: Option<String>,
    /// The header line (`backend app from base`).
    pub header: Stmt,
    /// The defaults section named after `from`, if any.
    pub from: Option<String>,
    /// Body statements in order, directives (`.if`…) excluded.
    pub statements: Vec<Stmt>,
    /// The defaults section this one takes its initial settings from.
    pub defaults: Option<SectionId>,
    /// The statement is inside a `.if` block (its presence depends on a condition).
    pub conditional: Vec<bool>,
    pub servers: Vec<Server>,
    pub binds: Vec<Bind>,
    /// `acl NAME …` declarations, in order.
    pub acls: Vec<(String, Stmt)>,
    /// Last statement per setting key (keys interned in `Model::keys`).
    /// A short list: sections set a few dozen distinct keys at most, and a
    /// list costs far less memory than a map on configs with 50,000 sections.
    settings: Vec<(u32, Stmt)>,
    /// The last statement of the section's own that sets the HTTP connection mode.
    connection_mode: Option<(settings::HttpConnectionMode, Stmt)>,
    /// `mode` after defaults inheritance (see `Model::mode`).
    mode: Mode,
}

impl Section {
    pub fn display_name(&self) -> String {
        match &self.name {
            Some(name) => format!("{} {}", self.kind.keyword(), name),
            None => self.kind.keyword().to_string(),
        }
    }
}

/// The whole configuration, across all files.
#[derive(Debug)]
pub struct Model {
    trees: Vec<SyntaxTree>,
    pub sections: Vec<Section>,
    pub references: Vec<Reference>,
    /// Structural `syntax` findings (keywords outside any section, bad section names).
    pub findings: Vec<Finding>,
    /// Section ids by name, one map per section kind (indexed by `kind as usize`),
    /// so a lookup by `&str` needs no allocation.
    names: Vec<HashMap<String, Vec<SectionId>>>,
    /// Setting keys (`mode`, `timeout server`…) interned once for all sections.
    keys: HashMap<String, u32>,
    headers: HashMap<Stmt, SectionId>,
    /// frontend/listen → the backends its `use_backend`/`default_backend` name.
    backends_used: HashMap<SectionId, Vec<SectionId>>,
    /// backend/listen → the frontends that route to it.
    frontends_using: HashMap<SectionId, Vec<SectionId>>,
}

impl Model {
    /// Build the model from the syntax trees of the files, in reading order.
    /// Tree `i` must be the tree of `FileId(i)`.
    pub fn build(trees: Vec<SyntaxTree>) -> Model {
        let mut model = Model {
            trees,
            sections: Vec::new(),
            references: Vec::new(),
            findings: Vec::new(),
            names: vec![HashMap::default(); SectionKind::ALL.len()],
            keys: HashMap::default(),
            headers: HashMap::default(),
            backends_used: HashMap::default(),
            frontends_using: HashMap::default(),
        };
        let t = std::time::Instant::now();
        model.split_sections();
        crate::stage("model: sections", t);
        model.headers = model.sections.iter().map(|s| (s.header, s.id)).collect();
        model.link_defaults();
        let modes: Vec<Mode> = model
            .sections
            .iter()
            .map(|s| model.compute_mode(s))
            .collect();
        for (section, mode) in model.sections.iter_mut().zip(modes) {
            section.mode = mode;
        }
        crate::stage("model: links", t);
        servers::collect(&mut model);
        crate::stage("model: servers", t);
        references::collect(&mut model);
        crate::stage("model: references", t);
        model.link_backends();
        model
    }

    fn link_backends(&mut self) {
        let mut used: HashMap<SectionId, Vec<SectionId>> = HashMap::default();
        let mut using: HashMap<SectionId, Vec<SectionId>> = HashMap::default();
        let mut seen: rustc_hash::FxHashSet<(SectionId, SectionId)> =
            rustc_hash::FxHashSet::default();
        for reference in &self.references {
            if reference.kind != RefKind::Backend {
                continue;
            }
            let Some(target) = reference.target.and_then(|t| self.headers.get(&t).copied()) else {
                continue;
            };
            if seen.insert((reference.section, target)) {
                used.entry(reference.section).or_default().push(target);
                using.entry(target).or_default().push(reference.section);
            }
        }
        self.backends_used = used;
        self.frontends_using = using;
    }

    /// The section a header statement opens.
    pub fn section_at(&self, header: Stmt) -> Option<SectionId> {
        self.headers.get(&header).copied()
    }

    /// Backends a frontend (or listen) routes to by name.
    pub fn backends_used_by(&self, frontend: SectionId) -> &[SectionId] {
        self.backends_used
            .get(&frontend)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Frontends (and listens) that route to a backend by name; a listen
    /// section also serves itself.
    pub fn frontends_using(&self, backend: SectionId) -> &[SectionId] {
        self.frontends_using
            .get(&backend)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// A secondary label text for a setting that came from a defaults section.
    pub fn origin_label(&self, setting: &Setting) -> Option<(Span, String)> {
        setting.inherited.then(|| {
            let defaults = self.section(setting.section);
            let text = match &defaults.name {
                Some(name) => format!("inherited from `defaults {name}`"),
                None => "inherited from this `defaults` section".to_string(),
            };
            (self.stmt_span(setting.stmt), text)
        })
    }

    pub fn trees(&self) -> &[SyntaxTree] {
        &self.trees
    }

    pub fn tree(&self, file: FileId) -> Option<&SyntaxTree> {
        self.trees.get(file.0 as usize)
    }

    pub fn section(&self, id: SectionId) -> &Section {
        // Ids only come from this model, so the index is always in range.
        #[allow(clippy::indexing_slicing)]
        &self.sections[id.0 as usize]
    }

    /// Sections of `kind` named `name`, in order of appearance.
    pub fn sections_named(&self, kind: SectionKind, name: &str) -> &[SectionId] {
        self.names
            .get(kind as usize)
            .and_then(|names| names.get(name))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    pub fn statement_count(&self) -> usize {
        self.sections.iter().map(|s| s.statements.len()).sum()
    }

    /// Large enough for per-section work and rules to pay for a second thread.
    pub fn is_large(&self) -> bool {
        self.statement_count() >= PARALLEL_STATEMENTS
    }

    /// `work` applied to every section, results in section order. On large
    /// configurations the sections are cut in two halves of about equal
    /// statement count and the second half runs on another thread.
    pub(crate) fn map_sections<T: Send>(&self, work: impl Fn(&Section) -> T + Sync) -> Vec<T> {
        if !self.is_large() {
            return self.sections.iter().map(&work).collect();
        }
        let statements = self.statement_count();
        let mut seen = 0;
        let middle = self
            .sections
            .iter()
            .position(|s| {
                seen += s.statements.len();
                seen * 2 >= statements
            })
            .unwrap_or(0);
        let (first, second) = self.sections.split_at(middle);
        std::thread::scope(|scope| {
            let helper = scope.spawn(|| second.iter().map(&work).collect::<Vec<T>>());
            let mut results: Vec<T> = first.iter().map(&work).collect();
            match helper.join() {
                Ok(rest) => results.extend(rest),
                // The helper cannot panic on input (no panicking code paths);
                // should it anyway, redo its half here rather than lose it.
                Err(_) => results.extend(second.iter().map(&work)),
            }
            results
        })
    }

    /// The proxies (frontend, backend, listen).
    pub fn proxies(&self) -> impl Iterator<Item = &Section> {
        self.sections.iter().filter(|s| s.kind.is_proxy())
    }

    pub fn sections_of(&self, kind: SectionKind) -> impl Iterator<Item = &Section> {
        self.sections.iter().filter(move |s| s.kind == kind)
    }

    /// The words of a statement.
    pub fn words(&self, stmt: Stmt) -> &[Word] {
        self.tree(stmt.file)
            .and_then(|tree| {
                tree.lines
                    .get(stmt.line as usize)
                    .map(|line| tree.words(line))
            })
            .unwrap_or(&[])
    }

    /// The value of word `index` of a statement.
    pub fn value(&self, stmt: Stmt, index: usize) -> Option<&str> {
        let tree = self.tree(stmt.file)?;
        let word = self.words(stmt).get(index)?;
        Some(tree.value(word))
    }

    /// All word values of a statement.
    pub fn values(&self, stmt: Stmt) -> impl Iterator<Item = &str> {
        let tree = self.tree(stmt.file);
        self.words(stmt)
            .iter()
            .filter_map(move |w| tree.map(|t| t.value(w)))
    }

    pub fn word_span(&self, stmt: Stmt, index: usize) -> Span {
        match self.words(stmt).get(index) {
            Some(word) => Span::new(stmt.file, word.start, word.end),
            None => self.stmt_span(stmt),
        }
    }

    /// From the first to the last word of the statement.
    pub fn stmt_span(&self, stmt: Stmt) -> Span {
        let words = self.words(stmt);
        match (words.first(), words.last()) {
            (Some(first), Some(last)) => Span::new(stmt.file, first.start, last.end),
            _ => self.line_span(stmt),
        }
    }

    /// Words `from..to` (exclusive) of a statement.
    pub fn words_span(&self, stmt: Stmt, from: usize, to: usize) -> Span {
        let words = self.words(stmt);
        match (words.get(from), words.get(to.saturating_sub(1))) {
            (Some(first), Some(last)) if to > from => Span::new(stmt.file, first.start, last.end),
            _ => self.word_span(stmt, from),
        }
    }

    /// The whole physical line, end of line included.
    pub fn line_span(&self, stmt: Stmt) -> Span {
        self.tree(stmt.file)
            .and_then(|tree| {
                tree.lines
                    .get(stmt.line as usize)
                    .map(|line| tree.line_span(line))
            })
            .unwrap_or_default()
    }

    /// The keyword of a statement with `no`/`default` removed, and whether it was negated.
    /// `option X` and `timeout X` come back as two words.
    pub fn keyword(&self, stmt: Stmt) -> (String, bool) {
        let mut key = String::new();
        let negated = self.keyword_into(stmt, &mut key);
        (key, negated)
    }

    /// [`Model::keyword`] into a reused buffer.
    pub fn keyword_into(&self, stmt: Stmt, key: &mut String) -> bool {
        key.clear();
        let mut values = self.values(stmt);
        let mut first = values.next().unwrap_or("");
        let mut negated = false;
        if first == "no" || first == "default" {
            negated = first == "no";
            first = values.next().unwrap_or("");
        }
        key.push_str(first);
        if settings::TWO_WORD_KEYWORDS.contains(&first) {
            key.push(' ');
            key.push_str(values.next().unwrap_or(""));
        }
        negated
    }

    /// The interned id of a setting key, if any section sets it.
    pub(crate) fn key_id(&self, key: &str) -> Option<u32> {
        self.keys.get(key).copied()
    }

    /// Statements of a section whose first word is `keyword`.
    pub fn statements_with<'a>(
        &'a self,
        section: &'a Section,
        keyword: &'a str,
    ) -> impl Iterator<Item = Stmt> + 'a {
        section
            .statements
            .iter()
            .copied()
            .filter(move |&stmt| self.value(stmt, 0) == Some(keyword))
    }

    fn split_sections(&mut self) {
        let mut current: Option<usize> = None;
        let mut sections = Vec::new();
        let mut findings = Vec::new();
        for tree in &self.trees {
            // Each file starts outside any section, as with several `-f`.
            current = None;
            let mut depth = 0usize;
            for (index, line) in tree.lines.iter().enumerate() {
                let words = tree.words(line);
                let Some(first) = words.first() else { continue };
                let stmt = Stmt {
                    file: tree.file,
                    line: index as u32,
                };
                let keyword = tree.value(first);
                if keyword.starts_with('.') && !first.is_quoted() {
                    match keyword {
                        ".if" => depth += 1,
                        ".endif" => depth = depth.saturating_sub(1),
                        _ => {}
                    }
                    continue;
                }
                if let Some(kind) = SectionKind::from_keyword(keyword) {
                    let mut name = words.get(1).map(|w| tree.value(w).to_string());
                    let mut from = match (words.get(2).map(|w| tree.value(w)), words.get(3)) {
                        (Some("from"), Some(w)) if kind.inherits_defaults() => {
                            Some(tree.value(w).to_string())
                        }
                        _ => None,
                    };
                    // `defaults from base`: an anonymous defaults section
                    // that starts from `base`.
                    if kind == SectionKind::Defaults
                        && name.as_deref() == Some("from")
                        && words.len() == 3
                    {
                        from = words.get(2).map(|w| tree.value(w).to_string());
                        name = None;
                    }
                    check_section_name(tree, kind, words, &mut findings);
                    sections.push(Section {
                        id: SectionId(sections.len() as u32),
                        kind,
                        name,
                        header: stmt,
                        from,
                        statements: Vec::new(),
                        defaults: None,
                        conditional: Vec::new(),
                        servers: Vec::new(),
                        binds: Vec::new(),
                        acls: Vec::new(),
                        settings: Vec::new(),
                        connection_mode: None,
                        mode: Mode::Tcp,
                    });
                    current = Some(sections.len() - 1);
                    continue;
                }
                match current.and_then(|i| sections.get_mut(i)) {
                    Some(section) => {
                        section.statements.push(stmt);
                        section.conditional.push(depth > 0);
                    }
                    None => findings.push(
                        Finding::new(syntax::SYNTAX, tree.word_span(first), format!("unknown keyword `{keyword}` out of section"))
                            .note("every file must start with a section keyword such as `global`, `defaults`, `frontend` or `backend`")
                            .help("move this line into a section, or add the section header above it"),
                    ),
                }
            }
        }
        let _ = current;
        let mut key = String::new();
        for section in &mut sections {
            let mut settings: Vec<(u32, Stmt)> = Vec::new();
            for &stmt in &section.statements {
                let negated = self.keyword_into(stmt, &mut key);
                if key.is_empty() {
                    continue;
                }
                if let Some(mode) = settings::connection_mode_of(&key, negated) {
                    section.connection_mode = Some((mode, stmt));
                }
                let next = self.keys.len() as u32;
                let id = match self.keys.get(key.as_str()) {
                    Some(&id) => id,
                    None => {
                        self.keys.insert(key.clone(), next);
                        next
                    }
                };
                match settings.iter_mut().find(|(k, _)| *k == id) {
                    Some(entry) => entry.1 = stmt,
                    None => settings.push((id, stmt)),
                }
            }
            settings.shrink_to_fit();
            section.settings = settings;
            if let Some(name) = &section.name
                && let Some(names) = self.names.get_mut(section.kind as usize)
            {
                names.entry(name.clone()).or_default().push(section.id);
            }
            for &stmt in &section.statements {
                if self.value(stmt, 0) == Some("acl")
                    && let Some(name) = self.value(stmt, 1)
                {
                    section.acls.push((name.to_string(), stmt));
                }
            }
        }
        self.sections = sections;
        self.findings.extend(findings);
    }

    /// Each proxy takes its initial settings from the defaults section named
    /// after `from`, or else the latest defaults section before it.
    fn link_defaults(&mut self) {
        let mut latest: Option<SectionId> = None;
        let mut links = Vec::with_capacity(self.sections.len());
        for section in &self.sections {
            let link = if !section.kind.inherits_defaults() {
                None
            } else if let Some(from) = &section.from {
                self.sections_named(SectionKind::Defaults, from)
                    .last()
                    .copied()
            } else if section.kind == SectionKind::Defaults {
                None
            } else {
                latest
            };
            links.push(link);
            if section.kind == SectionKind::Defaults {
                latest = Some(section.id);
            }
        }
        for (section, link) in self.sections.iter_mut().zip(links) {
            section.defaults = link;
        }
    }
}

fn check_section_name(
    tree: &SyntaxTree,
    kind: SectionKind,
    words: &[Word],
    findings: &mut Vec<Finding>,
) {
    let header = match words.first() {
        Some(first) => tree.word_span(first),
        None => return,
    };
    match words.get(1) {
        None if kind.requires_name() => findings.push(
            Finding::new(
                syntax::SYNTAX,
                header,
                format!("`{}` needs a name", kind.keyword()),
            )
            .help(format!("write `{} <name>`", kind.keyword())),
        ),
        Some(name) if kind.is_proxy() => {
            let value = tree.value(name);
            if let Some(bad) = invalid_name_char(value) {
                findings.push(
                    Finding::new(
                        syntax::SYNTAX,
                        tree.word_span(name),
                        format!(
                            "character '{bad}' is not permitted in {} name `{value}`",
                            kind.keyword()
                        ),
                    )
                    .note("proxy names may only contain letters, digits, '-', '_', '.' and ':'"),
                );
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests;

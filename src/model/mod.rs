//! Syntax trees → the configuration as haproxy understands it: sections,
//! statements, effective settings after `defaults` inheritance, servers,
//! binds, ACLs and the references between them.
//!
//! Files are read in order and behave as several `-f` arguments do: each file
//! starts outside any section, and the "latest defaults" and every name carry
//! over from one file to the next.

pub mod exposure;
pub mod expressions;
pub mod keywords;
mod references;
pub mod registry;
pub mod sample_values;
pub mod samples;
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
    /// The setting key of each statement (see [`Model::key_id`]), or
    /// [`NO_KEY`]: rules find the statements they look at by comparing
    /// numbers instead of reading words.
    keys: Vec<u32>,
    /// The defaults section this one takes its initial settings from.
    pub defaults: Option<SectionId>,
    pub servers: Vec<Server>,
    /// Positions in `servers` of the `default-server` lines, in order.
    default_servers: Vec<u32>,
    /// Parameter names (see `servers::name_bit`) the servers may get from
    /// the `default-server` lines of the defaults sections.
    inherited_param_names: u64,
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
    fn server(&self, index: u32) -> Option<&Server> {
        self.servers.get(index as usize)
    }

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
    names: Vec<HashMap<String, NamedSections>>,
    /// Setting keys (`mode`, `timeout server`…) interned once for all sections.
    keys: HashMap<String, u32>,
    /// frontend/listen → the backends its `use_backend`/`default_backend` name.
    backends_used: Adjacency,
    /// backend/listen → the frontends that route to it.
    frontends_using: Adjacency,
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
            backends_used: Adjacency::default(),
            frontends_using: Adjacency::default(),
        };
        let t = std::time::Instant::now();
        model.split_sections();
        crate::stage("model: sections", t);
        model.link_defaults();
        let mode_key = model.key_id("mode");
        let modes: Vec<Mode> = model
            .sections
            .iter()
            .map(|s| model.compute_mode(s, mode_key))
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
        let pairs: Vec<(SectionId, SectionId)> = self
            .references
            .iter()
            .filter(|reference| reference.kind == RefKind::Backend)
            .filter_map(|reference| {
                let target = reference.target_section?;
                Some((reference.section, target))
            })
            .collect();
        let count = self.sections.len();
        self.backends_used = Adjacency::new(count, pairs.iter().copied());
        self.frontends_using = Adjacency::new(count, pairs.iter().map(|&(f, b)| (b, f)));
    }

    /// Backends a frontend (or listen) routes to by name.
    pub fn backends_used_by(&self, frontend: SectionId) -> &[SectionId] {
        self.backends_used.get(frontend)
    }

    /// Frontends (and listens) that route to a backend by name; a listen
    /// section also serves itself.
    pub fn frontends_using(&self, backend: SectionId) -> &[SectionId] {
        self.frontends_using.get(backend)
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
            .map(NamedSections::as_slice)
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
        self.map_section_runs(|run| run.iter().map(&work).collect::<Vec<T>>())
            .into_iter()
            .flatten()
            .collect()
    }

    /// `work` applied to runs of consecutive sections that together cover
    /// them all, in order: one run, or two halves of about equal statement
    /// count on two threads for large configurations. For work that keeps
    /// state from one section to the next (a cache).
    pub(crate) fn map_section_runs<T: Send>(
        &self,
        work: impl Fn(&[Section]) -> T + Sync,
    ) -> Vec<T> {
        if !self.is_large() {
            return vec![work(&self.sections)];
        }
        let (first, second) = self.sections.split_at(half_by_statements(&self.sections));
        let (first, second) = crate::in_parallel(|| work(first), || work(second));
        vec![first, second]
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

    /// All word values of a statement. Of known length, so that rules
    /// collecting them allocate once.
    pub fn values(&self, stmt: Stmt) -> impl ExactSizeIterator<Item = &str> + DoubleEndedIterator {
        let tree = self.tree(stmt.file);
        let words = tree.map_or(&[][..], |tree| {
            tree.lines
                .get(stmt.line as usize)
                .map_or(&[][..], |line| tree.words(line))
        });
        words
            .iter()
            .map(move |w| tree.map_or("", |tree| tree.value(w)))
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

    /// The statement's text from its first to its last word as written,
    /// when no word has quotes or escapes (its values are then exactly the
    /// blank-separated pieces of this text).
    pub fn statement_text(&self, stmt: Stmt) -> Option<&str> {
        let tree = self.tree(stmt.file)?;
        let words = self.words(stmt);
        if words.iter().any(|w| w.is_cooked()) {
            return None;
        }
        let (first, last) = (words.first()?, words.last()?);
        tree.text.get(first.start as usize..last.end as usize)
    }

    /// See [`SyntaxTree::may_hold_expression`].
    pub fn may_hold_expression(&self, stmt: Stmt) -> bool {
        self.tree(stmt.file)
            .is_some_and(|tree| tree.may_hold_expression(stmt.line as usize))
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
        let mut buffer = String::new();
        match self.tree(stmt.file) {
            Some(tree) => {
                let (key, negated) = statement_key(tree, stmt, &mut buffer);
                (key.to_string(), negated)
            }
            None => (String::new(), false),
        }
    }

    /// The interned id of a setting key (`server`, `timeout server`,
    /// `option httplog`), if any statement has it.
    pub fn key_id(&self, key: &str) -> Option<u32> {
        self.keys.get(key).copied()
    }

    /// The statements of a section with their setting key ids.
    pub fn keyed_statements<'a>(
        &self,
        section: &'a Section,
    ) -> impl Iterator<Item = (Stmt, u32)> + 'a {
        section
            .statements
            .iter()
            .copied()
            .zip(section.keys.iter().copied())
    }

    /// The ids of some setting keys, for rules that look at a few kinds of
    /// statement among all.
    pub fn key_set(&self, keys: &[&str]) -> KeySet {
        let mut set = KeySet(vec![0; self.keys.len().div_ceil(64)]);
        for id in keys.iter().filter_map(|key| self.key_id(key)) {
            if let Some(word) = set.0.get_mut(id as usize / 64) {
                *word |= 1 << (id % 64);
            }
        }
        set
    }

    /// The ids of the keys whose first word is one of `words` (`stats`
    /// takes in `stats uri`, `stats http-request`…).
    pub fn key_set_of_keywords(&self, words: &[&str]) -> KeySet {
        let keys: Vec<&str> = self
            .keys
            .keys()
            .map(String::as_str)
            .filter(|key| words.contains(&key.split(' ').next().unwrap_or(key)))
            .collect();
        self.key_set(&keys)
    }

    /// The statements of a section whose key is in `keys`, with their key.
    pub fn statements_in<'a>(
        &self,
        section: &'a Section,
        keys: &'a KeySet,
    ) -> impl Iterator<Item = (Stmt, u32)> + 'a {
        self.keyed_statements(section)
            .filter(move |&(_, key)| keys.contains(key))
    }

    /// Statements of a section whose first word is `keyword`.
    pub fn statements_with<'a>(
        &'a self,
        section: &'a Section,
        keyword: &'a str,
    ) -> impl Iterator<Item = Stmt> + 'a {
        // A one-word key is the first word unless a `no`/`default` comes
        // first, so the key narrows the statements and the word decides.
        let key = if settings::TWO_WORD_KEYWORDS.contains(&keyword) {
            None
        } else {
            Some(self.key_id(keyword))
        };
        section
            .statements
            .iter()
            .zip(&section.keys)
            .filter(move |&(_, k)| key.is_none_or(|key| key == Some(*k)))
            .map(|(&stmt, _)| stmt)
            .filter(move |&stmt| self.value(stmt, 0) == Some(keyword))
    }

    fn split_sections(&mut self) {
        let headers: Vec<Vec<(u32, SectionKind)>> = self.trees.iter().map(header_lines).collect();
        // Sections are large (a few hundred bytes): the vector is sized once.
        let count = headers.iter().map(Vec::len).sum();
        let mut sections = Vec::with_capacity(count);
        // One past the last line of each section's body.
        let mut ends = Vec::with_capacity(count);
        let mut findings = Vec::new();
        for (tree, headers) in self.trees.iter().zip(&headers) {
            // Each file starts outside any section, as with several `-f`.
            let lines = tree.lines.len() as u32;
            let before_first = headers.first().map_or(lines, |&(line, _)| line);
            for index in 0..before_first {
                if let Some(first) = statement_start(tree, index) {
                    let keyword = tree.value(first);
                    findings.push(
                        Finding::new(
                            syntax::SYNTAX,
                            tree.word_span(first),
                            format!("unknown keyword `{keyword}` out of section"),
                        )
                        .note(
                            "every file must start with a section keyword such \
                             as `global`, `defaults`, `frontend` or `backend`",
                        )
                        .help("move this line into a section, or add the section header above it"),
                    );
                }
            }
            let first_id = sections.len();
            for (created, found) in new_sections(tree, headers, first_id) {
                sections.extend(created);
                findings.extend(found);
            }
            for at in 0..headers.len() {
                ends.push(headers.get(at + 1).map_or(lines, |&(next, _)| next));
            }
        }
        self.fill_sections(&mut sections, &ends);
        // Sized once for the names of each kind: 50,000 backends would
        // otherwise rehash the map again and again.
        let mut per_kind = vec![0usize; SectionKind::ALL.len()];
        for section in sections.iter().filter(|s| s.name.is_some()) {
            if let Some(count) = per_kind.get_mut(section.kind as usize) {
                *count += 1;
            }
        }
        for (names, count) in self.names.iter_mut().zip(per_kind) {
            names.reserve(count);
        }
        for section in &sections {
            if let Some(name) = &section.name
                && let Some(names) = self.names.get_mut(section.kind as usize)
            {
                match names.get_mut(name.as_str()) {
                    Some(named) => named.push(section.id),
                    None => {
                        names.insert(name.clone(), NamedSections::One(section.id));
                    }
                }
            }
        }
        self.sections = sections;
        self.findings.extend(findings);
    }

    /// Give every section its statements (the lines from its header to
    /// `ends`, directives and empty lines aside), every statement its
    /// setting key, and every section its settings and ACL declarations. On
    /// large configurations the second half of the sections is done on
    /// another thread with its own key table, whose ids are then mapped into
    /// the model's.
    fn fill_sections(&mut self, sections: &mut [Section], ends: &[u32]) {
        let body = |section: &Section| {
            let end = ends
                .get(section.id.0 as usize)
                .copied()
                .unwrap_or(section.header.line);
            end.saturating_sub(section.header.line) as usize
        };
        let lines: usize = sections.iter().map(body).sum();
        let trees = &self.trees;
        if lines < PARALLEL_STATEMENTS {
            fill_section_run(trees, sections, ends, &mut self.keys);
            return;
        }
        let middle = half_by(sections, body);
        let (first, second) = sections.split_at_mut(middle);
        let (first_ends, second_ends) = ends.split_at(middle.min(ends.len()));
        let keys = &mut self.keys;
        let second_keys = std::thread::scope(|scope| {
            let helper = scope.spawn(|| {
                let mut own = HashMap::default();
                fill_section_run(trees, second, second_ends, &mut own);
                (own, second)
            });
            fill_section_run(trees, first, first_ends, keys);
            helper.join()
        });
        let Ok((own, second)) = second_keys else {
            // The helper cannot panic on input; should it anyway, its
            // sections are done again here.
            let (_, second) = sections.split_at_mut(middle);
            for section in second.iter_mut() {
                section.keys.clear();
                section.settings.clear();
                section.acls.clear();
                section.connection_mode = None;
            }
            fill_section_run(trees, second, second_ends, &mut self.keys);
            return;
        };
        let mut remap = vec![NO_KEY; own.len()];
        for (key, local) in own {
            let next = keys.len() as u32;
            let id = *keys.entry(key).or_insert(next);
            if let Some(slot) = remap.get_mut(local as usize) {
                *slot = id;
            }
        }
        let global = |local: u32| remap.get(local as usize).copied().unwrap_or(NO_KEY);
        for section in second.iter_mut() {
            for key in &mut section.keys {
                *key = global(*key);
            }
            for (key, _) in &mut section.settings {
                *key = global(*key);
            }
        }
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

/// Links from sections to sections, each list in the order the links were
/// found, each target once: all lists in one vector, cut by offsets.
#[derive(Clone, Debug, Default)]
struct Adjacency {
    /// `starts[i]..starts[i + 1]` are the targets of section `i`.
    starts: Vec<u32>,
    targets: Vec<SectionId>,
}

impl Adjacency {
    fn new(count: usize, links: impl Iterator<Item = (SectionId, SectionId)> + Clone) -> Adjacency {
        let mut starts = vec![0u32; count + 1];
        for (from, _) in links.clone() {
            if let Some(slot) = starts.get_mut(from.0 as usize + 1) {
                *slot += 1;
            }
        }
        for index in 1..starts.len() {
            let before = starts.get(index - 1).copied().unwrap_or(0);
            if let Some(slot) = starts.get_mut(index) {
                *slot += before;
            }
        }
        // Place each link in its section's range, in order of appearance.
        let mut next = starts.clone();
        let mut placed = vec![SectionId(u32::MAX); starts.last().copied().unwrap_or(0) as usize];
        for (from, to) in links {
            if let Some(at) = next.get_mut(from.0 as usize)
                && let Some(slot) = placed.get_mut(*at as usize)
            {
                *slot = to;
                *at += 1;
            }
        }
        // Keep each target once per section: `seen[to]` holds the last
        // section that listed it.
        let mut seen = vec![u32::MAX; count];
        let mut targets = Vec::with_capacity(placed.len());
        let mut kept_starts = Vec::with_capacity(starts.len());
        kept_starts.push(0);
        for from in 0..count {
            let range = starts.get(from).copied().unwrap_or(0) as usize
                ..starts.get(from + 1).copied().unwrap_or(0) as usize;
            for &to in placed.get(range).unwrap_or(&[]) {
                if let Some(mark) = seen.get_mut(to.0 as usize)
                    && *mark != from as u32
                {
                    *mark = from as u32;
                    targets.push(to);
                }
            }
            kept_starts.push(targets.len() as u32);
        }
        Adjacency {
            starts: kept_starts,
            targets,
        }
    }

    fn get(&self, from: SectionId) -> &[SectionId] {
        let index = from.0 as usize;
        match (self.starts.get(index), self.starts.get(index + 1)) {
            (Some(&start), Some(&end)) => self
                .targets
                .get(start as usize..end as usize)
                .unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// The sections of one kind that share a name: nearly always one, kept
/// without an allocation of its own.
#[derive(Clone, Debug)]
enum NamedSections {
    One(SectionId),
    Many(Vec<SectionId>),
}

impl NamedSections {
    fn push(&mut self, id: SectionId) {
        match self {
            NamedSections::One(first) => *self = NamedSections::Many(vec![*first, id]),
            NamedSections::Many(ids) => ids.push(id),
        }
    }

    fn as_slice(&self) -> &[SectionId] {
        match self {
            NamedSections::One(id) => std::slice::from_ref(id),
            NamedSections::Many(ids) => ids,
        }
    }
}

/// Setting key ids (see [`Model::key_set`]), one bit each: rules test
/// every statement of large configurations against a set.
#[derive(Clone, Debug, Default)]
pub struct KeySet(Vec<u64>);

impl KeySet {
    pub fn contains(&self, key: u32) -> bool {
        self.0
            .get(key as usize / 64)
            .is_some_and(|word| word & (1 << (key % 64)) != 0)
    }
}

/// A statement without a setting key (an empty `no`).
pub(crate) const NO_KEY: u32 = u32::MAX;

/// Where to cut `sections` in two runs of about equal statement count.
fn half_by_statements(sections: &[Section]) -> usize {
    half_by(sections, |s| s.statements.len())
}

/// Where to cut `sections` in two runs of about equal `size`.
fn half_by(sections: &[Section], size: impl Fn(&Section) -> usize) -> usize {
    let total: usize = sections.iter().map(&size).sum();
    let mut seen = 0;
    sections
        .iter()
        .position(|s| {
            seen += size(s);
            seen * 2 >= total
        })
        .unwrap_or(0)
}

/// The first word of line `index` when the line is a statement (it has
/// words and is not a directive such as `.if`).
fn statement_start(tree: &SyntaxTree, index: u32) -> Option<&Word> {
    let line = tree.lines.get(index as usize)?;
    let first = tree.words(line).first()?;
    let directive = !first.is_quoted() && tree.value(first).starts_with('.');
    (!directive).then_some(first)
}

/// Lines that open a section, with its kind (any section keyword opens
/// one, §2.1). Large files are scanned in two halves on two threads.
fn header_lines(tree: &SyntaxTree) -> Vec<(u32, SectionKind)> {
    let scan = |from: u32, to: u32| -> Vec<(u32, SectionKind)> {
        (from..to)
            .filter_map(|index| {
                let first = statement_start(tree, index)?;
                SectionKind::from_keyword(tree.value(first)).map(|kind| (index, kind))
            })
            .collect()
    };
    let lines = tree.lines.len() as u32;
    if (lines as usize) < PARALLEL_STATEMENTS {
        return scan(0, lines);
    }
    let middle = lines / 2;
    let (mut headers, second) = crate::in_parallel(|| scan(0, middle), || scan(middle, lines));
    headers.extend(second);
    headers
}

/// The sections the `headers` of `tree` open, numbered from `first_id`, with
/// the findings about their names; in two halves on two threads when there
/// are many (each header is a few cache misses away from the last).
fn new_sections(
    tree: &SyntaxTree,
    headers: &[(u32, SectionKind)],
    first_id: usize,
) -> Vec<(Vec<Section>, Vec<Finding>)> {
    let create = |run: &[(u32, SectionKind)], offset: usize| {
        let mut findings = Vec::new();
        let sections = run
            .iter()
            .enumerate()
            .map(|(at, &(line, kind))| {
                let id = SectionId((first_id + offset + at) as u32);
                new_section(tree, id, line, kind, &mut findings)
            })
            .collect::<Vec<Section>>();
        (sections, findings)
    };
    if headers.len() < PARALLEL_SECTIONS {
        return vec![create(headers, 0)];
    }
    let middle = headers.len() / 2;
    let (first, second) = headers.split_at(middle);
    let (first, second) = crate::in_parallel(|| create(first, 0), || create(second, middle));
    vec![first, second]
}

/// From this many sections on, they are created on two threads.
const PARALLEL_SECTIONS: usize = 2_000;

/// The section opened by the header on line `line` of `tree`, with no body yet.
fn new_section(
    tree: &SyntaxTree,
    id: SectionId,
    line: u32,
    kind: SectionKind,
    findings: &mut Vec<Finding>,
) -> Section {
    let words = tree
        .lines
        .get(line as usize)
        .map_or(&[][..], |l| tree.words(l));
    let mut name = words.get(1).map(|w| tree.value(w).to_string());
    let mut from = match (words.get(2).map(|w| tree.value(w)), words.get(3)) {
        (Some("from"), Some(w)) if kind.inherits_defaults() => Some(tree.value(w).to_string()),
        _ => None,
    };
    // `defaults from base`: an anonymous defaults section that starts from `base`.
    if kind == SectionKind::Defaults && name.as_deref() == Some("from") && words.len() == 3 {
        from = words.get(2).map(|w| tree.value(w).to_string());
        name = None;
    }
    check_section_name(tree, kind, words, findings);
    Section {
        id,
        kind,
        name,
        header: Stmt {
            file: tree.file,
            line,
        },
        from,
        statements: Vec::new(),
        keys: Vec::new(),
        defaults: None,
        servers: Vec::new(),
        default_servers: Vec::new(),
        inherited_param_names: 0,
        binds: Vec::new(),
        acls: Vec::new(),
        settings: Vec::new(),
        connection_mode: None,
        mode: Mode::Tcp,
    }
}

/// The setting key of a statement (`no`/`default` removed, `option X` and
/// `timeout X` as two words) and whether it was negated. A two-word key is
/// written into `buffer`; a one-word key is the word itself.
fn statement_key<'a>(tree: &'a SyntaxTree, stmt: Stmt, buffer: &'a mut String) -> (&'a str, bool) {
    let words = tree
        .lines
        .get(stmt.line as usize)
        .map(|line| tree.words(line))
        .unwrap_or(&[]);
    let mut values = words.iter().map(|w| tree.value(w));
    let mut first = values.next().unwrap_or("");
    let mut negated = false;
    if first == "no" || first == "default" {
        negated = first == "no";
        first = values.next().unwrap_or("");
    }
    if !settings::TWO_WORD_KEYWORDS.contains(&first) {
        return (first, negated);
    }
    buffer.clear();
    buffer.push_str(first);
    buffer.push(' ');
    buffer.push_str(values.next().unwrap_or(""));
    (buffer.as_str(), negated)
}

/// [`Model::fill_sections`] for one run of sections, with key ids from `keys`.
fn fill_section_run(
    trees: &[SyntaxTree],
    sections: &mut [Section],
    ends: &[u32],
    keys: &mut HashMap<String, u32>,
) {
    let mut buffer = String::new();
    let mut acl_key = None;
    for (section, &end) in sections.iter_mut().zip(ends) {
        let Some(tree) = trees.get(section.header.file.0 as usize) else {
            continue;
        };
        let file = section.header.file;
        let body = section.header.line + 1..end;
        // Sized for every line of the body: only blank and comment lines
        // are left out, and growing by doubling would waste more.
        section.statements = Vec::with_capacity(body.len());
        section.statements.extend(
            body.filter(|&line| statement_start(tree, line).is_some())
                .map(|line| Stmt { file, line }),
        );
        let mut settings: Vec<(u32, Stmt)> = Vec::new();
        let mut statement_keys = Vec::with_capacity(section.statements.len());
        for &stmt in &section.statements {
            let (key, negated) = statement_key(tree, stmt, &mut buffer);
            if key.is_empty() {
                statement_keys.push(NO_KEY);
                continue;
            }
            if let Some(mode) = settings::connection_mode_of(key, negated) {
                section.connection_mode = Some((mode, stmt));
            }
            let id = match keys.get(key) {
                Some(&id) => id,
                None => {
                    let id = keys.len() as u32;
                    keys.insert(key.to_string(), id);
                    id
                }
            };
            if key == "acl" {
                acl_key = Some(id);
            }
            statement_keys.push(id);
            match settings.iter_mut().find(|(k, _)| *k == id) {
                Some(entry) => entry.1 = stmt,
                None => settings.push((id, stmt)),
            }
        }
        settings.shrink_to_fit();
        section.settings = settings;
        for (&stmt, &key) in section.statements.iter().zip(&statement_keys) {
            if Some(key) == acl_key
                && !negated_statement(tree, stmt)
                && let Some(name) = tree_value(tree, stmt, 1)
            {
                section.acls.push((name.to_string(), stmt));
            }
        }
        section.keys = statement_keys;
        section.acls.shrink_to_fit();
    }
}

fn tree_value(tree: &SyntaxTree, stmt: Stmt, index: usize) -> Option<&str> {
    let line = tree.lines.get(stmt.line as usize)?;
    tree.words(line).get(index).map(|w| tree.value(w))
}

/// The statement starts with `no` or `default` (its key is not its first word).
fn negated_statement(tree: &SyntaxTree, stmt: Stmt) -> bool {
    matches!(tree_value(tree, stmt, 0), Some("no" | "default"))
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

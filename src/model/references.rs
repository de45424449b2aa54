//! Names one part of the configuration uses to point at another, and what
//! each one resolves to. Names are indexed once (see `Model::sections_named`),
//! so resolving stays linear in the size of the configuration.

use super::{Model, SectionId, SectionKind, Stmt};
use crate::source::Span;
use rustc_hash::FxHashMap as HashMap;

/// What kind of thing a name refers to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RefKind {
    /// `use_backend`, `default_backend`: a backend or listen section.
    Backend,
    /// `resolvers` on a server.
    Resolvers,
    /// `peers` on a stick-table.
    Peers,
    /// `http_auth(…)`, `http_auth_group(…)`: a userlist.
    Userlist,
    /// `track-sc*`, `stick … table`: a proxy with a stick-table, or `peers/table`.
    Table,
    /// `filter cache`, `cache-use`, `cache-store`.
    Cache,
    /// `log ring@NAME`.
    Ring,
    /// `errorfiles NAME`.
    HttpErrors,
    /// `email-alert mailers NAME`.
    Mailers,
    /// `from NAME` on a section header: a named defaults section.
    Defaults,
    /// A named ACL used in an `if`/`unless` condition.
    Acl,
    /// `use-server NAME`: a server of the same backend.
    Server,
}

impl RefKind {
    /// How the thing is called in messages.
    pub fn noun(self) -> &'static str {
        match self {
            RefKind::Backend => "backend",
            RefKind::Resolvers => "resolvers section",
            RefKind::Peers => "peers section",
            RefKind::Userlist => "userlist",
            RefKind::Table => "stick-table",
            RefKind::Cache => "cache",
            RefKind::Ring => "ring",
            RefKind::HttpErrors => "http-errors section",
            RefKind::Mailers => "mailers section",
            RefKind::Defaults => "defaults section",
            RefKind::Acl => "ACL",
            RefKind::Server => "server",
        }
    }
}

#[derive(Clone, Debug)]
pub struct Reference {
    pub kind: RefKind,
    pub name: String,
    /// The word that holds the name.
    pub span: Span,
    /// Section and statement the name is used in.
    pub section: SectionId,
    pub stmt: Stmt,
    /// The statement that defines the target (a section header, `acl`, `server`…).
    pub target: Option<Stmt>,
    /// The section the name resolves to, when it names a section.
    pub target_section: Option<SectionId>,
}

/// ACLs haproxy predefines (configuration.txt §7.4).
pub const PREDEFINED_ACLS: &[&str] = &[
    "FALSE",
    "HTTP",
    "HTTP_1.0",
    "HTTP_1.1",
    "HTTP_2.0",
    "HTTP_3.0",
    "HTTP_CONTENT",
    "HTTP_URL_ABS",
    "HTTP_URL_SLASH",
    "HTTP_URL_STAR",
    "LOCALHOST",
    "METH_CONNECT",
    "METH_DELETE",
    "METH_GET",
    "METH_HEAD",
    "METH_OPTIONS",
    "METH_POST",
    "METH_PUT",
    "METH_TRACE",
    "RDP_COOKIE",
    "REQ_CONTENT",
    "TRUE",
    "WAIT_END",
];

/// Keywords whose lines may end with an `if`/`unless` condition.
const CONDITION_KEYWORDS: &[&str] = &[
    "use_backend",
    "use-server",
    "http-request",
    "http-response",
    "http-after-response",
    "tcp-request",
    "tcp-response",
    "redirect",
    "block",
    "stats",
    "monitor",
    "force-persist",
    "ignore-persist",
    "stick",
    "http-check",
    "tcp-check",
    "errorloc",
    "reqdel",
    "http-error",
    "filter",
    "use-fcgi-app",
    "http-send-name-header",
];

fn takes_condition(keyword: &str) -> bool {
    CONDITION_KEYWORDS.contains(&keyword)
}

pub(super) fn collect(model: &mut Model) {
    let shared: &Model = model;
    let tables = index_tables(shared);
    let keys = naming_keys(shared);
    let refs = shared
        .map_sections(|section| {
            let mut refs = in_section(shared, section, &keys);
            let mut names = SectionNames::new(section);
            for reference in &mut refs {
                let (target, section) = resolve(shared, &tables, &mut names, reference);
                reference.target = target;
                reference.target_section = section;
            }
            refs
        })
        .into_iter()
        .flatten()
        .collect();
    model.references = refs;
}

/// The keywords whose statements can name another part of the configuration
/// (a backend, a table, an ACL in a condition…), see [`in_section`].
fn naming_keys(model: &Model) -> super::KeySet {
    let mut keys: Vec<&str> = CONDITION_KEYWORDS.to_vec();
    keys.extend([
        "default_backend",
        "stick-table",
        "filter",
        "email-alert",
        "log",
        "errorfiles",
        "http-error",
    ]);
    model.key_set_of_keywords(&keys)
}

/// The names one section uses, not yet resolved.
fn in_section(model: &Model, section: &super::Section, keys: &super::KeySet) -> Vec<Reference> {
    let mut refs = Vec::new();
    // One buffer for the words of every statement: no allocation per line.
    let mut values: Vec<&str> = Vec::new();
    {
        let mut push = |kind, stmt: Stmt, word: usize, name: &str| {
            // The span covers the name itself when the word holds more
            // (`!name`, `ring@name`, `http_auth(name)`), so a rename keeps the rest.
            let mut span = model.word_span(stmt, word);
            let raw = model.tree(stmt.file).and_then(|t| t.text.get(span.range()));
            if let Some(at) = raw.filter(|r| *r != name).and_then(|r| r.rfind(name)) {
                span.start += at as u32;
                span.end = span.start + name.len() as u32;
            }
            refs.push(Reference {
                kind,
                name: name.to_string(),
                span,
                section: section.id,
                stmt,
                target: None,
                target_section: None,
            });
        };
        if let Some(from) = &section.from
            && section.kind.inherits_defaults()
        {
            let at = model
                .values(section.header)
                .position(|w| w == "from")
                .map_or(3, |i| i + 1);
            push(RefKind::Defaults, section.header, at, from);
        }
        for (stmt, key) in model.keyed_statements(section) {
            // Only these keywords name other parts of the configuration,
            // besides fetches like `http_auth(…)`, whose parenthesis the
            // parser noted: other statements are not read at all.
            // Elsewhere only `http_auth(…)` names something (a userlist).
            let named = keys.contains(key)
                || (model.may_hold_expression(stmt)
                    && model
                        .statement_text(stmt)
                        .is_none_or(|text| text.contains("http_auth")));
            if !named {
                continue;
            }
            values.clear();
            values.extend(model.values(stmt));
            let keyword = values.first().copied().unwrap_or("");
            match keyword {
                "use_backend" | "default_backend" => {
                    if let Some(name) = values.get(1).filter(|n| !is_dynamic(n)) {
                        push(RefKind::Backend, stmt, 1, name);
                    }
                }
                "use-server" => {
                    if let Some(name) = values.get(1).filter(|n| !is_dynamic(n)) {
                        push(RefKind::Server, stmt, 1, name);
                    }
                }
                "stick-table" => {
                    if let Some(i) = values.iter().position(|v| *v == "peers")
                        && let Some(name) = values.get(i + 1)
                    {
                        push(RefKind::Peers, stmt, i + 1, name);
                    }
                }
                "filter" if values.get(1) == Some(&"cache") => {
                    if let Some(name) = values.get(2) {
                        push(RefKind::Cache, stmt, 2, name);
                    }
                }
                "email-alert" if values.get(1) == Some(&"mailers") => {
                    if let Some(name) = values.get(2) {
                        push(RefKind::Mailers, stmt, 2, name);
                    }
                }
                "log" => {
                    if let Some(name) = values.get(1).and_then(|t| t.strip_prefix("ring@")) {
                        push(RefKind::Ring, stmt, 1, name);
                    }
                }
                _ => {}
            }
            if section.kind != SectionKind::HttpErrors {
                for (i, value) in values.iter().enumerate() {
                    if *value == "errorfiles"
                        && let Some(name) = values.get(i + 1)
                    {
                        push(RefKind::HttpErrors, stmt, i + 1, name);
                    }
                }
            }
            if matches!(keyword, "http-request" | "http-response")
                && let (Some(action), Some(name)) = (values.get(1), values.get(2))
                && matches!(*action, "cache-use" | "cache-store")
            {
                push(RefKind::Cache, stmt, 2, name);
            }
            let mut condition_at = None;
            for (i, value) in values.iter().enumerate().skip(1) {
                if (value.starts_with("track-sc") || (keyword == "stick" && i == 1))
                    && let Some(t) = values.iter().skip(i).position(|v| *v == "table")
                    && let Some(name) = values.get(i + t + 1)
                {
                    push(RefKind::Table, stmt, i + t + 1, name);
                }
                let maybe_fetch = value.len() > 10 && value.as_bytes().contains(&b'(');
                for fetch in ["http_auth(", "http_auth_group("]
                    .into_iter()
                    .filter(|_| maybe_fetch)
                {
                    if let Some(start) = value.find(fetch) {
                        let rest = value.get(start + fetch.len()..).unwrap_or("");
                        let name = rest.split([')', ',']).next().unwrap_or("");
                        if !name.is_empty() {
                            push(RefKind::Userlist, stmt, i, name);
                        }
                    }
                }
                if condition_at.is_none()
                    && (*value == "if" || *value == "unless")
                    && takes_condition(keyword)
                {
                    condition_at = Some(i);
                }
            }
            if let Some(start) = condition_at {
                let mut braces = 0usize;
                for (i, value) in values.iter().enumerate().skip(start + 1) {
                    // `{ … }` is an anonymous ACL (`!{` negates it); `||` and
                    // `or` (any case) join terms, `!` negates the next one.
                    if value.trim_start_matches('!') == "{" {
                        braces += 1;
                        continue;
                    }
                    if *value == "}" {
                        braces = braces.saturating_sub(1);
                        continue;
                    }
                    if braces > 0
                        || matches!(*value, "||" | "!")
                        || value.eq_ignore_ascii_case("or")
                    {
                        continue;
                    }
                    let name = value.trim_start_matches('!');
                    if !name.is_empty() && !PREDEFINED_ACLS.contains(&name) {
                        push(RefKind::Acl, stmt, i, name);
                    }
                }
            }
        }
        for server in &section.servers {
            for param in server.params.iter().filter(|p| p.name() == "resolvers") {
                let word = param.word as usize + 1;
                if let Some(name) = model.value(server.stmt, word) {
                    push(RefKind::Resolvers, server.stmt, word, name);
                }
            }
        }
    }
    refs
}

/// A name built at run time from a sample expression (`use_backend %[req.hdr(host)]`).
fn is_dynamic(name: &str) -> bool {
    name.contains("%[")
}

/// Proxies that declare a `stick-table`, and `peers/table` tables of peers sections.
fn index_tables(model: &Model) -> HashMap<String, Stmt> {
    let mut tables = HashMap::default();
    for section in &model.sections {
        let Some(name) = &section.name else { continue };
        if section.kind.is_proxy() {
            if let Some(stmt) = model.statements_with(section, "stick-table").next() {
                tables.insert(name.clone(), stmt);
            }
        } else if section.kind == SectionKind::Peers {
            for stmt in model.statements_with(section, "table") {
                if let Some(table) = model.value(stmt, 1) {
                    tables.insert(format!("{name}/{table}"), stmt);
                }
            }
        }
    }
    tables
}

/// The ACLs and servers of one section by name, for the references made in
/// it: a short list is searched, a long one (a frontend with 50,000 ACLs)
/// indexed on first use, so resolving stays linear. The first declaration
/// of a name is the one found, as haproxy finds it.
struct SectionNames<'a> {
    section: &'a super::Section,
    acls: Option<HashMap<&'a str, Stmt>>,
    servers: Option<HashMap<&'a str, Stmt>>,
}

/// Up to this many names, searching the list beats building a map.
const SHORT_LIST: usize = 16;

impl<'a> SectionNames<'a> {
    fn new(section: &'a super::Section) -> Self {
        SectionNames {
            section,
            acls: None,
            servers: None,
        }
    }

    fn acl(&mut self, name: &str) -> Option<Stmt> {
        let acls = &self.section.acls;
        if acls.len() <= SHORT_LIST {
            return acls.iter().find(|(n, _)| n == name).map(|&(_, stmt)| stmt);
        }
        self.acls
            .get_or_insert_with(|| first_of_each(acls.iter().map(|(n, stmt)| (n.as_str(), *stmt))))
            .get(name)
            .copied()
    }

    fn server(&mut self, name: &str) -> Option<Stmt> {
        let named = || {
            self.section
                .servers
                .iter()
                .filter_map(|s| Some((s.name.as_deref()?, s.stmt)))
        };
        if self.section.servers.len() <= SHORT_LIST {
            return named().find(|(n, _)| *n == name).map(|(_, stmt)| stmt);
        }
        self.servers
            .get_or_insert_with(|| first_of_each(named()))
            .get(name)
            .copied()
    }
}

fn first_of_each<'a>(names: impl Iterator<Item = (&'a str, Stmt)>) -> HashMap<&'a str, Stmt> {
    let mut index = HashMap::default();
    for (name, stmt) in names {
        index.entry(name).or_insert(stmt);
    }
    index
}

/// The statement a reference resolves to, and the section when it names one.
fn resolve(
    model: &Model,
    tables: &HashMap<String, Stmt>,
    names: &mut SectionNames<'_>,
    reference: &Reference,
) -> (Option<Stmt>, Option<SectionId>) {
    let header = |kind: SectionKind| model.sections_named(kind, &reference.name).last().copied();
    let statement = |found: Option<Stmt>| (found, None);
    let section = match reference.kind {
        RefKind::Backend => header(SectionKind::Backend).or_else(|| header(SectionKind::Listen)),
        RefKind::Resolvers => header(SectionKind::Resolvers),
        RefKind::Peers => header(SectionKind::Peers),
        RefKind::Userlist => header(SectionKind::Userlist),
        RefKind::Cache => header(SectionKind::Cache),
        RefKind::Ring => header(SectionKind::Ring),
        RefKind::HttpErrors => header(SectionKind::HttpErrors),
        RefKind::Mailers => header(SectionKind::Mailers),
        RefKind::Defaults => header(SectionKind::Defaults),
        RefKind::Table => return statement(tables.get(&reference.name).copied()),
        RefKind::Acl => return statement(names.acl(&reference.name)),
        RefKind::Server => return statement(names.server(&reference.name)),
    };
    (section.map(|id| model.section(id).header), section)
}

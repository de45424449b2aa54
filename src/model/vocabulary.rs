//! The keywords of the `global` section and of proxies, per HAProxy version:
//! `rules/keywords/global.tsv` and `proxy.tsv` (built by
//! `tools/keywords/extract.py` from the configuration manual of every release
//! 2.4 … 3.4) and `retired.tsv` (keywords deprecated or removed, with their
//! replacement, written by hand from haproxy's own messages).

use crate::version::Version;
use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

const GLOBAL: &str = include_str!("../../rules/keywords/global.tsv");
const PROXY: &str = include_str!("../../rules/keywords/proxy.tsv");
const RETIRED: &str = include_str!("../../rules/keywords/retired.tsv");
const SAMPLES: &str = include_str!("../../rules/keywords/samples.tsv");

/// Sample fetches (`src`, `req.hdr`…) and converters (`lower`, `base64`…).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SampleKind {
    Fetch,
    Converter,
}

/// Which releases document a keyword.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Lifetime {
    /// First release whose manual has it (2.4 stands for "2.4 or earlier").
    pub since: Version,
    pub deprecated: Option<Version>,
    /// First release whose manual no longer has it.
    pub until: Option<Version>,
}

impl Lifetime {
    pub fn exists_in(&self, target: Version) -> bool {
        self.since <= target && self.until.is_none_or(|until| target < until)
    }
}

/// The proxy sections a keyword may be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ProxySections {
    pub defaults: bool,
    pub frontend: bool,
    pub listen: bool,
    pub backend: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keyword {
    /// One word, or two for families (`option httplog`, `timeout server`, `stats uri`).
    pub name: &'static str,
    pub life: Lifetime,
    /// Proxies only; `None` in `global`.
    pub sections: Option<ProxySections>,
    /// `no` may invert it.
    pub negatable: bool,
    /// Only a named `defaults` section takes it (`(!)` in the manual's matrix).
    pub named_defaults_only: bool,
}

/// A keyword haproxy no longer accepts, or warns about, and what replaces it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Retired {
    pub context: Context,
    pub name: &'static str,
    pub deprecated: Option<Version>,
    pub removed: Option<Version>,
    pub replacement: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Context {
    Global,
    Proxy,
}

struct Tables {
    global: HashMap<&'static str, Keyword>,
    proxy: HashMap<&'static str, Keyword>,
    /// First words of multi-word proxy keywords (`option`, `timeout`, `stats`…).
    families: HashMap<&'static str, Vec<&'static str>>,
    /// By name (a lookup by `&str` cannot borrow into a tuple key).
    retired: HashMap<&'static str, Vec<Retired>>,
    fetches: HashMap<&'static str, Lifetime>,
    converters: HashMap<&'static str, Lifetime>,
}

fn version(text: &str) -> Option<Version> {
    (!text.trim().is_empty())
        .then(|| Version::parse(text))
        .flatten()
}

fn rows(table: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    table
        .lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.split('\t').collect())
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let lifetime = |since: &str, deprecated: &str, until: &str| Lifetime {
            since: version(since).unwrap_or(Version::new(2, 4)),
            deprecated: version(deprecated),
            until: version(until),
        };
        let mut global = HashMap::default();
        for row in rows(GLOBAL) {
            let column = |i: usize| row.get(i).copied().unwrap_or("");
            let name = column(0);
            global.insert(
                name,
                Keyword {
                    name,
                    life: lifetime(column(1), column(2), column(3)),
                    sections: None,
                    negatable: false,
                    named_defaults_only: false,
                },
            );
        }
        let mut proxy = HashMap::default();
        let mut families: HashMap<&'static str, Vec<&'static str>> = HashMap::default();
        for row in rows(PROXY) {
            let column = |i: usize| row.get(i).copied().unwrap_or("");
            let name = column(0);
            let letters = column(1);
            if let Some((first, _)) = name.split_once(' ') {
                families.entry(first).or_default().push(name);
            }
            proxy.insert(
                name,
                Keyword {
                    name,
                    life: lifetime(column(3), column(4), column(5)),
                    sections: Some(ProxySections {
                        defaults: letters.contains('d'),
                        frontend: letters.contains('f'),
                        listen: letters.contains('l'),
                        backend: letters.contains('b'),
                    }),
                    negatable: column(2) == "yes",
                    named_defaults_only: column(6) == "yes",
                },
            );
        }
        let mut retired: HashMap<&'static str, Vec<Retired>> = HashMap::default();
        for row in rows(RETIRED) {
            let column = |i: usize| row.get(i).copied().unwrap_or("");
            let context = match column(0) {
                "global" => Context::Global,
                _ => Context::Proxy,
            };
            let name = column(1);
            retired.entry(name).or_default().push(Retired {
                context,
                name,
                deprecated: version(column(2)),
                removed: version(column(3)),
                replacement: column(4),
            });
        }
        let mut fetches = HashMap::default();
        let mut converters = HashMap::default();
        for row in rows(SAMPLES) {
            let column = |i: usize| row.get(i).copied().unwrap_or("");
            let life = lifetime(column(2), column(3), column(4));
            match column(0) {
                "fetch" => fetches.insert(column(1), life),
                _ => converters.insert(column(1), life),
            };
        }
        Tables {
            global,
            proxy,
            families,
            retired,
            fetches,
            converters,
        }
    })
}

/// A keyword of the `global` section, in any version.
pub fn global(name: &str) -> Option<&'static Keyword> {
    tables().global.get(name)
}

/// The proxy keyword a statement starts with: the two-word form when the
/// first word names a family (`option httplog`), else the first word.
/// `words` are the statement's words after any `no`/`default` prefix.
pub fn proxy(words: &[&str]) -> Option<&'static Keyword> {
    let tables = tables();
    let first = *words.first()?;
    if let Some(second) = words.get(1)
        && tables.families.contains_key(first)
    {
        // `http-check set-var(check.x)`: the keyword ends at the parenthesis.
        let second = second.split('(').next().unwrap_or(second);
        let mut key = String::with_capacity(first.len() + 1 + second.len());
        key.push_str(first);
        key.push(' ');
        key.push_str(second);
        if let Some(keyword) = tables.proxy.get(key.as_str()) {
            return Some(keyword);
        }
        // `capture request header`: three words, the table has all three.
        if let Some(third) = words.get(2) {
            key.push(' ');
            key.push_str(third);
            if let Some(keyword) = tables.proxy.get(key.as_str()) {
                return Some(keyword);
            }
        }
    }
    tables.proxy.get(first)
}

/// The multi-word keywords that start with `first` (`option` → every option).
pub fn family(first: &str) -> &'static [&'static str] {
    tables()
        .families
        .get(first)
        .map(Vec::as_slice)
        .unwrap_or(&[])
}

pub fn global_names() -> impl Iterator<Item = &'static str> {
    tables().global.keys().copied()
}

pub fn proxy_names() -> impl Iterator<Item = &'static str> {
    tables().proxy.keys().copied()
}

/// The releases that document a sample fetch or converter; `None` when the
/// manuals of 2.4 … 3.4 do not (haplint then does not judge it).
pub fn sample(kind: SampleKind, name: &str) -> Option<&'static Lifetime> {
    let tables = tables();
    match kind {
        SampleKind::Fetch => tables.fetches.get(name),
        SampleKind::Converter => tables.converters.get(name),
    }
}

/// Keywords of `cache` sections, all documented since 2.4 (`early-hints`
/// belongs to later development versions).
pub const CACHE_KEYWORDS: &[&str] = &[
    "total-max-size",
    "max-object-size",
    "max-age",
    "process-vary",
    "max-secondary-entries",
];

/// Address prefixes (`abns@`, `fd@`…) of `bind` and `server` addresses, with
/// the release that introduced them (configuration.txt §11 "Address formats").
pub const ADDRESS_PREFIXES: &[(&str, Version)] = &[
    ("ipv4", Version::new(2, 4)),
    ("ipv6", Version::new(2, 4)),
    ("udp", Version::new(2, 4)),
    ("udp4", Version::new(2, 4)),
    ("udp6", Version::new(2, 4)),
    ("unix", Version::new(2, 4)),
    ("abns", Version::new(2, 4)),
    ("fd", Version::new(2, 4)),
    ("sockpair", Version::new(2, 4)),
    ("quic4", Version::new(2, 6)),
    ("quic6", Version::new(2, 6)),
    ("uxst", Version::new(2, 4)),
    ("uxdg", Version::new(2, 4)),
    ("tcp", Version::new(2, 4)),
    ("tcp4", Version::new(2, 4)),
    ("tcp6", Version::new(2, 4)),
    ("rhttp", Version::new(2, 9)),
    ("abnsz", Version::new(3, 1)),
    ("mptcp", Version::new(3, 1)),
    ("mptcp4", Version::new(3, 1)),
    ("mptcp6", Version::new(3, 1)),
];

/// A deprecated or removed keyword: the two-word form first (`option forceclose`).
pub fn retired(context: Context, words: &[&str]) -> Option<&'static Retired> {
    let retired = &tables().retired;
    let find = |name: &str| {
        retired
            .get(name)
            .and_then(|entries| entries.iter().find(|e| e.context == context))
    };
    let first = *words.first()?;
    // Only `option …` entries have two words.
    if first == "option"
        && let Some(second) = words.get(1)
        && let Some(entry) = find(&format!("{first} {second}"))
    {
        return Some(entry);
    }
    find(first)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_know_the_common_keywords_and_their_lifetimes() {
        let v = Version::new;
        assert!(global("maxconn").is_some_and(|k| k.life.exists_in(v(2, 4))));
        assert!(global("nbproc").is_some_and(|k| !k.life.exists_in(v(2, 6))));
        let httplog = proxy(&["option", "httplog"]).unwrap();
        assert_eq!(httplog.name, "option httplog");
        let sections = httplog.sections.unwrap();
        assert!(sections.frontend && !sections.backend);
        assert_eq!(
            proxy(&["timeout", "server", "30s"]).unwrap().name,
            "timeout server"
        );
        assert_eq!(
            proxy(&["capture", "request", "header", "Host"])
                .unwrap()
                .name,
            "capture request header"
        );
        assert_eq!(proxy(&["server", "s1"]).unwrap().name, "server");
        assert!(proxy(&["option", "no-such-option"]).is_none());
        assert!(family("option").contains(&"option redispatch"));
        let forceclose = retired(Context::Proxy, &["option", "forceclose"]).unwrap();
        assert_eq!(forceclose.removed, Some(v(2, 0)));
        assert!(retired(Context::Global, &["nbproc", "2"]).is_some());
    }

    #[test]
    fn every_deprecated_or_removed_keyword_names_its_replacement() {
        for (context, names) in [
            (Context::Global, global_names().collect::<Vec<_>>()),
            (Context::Proxy, proxy_names().collect()),
        ] {
            for name in names {
                let words: Vec<&str> = name.split(' ').collect();
                let keyword = match context {
                    Context::Global => global(name),
                    Context::Proxy => proxy(&words),
                };
                let life = keyword.map(|k| k.life);
                if life.is_some_and(|l| l.deprecated.is_some() || l.until.is_some()) {
                    assert!(
                        retired(context, &words).is_some(),
                        "{name} is deprecated but retired.tsv has no replacement for it"
                    );
                }
            }
        }
    }

    #[test]
    fn every_table_row_is_well_formed() {
        for (name, table, columns) in [
            ("global", GLOBAL, 4),
            ("proxy", PROXY, 7),
            ("retired", RETIRED, 5),
        ] {
            for (number, line) in table.lines().enumerate().skip(1) {
                let row: Vec<&str> = line.split('\t').collect();
                assert_eq!(row.len(), columns, "{name}.tsv line {}: {line}", number + 1);
                for cell in &row {
                    assert_eq!(cell.trim(), *cell, "{name}.tsv line {}", number + 1);
                }
            }
        }
        for row in rows(RETIRED) {
            assert!(
                version(row[2]).is_some() || version(row[3]).is_some(),
                "{row:?}"
            );
            assert!(
                !row[4].is_empty(),
                "every retired keyword names its replacement: {row:?}"
            );
        }
    }
}

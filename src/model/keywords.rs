//! How many argument words each `server` and `bind` parameter takes, so that
//! a line like `server s1 10.0.0.1:443 ssl verify none check port 443` can be
//! cut into its parameters. The tables live in `rules/keywords/*.tsv`
//! (columns: name, args, since, until), written from haproxy's own keyword
//! registrations (`srv_kws`/`bind_kws` arrays) at the tags v2.4.0 … v3.3.0.

use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

const SERVER_PARAMS: &str = include_str!("../../rules/keywords/server-params.tsv");
const BIND_PARAMS: &str = include_str!("../../rules/keywords/bind-params.tsv");

/// One row of a keyword table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ParamKeyword {
    pub name: &'static str,
    pub args: u32,
    pub since: &'static str,
    pub until: Option<&'static str>,
    /// For a `no-<name>` row, the `<name>` it turns off.
    pub negates: Option<&'static str>,
}

fn load(table: &'static str) -> HashMap<&'static str, ParamKeyword> {
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut columns = line.split('\t');
            let name = columns.next()?.trim();
            // A negative count marks a variable number of arguments (`source`):
            // the first one is always there, the optional ones are keywords themselves.
            let args: i64 = columns.next()?.trim().parse().ok()?;
            let args = u32::try_from(args).unwrap_or(1);
            let since = columns.next().unwrap_or("").trim();
            let until = columns.next().map(str::trim).filter(|u| !u.is_empty());
            (!name.is_empty()).then_some((
                name,
                ParamKeyword {
                    name,
                    args,
                    since,
                    until,
                    negates: name.strip_prefix("no-"),
                },
            ))
        })
        .collect()
}

pub fn server_param(name: &str) -> Option<&'static ParamKeyword> {
    server_table().get(name)
}

fn server_table() -> &'static HashMap<&'static str, ParamKeyword> {
    static TABLE: OnceLock<HashMap<&'static str, ParamKeyword>> = OnceLock::new();
    TABLE.get_or_init(|| load(SERVER_PARAMS))
}

fn bind_table() -> &'static HashMap<&'static str, ParamKeyword> {
    static TABLE: OnceLock<HashMap<&'static str, ParamKeyword>> = OnceLock::new();
    TABLE.get_or_init(|| load(BIND_PARAMS))
}

/// Every server parameter name, for "did you mean".
pub fn server_param_names() -> impl Iterator<Item = &'static str> {
    server_table().keys().copied()
}

/// Every bind parameter name, for "did you mean".
pub fn bind_param_names() -> impl Iterator<Item = &'static str> {
    bind_table().keys().copied()
}

pub fn bind_param(name: &str) -> Option<&'static ParamKeyword> {
    bind_table().get(name)
}

const MEANINGS: &str = include_str!("../../rules/keywords/meanings.tsv");

/// Where a keyword is written: the context decides which manual section
/// documents it (`maxconn` in `global` is not `maxconn` in a frontend).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeywordContext {
    Global,
    Proxy,
    Bind,
    Server,
}

/// A keyword's one-line meaning and the manual section that documents it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KeywordMeaning {
    pub keyword: &'static str,
    pub manual: &'static str,
    pub meaning: &'static str,
}

/// The meaning of `keyword` (`option httplog`, `timeout server` as two words)
/// written in `context`, from `rules/keywords/meanings.tsv`.
pub fn meaning(context: KeywordContext, keyword: &str) -> Option<&'static KeywordMeaning> {
    // Keyed by keyword alone (a lookup by `&str` cannot borrow into a tuple key).
    type Table = HashMap<&'static str, Vec<(KeywordContext, KeywordMeaning)>>;
    static TABLE: OnceLock<Table> = OnceLock::new();
    TABLE
        .get_or_init(|| {
            MEANINGS
                .lines()
                .skip(1)
                .filter_map(|line| {
                    let mut columns = line.split('\t');
                    let context = match columns.next()? {
                        "global" => KeywordContext::Global,
                        "proxy" => KeywordContext::Proxy,
                        "bind" => KeywordContext::Bind,
                        "server" => KeywordContext::Server,
                        _ => return None,
                    };
                    let keyword = columns.next()?;
                    let manual = columns.next()?;
                    let meaning = columns.next()?;
                    Some((
                        keyword,
                        context,
                        KeywordMeaning {
                            keyword,
                            manual,
                            meaning,
                        },
                    ))
                })
                .fold(
                    Table::default(),
                    |mut table, (keyword, context, meaning)| {
                        table.entry(keyword).or_default().push((context, meaning));
                        table
                    },
                )
        })
        .get(keyword)?
        .iter()
        .find(|(c, _)| *c == context)
        .map(|(_, meaning)| meaning)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meanings_depend_on_where_the_keyword_is() {
        let global = meaning(KeywordContext::Global, "maxconn").map(|m| m.manual);
        let proxy = meaning(KeywordContext::Proxy, "maxconn").map(|m| m.manual);
        let server = meaning(KeywordContext::Server, "maxconn").map(|m| m.manual);
        assert_eq!(
            (global, proxy, server),
            (Some("3.2"), Some("4.2"), Some("5.2"))
        );
        assert!(meaning(KeywordContext::Proxy, "timeout server").is_some());
        assert!(meaning(KeywordContext::Proxy, "no-such-keyword").is_none());
    }

    #[test]
    fn every_meaning_row_is_well_formed() {
        for (number, line) in MEANINGS.lines().enumerate().skip(1) {
            let columns: Vec<&str> = line.split('\t').collect();
            assert_eq!(columns.len(), 4, "meanings.tsv line {}: {line}", number + 1);
            assert!(
                ["global", "proxy", "bind", "server"].contains(&columns[0]),
                "line {}",
                number + 1
            );
            assert!(
                columns[2].starts_with(['3', '4', '5']),
                "line {}",
                number + 1
            );
        }
    }
}

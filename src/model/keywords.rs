//! How many argument words each `server` and `bind` parameter takes, so that
//! a line like `server s1 10.0.0.1:443 ssl verify none check port 443` can be
//! cut into its parameters. The tables live in `rules/keywords/*.tsv`
//! (columns: name, args, since, until), written from haproxy's own keyword
//! registrations (`srv_kws`/`bind_kws` arrays) at the tags v2.4.0 … v3.3.0.

use std::collections::HashMap;
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
                },
            ))
        })
        .collect()
}

pub fn server_param(name: &str) -> Option<&'static ParamKeyword> {
    static TABLE: OnceLock<HashMap<&'static str, ParamKeyword>> = OnceLock::new();
    TABLE.get_or_init(|| load(SERVER_PARAMS)).get(name)
}

pub fn bind_param(name: &str) -> Option<&'static ParamKeyword> {
    static TABLE: OnceLock<HashMap<&'static str, ParamKeyword>> = OnceLock::new();
    TABLE.get_or_init(|| load(BIND_PARAMS)).get(name)
}

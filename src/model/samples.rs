//! Sample fetches, converters and ACL keywords as the oracles register them:
//! `rules/keywords/fetches.tsv`, `converters.tsv` and `acl-keywords.tsv`,
//! written by `tools/oracle/extract-samples` from each oracle's
//! `haproxy -dKall` (2.6, 3.0, 3.2, 3.4).
//!
//! How versions are combined, for a target release T:
//! * T is an oracle series: its own registry, exactly.
//! * T lies between two oracles (2.8, 3.1, 3.3): a definition is used only
//!   when both neighbours register it identically; a name either neighbour
//!   registers is known (its arguments and types are then not judged when the
//!   neighbours differ). The manual-derived `samples.tsv` (see
//!   [`super::vocabulary::sample`]) still says which names are too new or gone.
//! * T after the newest oracle: the newest oracle. T before the oldest (2.4):
//!   no registry; only the manual-derived table judges.

use crate::version::Version;
use rustc_hash::FxHashMap as HashMap;
use std::sync::OnceLock;

const FETCHES: &str = include_str!("../../rules/keywords/fetches.tsv");
const CONVERTERS: &str = include_str!("../../rules/keywords/converters.tsv");
const ACL_KEYWORDS: &str = include_str!("../../rules/keywords/acl-keywords.tsv");

/// The oracle series, oldest first (the `series` column of the tables).
pub const ORACLES: [Version; 4] = [
    Version::new(2, 6),
    Version::new(3, 0),
    Version::new(3, 2),
    Version::new(3, 4),
];

/// The type of a sample, as haproxy names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmpType {
    Any,
    Bool,
    Sint,
    Addr,
    Ipv4,
    Ipv6,
    Str,
    Bin,
    Meth,
    /// A converter's output that is its input's type (`debug`).
    Same,
}

impl SmpType {
    fn parse(text: &str) -> SmpType {
        match text {
            "bool" => SmpType::Bool,
            "sint" => SmpType::Sint,
            "addr" => SmpType::Addr,
            "ipv4" => SmpType::Ipv4,
            "ipv6" => SmpType::Ipv6,
            "str" => SmpType::Str,
            "bin" => SmpType::Bin,
            "meth" => SmpType::Meth,
            "same" => SmpType::Same,
            _ => SmpType::Any,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SmpType::Any => "any",
            SmpType::Bool => "bool",
            SmpType::Sint => "sint",
            SmpType::Addr => "addr",
            SmpType::Ipv4 => "ipv4",
            SmpType::Ipv6 => "ipv6",
            SmpType::Str => "str",
            SmpType::Bin => "bin",
            SmpType::Meth => "meth",
            SmpType::Same => "same",
        }
    }

    /// Whether haproxy casts a sample of this type into `to` implicitly, so
    /// a converter reading `to` may follow it. Measured on the oracles (one
    /// fetch of each output type chained to one converter of each input
    /// type); identical in 2.6 and 3.4.
    pub fn casts_to(self, to: SmpType) -> bool {
        use SmpType::*;
        match (self, to) {
            (Any | Same, _) | (_, Any | Same) => true,
            (_, Str) | (Sint | Str, _) => true,
            (Bool, to) => matches!(to, Sint | Bin | Bool),
            (Addr | Ipv6, to) => matches!(to, Bin | Addr),
            (Ipv4, to) => matches!(to, Sint | Bin | Addr),
            (Bin | Meth, to) => to == Bin,
        }
    }
}

/// The type of one argument of a fetch or converter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgType {
    String,
    Integer,
    Backend,
    Frontend,
    Server,
    Table,
    /// Any other (addresses, masks, regex, user lists…): not judged.
    Other,
}

impl ArgType {
    fn parse(text: &str) -> ArgType {
        match text {
            "string" => ArgType::String,
            "integer" => ArgType::Integer,
            "backend" => ArgType::Backend,
            "frontend" => ArgType::Frontend,
            "server" => ArgType::Server,
            "table" => ArgType::Table,
            _ => ArgType::Other,
        }
    }
}

/// The arguments a fetch or converter takes: `string[,integer]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    pub args: Vec<ArgType>,
    /// How many of `args` are mandatory.
    pub min: usize,
    /// The signature as the registry prints it.
    pub text: &'static str,
}

impl Signature {
    pub(crate) fn parse(text: &'static str) -> Signature {
        let mandatory = text.split('[').next().unwrap_or("");
        let count = |part: &str| part.split(',').filter(|t| !t.trim().is_empty()).count();
        let args: Vec<ArgType> = text
            .split([',', '[', ']'])
            .filter(|t| !t.trim().is_empty())
            .map(ArgType::parse)
            .collect();
        Signature {
            min: count(mandatory).min(args.len()),
            args,
            text,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetch {
    pub signature: Signature,
    pub output: SmpType,
    /// One bit per usage context ([`UsageContext`]).
    pub mask: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Converter {
    pub signature: Signature,
    pub input: SmpType,
    pub output: SmpType,
}

/// The columns of the registry's usage mask, in its order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum UsageContext {
    FeTcpRequestConnection = 0,
    FeTcpRequestSession = 1,
    FeTcpRequestContent = 2,
    FeHttpRequest = 3,
    FeUseBackend = 5,
    BeTcpRequestContent = 6,
    BeHttpRequest = 7,
    BeSetServer = 9,
    BeTcpResponseContent = 11,
    BeHttpResponse = 12,
    BeStickStore = 14,
    FeTcpResponseContent = 15,
    FeHttpResponse = 16,
    Logs = 18,
    BeTcpCheck = 19,
}

impl UsageContext {
    pub fn bit(self) -> u32 {
        1 << (self as u8)
    }

    /// How haproxy names the context in its messages.
    pub fn describe(self) -> &'static str {
        match self {
            UsageContext::FeTcpRequestConnection => "frontend tcp-request connection rule",
            UsageContext::FeTcpRequestSession => "frontend tcp-request session rule",
            UsageContext::FeTcpRequestContent => "frontend tcp-request content rule",
            UsageContext::FeHttpRequest => "frontend http-request header rule",
            UsageContext::FeUseBackend => "frontend use-backend rule",
            UsageContext::BeTcpRequestContent => "backend tcp-request content rule",
            UsageContext::BeHttpRequest => "backend http-request header rule",
            UsageContext::BeSetServer => "backend use-server, balance or stick-match rule",
            UsageContext::BeTcpResponseContent => "backend tcp-response content rule",
            UsageContext::BeHttpResponse => "backend http-response header rule",
            UsageContext::BeStickStore => "backend stick-store rule",
            UsageContext::FeTcpResponseContent => "frontend tcp-response content rule",
            UsageContext::FeHttpResponse => "frontend http-response header rule",
            UsageContext::Logs => "logs",
            UsageContext::BeTcpCheck => "backend tcp-check rule",
        }
    }
}

/// What the registries of a target release say about a name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lookup<'a, T> {
    /// Registered, with this definition.
    Known(&'a T),
    /// Registered, but the definition is not certain for this release.
    KnownUnjudged,
    /// Not registered in this release.
    Unknown,
    /// No registry covers this release.
    NoRegistry,
}

struct Tables {
    /// Per oracle series (index into [`ORACLES`]).
    fetches: [HashMap<&'static str, Fetch>; 4],
    converters: [HashMap<&'static str, Converter>; 4],
    /// ACL keyword → (fetch, match method), per oracle series.
    acls: [HashMap<&'static str, (&'static str, &'static str)>; 4],
}

fn rows(table: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    table
        .lines()
        .filter(|line| !line.starts_with('#') && !line.trim().is_empty())
        .skip(1)
        .map(|line| line.split('\t').collect())
}

fn series_indices(column: &str) -> impl Iterator<Item = usize> + '_ {
    column
        .split(',')
        .filter_map(Version::parse)
        .filter_map(|v| ORACLES.iter().position(|o| *o == v))
}

fn tables() -> &'static Tables {
    static TABLES: OnceLock<Tables> = OnceLock::new();
    TABLES.get_or_init(|| {
        let mut tables = Tables {
            fetches: Default::default(),
            converters: Default::default(),
            acls: Default::default(),
        };
        for row in rows(FETCHES) {
            let column = |i: usize| row.get(i).copied().unwrap_or("");
            let mask = column(4)
                .bytes()
                .enumerate()
                .filter(|&(_, b)| b == b'Y')
                .fold(0u32, |mask, (i, _)| mask | (1 << i));
            let fetch = Fetch {
                signature: Signature::parse(column(2)),
                output: SmpType::parse(column(3)),
                mask,
            };
            for i in series_indices(column(1)) {
                if let Some(map) = tables.fetches.get_mut(i) {
                    map.insert(column(0), fetch.clone());
                }
            }
        }
        for row in rows(CONVERTERS) {
            let column = |i: usize| row.get(i).copied().unwrap_or("");
            let converter = Converter {
                signature: Signature::parse(column(2)),
                input: SmpType::parse(column(3)),
                output: SmpType::parse(column(4)),
            };
            for i in series_indices(column(1)) {
                if let Some(map) = tables.converters.get_mut(i) {
                    map.insert(column(0), converter.clone());
                }
            }
        }
        for row in rows(ACL_KEYWORDS) {
            let column = |i: usize| row.get(i).copied().unwrap_or("");
            for i in series_indices(column(1)) {
                if let Some(map) = tables.acls.get_mut(i) {
                    map.insert(column(0), (column(2), column(3)));
                }
            }
        }
        tables
    })
}

/// The oracles whose registries stand for `target`: one (exact or newest),
/// two (the neighbours of a release in between), or none (before the oldest).
fn view(target: Version) -> &'static [usize] {
    const EXACT: [[usize; 1]; 4] = [[0], [1], [2], [3]];
    const BETWEEN: [[usize; 2]; 3] = [[0, 1], [1, 2], [2, 3]];
    if let Some(i) = ORACLES.iter().position(|o| *o == target) {
        return &EXACT[i];
    }
    if target > ORACLES[3] {
        return &EXACT[3];
    }
    match ORACLES.iter().position(|o| *o > target) {
        Some(0) | None => &[],
        Some(i) => &BETWEEN[i - 1],
    }
}

fn lookup<'a, T: PartialEq>(
    maps: &'a [HashMap<&'static str, T>; 4],
    name: &str,
    target: Version,
) -> Lookup<'a, T> {
    let get = |i: usize| maps.get(i).and_then(|m| m.get(name));
    match *view(target) {
        [] => Lookup::NoRegistry,
        [one] => get(one).map_or(Lookup::Unknown, Lookup::Known),
        [a, b, ..] => match (get(a), get(b)) {
            (Some(a), Some(b)) if a == b => Lookup::Known(a),
            (None, None) => Lookup::Unknown,
            _ => Lookup::KnownUnjudged,
        },
    }
}

/// A sample fetch in the registry of `target`.
pub fn fetch(name: &str, target: Version) -> Lookup<'static, Fetch> {
    lookup(&tables().fetches, name, target)
}

/// A converter in the registry of `target`.
pub fn converter(name: &str, target: Version) -> Lookup<'static, Converter> {
    lookup(&tables().converters, name, target)
}

/// An ACL keyword that differs from a fetch (`hdr_beg` → `req.hdr`, `beg`).
pub fn acl_keyword(name: &str, target: Version) -> Option<(&'static str, &'static str)> {
    let indices = view(target);
    indices
        .iter()
        .find_map(|&i| tables().acls.get(i).and_then(|m| m.get(name)).copied())
}

/// The fetch names registered for `target` (for "did you mean").
pub fn fetch_names(target: Version) -> impl Iterator<Item = &'static str> {
    view(target)
        .iter()
        .flat_map(|&i| {
            tables()
                .fetches
                .get(i)
                .into_iter()
                .flat_map(|m| m.keys().copied())
        })
        .chain(view(target).iter().flat_map(|&i| {
            tables()
                .acls
                .get(i)
                .into_iter()
                .flat_map(|m| m.keys().copied())
        }))
}

/// The converter names registered for `target` (for "did you mean").
pub fn converter_names(target: Version) -> impl Iterator<Item = &'static str> {
    view(target).iter().flat_map(|&i| {
        tables()
            .converters
            .get(i)
            .into_iter()
            .flat_map(|m| m.keys().copied())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registries_per_version() {
        let v = Version::new;
        // `url_param` takes a third argument from 3.0 on.
        let Lookup::Known(on_26) = fetch("url_param", v(2, 6)) else {
            panic!()
        };
        assert_eq!(on_26.signature.args.len(), 2);
        let Lookup::Known(on_30) = fetch("url_param", v(3, 0)) else {
            panic!()
        };
        assert_eq!((on_30.signature.min, on_30.signature.args.len()), (0, 3));
        // 2.8 lies between 2.6 and 3.0, which differ: known but not judged.
        assert_eq!(fetch("url_param", v(2, 8)), Lookup::KnownUnjudged);
        assert_eq!(converter("has_ctl", v(3, 0)), Lookup::Unknown);
        assert!(matches!(converter("has_ctl", v(3, 4)), Lookup::Known(_)));
        assert_eq!(fetch("src", v(2, 4)), Lookup::NoRegistry);
        assert!(matches!(fetch("src", v(3, 6)), Lookup::Known(_)));
        assert_eq!(acl_keyword("hdr_beg", v(3, 2)), Some(("req.hdr", "beg")));
        let Lookup::Known(srv_conn) = fetch("srv_conn", v(3, 2)) else {
            panic!()
        };
        assert_eq!(
            (srv_conn.signature.min, srv_conn.signature.args.as_slice()),
            (1, &[ArgType::Server][..])
        );
        let Lookup::Known(crc) = converter("crc32", v(3, 2)) else {
            panic!()
        };
        assert_eq!((crc.input, crc.output), (SmpType::Bin, SmpType::Sint));
    }

    #[test]
    fn casts() {
        assert!(SmpType::Ipv4.casts_to(SmpType::Sint));
        assert!(!SmpType::Addr.casts_to(SmpType::Sint));
        assert!(!SmpType::Bin.casts_to(SmpType::Sint));
        assert!(SmpType::Bin.casts_to(SmpType::Str));
        assert!(!SmpType::Bool.casts_to(SmpType::Addr));
    }
}

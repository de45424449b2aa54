//! Servers (`server`, `server-template`, `default-server`) and listeners
//! (`bind`) with their parameters cut by the keyword tables, and the
//! effective value of a server parameter after `default-server` merging
//! (configuration.txt §5).

use super::keywords;
use super::{Model, SectionId, Stmt};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerKind {
    Server,
    Template,
    Default,
}

/// One parameter on a server or bind line: the keyword at word `word` and
/// the `args` words after it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Param {
    /// The keyword's row in the parameter table; `None` for a word the table
    /// does not know (its text is word `word` of the statement). 16 bytes a
    /// parameter: large configurations have hundreds of thousands of them.
    pub keyword: Option<&'static keywords::ParamKeyword>,
    pub word: u32,
    pub args: u32,
}

impl Param {
    /// The parameter's name when the table knows it, else "".
    pub fn name(&self) -> &'static str {
        self.keyword.map_or("", |k| k.name)
    }
}

#[derive(Clone, Debug)]
pub struct Server {
    pub stmt: Stmt,
    pub kind: ServerKind,
    /// Server name, or the template prefix; none for `default-server`.
    pub name: Option<String>,
    /// Index of the address word, if the line has one.
    pub address_word: Option<u32>,
    pub address: Option<String>,
    pub params: Vec<Param>,
    /// [`name_bit`] of every parameter this server may get from its own line
    /// or a `default-server` line of its section (any, above it or not: the
    /// summary may say too much, never too little); with the section's
    /// `inherited_param_names`, most questions about a parameter are
    /// answered "not set" without walking any line.
    names_in_effect: u64,
}

/// One bit standing for a parameter name (`no-X` counts as `X`), from all
/// its bytes: a name whose bit a summary lacks is surely absent. (Length and
/// last byte alone made `ssl` and `rise` share a bit, and every question
/// about `ssl` walk the lines of servers with `rise`.)
fn name_bit(name: &str) -> u64 {
    let hash = name.bytes().fold(0u32, |hash, b| {
        hash.wrapping_mul(31).wrapping_add(u32::from(b))
    });
    1 << (hash % 64)
}

impl Param {
    /// [`name_bit`] of the parameter this one sets or turns off.
    fn bit(&self) -> u64 {
        self.keyword
            .map_or(0, |k| name_bit(k.negates.unwrap_or(k.name)))
    }
}

impl Server {
    fn own_bits(&self) -> u64 {
        self.params.iter().fold(0, |bits, p| bits | p.bit())
    }

    /// Host part of the address: `alb.example.com` in `alb.example.com:443`.
    pub fn host(&self) -> Option<&str> {
        self.address.as_deref().map(|a| split_address(a).0)
    }

    /// Port part of the address, if written.
    pub fn port(&self) -> Option<&str> {
        self.address.as_deref().and_then(|a| split_address(a).1)
    }

    fn own_param(&self, name: &str) -> Option<(&Param, bool)> {
        self.params.iter().rev().find_map(|p| {
            let keyword = p.keyword?;
            if keyword.name == name {
                Some((p, true))
            } else if keyword.negates == Some(name) {
                Some((p, false))
            } else {
                None
            }
        })
    }
}

/// Split `host:port` (with `[v6]:port`, family prefixes like `ipv4@`) into its parts.
pub fn split_address(address: &str) -> (&str, Option<&str>) {
    // Byte searches: every server address of large configurations comes
    // here, several times. `@`, `]` and `:` are ASCII, so the cuts fall on
    // character boundaries.
    let bytes = address.as_bytes();
    let bare = match bytes.iter().position(|&b| b == b'@') {
        Some(at)
            if bytes
                .get(..at)
                .is_some_and(|p| p.iter().all(|&c| c.is_ascii_alphanumeric() || c == b'+')) =>
        {
            address.get(at + 1..).unwrap_or("")
        }
        _ => address,
    };
    if let Some(rest) = bare.strip_prefix('[') {
        return match rest.bytes().position(|b| b == b']') {
            Some(at) => {
                let (host, tail) = (
                    rest.get(..at).unwrap_or(""),
                    rest.get(at + 1..).unwrap_or(""),
                );
                (host, tail.strip_prefix(':').filter(|p| !p.is_empty()))
            }
            None => (bare, None),
        };
    }
    match bare.bytes().rposition(|b| b == b':') {
        Some(at) => {
            let port = bare.get(at + 1..).unwrap_or("");
            (
                bare.get(..at).unwrap_or(""),
                (!port.is_empty()).then_some(port),
            )
        }
        None => (bare, None),
    }
}

/// A listener line.
#[derive(Clone, Debug)]
pub struct Bind {
    pub stmt: Stmt,
    pub address: Option<String>,
    pub params: Vec<Param>,
}

impl Bind {
    pub fn param(&self, name: &str) -> Option<&Param> {
        self.params.iter().rev().find(|p| p.name() == name)
    }

    /// TLS is terminated on this listener (`ssl`, or a QUIC address which is always TLS).
    pub fn is_tls(&self) -> bool {
        self.param("ssl").is_some()
            || self.address.as_deref().is_some_and(|a| {
                a.starts_with("quic4@") || a.starts_with("quic6@") || a.starts_with("quic@")
            })
    }
}

/// Where a server's parameter comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParamOrigin {
    /// On the server line itself.
    Server,
    /// A `default-server` line of the same section, above the server.
    DefaultServer,
    /// A `default-server` line of a defaults section.
    Defaults(SectionId),
}

/// The effective value of one server parameter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServerParam {
    pub stmt: Stmt,
    /// Index of the parameter's keyword in the statement.
    pub word: u32,
    pub args: u32,
    /// False when the last word on it was `no-<name>`.
    pub enabled: bool,
    pub origin: ParamOrigin,
}

fn cut_params(
    model: &Model,
    stmt: Stmt,
    from: usize,
    table: fn(&str) -> Option<&'static keywords::ParamKeyword>,
) -> Vec<Param> {
    let count = model.words(stmt).len();
    let mut params = Vec::new();
    let mut index = from;
    while index < count {
        let written = model.value(stmt, index).unwrap_or("");
        let known = table(written);
        let args = known.map_or(0, |k| k.args);
        params.push(Param {
            keyword: known,
            word: index as u32,
            args,
        });
        index += 1 + args as usize;
    }
    params
}

pub(super) fn collect(model: &mut Model) {
    let lines = model.key_set(&["server", "server-template", "default-server", "bind"]);
    let cut = model.map_sections(|section| in_section(model, section, &lines));
    for (section, (servers, binds)) in model.sections.iter_mut().zip(cut) {
        section.default_servers = servers
            .iter()
            .enumerate()
            .filter(|(_, s)| s.kind == ServerKind::Default)
            .map(|(index, _)| index as u32)
            .collect();
        section.servers = servers;
        section.binds = binds;
    }
    // What each section's servers may get from the default-server lines of
    // its defaults sections (see `Server::names_in_effect`).
    let given: Vec<u64> = model
        .sections
        .iter()
        .map(|section| {
            section
                .default_servers
                .iter()
                .filter_map(|&index| section.server(index))
                .fold(0, |bits, line| bits | line.own_bits())
        })
        .collect();
    let inherited: Vec<u64> = model
        .sections
        .iter()
        .map(|section| {
            model.defaults_chain(section).fold(0, |bits, id| {
                bits | given.get(id.0 as usize).copied().unwrap_or(0)
            })
        })
        .collect();
    for (section, bits) in model.sections.iter_mut().zip(inherited) {
        section.inherited_param_names = bits;
    }
}

/// The servers and listeners of one section.
fn in_section(
    model: &Model,
    section: &super::Section,
    lines: &super::KeySet,
) -> (Vec<Server>, Vec<Bind>) {
    let mut servers = Vec::new();
    let mut binds = Vec::new();
    if !(section.kind.is_proxy() || section.kind == super::SectionKind::Defaults) {
        return (servers, binds);
    }
    for (stmt, _) in model.statements_in(section, lines) {
        let (kind, name_word, address_word, params_from) = match model.value(stmt, 0) {
            Some("server") => (ServerKind::Server, Some(1), Some(2), 3),
            Some("server-template") => (ServerKind::Template, Some(1), Some(3), 4),
            Some("default-server") => (ServerKind::Default, None, None, 1),
            Some("bind") => {
                binds.push(Bind {
                    stmt,
                    address: model.value(stmt, 1).map(str::to_string),
                    params: cut_params(model, stmt, 2, keywords::bind_param),
                });
                continue;
            }
            _ => continue,
        };
        let address = address_word
            .and_then(|w| model.value(stmt, w))
            .map(str::to_string);
        servers.push(Server {
            stmt,
            kind,
            name: name_word
                .and_then(|w| model.value(stmt, w))
                .map(str::to_string),
            address_word: address.as_ref().and(address_word.map(|w| w as u32)),
            address,
            params: cut_params(model, stmt, params_from, keywords::server_param),
            names_in_effect: u64::MAX,
        });
    }
    let own_lines = servers
        .iter()
        .filter(|s| s.kind == ServerKind::Default)
        .fold(0, |bits, line| bits | line.own_bits());
    for server in &mut servers {
        server.names_in_effect = server.own_bits() | own_lines;
    }
    // Kept for the whole check, one pair per section: no spare capacity.
    servers.shrink_to_fit();
    binds.shrink_to_fit();
    (servers, binds)
}

impl Model {
    /// The effective value of parameter `name` for `server` of `section`,
    /// after merging the `default-server` lines above it and those of its
    /// defaults sections. `no-<name>` yields `enabled: false`.
    pub fn server_param(
        &self,
        section: &super::Section,
        server: &Server,
        name: &str,
    ) -> Option<ServerParam> {
        if (server.names_in_effect | section.inherited_param_names) & name_bit(name) == 0 {
            return None;
        }
        let from = |line: &Server, origin: ParamOrigin| {
            line.own_param(name).map(|(param, enabled)| ServerParam {
                stmt: line.stmt,
                word: param.word,
                args: param.args,
                enabled,
                origin,
            })
        };
        if let Some(found) = from(server, ParamOrigin::Server) {
            return Some(found);
        }
        // `default-server` lines of the section above the server, nearest
        // first; the section keeps their positions so that no rule scans
        // every server for every server it asks about.
        let above = section
            .default_servers
            .partition_point(|&index| section.server(index).is_some_and(|d| d.stmt < server.stmt));
        let own_defaults = section.default_servers.get(..above).unwrap_or(&[]);
        if let Some(found) = own_defaults
            .iter()
            .rev()
            .filter_map(|&index| section.server(index))
            .find_map(|d| from(d, ParamOrigin::DefaultServer))
        {
            return Some(found);
        }
        self.defaults_chain(section).find_map(|defaults_id| {
            let defaults = self.section(defaults_id);
            defaults
                .default_servers
                .iter()
                .rev()
                .filter_map(|&index| defaults.server(index))
                .find_map(|d| from(d, ParamOrigin::Defaults(defaults_id)))
        })
    }

    /// The first argument of an effective, enabled server parameter (`maxconn 100` → `100`).
    pub fn server_param_value(
        &self,
        section: &super::Section,
        server: &Server,
        name: &str,
    ) -> Option<(&str, ServerParam)> {
        let param = self.server_param(section, server, name)?;
        if !param.enabled || param.args == 0 {
            return None;
        }
        Some((self.value(param.stmt, param.word as usize + 1)?, param))
    }

    /// The servers that carry traffic (`server` and `server-template`) of a section.
    pub fn real_servers<'a>(
        &self,
        section: &'a super::Section,
    ) -> impl Iterator<Item = &'a Server> {
        section
            .servers
            .iter()
            .filter(|s| s.kind != ServerKind::Default)
    }
}

impl Model {
    /// HTTP-mode backends and listens that have servers: where most
    /// server-side rules look.
    pub fn http_backends(&self) -> impl Iterator<Item = &super::Section> {
        self.proxies().filter(|s| {
            s.kind.has_backend()
                && self.mode(s) == super::Mode::Http
                && self.real_servers(s).next().is_some()
        })
    }

    /// Every server of the section that carries traffic speaks TLS (and there is at least one).
    pub fn all_servers_tls(&self, section: &super::Section) -> bool {
        let mut servers = self.real_servers(section).peekable();
        servers.peek().is_some()
            && servers.all(|s| {
                self.server_param(section, s, "ssl")
                    .is_some_and(|p| p.enabled)
            })
    }

    /// Some server of the section speaks TLS.
    pub fn any_server_tls(&self, section: &super::Section) -> bool {
        self.real_servers(section).any(|s| {
            self.server_param(section, s, "ssl")
                .is_some_and(|p| p.enabled)
        })
    }

    /// How many servers a `server-template` line (`alb 5` or `alb 1-5`) or a
    /// `server` line stands for.
    pub fn server_count(&self, server: &Server) -> usize {
        if server.kind != ServerKind::Template {
            return 1;
        }
        let Some(spec) = self.value(server.stmt, 2) else {
            return 1;
        };
        match spec.split_once('-') {
            Some((low, high)) => match (low.parse::<usize>(), high.parse::<usize>()) {
                (Ok(low), Ok(high)) if high >= low => high - low + 1,
                _ => 1,
            },
            None => spec.parse().unwrap_or(1),
        }
    }
}

/// A host written as a name to resolve, not an address (nor a socket path,
/// nor an environment variable to expand).
pub fn is_host_name(host: &str) -> bool {
    // A letter first: it rules out every IPv4 address without parsing one.
    host.bytes().any(|c| c.is_ascii_alphabetic())
        && host.parse::<std::net::IpAddr>().is_err()
        && host != "*"
        && !host.contains(['$', '/', '@', '{'])
}

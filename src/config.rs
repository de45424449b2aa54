//! `.haplint.yaml`: the target HAProxy version, which rules run and how
//! severe they are, and facts about the deployment that rules use (upstreams).
//! Unknown keys are errors, so a typo never silently does nothing.

use crate::error::Error;
use crate::finding::Severity;
use crate::version::Version;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = ".haplint.yaml";

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    /// The HAProxy version the configuration will run on (`haproxy_version` is accepted too).
    #[serde(alias = "haproxy_version")]
    pub haproxy_version: Option<String>,
    /// Run only these rules.
    pub select: Option<Vec<String>>,
    /// Run these rules in addition to the selection.
    #[serde(default)]
    pub extend_select: Vec<String>,
    /// Never run these rules.
    #[serde(default)]
    pub ignore: Vec<String>,
    /// Severity per rule id: error, warning, info, or off.
    #[serde(default)]
    pub severity: BTreeMap<String, SeverityOverride>,
    /// Facts about the servers haproxy talks to, by host name.
    #[serde(default)]
    pub upstreams: BTreeMap<String, UpstreamFact>,
    /// Upstream kinds of your own, beside those of `rules/upstreams/kinds.yaml`.
    #[serde(default)]
    pub upstream_kinds: BTreeMap<String, UpstreamKind>,
    /// The configurations of the repository, each an ordered list of files,
    /// directories and globs relative to this file (see `crate::project`).
    #[serde(default)]
    pub configurations: BTreeMap<String, Vec<String>>,
    /// Facts for `haplint tune` (see [`Profile`]).
    #[serde(default)]
    pub tune: Option<Profile>,
    /// The time zone of HAProxy's log dates (`%t` has none), for `explain-log`:
    /// `UTC`, an offset (`+02:00`) or a zone name (`Europe/Paris`).
    #[serde(default)]
    pub tz: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SeverityOverride {
    Error,
    Warning,
    Info,
    Off,
}

impl SeverityOverride {
    pub fn severity(self) -> Option<Severity> {
        match self {
            SeverityOverride::Error => Some(Severity::Error),
            SeverityOverride::Warning => Some(Severity::Warning),
            SeverityOverride::Info => Some(Severity::Info),
            SeverityOverride::Off => None,
        }
    }
}

/// What haplint knows about one upstream: its kind (`aws-alb`…) alone, or details.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum UpstreamFact {
    Kind(String),
    Detailed(UpstreamDetails),
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct UpstreamDetails {
    pub kind: Option<String>,
    /// How long the upstream keeps an idle connection open (haproxy time format;
    /// a bare number is milliseconds, as in haproxy).
    pub idle_timeout: Option<TimeText>,
    pub http2: Option<bool>,
    pub buffers_requests: Option<bool>,
}

/// A time written as text (`60s`) or as a bare number of milliseconds.
#[derive(Clone, Debug, Deserialize)]
#[serde(untagged)]
pub enum TimeText {
    Text(String),
    Millis(i64),
}

impl TimeText {
    pub fn text(&self) -> String {
        match self {
            TimeText::Text(text) => text.clone(),
            TimeText::Millis(ms) => ms.to_string(),
        }
    }
}

/// Facts the rules can use, resolved from the configuration.
#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub upstreams: BTreeMap<String, Upstream>,
}

impl Facts {
    /// What haplint knows about the server at `host`: the user's facts first,
    /// else what its name reveals (ALB names end in `.elb.amazonaws.com`, NLB
    /// names in `.elb.<region>.amazonaws.com`).
    pub fn upstream(&self, host: &str) -> Option<Upstream> {
        if let Some(upstream) = self.upstreams.get(host) {
            return Some(upstream.clone());
        }
        // Asked for every server by several rules: no lowercase copy.
        let ends_with = |suffix: &str| {
            host.len()
                .checked_sub(suffix.len())
                .and_then(|start| host.as_bytes().get(start..))
                .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix.as_bytes()))
        };
        let contains = |part: &str| {
            host.as_bytes()
                .windows(part.len())
                .any(|window| window.eq_ignore_ascii_case(part.as_bytes()))
        };
        if ends_with(".elb.amazonaws.com") {
            known_upstream_kind("aws-alb")
        } else if ends_with(".amazonaws.com") && contains(".elb.") {
            known_upstream_kind("aws-nlb")
        } else {
            None
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Upstream {
    pub kind: Option<String>,
    pub idle_timeout_ms: Option<u64>,
    pub http2: Option<bool>,
    pub buffers_requests: Option<bool>,
}

/// An upstream kind of `rules/upstreams/kinds.yaml` (or of `upstream-kinds:` in
/// `.haplint.yaml`).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct UpstreamKind {
    pub description: String,
    #[serde(default)]
    pub idle_timeout: Option<String>,
    #[serde(default)]
    pub buffers_requests: Option<bool>,
    #[serde(default)]
    pub http2: Option<bool>,
    #[serde(default)]
    pub http_reuse: Option<String>,
    #[serde(default)]
    pub server_maxconn: Option<u64>,
    pub source: String,
}

const UPSTREAM_KINDS: &str = include_str!("../rules/upstreams/kinds.yaml");

/// The upstream kinds haplint ships, by name.
pub fn upstream_kinds() -> &'static BTreeMap<String, UpstreamKind> {
    static KINDS: std::sync::OnceLock<BTreeMap<String, UpstreamKind>> = std::sync::OnceLock::new();
    // The file is part of the binary and parsed in a test; should it ever
    // fail to parse, no kind is known rather than the tool stopping.
    KINDS.get_or_init(|| crate::yaml::from_str(UPSTREAM_KINDS).unwrap_or_default())
}

/// What haplint assumes of a well-known upstream kind.
pub fn known_upstream_kind(kind: &str) -> Option<Upstream> {
    upstream_kinds()
        .get(kind)
        .map(|known| upstream_of(kind, known))
}

fn upstream_of(name: &str, kind: &UpstreamKind) -> Upstream {
    Upstream {
        kind: Some(name.to_string()),
        idle_timeout_ms: kind
            .idle_timeout
            .as_deref()
            .and_then(crate::text::parse_duration_ms),
        http2: kind.http2,
        buffers_requests: kind.buffers_requests,
    }
}

impl Config {
    pub fn parse(path: &str, text: &str) -> Result<Config, Error> {
        crate::yaml::from_str::<Option<Config>>(text)
            .map(Option::unwrap_or_default)
            .map_err(|e| {
                let at = e
                    .location()
                    .map(|l| format!(" (line {}, column {})", l.line(), l.column()))
                    .unwrap_or_default();
                Error::Config {
                    path: path.to_string(),
                    message: format!("{e}{at}"),
                }
            })
    }

    pub fn load(path: &Path) -> Result<Config, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(&path.display().to_string(), &text)
    }

    /// The nearest `.haplint.yaml` in `start`'s directory or above.
    pub fn find_upward(start: &Path) -> Option<PathBuf> {
        let absolute = std::fs::canonicalize(start).ok()?;
        let mut dir = if absolute.is_dir() {
            Some(absolute.as_path())
        } else {
            absolute.parent()
        };
        while let Some(current) = dir {
            let candidate = current.join(FILE_NAME);
            if candidate.is_file() {
                return Some(candidate);
            }
            dir = current.parent();
        }
        None
    }

    pub fn target_version(&self) -> Result<Option<Version>, Error> {
        match &self.haproxy_version {
            None => Ok(None),
            Some(text) => Version::parse_target(text)
                .map(Some)
                .map_err(|message| Error::Config {
                    path: FILE_NAME.to_string(),
                    message: format!("haproxy-version: {message}"),
                }),
        }
    }

    /// An upstream kind by name: the user's own first, then haplint's.
    pub fn upstream_kind(&self, name: &str) -> Option<Upstream> {
        match self.upstream_kinds.get(name) {
            Some(kind) => Some(upstream_of(name, kind)),
            None => known_upstream_kind(name),
        }
    }

    /// Every upstream kind name, the user's and haplint's.
    pub fn kind_names(&self) -> Vec<String> {
        let mut names: Vec<String> = upstream_kinds().keys().cloned().collect();
        names.extend(self.upstream_kinds.keys().cloned());
        names.sort();
        names.dedup();
        names
    }

    /// The most concurrent requests `haplint tune` sends to one server of a kind.
    pub fn server_maxconn(&self, name: &str) -> Option<u64> {
        self.upstream_kinds
            .get(name)
            .or_else(|| upstream_kinds().get(name))
            .and_then(|kind| kind.server_maxconn)
    }

    /// The `http-reuse` mode `haplint tune` proposes toward a kind.
    pub fn reuse_mode(&self, name: &str) -> Option<String> {
        self.upstream_kinds
            .get(name)
            .or_else(|| upstream_kinds().get(name))
            .and_then(|kind| kind.http_reuse.clone())
    }

    /// The check options this file alone gives (the language server has no
    /// command line; `haplint check` puts its flags on top of these).
    pub fn options(&self) -> Result<crate::Options, Error> {
        let mut options = crate::Options {
            facts: self.facts()?,
            ..crate::Options::default()
        };
        if let Some(version) = self.target_version()? {
            options.target = version;
        }
        options.select = self.select.clone();
        options.extend_select = self.extend_select.clone();
        options.ignore = self.ignore.clone();
        for (id, level) in &self.severity {
            options.severity.insert(id.clone(), level.severity());
        }
        Ok(options)
    }

    pub fn facts(&self) -> Result<Facts, Error> {
        let mut facts = Facts::default();
        for (host, fact) in &self.upstreams {
            let (kind, details) = match fact {
                UpstreamFact::Kind(kind) => (Some(kind.clone()), UpstreamDetails::default()),
                UpstreamFact::Detailed(details) => (details.kind.clone(), details.clone()),
            };
            let mut upstream = match &kind {
                Some(kind) => self.upstream_kind(kind).ok_or_else(|| Error::Config {
                    path: FILE_NAME.to_string(),
                    message: format!(
                        "upstreams.{host}: unknown upstream kind `{kind}` (expected one of {})",
                        self.kind_names().join(", ")
                    ),
                })?,
                None => Upstream::default(),
            };
            if let Some(idle) = &details.idle_timeout {
                let idle = idle.text();
                let ms = crate::text::parse_duration_ms(&idle)
                    .filter(|ms| *ms > 0)
                    .ok_or_else(|| Error::Config {
                        path: FILE_NAME.to_string(),
                        message: format!(
                            "upstreams.{host}.idle-timeout: `{idle}` is not a positive \
                        haproxy time such as 60s"
                        ),
                    })?;
                upstream.idle_timeout_ms = Some(ms);
            }
            if details.http2.is_some() {
                upstream.http2 = details.http2;
            }
            if details.buffers_requests.is_some() {
                upstream.buffers_requests = details.buffers_requests;
            }
            facts.upstreams.insert(host.clone(), upstream);
        }
        Ok(facts)
    }
}

/// The deployment facts `haplint tune` sizes settings from, as written in
/// the `tune:` block of `.haplint.yaml`, in a `--profile` file, or given as
/// flags (flags win).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Profile {
    /// CPU cores haproxy may use.
    pub cores: Option<i64>,
    /// Memory of the machine: `4G`, `4096M`, `4GB`, or bytes.
    pub memory: Option<String>,
    /// Expected peak of concurrent client connections.
    pub peak_connections: Option<i64>,
    /// Expected peak of requests per second (reported, and used to size the queue).
    pub request_rate: Option<i64>,
    /// Share of client connections that use TLS, 0 to 1 (default: 1 when a
    /// listener has `ssl`, else 0).
    pub tls_client_share: Option<f64>,
    /// Share of server connections that use TLS, 0 to 1 (default: from the
    /// servers' `ssl`).
    pub tls_upstream_share: Option<f64>,
}

impl Profile {
    /// `other`'s values where it has them, these otherwise.
    pub fn overridden_by(&self, other: &Profile) -> Profile {
        Profile {
            cores: other.cores.or(self.cores),
            memory: other.memory.clone().or_else(|| self.memory.clone()),
            peak_connections: other.peak_connections.or(self.peak_connections),
            request_rate: other.request_rate.or(self.request_rate),
            tls_client_share: other.tls_client_share.or(self.tls_client_share),
            tls_upstream_share: other.tls_upstream_share.or(self.tls_upstream_share),
        }
    }

    pub fn load(path: &std::path::Path) -> Result<Profile, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        crate::yaml::from_str::<Profile>(&text).map_err(|e| Error::Config {
            path: path.display().to_string(),
            message: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The facts live here and `tune` reads them: this module names nothing
    /// of `tune`, so the two do not depend on each other in a circle.
    #[test]
    fn config_does_not_depend_on_tune() {
        let source = include_str!("config.rs");
        let tune = concat!("tune", "::");
        assert!(
            !source.contains(tune),
            "src/config.rs refers to the tune module"
        );
    }

    #[test]
    fn the_shipped_upstream_kinds_parse() {
        let kinds: BTreeMap<String, UpstreamKind> = crate::yaml::from_str(UPSTREAM_KINDS).unwrap();
        assert_eq!(kinds.len(), upstream_kinds().len());
        assert_eq!(
            known_upstream_kind("aws-alb").unwrap().idle_timeout_ms,
            Some(60_000)
        );
        let config = Config::parse(
            "x.yaml",
            "upstream-kinds:\n  varnish:\n    description: Varnish\n    \
            idle-timeout: 5s\n    source: our own measurements\
            \nupstreams:\n  cache.local: varnish\n",
        )
        .unwrap();
        assert_eq!(
            config.facts().unwrap().upstreams["cache.local"].idle_timeout_ms,
            Some(5_000)
        );
        let error = Config::parse("x.yaml", "upstreams:\n  a: nope\n")
            .unwrap()
            .facts()
            .unwrap_err();
        assert!(error.to_string().contains("aws-alb"), "{error}");
    }

    #[test]
    fn unknown_keys_are_errors() {
        let error = Config::parse("x.yaml", "haproxy-version: 3.0\nselct: [a]\n").unwrap_err();
        assert!(error.to_string().contains("selct"), "{error}");
    }

    #[test]
    fn upstream_facts() {
        let config = Config::parse(
            "x.yaml",
            "upstreams:\n  alb.example.com: aws-alb\n  api.local: \
                { kind: nginx, idle-timeout: 30s }\n",
        )
        .unwrap();
        let facts = config.facts().unwrap();
        assert_eq!(
            facts.upstreams["alb.example.com"].idle_timeout_ms,
            Some(60_000)
        );
        assert_eq!(facts.upstreams["api.local"].idle_timeout_ms, Some(30_000));
        let bad = Config::parse("x.yaml", "upstreams:\n  a: { idle-timeout: 0 }\n").unwrap();
        assert!(bad.facts().is_err());
    }
}

//! The rule engine: every rule is one file here with a uniform shape, its
//! documentation in `rules/<id>.yaml`, and one line in `rules!` below.

mod arguments;
pub mod catalog;
pub(crate) mod keyword_lines;
pub mod suppress;

use crate::finding::Finding;
use crate::model::Model;
use crate::source::SourceSet;
use crate::version::Version;

pub use crate::config::Facts;

/// What a rule sees.
pub struct Context<'a> {
    pub model: &'a Model,
    pub sources: &'a SourceSet,
    /// The HAProxy version the configuration will run on.
    pub target: Version,
    /// What the user told haplint about the deployment (upstreams…).
    pub facts: &'a Facts,
    /// Per file and line: whether haproxy `target` reads it (`.if` blocks);
    /// a line past the end of its file's list is read.
    pub activity: &'a [Vec<crate::syntax::Activity>],
    /// The statements the keyword rules look at, classified once for all of
    /// them (see `keyword_lines`).
    pub keyword_notes: std::sync::OnceLock<Vec<keyword_lines::Noted>>,
    /// Whether any server is a known upstream (see [`Context::has_upstreams`]).
    pub known_upstreams: std::sync::OnceLock<bool>,
    /// The options of the check (which rules the user asked for).
    pub options: &'a crate::Options,
}

/// One check. `ID` equals the file stem of `rules/<id>.yaml`; the rule never
/// decides severity or rendering.
pub trait Rule: Send + Sync + 'static {
    const ID: &'static str;
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>);
}

impl Context<'_> {
    /// Whether the user asked for rule `id` by name or set rather than
    /// getting it from the default tier (see [`crate::Options::asked_for`]).
    pub fn asked_for(&self, id: &str) -> bool {
        self.options.asked_for(id)
    }

    /// Whether haproxy of the target version reads the statement: `Unknown`
    /// inside `.if` blocks whose condition haplint cannot decide.
    pub fn activity(&self, stmt: crate::model::Stmt) -> crate::syntax::Activity {
        self.activity
            .get(stmt.file.0 as usize)
            .and_then(|lines| lines.get(stmt.line as usize))
            .copied()
            .unwrap_or(crate::syntax::Activity::Active)
    }

    /// What haplint knows about the server at `host`: the user's facts first,
    /// else what its name reveals (ALB names end in `.elb.amazonaws.com`, NLB
    /// names in `.elb.<region>.amazonaws.com`).
    pub fn upstream(&self, host: &str) -> Option<crate::config::Upstream> {
        self.facts.upstream(host)
    }

    /// Whether [`Context::upstream`] knows a server of `section`: the fact
    /// that makes advice about the upstream's behaviour certain there.
    pub fn knows_upstream_of(&self, section: &crate::model::Section) -> bool {
        self.has_upstreams()
            && self.model.real_servers(section).any(|server| {
                server
                    .host()
                    .is_some_and(|host| self.upstream(host).is_some())
            })
    }

    /// Whether [`Context::upstream`] knows any server of the configuration,
    /// found once per check: rules about upstream behaviour have nothing to
    /// say otherwise, and need not visit 100,000 servers to learn it.
    pub fn has_upstreams(&self) -> bool {
        *self.known_upstreams.get_or_init(|| {
            self.model.sections.iter().any(|section| {
                self.model.real_servers(section).any(|server| {
                    server
                        .host()
                        .is_some_and(|host| self.upstream(host).is_some())
                })
            })
        })
    }
}

/// Object-safe face of [`Rule`] for the registry.
pub trait DynRule: Send + Sync {
    fn id(&self) -> &'static str;
    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>);
}

impl<R: Rule> DynRule for R {
    fn id(&self) -> &'static str {
        R::ID
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        self.check(cx, out)
    }
}

/// A rule panicked: haplint could not judge part of the configuration (exit 2).
pub const INTERNAL_ERROR: &str = "internal-error";

/// Findings that come from the engine itself rather than from a rule module.
pub const BUILTIN_IDS: &[&str] = &[
    crate::syntax::SYNTAX,
    suppress::UNUSED_SUPPRESSION,
    crate::template::TEMPLATE,
];

// The rule modules are declared here rather than by the `rules!` macro below,
// so that rustfmt (which does not look inside macros) formats them and
// `cargo fmt --check` covers them.
mod crt_shared_verify_mismatch;
mod defaults_rules_inheritance;
mod deprecated_keyword;
mod duplicate_name;
mod experimental_directives;
mod external_check_setup;
mod forwardfor_spoofable;
mod frontend_maxconn_above_global;
mod frontend_without_bind;
mod http_only_in_tcp_mode;
mod http_reuse_never;
mod httpchk_headers_in_version;
mod https_redirect_loop;
mod idle_timeout_exceeds_upstream;
mod implausible_timeout;
mod insecure_fork_wanted;
mod invalid_acl;
mod invalid_argument;
mod invalid_header_name;
mod invalid_sample_expression;
mod keyword_wrong_section;
mod log_format_override;
mod long_server_timeout;
mod misplaced_rule;
mod missing_global_maxconn;
mod missing_hsts;
mod missing_http_buffer_request;
mod missing_http_reuse;
mod missing_init_addr;
mod missing_resolvers;
mod missing_server_maxconn;
mod missing_server_sni;
mod missing_stick_table_expire;
mod missing_timeout_http_request;
mod missing_timeouts;
mod mode_mismatch;
mod no_chroot;
mod no_privilege_drop;
mod no_request_rate_limit;
mod program_section;
mod redundant_check_port;
mod removed_keyword;
mod req_body_without_buffering;
mod retries_zero_with_redispatch;
mod retry_on_replays_non_idempotent;
mod ring_size;
mod rise_1_flapping;
mod runs_as_root;
mod server_close_defeats_reuse;
mod server_loops_to_self;
mod server_tls_port_without_ssl;
mod splice_with_tls;
mod ssl_verify_none;
mod stats_admin_unconditional;
mod stats_auth_plain_http;
mod stats_socket_exposed;
mod stats_without_auth;
mod tcp_check_on_http_backend;
mod timeout_missing_unit;
mod timeout_without_unit;
mod undefined_reference;
mod unknown_action;
mod unknown_keyword;
mod unused_acl;
mod unused_backend;
mod weak_dh_param;
mod weak_stats_credentials;
mod weak_tls_ciphers;
mod weak_tls_version;
mod weak_userlist_password;

macro_rules! rules {
    ($($module:ident :: $rule:ident),* $(,)?) => {

        /// Every registered rule, in registration order.
        pub fn registry() -> Vec<Box<dyn DynRule>> {
            vec![$(Box::new($module::$rule::default())),*]
        }

        /// Ids of every registered rule module.
        pub const RULE_IDS: &[&str] = &[$(<$module::$rule as Rule>::ID),*];
    };
}

// Large configurations run the rules on two threads that take the next one
// from this list: the slowest ones (measured with HAPLINT_TIMINGS=rules on
// 50,000 backends) come first, so that no thread is left with a long one at
// the end.
rules! {
    unknown_keyword::UnknownKeyword,
    invalid_sample_expression::InvalidSampleExpression,
    invalid_acl::InvalidAcl,
    long_server_timeout::LongServerTimeout,
    undefined_reference::UndefinedReference,
    duplicate_name::DuplicateName,
    missing_server_maxconn::MissingServerMaxconn,
    ssl_verify_none::SslVerifyNone,
    removed_keyword::RemovedKeyword,
    deprecated_keyword::DeprecatedKeyword,
    keyword_wrong_section::KeywordWrongSection,
    invalid_argument::InvalidArgument,
    unknown_action::UnknownAction,
    unused_backend::UnusedBackend,
    unused_acl::UnusedAcl,
    defaults_rules_inheritance::DefaultsRulesInheritance,
    splice_with_tls::SpliceWithTls,
    missing_http_reuse::MissingHttpReuse,
    http_reuse_never::HttpReuseNever,
    missing_server_sni::MissingServerSni,
    weak_tls_version::WeakTlsVersion,
    weak_tls_ciphers::WeakTlsCiphers,
    missing_timeouts::MissingTimeouts,
    idle_timeout_exceeds_upstream::IdleTimeoutExceedsUpstream,
    missing_timeout_http_request::MissingTimeoutHttpRequest,
    missing_http_buffer_request::MissingHttpBufferRequest,
    retry_on_replays_non_idempotent::RetryOnReplaysNonIdempotent,
    frontend_maxconn_above_global::FrontendMaxconnAboveGlobal,
    rise_1_flapping::Rise1Flapping,
    tcp_check_on_http_backend::TcpCheckOnHttpBackend,
    missing_init_addr::MissingInitAddr,
    missing_resolvers::MissingResolvers,
    missing_stick_table_expire::MissingStickTableExpire,
    log_format_override::LogFormatOverride,
    mode_mismatch::ModeMismatch,
    stats_without_auth::StatsWithoutAuth,
    redundant_check_port::RedundantCheckPort,
    server_close_defeats_reuse::ServerCloseDefeatsReuse,
    misplaced_rule::MisplacedRule,
    timeout_without_unit::TimeoutWithoutUnit,
    http_only_in_tcp_mode::HttpOnlyInTcpMode,
    httpchk_headers_in_version::HttpchkHeadersInVersion,
    invalid_header_name::InvalidHeaderName,
    frontend_without_bind::FrontendWithoutBind,
    external_check_setup::ExternalCheckSetup,
    program_section::ProgramSection,
    ring_size::RingSize,
    // Security and safety (issue 22).
    stats_socket_exposed::StatsSocketExposed,
    weak_stats_credentials::WeakStatsCredentials,
    weak_userlist_password::WeakUserlistPassword,
    stats_admin_unconditional::StatsAdminUnconditional,
    stats_auth_plain_http::StatsAuthPlainHttp,
    server_tls_port_without_ssl::ServerTlsPortWithoutSsl,
    weak_dh_param::WeakDhParam,
    missing_hsts::MissingHsts,
    crt_shared_verify_mismatch::CrtSharedVerifyMismatch,
    forwardfor_spoofable::ForwardforSpoofable,
    runs_as_root::RunsAsRoot,
    no_privilege_drop::NoPrivilegeDrop,
    no_chroot::NoChroot,
    insecure_fork_wanted::InsecureForkWanted,
    experimental_directives::ExperimentalDirectives,
    timeout_missing_unit::TimeoutMissingUnit,
    implausible_timeout::ImplausibleTimeout,
    retries_zero_with_redispatch::RetriesZeroWithRedispatch,
    missing_global_maxconn::MissingGlobalMaxconn,
    server_loops_to_self::ServerLoopsToSelf,
    https_redirect_loop::HttpsRedirectLoop,
    req_body_without_buffering::ReqBodyWithoutBuffering,
    no_request_rate_limit::NoRequestRateLimit,
}

/// Every id a user may name: registered rules and built-in ones.
pub fn all_ids() -> impl Iterator<Item = &'static str> {
    BUILTIN_IDS.iter().chain(RULE_IDS.iter()).copied()
}

pub fn is_known(id: &str) -> bool {
    all_ids().any(|known| known == id)
}

/// The closest known id to a misspelled one, for "did you mean".
pub fn suggest(id: &str) -> Option<&'static str> {
    all_ids()
        .map(|known| (strsim::levenshtein(id, known), known))
        .filter(|(distance, known)| *distance <= (known.len() / 3).max(2))
        .min()
        .map(|(_, known)| known)
}

/// "a, b, c and 4 more": names for a message, at most three spelled out.
pub(crate) fn list_names<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    let names: Vec<&str> = names.into_iter().collect();
    let shown: Vec<&str> = names.iter().take(3).copied().collect();
    let more = names.len().saturating_sub(shown.len());
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// The lines the TLS rules read: in `global` the statements keyed
/// `global_keys`; elsewhere the `bind`, `server`, `server-template` and
/// `default-server` lines that carry one of the parameters `params` (in
/// proxies and defaults as the model cut them into parameters; in other
/// sections, `peers` say, word by word). In order of appearance.
pub(crate) fn tls_lines(
    cx: &Context<'_>,
    global_keys: &[&str],
    params: &[&str],
) -> Vec<crate::model::Stmt> {
    use crate::model::SectionKind;
    let model = cx.model;
    let globals = model.key_set(global_keys);
    let listeners = model.key_set(&["bind", "server", "server-template", "default-server"]);
    let has = |list: &[crate::model::Param]| list.iter().any(|p| params.contains(&p.name()));
    let mut lines = Vec::new();
    for section in &model.sections {
        match section.kind {
            SectionKind::Global => {
                lines.extend(model.statements_in(section, &globals).map(|(stmt, _)| stmt))
            }
            kind if kind.is_proxy() || kind == SectionKind::Defaults => {
                let servers = section
                    .servers
                    .iter()
                    .filter(|s| has(&s.params))
                    .map(|s| s.stmt);
                let binds = section
                    .binds
                    .iter()
                    .filter(|b| has(&b.params))
                    .map(|b| b.stmt);
                let start = lines.len();
                lines.extend(servers.chain(binds));
                if let Some(added) = lines.get_mut(start..) {
                    added.sort_unstable();
                }
            }
            _ => lines.extend(
                model
                    .statements_in(section, &listeners)
                    .map(|(stmt, _)| stmt)
                    .filter(|&stmt| model.values(stmt).any(|word| params.contains(&word))),
            ),
        }
    }
    lines
}

/// Where one server parameter is written, and the servers that get it from there.
pub(crate) struct ParamSite<'m> {
    pub stmt: crate::model::Stmt,
    /// Index of the parameter keyword in the statement.
    pub word: usize,
    pub servers: Vec<(&'m crate::model::Section, &'m crate::model::Server)>,
}

/// Group the effective parameter `name` of every traffic-carrying server by
/// the place it is written, keeping those `keep` accepts: one finding per
/// place, however many servers inherit it.
pub(crate) fn param_sites<'m, K>(
    model: &'m crate::model::Model,
    name: &str,
    keep: K,
) -> Vec<ParamSite<'m>>
where
    K: Fn(&crate::model::Section, &crate::model::Server, &crate::model::ServerParam) -> bool,
{
    let mut sites: std::collections::BTreeMap<(crate::model::Stmt, u32), ParamSite<'m>> =
        std::collections::BTreeMap::new();
    for section in model.proxies().filter(|s| s.kind.has_backend()) {
        for server in model.real_servers(section) {
            let Some(param) = model.server_param(section, server, name) else {
                continue;
            };
            if !keep(section, server, &param) {
                continue;
            }
            sites
                .entry((param.stmt, param.word))
                .or_insert_with(|| ParamSite {
                    stmt: param.stmt,
                    word: param.word as usize,
                    servers: Vec::new(),
                })
                .servers
                .push((section, server));
        }
    }
    sites.into_values().collect()
}

/// `backend/server` names of a site's servers, for messages.
pub(crate) fn server_names(servers: &[(&crate::model::Section, &crate::model::Server)]) -> String {
    let names: Vec<String> = servers
        .iter()
        .map(|(section, server)| {
            format!(
                "{}/{}",
                section.name.as_deref().unwrap_or("?"),
                server.name.as_deref().unwrap_or("?")
            )
        })
        .collect();
    list_names(names.iter().map(String::as_str))
}

#[cfg(test)]
pub(crate) mod testing {
    //! Running one rule on a snippet, for the rules' unit tests.
    use crate::source::SourceSet;
    use crate::{Options, Report, check};

    /// `options` with only rule `id` selected.
    fn only(id: &str, options: Options) -> Options {
        Options {
            select: Some(vec![id.to_string()]),
            ..options
        }
    }

    /// The check of `config` by rule `id` alone.
    fn report(id: &str, config: &str, options: Options) -> Report {
        let mut sources = SourceSet::new();
        sources.add("t.cfg", None, config);
        check(sources, &only(id, options))
    }

    /// The help of the first finding of rule `id` on `config` (empty if none).
    pub fn first_help(id: &str, config: &str) -> String {
        report(id, config, Options::default())
            .active()
            .find_map(|f| f.finding.help.clone())
            .unwrap_or_default()
    }

    /// `config` fixed by rule `id`, unsafe fixes included.
    pub fn fixed_by(id: &str, config: &str) -> crate::Fixed {
        crate::fix_text("t.cfg", config, &only(id, Options::default()), true)
    }

    /// (line, message) of every finding of rule `id` on `config`.
    pub fn findings(id: &str, config: &str) -> Vec<(u32, String)> {
        findings_with(id, config, Options::default())
    }

    pub fn findings_with(id: &str, config: &str, options: Options) -> Vec<(u32, String)> {
        let report = report(id, config, options);
        report
            .active()
            .filter(|f| f.finding.rule == id)
            .map(|f| {
                let line = report
                    .sources
                    .get(f.finding.primary.span.file)
                    .map_or(0, |file| file.position(f.finding.primary.span.start).line);
                (line, f.finding.message.clone())
            })
            .collect()
    }
}

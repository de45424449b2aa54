//! The rule engine: every rule is one file here with a uniform shape, its
//! documentation in `rules/<id>.yaml`, and one line in `rules!` below.

pub mod catalog;
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
}

/// One check. `ID` equals the file stem of `rules/<id>.yaml`; the rule never
/// decides severity or rendering.
pub trait Rule: Send + Sync + 'static {
    const ID: &'static str;
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>);
}

impl Context<'_> {
    /// What haplint knows about the server at `host`: the user's facts first,
    /// else what its name reveals (ALB names end in `.elb.amazonaws.com`, NLB
    /// names in `.elb.<region>.amazonaws.com`).
    pub fn upstream(&self, host: &str) -> Option<crate::config::Upstream> {
        if let Some(upstream) = self.facts.upstreams.get(host) {
            return Some(upstream.clone());
        }
        let host = host.to_ascii_lowercase();
        if host.ends_with(".elb.amazonaws.com") {
            crate::config::known_upstream_kind("aws-alb")
        } else if host.ends_with(".amazonaws.com") && host.contains(".elb.") {
            crate::config::known_upstream_kind("aws-nlb")
        } else {
            None
        }
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

/// Findings that come from the engine itself rather than from a rule module.
pub const BUILTIN_IDS: &[&str] = &[crate::syntax::SYNTAX, suppress::UNUSED_SUPPRESSION];

macro_rules! rules {
    ($($module:ident :: $rule:ident),* $(,)?) => {
        $(mod $module;)*

        /// Every registered rule, in registration order.
        pub fn registry() -> Vec<Box<dyn DynRule>> {
            vec![$(Box::new($module::$rule::default())),*]
        }

        /// Ids of every registered rule module.
        pub const RULE_IDS: &[&str] = &[$(<$module::$rule as Rule>::ID),*];
    };
}

rules! {
    ssl_verify_none::SslVerifyNone,
    splice_with_tls::SpliceWithTls,
    missing_http_reuse::MissingHttpReuse,
    http_reuse_never::HttpReuseNever,
    missing_server_sni::MissingServerSni,
    weak_tls_version::WeakTlsVersion,
    weak_tls_ciphers::WeakTlsCiphers,
    missing_timeouts::MissingTimeouts,
    long_server_timeout::LongServerTimeout,
    idle_timeout_exceeds_upstream::IdleTimeoutExceedsUpstream,
    missing_timeout_http_request::MissingTimeoutHttpRequest,
    missing_http_buffer_request::MissingHttpBufferRequest,
    retry_on_replays_non_idempotent::RetryOnReplaysNonIdempotent,
    missing_server_maxconn::MissingServerMaxconn,
    frontend_maxconn_above_global::FrontendMaxconnAboveGlobal,
    rise_1_flapping::Rise1Flapping,
    tcp_check_on_http_backend::TcpCheckOnHttpBackend,
    missing_init_addr::MissingInitAddr,
    missing_resolvers::MissingResolvers,
    missing_stick_table_expire::MissingStickTableExpire,
    undefined_reference::UndefinedReference,
    log_format_override::LogFormatOverride,
    mode_mismatch::ModeMismatch,
    stats_without_auth::StatsWithoutAuth,
    redundant_check_port::RedundantCheckPort,
    server_close_defeats_reuse::ServerCloseDefeatsReuse,
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
        .map(|known| (crate::text::edit_distance(id, known), known))
        .filter(|(distance, known)| *distance <= (known.len() / 3).max(2))
        .min()
        .map(|(_, known)| known)
}

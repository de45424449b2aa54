//! Section kinds (configuration.txt §3 onwards) and what they can do.

/// Every section keyword of haproxy 2.4 … 3.4. A keyword starts a new section
/// wherever it appears (§2.1 rule 6).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SectionKind {
    Global,
    Defaults,
    Frontend,
    Backend,
    Listen,
    Resolvers,
    Peers,
    Userlist,
    Mailers,
    Program,
    HttpErrors,
    Ring,
    LogForward,
    Cache,
    FcgiApp,
    CrtStore,
    Traces,
    Acme,
    LogProfile,
    Healthcheck,
    SpoeAgent,
    SpoeGroup,
    SpoeMessage,
}

impl SectionKind {
    pub const ALL: &'static [SectionKind] = &[
        SectionKind::Global,
        SectionKind::Defaults,
        SectionKind::Frontend,
        SectionKind::Backend,
        SectionKind::Listen,
        SectionKind::Resolvers,
        SectionKind::Peers,
        SectionKind::Userlist,
        SectionKind::Mailers,
        SectionKind::Program,
        SectionKind::HttpErrors,
        SectionKind::Ring,
        SectionKind::LogForward,
        SectionKind::Cache,
        SectionKind::FcgiApp,
        SectionKind::CrtStore,
        SectionKind::Traces,
        SectionKind::Acme,
        SectionKind::LogProfile,
        SectionKind::Healthcheck,
        SectionKind::SpoeAgent,
        SectionKind::SpoeGroup,
        SectionKind::SpoeMessage,
    ];

    pub fn keyword(self) -> &'static str {
        match self {
            SectionKind::Global => "global",
            SectionKind::Defaults => "defaults",
            SectionKind::Frontend => "frontend",
            SectionKind::Backend => "backend",
            SectionKind::Listen => "listen",
            SectionKind::Resolvers => "resolvers",
            SectionKind::Peers => "peers",
            SectionKind::Userlist => "userlist",
            SectionKind::Mailers => "mailers",
            SectionKind::Program => "program",
            SectionKind::HttpErrors => "http-errors",
            SectionKind::Ring => "ring",
            SectionKind::LogForward => "log-forward",
            SectionKind::Cache => "cache",
            SectionKind::FcgiApp => "fcgi-app",
            SectionKind::CrtStore => "crt-store",
            SectionKind::Traces => "traces",
            SectionKind::Acme => "acme",
            SectionKind::LogProfile => "log-profile",
            SectionKind::Healthcheck => "healthcheck",
            SectionKind::SpoeAgent => "spoe-agent",
            SectionKind::SpoeGroup => "spoe-group",
            SectionKind::SpoeMessage => "spoe-message",
        }
    }

    pub fn from_keyword(word: &str) -> Option<SectionKind> {
        // Asked for every line of a configuration: a match compiles to a
        // length-and-bytes dispatch instead of 23 string comparisons.
        Some(match word {
            "global" => SectionKind::Global,
            "defaults" => SectionKind::Defaults,
            "frontend" => SectionKind::Frontend,
            "backend" => SectionKind::Backend,
            "listen" => SectionKind::Listen,
            "resolvers" => SectionKind::Resolvers,
            "peers" => SectionKind::Peers,
            "userlist" => SectionKind::Userlist,
            "mailers" => SectionKind::Mailers,
            "program" => SectionKind::Program,
            "http-errors" => SectionKind::HttpErrors,
            "ring" => SectionKind::Ring,
            "log-forward" => SectionKind::LogForward,
            "cache" => SectionKind::Cache,
            "fcgi-app" => SectionKind::FcgiApp,
            "crt-store" => SectionKind::CrtStore,
            "traces" => SectionKind::Traces,
            "acme" => SectionKind::Acme,
            "log-profile" => SectionKind::LogProfile,
            "healthcheck" => SectionKind::Healthcheck,
            "spoe-agent" => SectionKind::SpoeAgent,
            "spoe-group" => SectionKind::SpoeGroup,
            "spoe-message" => SectionKind::SpoeMessage,
            _ => return None,
        })
    }

    /// frontend, backend, listen: the sections that carry traffic.
    pub fn is_proxy(self) -> bool {
        matches!(
            self,
            SectionKind::Frontend | SectionKind::Backend | SectionKind::Listen
        )
    }

    /// Accepts client connections (`bind`, `use_backend`…).
    pub fn has_frontend(self) -> bool {
        matches!(self, SectionKind::Frontend | SectionKind::Listen)
    }

    /// Connects to servers.
    pub fn has_backend(self) -> bool {
        matches!(self, SectionKind::Backend | SectionKind::Listen)
    }

    /// Proxies and defaults take settings from a defaults section.
    pub fn inherits_defaults(self) -> bool {
        self.is_proxy() || self == SectionKind::Defaults
    }

    /// The releases that have this kind of section: (first, first without).
    pub fn lifetime(self) -> (crate::version::Version, Option<crate::version::Version>) {
        use crate::version::Version;
        match self {
            SectionKind::CrtStore => (Version::new(3, 0), None),
            SectionKind::Traces | SectionKind::LogProfile => (Version::new(3, 1), None),
            SectionKind::Acme => (Version::new(3, 2), None),
            // haproxy 3.4.7 (Debian's) accepts it.
            SectionKind::Healthcheck => (Version::new(3, 4), None),
            SectionKind::Program => (Version::new(2, 4), Some(Version::new(3, 3))),
            _ => (Version::new(2, 4), None),
        }
    }

    /// The section needs a name after its keyword.
    pub fn requires_name(self) -> bool {
        !matches!(
            self,
            SectionKind::Global
                | SectionKind::Defaults
                | SectionKind::Traces
                | SectionKind::CrtStore
        )
    }
}

/// Characters haproxy permits in proxy and ACL names (§4: "upper and lower case
/// letters, digits, '-', '_', '.' and ':'"). Returns the first other one.
pub fn invalid_name_char(name: &str) -> Option<char> {
    name.chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')))
}

#[cfg(test)]
mod tests {
    use super::SectionKind;

    #[test]
    fn every_kind_is_found_by_its_keyword() {
        for kind in SectionKind::ALL {
            assert_eq!(SectionKind::from_keyword(kind.keyword()), Some(*kind));
        }
        assert_eq!(SectionKind::from_keyword("server"), None);
    }
}

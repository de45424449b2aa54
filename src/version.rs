//! HAProxy versions and version ranges, as used by `--haproxy-version` and the
//! `versions:` field of rule docs.

use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Version {
    pub major: u32,
    pub minor: u32,
}

impl Version {
    pub const fn new(major: u32, minor: u32) -> Self {
        Version { major, minor }
    }

    /// The releases haplint knows, oldest first.
    pub const KNOWN: &'static [Version] = &[
        Version::new(2, 4),
        Version::new(2, 6),
        Version::new(2, 8),
        Version::new(3, 0),
        Version::new(3, 1),
        Version::new(3, 2),
    ];

    /// The oldest release haplint models. Earlier ones differ in ways its
    /// rules do not know (a missing final line feed only became fatal in 2.4,
    /// TLS 1.2 only became the default minimum in 2.2, the `global` keyword
    /// tables start at 2.4), so they are refused rather than half-checked.
    pub const OLDEST: Version = Version::new(2, 4);

    /// A target version from the user: parsed, and refused before [`Self::OLDEST`].
    pub fn parse_target(text: &str) -> Result<Version, String> {
        let version = Version::parse(text)
            .ok_or_else(|| format!("`{text}` is not a version like 2.6 or 3.0"))?;
        if version < Self::OLDEST {
            return Err(format!(
                "HAProxy {version} is older than {}, the oldest release haplint knows: its checks \
                would be wrong there (earlier releases differ in keywords, defaults and what is \
                fatal)",
                Self::OLDEST
            ));
        }
        Ok(version)
    }

    /// The default target: the newest known release.
    pub const LATEST: Version = Version::new(3, 2);

    /// The release after this one in HAProxy's numbering (2.9 → 3.0).
    pub fn next(self) -> Version {
        if self.minor >= 9 {
            Version::new(self.major + 1, 0)
        } else {
            Version::new(self.major, self.minor + 1)
        }
    }

    /// The release before this one (3.0 → 2.9).
    pub fn previous(self) -> Version {
        if self.minor == 0 {
            Version::new(self.major.saturating_sub(1), 9)
        } else {
            Version::new(self.major, self.minor - 1)
        }
    }

    /// `2.6`, `2.6.12`, `3.0-dev5`: the major and minor numbers.
    pub fn parse(text: &str) -> Option<Version> {
        let text = text.trim();
        let core = text.split(['-', '+', ' ']).next().unwrap_or("");
        let mut parts = core.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next().unwrap_or("0").parse().ok()?;
        Some(Version { major, minor })
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// A set of versions written as comma-separated bounds: `>=2.4`, `>=2.4, <3.0`, `all`.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct VersionRange {
    pub min: Option<Version>,
    /// Exclusive.
    pub below: Option<Version>,
}

impl VersionRange {
    pub fn parse(text: &str) -> Option<VersionRange> {
        let mut range = VersionRange::default();
        for bound in text.split(',').map(str::trim).filter(|b| !b.is_empty()) {
            if bound == "all" {
                continue;
            } else if let Some(v) = bound.strip_prefix(">=") {
                range.min = Some(Version::parse(v)?);
            } else if let Some(v) = bound.strip_prefix('<') {
                range.below = Some(Version::parse(v)?);
            } else {
                return None;
            }
        }
        Some(range)
    }

    pub fn contains(&self, version: Version) -> bool {
        self.min.is_none_or(|min| version >= min) && self.below.is_none_or(|below| version < below)
    }
}

impl fmt::Display for VersionRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.min, self.below) {
            (None, None) => write!(f, "all versions"),
            (Some(min), None) => write!(f, "{min} and later"),
            (None, Some(below)) => write!(f, "before {below}"),
            (Some(min), Some(below)) => write!(f, "{min} up to (not including) {below}"),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn neighbouring_releases() {
        use super::Version;
        assert_eq!(Version::new(2, 9).next(), Version::new(3, 0));
        assert_eq!(Version::new(2, 6).next(), Version::new(2, 7));
        assert_eq!(Version::new(3, 0).previous(), Version::new(2, 9));
        assert_eq!(Version::new(0, 0).previous(), Version::new(0, 9));
    }

    use super::*;

    #[test]
    fn parses_versions_and_ranges() {
        assert_eq!(Version::parse("2.6.12-1+deb12u4"), Some(Version::new(2, 6)));
        assert_eq!(Version::parse("3.0-dev5"), Some(Version::new(3, 0)));
        assert_eq!(Version::parse("x"), None);
        let range = VersionRange::parse(">=2.4, <3.0").unwrap();
        assert!(range.contains(Version::new(2, 8)));
        assert!(!range.contains(Version::new(3, 0)));
        assert!(
            VersionRange::parse("all")
                .unwrap()
                .contains(Version::new(1, 8))
        );
        assert_eq!(VersionRange::parse("~2"), None);
    }
}

//! Who can reach an address: what the security rules ask of `bind`,
//! `stats socket` and `server` addresses.

use super::split_address;

/// Where a listening address accepts connections from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reach {
    /// A UNIX socket or abstract namespace: reachable through the file system
    /// (or the network namespace) only.
    Local,
    /// The loopback interface only.
    Loopback,
    /// Every interface (`*`, `0.0.0.0`, `::`, an empty host).
    AllInterfaces,
    /// One address that is not loopback (it may be public or private).
    Interface,
    /// A form haplint does not judge (`fd@`, `sockpair@`, environment variables).
    Unknown,
}

/// Whether `host` is on this machine's loopback interface: `localhost`,
/// 127.0.0.0/8, `::1` or an IPv4-mapped loopback address (brackets allowed).
pub fn is_loopback_host(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || match host.parse::<std::net::IpAddr>() {
            Ok(std::net::IpAddr::V6(v6)) => {
                v6.is_loopback() || v6.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
            }
            Ok(ip) => ip.is_loopback(),
            Err(_) => false,
        }
}

/// Where a listener at `address` (as written on `bind` or `stats socket`) is reachable from.
pub fn reach(address: &str) -> Reach {
    let lower = address.to_ascii_lowercase();
    if lower.starts_with("unix@")
        || lower.starts_with("abns@")
        || lower.starts_with("abnsz@")
        || address.starts_with('/')
    {
        return Reach::Local;
    }
    if lower.starts_with("fd@")
        || lower.starts_with("sockpair@")
        || address.contains("${")
        || address.contains('$')
    {
        return Reach::Unknown;
    }
    let (host, _) = split_address(address);
    if host.is_empty() || host == "*" || host == "0.0.0.0" || host == "::" {
        Reach::AllInterfaces
    } else if is_loopback_host(host) {
        Reach::Loopback
    } else {
        Reach::Interface
    }
}

/// Whether connections from other machines can reach `address`.
pub fn reachable_from_network(address: &str) -> bool {
    matches!(reach(address), Reach::AllInterfaces | Reach::Interface)
}

/// The port of a listening or server address as a number, when it is one
/// plain port (not a range, not a variable).
pub fn port_number(address: &str) -> Option<u16> {
    split_address(address).1?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reach_of_common_forms() {
        assert_eq!(reach(":8404"), Reach::AllInterfaces);
        assert_eq!(reach("*:80"), Reach::AllInterfaces);
        assert_eq!(reach("0.0.0.0:9999"), Reach::AllInterfaces);
        assert_eq!(reach("ipv6@:::9999"), Reach::AllInterfaces);
        assert_eq!(reach("127.0.0.1:9999"), Reach::Loopback);
        assert_eq!(reach("ipv4@127.0.0.1:9999"), Reach::Loopback);
        assert_eq!(reach("[::1]:9999"), Reach::Loopback);
        assert_eq!(reach("10.0.0.5:9999"), Reach::Interface);
        assert_eq!(reach("/run/haproxy/admin.sock"), Reach::Local);
        assert_eq!(reach("unix@/run/haproxy.sock"), Reach::Local);
        assert_eq!(reach("fd@${fe}"), Reach::Unknown);
        assert!(is_loopback_host("LocalHost") && is_loopback_host("127.0.0.9"));
        assert!(is_loopback_host("[::1]") && is_loopback_host("::ffff:127.0.0.1"));
        assert!(!is_loopback_host("127.example.com") && !is_loopback_host("10.0.0.1"));
        assert_eq!(port_number("10.0.0.1:443"), Some(443));
        assert_eq!(port_number("10.0.0.1:8000-8010"), None);
    }
}

//! The values haproxy's own checks refuse in the arguments of some fetches
//! and converters, beyond their types (`bytes(-1)`, `field(0,:)`,
//! `param(a,ab)`…). Each check was measured on the four oracles (2.6, 3.0,
//! 3.2, 3.4): a converter or fetch is only checked in the releases whose
//! registry has it with the argument types the check expects, so a check
//! never applies to a release that reads the arguments differently.

use super::samples::{ArgType, Signature};
use crate::version::Version;

/// Whether haproxy reads `text` as a variable name: a scope, a dot and a name.
pub type ScopeCheck = fn(&str, Version) -> bool;

/// Why haproxy `target` refuses the value of an argument, as (1-based
/// argument position, reason); `None` when nothing is known to be wrong.
pub fn refused(
    name: &str,
    args: &[&str],
    signature: &Signature,
    target: Version,
    variable_ok: ScopeCheck,
) -> Option<(usize, String)> {
    let arg = |i: usize| args.get(i).copied();
    let int = |i: usize| arg(i).and_then(decimal);
    match name {
        // Operators read an integer or a variable name.
        "add" | "sub" | "mul" | "div" | "mod" | "and" | "or" | "xor" => {
            let a = arg(0)?;
            (decimal(a).is_none() && !variable_ok(a, target))
                .then(|| (1, "is neither an integer nor a variable name".to_string()))
        }
        // From 3.0, `bytes` reads integers or variables (strings in the registry).
        "bytes" if signature.args.first() == Some(&ArgType::String) => {
            for (i, least) in [(0usize, 0i64), (1, 1)] {
                let Some(a) = arg(i) else { continue };
                if variable_ok(a, target) {
                    continue;
                }
                match decimal(a) {
                    None => {
                        return Some((i + 1, "is neither an integer nor a variable name".into()));
                    }
                    Some(n) if n < least => {
                        let what = if least == 0 {
                            "non-negative"
                        } else {
                            "positive"
                        };
                        return Some((i + 1, format!("must be a {what} integer")));
                    }
                    Some(_) => {}
                }
            }
            None
        }
        "has_ctl" => {
            let a = arg(0).filter(|a| !a.is_empty() && !matches!(*a, "any" | "http"))?;
            match c_integer(a) {
                None => Some((1, "cannot be read as an integer".to_string())),
                Some(n) if n & !0x1_FFFF_FFFF != 0 => Some((
                    1,
                    "sets bits above the 33 that name control characters".to_string(),
                )),
                Some(_) => None,
            }
        }
        "param" => {
            let a = arg(1)?;
            (a.chars().count() != 1).then(|| (2, "must be exactly one character".to_string()))
        }
        "field" | "word" => {
            if int(0) == Some(0) {
                return Some((
                    1,
                    "must not be 0: fields count from 1 (or -1 from the end)".into(),
                ));
            }
            (arg(1) == Some("")).then(|| (2, "must hold at least one separator".to_string()))
        }
        "concat" | "add_item" => {
            let a = arg(1).filter(|a| !a.is_empty())?;
            (!variable_ok(a, target)).then(|| (2, "is not a variable name".to_string()))
        }
        "strcmp" => {
            let a = arg(0).unwrap_or("");
            (!variable_ok(a, target)).then(|| (1, "is not a variable name".to_string()))
        }
        "be2dec" | "le2dec" => {
            let chunk = arg(1).map_or(Some(0), decimal)?;
            if !(1..=8).contains(&chunk) {
                return Some((2, "must be a chunk size from 1 to 8".to_string()));
            }
            truncate(int(2))
        }
        "be2hex" => {
            let chunk = arg(1).map_or(Some(0), decimal)?;
            let truncated = int(2).unwrap_or(0);
            if chunk <= 0 && (arg(0).is_some_and(|s| !s.is_empty()) || truncated != 0) {
                return Some((2, "must be a positive chunk size".to_string()));
            }
            truncate(int(2))
        }
        "ipmask" => {
            if let Some(a) = arg(0)
                && !ipv4_mask(a)
            {
                return Some((1, "is not an IPv4 mask (0 to 32, or a dotted mask)".into()));
            }
            let a = arg(1).filter(|a| !a.contains(':'))?;
            (!decimal(a).is_some_and(|n| (0..=128).contains(&n)))
                .then(|| (2, "is not an IPv6 mask (0 to 128)".to_string()))
        }
        "payload_lv" | "req.payload_lv" | "res.payload_lv" => {
            let (offset, length) = (int(0)?, int(1)?);
            if offset < 0 {
                return Some((1, "must not be negative".to_string()));
            }
            if length == 0 {
                return Some((2, "must be greater than 0".to_string()));
            }
            let a = arg(2).filter(|a| !a.is_empty())?;
            match decimal(a) {
                None => Some((3, "cannot be read as an integer".to_string())),
                Some(n) if offset + length + n < 0 => {
                    Some((3, "points before the start of the payload".to_string()))
                }
                Some(_) => None,
            }
        }
        "url_enc" => {
            let a = arg(0).filter(|a| !a.is_empty())?;
            (a != "query").then(|| (1, "must be `query`".to_string()))
        }
        "json" => {
            let a = arg(0).filter(|a| !a.is_empty())?;
            let known = matches!(a, "ascii" | "utf8" | "utf8s" | "utf8p" | "utf8ps");
            (!known).then(|| (1, "must be ascii, utf8, utf8s, utf8p or utf8ps".to_string()))
        }
        "json_query" => {
            if arg(0) == Some("") {
                return Some((1, "must not be empty".to_string()));
            }
            let a = arg(1).filter(|a| !a.is_empty())?;
            (a != "int").then(|| (2, "must be `int` (the only output type)".to_string()))
        }
        "regsub" => {
            let a = arg(2)?;
            (!a.chars().all(|c| matches!(c, 'i' | 'g')))
                .then(|| (3, "holds a flag other than `i` and `g`".to_string()))
        }
        "sha2" => {
            let bits = int(0)?;
            (!matches!(bits, 224 | 256 | 384 | 512))
                .then(|| (1, "must be 224, 256, 384 or 512 bits".to_string()))
        }
        "aes_gcm_enc" | "aes_gcm_dec" | "aes_cbc_enc" | "aes_cbc_dec" => {
            let bits = int(0)?;
            (!matches!(bits, 128 | 192 | 256))
                .then(|| (1, "must be a key size of 128, 192 or 256 bits".to_string()))
        }
        "fc_rtt" | "fc_rttvar" | "bc_rtt" | "bc_rttvar" => {
            let unit = arg(0).filter(|u| !u.is_empty())?;
            (!matches!(unit, "us" | "ms")).then(|| (1, "must be us or ms".to_string()))
        }
        "http_date" => time_unit(arg(1), 2),
        "date" => time_unit(arg(1), 2),
        "accept_date" | "request_date" => time_unit(arg(0), 1),
        "uuid" => {
            let a = arg(0).filter(|a| !a.is_empty())?;
            let known = a == "4" || (a == "7" && target >= Version::new(2, 8));
            (!known).then(|| (1, "is not a UUID version haproxy generates".to_string()))
        }
        "bool" => {
            let a = arg(0)?;
            let known = ["true", "false", "0", "1"]
                .iter()
                .any(|k| k.eq_ignore_ascii_case(a));
            (!known).then(|| (1, "must be true, false, 0 or 1".to_string()))
        }
        _ => None,
    }
}

fn truncate(value: Option<i64>) -> Option<(usize, String)> {
    value
        .filter(|t| !matches!(t, 0 | 1))
        .map(|_| (3, "must be 0 or 1".to_string()))
}

fn time_unit(unit: Option<&str>, position: usize) -> Option<(usize, String)> {
    let unit = unit.filter(|u| !u.is_empty())?;
    (!matches!(unit, "s" | "ms" | "us")).then(|| (position, "must be s, ms or us".to_string()))
}

/// A decimal integer with an optional sign, as haproxy's `read_int64` reads
/// a whole argument.
fn decimal(text: &str) -> Option<i64> {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value: i64 = digits.parse().unwrap_or(i64::MAX);
    Some(if text.starts_with('-') { -value } else { value })
}

/// An integer as C's `strtoll(…, 0)` reads a whole argument: decimal, `0x`
/// hexadecimal or `0` octal, with an optional sign.
fn c_integer(text: &str) -> Option<i64> {
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text.strip_prefix('+').unwrap_or(text)),
    };
    let (radix, digits) = if let Some(hex) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
        (16, hex)
    } else if body.len() > 1 && body.starts_with('0') {
        (8, &body[1..])
    } else {
        (10, body)
    };
    if digits.is_empty() {
        return None;
    }
    let value = u64::from_str_radix(digits, radix).ok()? as i64;
    Some(if negative {
        value.wrapping_neg()
    } else {
        value
    })
}

fn ipv4_mask(text: &str) -> bool {
    if let Some(bits) = decimal(text).filter(|_| !text.starts_with(['-', '+'])) {
        return (0..=32).contains(&bits);
    }
    let octets: Vec<&str> = text.split('.').collect();
    octets.len() == 4
        && octets
            .iter()
            .all(|o| !o.is_empty() && o.len() <= 3 && o.parse::<u8>().is_ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(text: &str, _: Version) -> bool {
        text.split_once('.')
            .is_some_and(|(s, n)| !n.is_empty() && matches!(s, "txn" | "sess" | "req"))
    }

    fn check(name: &str, args: &[&str], types: &'static str) -> Option<usize> {
        let signature = crate::model::samples::Signature::parse(types);
        refused(name, args, &signature, Version::new(3, 2), scope).map(|(i, _)| i)
    }

    #[test]
    fn measured_refusals() {
        assert_eq!(check("bytes", &["-1"], "string[,string]"), Some(1));
        assert_eq!(check("bytes", &["0", "0"], "string[,string]"), Some(2));
        assert_eq!(check("bytes", &["0", "txn.n"], "string[,string]"), None);
        assert_eq!(check("bytes", &["-1"], "integer[,integer]"), None);
        assert_eq!(check("has_ctl", &["bogus"], "[string]"), Some(1));
        assert_eq!(check("has_ctl", &["0x400000000"], "[string]"), Some(1));
        assert_eq!(check("has_ctl", &["0x1FFFFFFFF"], "[string]"), None);
        assert_eq!(check("has_ctl", &["-1"], "[string]"), Some(1));
        assert_eq!(check("param", &["a", "0x26"], "string[,string]"), Some(2));
        assert_eq!(check("param", &["a", "&"], "string[,string]"), None);
        assert_eq!(check("field", &["0", ":"], "integer,string"), Some(1));
        assert_eq!(check("word", &["1", ""], "integer,string"), Some(2));
        assert_eq!(check("add", &["0x10"], "string"), Some(1));
        assert_eq!(check("sub", &["-3"], "string"), None);
        assert_eq!(check("be2dec", &[":"], "string"), Some(2));
        assert_eq!(check("be2hex", &[":", "1", "2"], "string"), Some(3));
        assert_eq!(check("ipmask", &["33"], "x"), Some(1));
        assert_eq!(check("ipmask", &["255.255.0.0", "64"], "x"), None);
        assert_eq!(check("req.payload_lv", &["0", "1", "-5"], "x"), Some(3));
        assert_eq!(check("date", &["0", "xx"], "x"), Some(2));
        assert_eq!(check("bool", &["TRUE"], "x"), None);
        assert_eq!(check("url_enc", &["foo"], "string"), Some(1));
        assert_eq!(check("json", &["utf8s"], "string"), None);
        assert_eq!(
            check("json_query", &["$.a", "foo"], "string[,string]"),
            Some(2)
        );
        assert_eq!(check("regsub", &["a", "b", "gi"], "x"), None);
        assert_eq!(check("regsub", &["a", "b", "z"], "x"), Some(3));
        assert_eq!(check("sha2", &["100"], "[integer]"), Some(1));
        assert_eq!(check("aes_gcm_dec", &["100", "a", "b", "c"], "x"), Some(1));
        assert_eq!(check("fc_rtt", &["xx"], "[string]"), Some(1));
        assert_eq!(check("http_date", &["0", "xx"], "x"), Some(2));
    }
}

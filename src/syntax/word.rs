//! Quoting and escaping of words (configuration.txt §2.2), both ways: the value
//! haproxy sees for an escape, and how to write a value so that it reads back
//! as one word with that value.

/// Append the value of one escape written outside quotes (`\ `, `\#`, `\xNN`…).
/// Unknown escapes keep their backslash, as haproxy's tokenizer does.
pub fn unescape_outside_quotes(escape: &str, out: &mut String) {
    unescape(escape, false, out)
}

/// Append the value of one escape written inside double quotes; there `\$`
/// also protects a dollar sign.
pub fn unescape_in_double_quotes(escape: &str, out: &mut String) {
    unescape(escape, true, out)
}

fn unescape(escape: &str, in_double_quotes: bool, out: &mut String) {
    let mut chars = escape.chars();
    let _backslash = chars.next();
    match chars.next() {
        None => out.push('\\'),
        Some(' ') => out.push(' '),
        Some('\\') => out.push('\\'),
        Some('t') => out.push('\t'),
        Some('n') => out.push('\n'),
        Some('r') => out.push('\r'),
        Some('#') => out.push('#'),
        Some('\'') => out.push('\''),
        Some('"') => out.push('"'),
        Some('$') if in_double_quotes => out.push('$'),
        Some('x') => {
            let hex: String = chars.by_ref().take(2).collect();
            match u8::from_str_radix(&hex, 16) {
                Ok(byte) if byte.is_ascii() => out.push(byte as char),
                // A non-ASCII byte on its own is not valid UTF-8; keep the escape
                // as written so the value still shows what was meant.
                _ => {
                    out.push_str("\\x");
                    out.push_str(&hex);
                }
            }
        }
        Some(other) => {
            out.push('\\');
            out.push(other);
        }
    }
}

/// Write `value` as a single configuration word: as is when it needs no
/// protection, otherwise in single quotes, or escaped when it contains a
/// single quote (which strong quoting cannot hold).
pub fn quote(value: &str) -> String {
    if value.is_empty() {
        return "\"\"".to_string();
    }
    let needs_protection = value.chars().any(|c| {
        matches!(
            c,
            ' ' | '\t' | '\u{b}' | '\u{c}' | '#' | '"' | '\'' | '\\' | '\r' | '\n'
        )
    });
    if !needs_protection {
        return value.to_string();
    }
    if !value.contains(['\'', '\r', '\n']) {
        return format!("'{value}'");
    }
    let mut out = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        match c {
            ' ' | '#' | '"' | '\'' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\u{b}' => out.push_str("\\x0b"),
            '\u{c}' => out.push_str("\\x0c"),
            _ => out.push(c),
        }
    }
    out
}

//! Template files: a configuration with templating syntax (Jinja2 / Go
//! `{{ }}` and `{% %}`, ERB `<%= %>`, shell `$VAR`) is not what haproxy will
//! read, so checking its raw text gives hundreds of findings about the markup.
//! Such a file gets one `template` finding instead, unless the user turns the
//! `template` rule off (`ignore: [template]`) to check it anyway.

use crate::finding::{Finding, Severity};
use crate::source::{FileId, SourceFile, Span};

pub const TEMPLATE: &str = "template";

/// What marks a file as a template, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    /// Byte range of the marker.
    pub start: usize,
    pub end: usize,
    /// What it is, for the message: "`{{`", "`$PORT`"…
    pub what: String,
}

/// The first templating marker of `text`, if any. Linear in the text; lines
/// without `{`, `<` or `$` are passed over by byte search (one search over
/// the whole text: most configurations have none of them).
pub fn find(text: &str) -> Option<Marker> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = bytes
        .get(from..)
        .and_then(|rest| memchr::memchr3(b'{', b'<', b'$', rest))
    {
        let at = from + at;
        let before = bytes.get(..at).unwrap_or(&[]);
        let line_start = memchr::memrchr(b'\n', before).map_or(0, |n| n + 1);
        let line_end = bytes
            .get(at..)
            .and_then(|rest| memchr::memchr(b'\n', rest))
            .map_or(bytes.len(), |n| at + n);
        let line = bytes.get(line_start..line_end).unwrap_or(&[]);
        if let Some(marker) = in_line(line, line_start) {
            return Some(marker);
        }
        from = line_end + 1;
    }
    None
}

/// Keywords whose addresses haproxy reads with `$VAR` and `${VAR}` expanded
/// even outside double quotes (`bind *:$PORT` is haproxy's own form).
const ADDRESS_KEYWORDS: &[&[u8]] = &[
    b"bind",
    b"server",
    b"server-template",
    b"peer",
    b"nameserver",
    b"log",
    b"mailer",
    b"source",
    b"dgram-bind",
    b"stats",
];

fn in_line(line: &[u8], offset: usize) -> Option<Marker> {
    let comment = line
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'#');
    let keyword = line
        .split(|b| b.is_ascii_whitespace())
        .find(|word| !word.is_empty())
        .unwrap_or(&[]);
    let addresses = ADDRESS_KEYWORDS.contains(&keyword);
    let mut quoted = false;
    let mut previous = b' ';
    let mut i = 0;
    while let Some(&b) = line.get(i) {
        let next = line.get(i + 1).copied().unwrap_or(b'\n');
        let pair = |what: &str| {
            Some(Marker {
                start: offset + i,
                end: offset + i + 2,
                what: format!("`{what}`"),
            })
        };
        match (b, next) {
            (b'{', b'{') => return pair("{{"),
            (b'{', b'%') => return pair("{%"),
            (b'<', b'%') => return pair("<%"),
            (b'\\', _) => {
                // An escaped character is never a marker nor a quote.
                previous = next;
                i += 2;
                continue;
            }
            (b'"', _) if !comment => quoted = !quoted,
            (b'$', _)
                if !comment
                    && !addresses
                    && !quoted
                    && !previous.is_ascii_alphanumeric()
                    && previous != b'$'
                    && (next == b'{' || next.is_ascii_alphabetic() || next == b'_') =>
            {
                let name_end = line
                    .get(i + 1..)
                    .and_then(|rest| {
                        rest.iter().position(|&c| {
                            !(c.is_ascii_alphanumeric() || c == b'_' || c == b'{' || c == b'}')
                        })
                    })
                    .map_or(line.len(), |n| i + 1 + n);
                return Some(Marker {
                    start: offset + i,
                    end: offset + name_end,
                    what: format!("`{}`", String::from_utf8_lossy(line.get(i..name_end)?)),
                });
            }
            _ => {}
        }
        previous = b;
        i += 1;
    }
    None
}

/// The finding that stands for a template file's findings.
pub fn finding(file: &SourceFile, marker: &Marker, hidden: usize) -> Finding {
    let at = file.position(marker.start as u32);
    let hidden = match hidden {
        0 => String::new(),
        1 => ": 1 finding on its raw text is not shown".to_string(),
        n => format!(": {n} findings on its raw text are not shown"),
    };
    let mut finding = Finding::new(
        TEMPLATE,
        Span {
            file: file.id,
            start: marker.start as u32,
            end: marker.end as u32,
        },
        format!(
            "a template, not checked ({} at line {}){hidden}",
            marker.what, at.line
        ),
    )
    .help(
        "check the configuration the template renders to, or add `template` to `ignore:` in \
    .haplint.yaml to check this file as it is",
    )
    .note(
        "haproxy never reads this text: the templating engine turns it into the real \
    configuration first",
    );
    finding.severity = Some(Severity::Info);
    finding
}

/// Files of a check that are templates, with their first marker.
pub fn templates<'a>(files: impl Iterator<Item = &'a SourceFile>) -> Vec<(FileId, Marker)> {
    files
        .filter_map(|file| find(&file.text).map(|marker| (file.id, marker)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn what(text: &str) -> Option<String> {
        find(text).map(|m| m.what)
    }

    #[test]
    fn templating_syntax_is_found() {
        assert_eq!(
            what("global\n    maxconn {{ maxconn }}\n").as_deref(),
            Some("`{{`")
        );
        assert_eq!(what("{% for b in backends %}\n").as_deref(), Some("`{%`"));
        assert_eq!(
            what("    server a <%= @host %>:80\n").as_deref(),
            Some("`<%`")
        );
        assert_eq!(
            what("    acl ok hdr_dom(host) -i ${DOMAIN}\n").as_deref(),
            Some("`${DOMAIN}`")
        );
        assert_eq!(what("set -- $REPLY\n").as_deref(), Some("`$REPLY`"));
    }

    #[test]
    fn haproxy_forms_and_look_alikes_are_not_templates() {
        // haproxy's own environment variables, inside double quotes.
        assert_eq!(what("    bind \"${ADDR}:80\"\n"), None);
        assert_eq!(what("    http-request set-header X \"$HOST\"\n"), None);
        // Addresses: haproxy expands variables in them even without quotes.
        assert_eq!(what("    bind *:$PORT\n"), None);
        assert_eq!(what("    server a ${HOST}:80\n"), None);
        // Password hashes, regular expressions, comments, escapes.
        assert_eq!(
            what("    user admin password $5$aVnIFECJ$2QYP64eTTXZ1g\n"),
            None
        );
        assert_eq!(what("    acl api path_reg ^/api$\n"), None);
        assert_eq!(what("    # run with $HOME set\n"), None);
        assert_eq!(what("    http-request set-header X \\$NOTVAR\n"), None);
        assert_eq!(what("    http-request set-var(txn.x) str(a{2})\n"), None);
    }
}

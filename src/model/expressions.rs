//! Sample expressions as haproxy reads them: `fetch(args),conv(args),…`
//! (configuration.txt §7.3), and where a statement holds them.

/// A fetch or converter call: `req.hdr(host,1)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call<'a> {
    pub name: &'a str,
    /// The text between the parentheses, if any.
    pub args: Option<&'a str>,
}

impl<'a> Call<'a> {
    /// The arguments, split on commas (`()` gives none).
    pub fn arg_list(&self) -> Vec<&'a str> {
        match self.args {
            None | Some("") => Vec::new(),
            Some(args) => args.split(',').collect(),
        }
    }
}

/// A parsed sample expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expression<'a> {
    pub fetch: Call<'a>,
    pub converters: Vec<Call<'a>>,
}

/// Why haproxy cannot even split an expression into calls.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ParseError<'a> {
    MissingFetch,
    /// `req.hdr(` without `)`.
    UnclosedArgs(&'a str),
    /// `hdr(a))`: something other than `,` after a call.
    MissingComma(&'a str),
    /// `hdr(a),,lower` or a trailing comma.
    MissingConverter,
}

impl ParseError<'_> {
    pub fn message(&self) -> String {
        match self {
            ParseError::MissingFetch => "missing fetch method in sample expression".to_string(),
            ParseError::UnclosedArgs(name) => {
                format!("missing closing `)` after the arguments of `{name}`")
            }
            ParseError::MissingComma(name) => format!("missing comma after `{name}(…)`"),
            ParseError::MissingConverter => "missing converter name after a comma".to_string(),
        }
    }
}

/// Split `text` into its fetch and converters.
pub fn parse(text: &str) -> Result<Expression<'_>, ParseError<'_>> {
    let mut rest = text;
    let mut calls: Vec<Call<'_>> = Vec::new();
    loop {
        let end = rest.find(['(', ',']).unwrap_or(rest.len());
        let name = rest.get(..end).unwrap_or("");
        if name.is_empty() {
            return Err(if calls.is_empty() {
                ParseError::MissingFetch
            } else {
                ParseError::MissingConverter
            });
        }
        rest = rest.get(end..).unwrap_or("");
        let mut args = None;
        if let Some(after) = rest.strip_prefix('(') {
            let Some(close) = after.find(')') else {
                return Err(ParseError::UnclosedArgs(name));
            };
            args = Some(after.get(..close).unwrap_or(""));
            rest = after.get(close + 1..).unwrap_or("");
        }
        calls.push(Call { name, args });
        if rest.is_empty() {
            break;
        }
        match rest.strip_prefix(',') {
            Some(next) => rest = next,
            None => return Err(ParseError::MissingComma(name)),
        }
    }
    let mut calls = calls.into_iter();
    let fetch = calls.next().ok_or(ParseError::MissingFetch)?;
    Ok(Expression {
        fetch,
        converters: calls.collect(),
    })
}

/// The `%[…]` expressions of a log-format string, with `%{+Q}[…]` flags:
/// each as (its text, whether its `]` was found).
pub fn in_log_format(text: &str) -> Vec<(&str, bool)> {
    let mut found = Vec::new();
    let mut rest = text;
    while let Some(percent) = rest.find('%') {
        let mut after = rest.get(percent + 1..).unwrap_or("");
        if after.starts_with('%') {
            rest = after.get(1..).unwrap_or("");
            continue;
        }
        if after.starts_with('{')
            && let Some(close) = after.find('}')
        {
            after = after.get(close + 1..).unwrap_or("");
        }
        let Some(inner) = after.strip_prefix('[') else {
            rest = after;
            continue;
        };
        match closing_bracket(inner) {
            Some(end) => {
                found.push((inner.get(..end).unwrap_or(""), true));
                rest = inner.get(end + 1..).unwrap_or("");
            }
            None => {
                found.push((inner, false));
                break;
            }
        }
    }
    found
}

/// The `]` that closes a `%[`, nested brackets aside.
fn closing_bracket(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' if depth == 0 => return Some(i),
            ']' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// Characters haproxy allows in ACL names.
pub fn acl_name_char_ok(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':')
}

/// ACL match methods (`-m`).
pub const MATCH_METHODS: &[&str] = &[
    "found", "bool", "int", "ip", "bin", "len", "str", "sub", "reg", "beg", "end", "dir", "dom",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_and_errors() {
        let e = parse("req.hdr(host,1),lower,map(/a,b)").unwrap();
        assert_eq!(e.fetch.name, "req.hdr");
        assert_eq!(e.fetch.arg_list(), vec!["host", "1"]);
        assert_eq!(
            e.converters.iter().map(|c| c.name).collect::<Vec<_>>(),
            vec!["lower", "map"]
        );
        assert_eq!(parse("(arg)"), Err(ParseError::MissingFetch));
        assert_eq!(parse("req.hdr("), Err(ParseError::UnclosedArgs("req.hdr")));
        assert_eq!(parse("hdr(arg))"), Err(ParseError::MissingComma("hdr")));
        assert_eq!(parse("src,"), Err(ParseError::MissingConverter));
        assert_eq!(
            in_log_format("%{+Q}[src] %% %[a,b(]x]"),
            vec![("src", true), ("a,b(", true)]
        );
        assert_eq!(in_log_format("%[src"), vec![("src", false)]);
    }
}

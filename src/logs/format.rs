//! HAProxy log formats (configuration.txt 8.2): a `log-format` string cut into
//! literal text and `%` variables, the standard `httplog`/`tcplog` formats, and
//! reading a log line back into named fields.

/// One piece of a log format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    /// A variable (`Tr`, `ci`, `r`…), `quoted` when written `%{+Q}`.
    Field {
        name: String,
        quoted: bool,
    },
}

/// The `option httplog` format (configuration.txt 8.2.3).
pub const HTTPLOG: &str = "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r";
/// The `option tcplog` format (configuration.txt 8.2.2).
pub const TCPLOG: &str = "%ci:%cp [%t] %ft %b/%s %Tw/%Tc/%Tt %B %ts %ac/%fc/%bc/%sc/%rc %sq/%bq";

/// Cut a log-format string. `%%` is a percent sign; `%[expr]` (a sample
/// expression) becomes a field named by its expression.
pub fn parse_format(format: &str) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let chars: Vec<char> = format.chars().collect();
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if c != '%' {
            text.push(c);
            i += 1;
            continue;
        }
        i += 1;
        let mut quoted = false;
        if chars.get(i) == Some(&'%') {
            text.push('%');
            i += 1;
            continue;
        }
        if chars.get(i) == Some(&'{') {
            let close = chars.iter().skip(i).position(|&c| c == '}').map(|p| p + i);
            let flags: String = chars
                .get(i + 1..close.unwrap_or(i + 1))
                .unwrap_or(&[])
                .iter()
                .collect();
            quoted = flags.split(',').any(|f| f == "+Q");
            i = close.map_or(i, |c| c + 1);
        }
        let name: String = if chars.get(i) == Some(&'[') {
            let close = chars
                .iter()
                .skip(i)
                .position(|&c| c == ']')
                .map_or(chars.len(), |p| p + i);
            let expr: String = chars
                .get(i..=close.min(chars.len().saturating_sub(1)))
                .unwrap_or(&[])
                .iter()
                .collect();
            i = close + 1;
            expr
        } else {
            let start = i;
            while chars.get(i).is_some_and(|c| c.is_ascii_alphanumeric()) {
                i += 1;
            }
            chars.get(start..i).unwrap_or(&[]).iter().collect()
        };
        if !text.is_empty() {
            pieces.push(Piece::Text(std::mem::take(&mut text)));
        }
        pieces.push(Piece::Field { name, quoted });
    }
    if !text.is_empty() {
        pieces.push(Piece::Text(text));
    }
    pieces
}

/// A log line read with a format: (field name, value) in format order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Fields {
    pub values: Vec<(String, String)>,
}

impl Fields {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// A timer in milliseconds; `-1` (haproxy's "never reached") is `None`.
    pub fn timer(&self, name: &str) -> Option<i64> {
        self.get(name)?
            .trim_start_matches('+')
            .parse::<i64>()
            .ok()
            .filter(|v| *v >= 0)
    }
}

/// Why a line does not match a format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// The field (or text) that could not be read.
    pub at: String,
    pub offset: usize,
}

/// Read `line` with `pieces`. A syslog prefix (`Sep  3 15:20:31 host
/// haproxy[12]: `) before the formatted part is skipped: reading is tried
/// from the start and from after each of the first blanks.
pub fn read_line(pieces: &[Piece], line: &str) -> Result<Fields, Mismatch> {
    let line = line.trim_end_matches(['\r', '\n']);
    let mut first_error = None;
    let starts = std::iter::once(0).chain(
        line.char_indices()
            .filter(|(i, c)| *c == ' ' && *i < 160)
            .map(|(i, _)| i + 1),
    );
    for start in starts {
        match read_from(pieces, line, start) {
            Ok(fields) => return Ok(fields),
            Err(error) => {
                if first_error
                    .as_ref()
                    .is_none_or(|e: &Mismatch| error.offset > e.offset)
                {
                    first_error = Some(error);
                }
            }
        }
    }
    Err(first_error.unwrap_or(Mismatch {
        at: "the line".to_string(),
        offset: 0,
    }))
}

fn read_from(pieces: &[Piece], line: &str, start: usize) -> Result<Fields, Mismatch> {
    let mut at = start;
    let mut fields = Fields::default();
    for (index, piece) in pieces.iter().enumerate() {
        let rest = line.get(at..).unwrap_or("");
        match piece {
            Piece::Text(text) => {
                if !rest.starts_with(text.as_str()) {
                    return Err(Mismatch {
                        at: format!("the text `{}`", text.trim()),
                        offset: at,
                    });
                }
                at += text.len();
            }
            Piece::Field { name, quoted } => {
                let value_end = if *quoted && rest.starts_with('"') {
                    // A quoted value runs to the next quote not escaped.
                    let bytes = rest.as_bytes();
                    let mut end = 1;
                    while end < bytes.len()
                        && !(bytes.get(end) == Some(&b'"') && bytes.get(end - 1) != Some(&b'\\'))
                    {
                        end += 1;
                    }
                    (end + 1).min(rest.len())
                } else {
                    match pieces.get(index + 1) {
                        Some(Piece::Text(next)) => match value_end_before(rest, next, name) {
                            Some(end) => end,
                            None => {
                                return Err(Mismatch {
                                    at: format!("%{name}"),
                                    offset: at,
                                });
                            }
                        },
                        // Two variables in a row, or the last one: up to a blank.
                        Some(Piece::Field { .. }) => rest.find(' ').unwrap_or(rest.len()),
                        None => rest.len(),
                    }
                };
                let value = rest.get(..value_end).unwrap_or("");
                let value = if *quoted {
                    value.trim_matches('"')
                } else {
                    value
                };
                fields.values.push((name.clone(), value.to_string()));
                at += value_end;
            }
        }
    }
    if at < line.trim_end().len() {
        return Err(Mismatch {
            at: "the end of the line".to_string(),
            offset: at,
        });
    }
    Ok(fields)
}

/// Where a variable's value ends: at the text that follows it. A `{…}`
/// capture block (`%hr`, `%hs`) may hold that text, so it is skipped whole.
/// Only the request line and captures may hold blanks; for the others a
/// blank means the line is not being read from the right place.
fn value_end_before(rest: &str, next: &str, name: &str) -> Option<usize> {
    if rest.starts_with('{')
        && let Some(close) = rest.find('}')
        && rest
            .get(close + 1..)
            .is_some_and(|after| after.starts_with(next))
    {
        return Some(close + 1);
    }
    let end = rest.find(next)?;
    let may_hold_blanks = matches!(name, "r" | "hr" | "hs" | "CC" | "CS" | "HU" | "HP");
    if may_hold_blanks || !rest.get(..end).is_some_and(|v| v.contains(' ')) {
        Some(end)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_cut_into_text_and_variables() {
        let pieces = parse_format("%ci:%cp [%t] %{+Q}r 100%% %[src]");
        assert_eq!(
            pieces[0],
            Piece::Field {
                name: "ci".into(),
                quoted: false
            }
        );
        assert_eq!(pieces[1], Piece::Text(":".into()));
        assert!(pieces.contains(&Piece::Field {
            name: "r".into(),
            quoted: true
        }));
        assert!(pieces.contains(&Piece::Text(" 100% ".into())));
        assert_eq!(
            pieces.last(),
            Some(&Piece::Field {
                name: "[src]".into(),
                quoted: false
            })
        );
    }

    #[test]
    fn httplog_lines() {
        let line = "Feb  6 12:14:14 localhost haproxy[14389]: 10.0.1.2:33317 [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- 1/1/1/1/0 0/0 {1wt.eu} {} \"GET /index.html HTTP/1.1\"";
        let fields = read_line(&parse_format(HTTPLOG), line).unwrap();
        assert_eq!(fields.get("ci"), Some("10.0.1.2"));
        assert_eq!(fields.get("b"), Some("static"));
        assert_eq!(fields.timer("Tr"), Some(69));
        assert_eq!(fields.timer("Ta"), Some(109));
        assert_eq!(fields.get("hr"), Some("{1wt.eu}"));
        assert_eq!(fields.get("r"), Some("GET /index.html HTTP/1.1"));
    }

    #[test]
    fn tcplog_lines() {
        let line = "Feb  6 12:12:56 localhost haproxy[14387]: 10.0.1.2:33313 [06/Feb/2009:12:12:51.443] fnt bck/srv1 0/0/5007 212 -- 0/0/0/0/3 0/0";
        let fields = read_line(&parse_format(TCPLOG), line).unwrap();
        assert_eq!(fields.timer("Tt"), Some(5007));
        assert_eq!(fields.get("ts"), Some("--"));
        assert_eq!(fields.get("sq"), Some("0"));
    }

    #[test]
    fn a_line_of_another_format_says_where_it_fails() {
        let error = read_line(&parse_format(TCPLOG), "10.0.1.2:33313 garbage").unwrap_err();
        assert!(
            error.at.contains('[') || error.at.starts_with('%'),
            "{error:?}"
        );
    }
}

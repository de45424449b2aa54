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
pub const HTTPLOG: &str = "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc \
    %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %hs %{+Q}r";
/// `option httplog` without header captures (haproxy writes no `{…}` block
/// then), and with one capture block.
pub const HTTPLOG_BARE: &str = "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS %tsc \
    %ac/%fc/%bc/%sc/%rc %sq/%bq %{+Q}r";
pub const HTTPLOG_ONE_CAPTURE: &str = "%ci:%cp [%tr] %ft %b/%s %TR/%Tw/%Tc/%Tr/%Ta %ST %B %CC %CS \
    %tsc %ac/%fc/%bc/%sc/%rc %sq/%bq %hr %{+Q}r";
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
        timer(self.get(name)?.as_bytes())
    }
}

/// A timer value (`+` marks a value counted with `option logasap`); `-1`
/// (haproxy's "never reached") and anything not a number is `None`.
pub fn timer(value: &[u8]) -> Option<i64> {
    let digits = value.strip_prefix(b"+").unwrap_or(value);
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut number: i64 = 0;
    for &byte in digits {
        if !byte.is_ascii_digit() {
            return None;
        }
        number = number * 10 + i64::from(byte - b'0');
    }
    Some(number)
}

/// Why a line does not match a format.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mismatch {
    /// The field (or text) that could not be read.
    pub at: String,
    pub offset: usize,
}

/// Where a read failed, kept cheap: the piece and the byte offset. The text
/// of a [`Mismatch`] is only made for lines that no format reads.
#[derive(Clone, Copy, Debug)]
struct Failure {
    piece: usize,
    offset: usize,
}

/// A log format ready to read lines with: its pieces, and for each field
/// whether its value may hold blanks.
#[derive(Clone, Debug)]
pub struct Format {
    pub pieces: Vec<Piece>,
    /// Per piece: a field whose value may hold blanks (request line, captures).
    blanks: Vec<bool>,
    /// Per piece: a field that is always written in a shape, a capture block
    /// `{…}` (`%hr`, `%hs`) or a quoted request line (`%{+Q}r`), so a value
    /// without that shape means another format.
    shaped: Vec<bool>,
    /// The field names, one per field piece, in order: the slots of a read.
    pub names: Vec<String>,
}

impl Format {
    pub fn new(text: &str) -> Format {
        let pieces = parse_format(text);
        let blanks = pieces
            .iter()
            .map(|p| match p {
                Piece::Field { name, .. } => {
                    matches!(name.as_str(), "r" | "hr" | "hs" | "CC" | "CS" | "HU" | "HP")
                }
                Piece::Text(_) => false,
            })
            .collect();
        let shaped = pieces
            .iter()
            .map(|p| match p {
                Piece::Field { name, quoted } => {
                    matches!(name.as_str(), "hr" | "hs") || (*quoted && name == "r")
                }
                Piece::Text(_) => false,
            })
            .collect();
        let names = pieces
            .iter()
            .filter_map(|p| match p {
                Piece::Field { name, .. } => Some(name.clone()),
                Piece::Text(_) => None,
            })
            .collect();
        Format {
            pieces,
            blanks,
            shaped,
            names,
        }
    }

    /// The slot of a field in the spans of a read.
    pub fn slot(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// Read `line`, writing each field's byte range into `spans` (one per
    /// slot). A syslog prefix (`Sep  3 15:20:31 host haproxy[12]: `) before
    /// the formatted part is skipped: reading is tried after `*skip` blanks
    /// first (the count that worked last), then from the start and after each
    /// of the first blanks; `*skip` is updated to the count that worked.
    pub fn read_spans(
        &self,
        line: &[u8],
        skip: &mut usize,
        spans: &mut Vec<(usize, usize)>,
    ) -> Result<(), Mismatch> {
        let line = trim_line_end(line);
        if let Some(start) = after_blanks(line, *skip)
            && self.read_from(line, start, spans).is_ok()
        {
            return Ok(());
        }
        let mut best: Option<Failure> = None;
        let mut start = 0;
        let mut blanks = 0;
        loop {
            match self.read_from(line, start, spans) {
                Ok(()) => {
                    *skip = blanks;
                    return Ok(());
                }
                Err(failure) => {
                    if best.is_none_or(|b| failure.offset > b.offset) {
                        best = Some(failure);
                    }
                }
            }
            match line
                .get(start..)
                .and_then(|rest| memchr::memchr(b' ', rest))
            {
                Some(blank) if start + blank < 160 => {
                    start += blank + 1;
                    blanks += 1;
                }
                _ => break,
            }
        }
        Err(best.map_or(
            Mismatch {
                at: "the line".to_string(),
                offset: 0,
            },
            |f| self.mismatch(f),
        ))
    }

    /// Read a line into named fields (for one line explained in full).
    pub fn read_fields(&self, line: &str) -> Result<Fields, Mismatch> {
        let mut spans = Vec::new();
        let mut skip = 0;
        self.read_spans(line.as_bytes(), &mut skip, &mut spans)?;
        let line = trim_line_end(line.as_bytes());
        Ok(Fields {
            values: self
                .names
                .iter()
                .zip(&spans)
                .map(|(name, &(start, end))| {
                    let value = line.get(start..end).unwrap_or_default();
                    (name.clone(), String::from_utf8_lossy(value).into_owned())
                })
                .collect(),
        })
    }

    fn mismatch(&self, failure: Failure) -> Mismatch {
        let at = match self.pieces.get(failure.piece) {
            Some(Piece::Text(text)) => format!("the text `{}`", text.trim()),
            Some(Piece::Field { name, .. }) => format!("%{name}"),
            None => "the end of the line".to_string(),
        };
        Mismatch {
            at,
            offset: failure.offset,
        }
    }

    fn read_from(
        &self,
        line: &[u8],
        start: usize,
        spans: &mut Vec<(usize, usize)>,
    ) -> Result<(), Failure> {
        spans.clear();
        let mut at = start;
        // The text after a field already found there by the field's search.
        let mut known = false;
        for (index, piece) in self.pieces.iter().enumerate() {
            let rest = line.get(at..).unwrap_or_default();
            let fail = Failure {
                piece: index,
                offset: at,
            };
            match piece {
                Piece::Text(text) if known => {
                    known = false;
                    at += text.len();
                }
                Piece::Text(text) => {
                    let text = text.as_bytes();
                    let fits = match text {
                        [one] => rest.first() == Some(one),
                        _ => rest.starts_with(text),
                    };
                    if !fits {
                        return Err(fail);
                    }
                    at += text.len();
                }
                Piece::Field { quoted, .. } => {
                    if *quoted && rest.first() == Some(&b'"') {
                        // A quoted value runs to the next quote not escaped.
                        let mut end = 1;
                        loop {
                            match rest.get(end..).and_then(|r| memchr::memchr(b'"', r)) {
                                Some(quote) => {
                                    end += quote;
                                    if rest.get(end - 1) == Some(&b'\\') {
                                        end += 1;
                                        continue;
                                    }
                                    break;
                                }
                                None => {
                                    end = rest.len();
                                    break;
                                }
                            }
                        }
                        spans.push((at + 1, at + end.max(1)));
                        at += (end + 1).min(rest.len());
                        continue;
                    }
                    let shaped = self.shaped.get(index).copied().unwrap_or(false);
                    if shaped && (*quoted || rest.first() != Some(&b'{')) {
                        // No capture configured: haproxy writes nothing.
                        let empty = !*quoted
                            && matches!(self.pieces.get(index + 1),
                                Some(Piece::Text(next)) if rest.starts_with(next.as_bytes()));
                        if !empty {
                            return Err(fail);
                        }
                        spans.push((at, at));
                        continue;
                    }
                    let blanks = self.blanks.get(index).copied().unwrap_or(false);
                    let end = match self.pieces.get(index + 1) {
                        Some(Piece::Text(next)) => {
                            known = true;
                            value_end_before(rest, next.as_bytes(), blanks).ok_or(fail)?
                        }
                        // Two variables in a row, or the last one: up to a blank.
                        Some(Piece::Field { .. }) => find_any(rest, [b' ']).unwrap_or(rest.len()),
                        None => rest.len(),
                    };
                    if shaped && rest.get(end.wrapping_sub(1)) != Some(&b'}') {
                        return Err(fail);
                    }
                    spans.push((at, at + end));
                    at += end;
                }
            }
        }
        let trimmed = line
            .iter()
            .rposition(|b| !b.is_ascii_whitespace())
            .map_or(0, |p| p + 1);
        if at < trimmed {
            return Err(Failure {
                piece: self.pieces.len(),
                offset: at,
            });
        }
        Ok(())
    }
}

fn trim_line_end(line: &[u8]) -> &[u8] {
    let mut end = line.len();
    while end > 0 && matches!(line.get(end - 1), Some(b'\r' | b'\n')) {
        end -= 1;
    }
    line.get(..end).unwrap_or_default()
}

/// The offset after the `count`-th blank (0: the start), among the first 160 bytes.
fn after_blanks(line: &[u8], count: usize) -> Option<usize> {
    if count == 0 {
        return Some(0);
    }
    let mut seen = 0;
    for (at, &byte) in line.iter().take(160).enumerate() {
        if byte == b' ' {
            seen += 1;
            if seen == count {
                return Some(at + 1);
            }
        }
    }
    None
}

/// Where a variable's value ends: at the text that follows it. A `{…}`
/// capture block (`%hr`, `%hs`) may hold that text, so it is skipped whole.
/// Only the request line and captures may hold blanks (`blanks`); for the
/// others a blank means the line is not being read from the right place.
fn value_end_before(rest: &[u8], next: &[u8], blanks: bool) -> Option<usize> {
    let first = *next.first()?;
    if rest.first() == Some(&b'{')
        && let Some(close) = memchr::memchr(b'}', rest)
        && rest
            .get(close + 1..)
            .is_some_and(|after| after.starts_with(next))
    {
        return Some(close + 1);
    }
    if blanks {
        return if let [one] = next {
            memchr::memchr(*one, rest)
        } else {
            memchr::memmem::find(rest, next)
        };
    }
    let mut from = 0;
    loop {
        let at = from + find_any(rest.get(from..)?, [first, b' '])?;
        if rest.get(at) == Some(&first) && rest.get(at..)?.starts_with(next) {
            return Some(at);
        }
        if rest.get(at) == Some(&b' ') {
            return None;
        }
        from = at + 1;
    }
}

/// The first of the bytes `targets` in `bytes`. Most values are a few bytes
/// long (timers, counters, names), too short for a vector search to pay
/// off: eight bytes are tested at a time in a machine word instead (with one
/// or two targets the loop over them unrolls).
#[inline(always)]
pub(crate) fn find_any<const N: usize>(bytes: &[u8], targets: [u8; N]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let patterns = targets.map(|t| u64::from(t) * ONES);
    let mut at = 0;
    while let Some(chunk) = bytes.get(at..at + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let word = u64::from_le_bytes(word);
        // A byte of `word ^ pattern` is zero where the word holds that
        // target; the lowest flagged byte is always a true one.
        let found = patterns.iter().fold(0, |found, pattern| {
            let x = word ^ pattern;
            found | (x.wrapping_sub(ONES) & !x)
        }) & HIGHS;
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    bytes
        .get(at..)?
        .iter()
        .position(|c| targets.contains(c))
        .map(|p| p + at)
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
    fn either_byte_is_found_first_in_any_position() {
        let text = b"abcdefghijklmnopqrstuvwxyz0123456789";
        for (i, &byte) in text.iter().enumerate() {
            assert_eq!(find_any(text, [byte, b' ']), Some(i));
            assert_eq!(find_any(text, [b'#', byte]), Some(i));
            assert_eq!(find_any(&text[..i], [byte, b'#']), None);
        }
        assert_eq!(find_any(b"aaaaaaaaaXb", [b'b', b'X']), Some(9));
        assert_eq!(find_any(b"\x80\x81 ", [b' ', b' ']), Some(2));
    }

    #[test]
    fn httplog_lines() {
        let line = "Feb  6 12:14:14 localhost haproxy[14389]: 10.0.1.2:33317 \
            [06/Feb/2009:12:14:14.655] http-in static/srv1 10/0/30/69/109 200 2750 - - ---- \
            1/1/1/1/0 0/0 {1wt.eu} {} \"GET /index.html HTTP/1.1\"";
        let fields = Format::new(HTTPLOG).read_fields(line).unwrap();
        assert_eq!(fields.get("ci"), Some("10.0.1.2"));
        assert_eq!(fields.get("b"), Some("static"));
        assert_eq!(fields.timer("Tr"), Some(69));
        assert_eq!(fields.timer("Ta"), Some(109));
        assert_eq!(fields.get("hr"), Some("{1wt.eu}"));
        assert_eq!(fields.get("r"), Some("GET /index.html HTTP/1.1"));
    }

    #[test]
    fn tcplog_lines() {
        let line = "Feb  6 12:12:56 localhost haproxy[14387]: 10.0.1.2:33313 \
            [06/Feb/2009:12:12:51.443] fnt bck/srv1 0/0/5007 212 -- 0/0/0/0/3 0/0";
        let fields = Format::new(TCPLOG).read_fields(line).unwrap();
        assert_eq!(fields.timer("Tt"), Some(5007));
        assert_eq!(fields.get("ts"), Some("--"));
        assert_eq!(fields.get("sq"), Some("0"));
    }

    #[test]
    fn a_line_of_another_format_says_where_it_fails() {
        let error = Format::new(TCPLOG)
            .read_fields("10.0.1.2:33313 garbage")
            .unwrap_err();
        assert!(
            error.at.contains('[') || error.at.starts_with('%'),
            "{error:?}"
        );
    }
}

//! The `option httplog` line read at its fixed places, for the aggregate's
//! hot loop: only the fields the aggregate uses are kept, each found by the
//! separator that ends it, the timers turned into numbers as they are
//! passed, nothing allocated.
//!
//! It accepts only lines that [`Format::read_spans`](super::format::Format)
//! reads the same way with the httplog format of the same number of capture
//! blocks, and gives the same values; anything else (an escaped quote in the
//! request line, a capture-like client cookie, a missing field…) is `None`,
//! and the caller falls back to the general reader.

use super::format::find_any;

/// The fields of an httplog line the aggregate reads.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Line<'a> {
    pub backend: &'a [u8],
    pub server: &'a [u8],
    /// `%TR/%Tw/%Tc/%Tr/%Ta` in milliseconds; `None` for `-1` or a value
    /// that is not a number (as [`timer`](super::format::timer) reads them).
    pub timers: [Option<u64>; 5],
    pub status: &'a [u8],
    pub state: &'a [u8],
    /// The request line, without its quotes.
    pub request: &'a [u8],
}

/// The first blank in `bytes`.
#[inline(always)]
fn blank(bytes: &[u8]) -> Option<usize> {
    find_any(bytes, [b' '])
}

/// A timer's value: digits after an optional `+` (`option logasap`), at
/// most 18 of them; anything else (`-1`) is not a number.
#[inline(always)]
fn number(value: &[u8]) -> Option<u64> {
    let digits = value.strip_prefix(b"+").unwrap_or(value);
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut n: u64 = 0;
    for &byte in digits {
        let digit = byte.wrapping_sub(b'0');
        if digit > 9 {
            return None;
        }
        n = n * 10 + u64::from(digit);
    }
    Some(n)
}

/// The offsets of the first `N` slashes of `value` (the last part runs to
/// its end and may hold more, as the general reader reads it).
#[inline(always)]
fn slashes<const N: usize>(value: &[u8]) -> Option<[usize; N]> {
    let mut found = [0; N];
    let mut count = 0;
    for (at, &c) in value.iter().enumerate() {
        if c == b'/' {
            if let Some(slot) = found.get_mut(count) {
                *slot = at;
            }
            count += 1;
            if count == N {
                return Some(found);
            }
        }
    }
    None
}

/// Where a read is in the line.
struct Cursor<'a> {
    line: &'a [u8],
    at: usize,
}

impl<'a> Cursor<'a> {
    /// The value up to the next blank (which is passed); `None` at the end
    /// of the line (the general reader fails there too).
    #[inline(always)]
    fn word(&mut self) -> Option<&'a [u8]> {
        let rest = self.line.get(self.at..)?;
        let end = blank(rest)?;
        self.at += end + 1;
        rest.get(..end)
    }
}

/// Where `%ci:%cp [` is: the offset after the `[` of the accept date. The
/// date's `[` is the first one after a blank whose word holds a colon (a
/// syslog header's `haproxy[pid]:` has no blank before its `[`), and the
/// `[` is within the first 160 bytes (so is the word's start, as the
/// general reader requires).
fn date_start(line: &[u8]) -> Option<usize> {
    let mut from = 0;
    loop {
        let open = from + find_any(line.get(from..)?, [b'['])?;
        // Past 160 bytes: left to the general reader, which knows where
        // the word starts.
        if open > 160 {
            return None;
        }
        if open > 0 && line.get(open - 1) == Some(&b' ') {
            // Back from the blank: a colon (the port is short) before the
            // word's start.
            let before = line.get(..open - 1)?;
            if before
                .iter()
                .rev()
                .take_while(|&&b| b != b' ')
                .any(|&b| b == b':')
            {
                return Some(open + 1);
            }
        }
        from = open + 1;
    }
}

/// Read an httplog line (its syslog header skipped) with `captures` capture
/// blocks (`{…}`) before the request line: 0, 1 or 2.
pub fn read(line: &[u8], captures: usize) -> Option<Line<'_>> {
    let mut end = line.len();
    while end > 0 && matches!(line.get(end - 1), Some(b'\r' | b'\n')) {
        end -= 1;
    }
    let line = line.get(..end)?;
    let start = date_start(line)?;
    // `%tr] `: the date ends at the first `]`, and a blank follows.
    let date = line.get(start..)?;
    let close = find_any(date, [b']'])?;
    if date.get(close + 1) != Some(&b' ') || blank(date.get(..close)?).is_some() {
        return None;
    }
    // The fields from %ft to %bq, each up to the next blank.
    let mut cursor = Cursor {
        line,
        at: start + close + 2,
    };
    cursor.word()?; // %ft
    // `%b/%s`: the backend ends at the first slash; the server may hold more.
    let names = cursor.word()?;
    let [slash] = slashes::<1>(names)?;
    let (backend, server) = (names.get(..slash)?, names.get(slash + 1..)?);
    // `%TR/%Tw/%Tc/%Tr/%Ta`
    let times = cursor.word()?;
    let cut = slashes::<4>(times)?;
    let part = |from: usize, to: usize| times.get(from..to).and_then(number);
    let timers = [
        part(0, cut[0]),
        part(cut[0] + 1, cut[1]),
        part(cut[1] + 1, cut[2]),
        part(cut[2] + 1, cut[3]),
        part(cut[3] + 1, times.len()),
    ];
    let status = cursor.word()?;
    cursor.word()?; // %B
    // %CC %CS may hold blanks; one that opens a `{` is left to the general
    // reader, which skips a whole block there.
    for _ in 0..2 {
        if cursor.word()?.first() == Some(&b'{') {
            return None;
        }
    }
    let state = cursor.word()?;
    slashes::<4>(cursor.word()?)?; // %ac/%fc/%bc/%sc/%rc
    slashes::<1>(cursor.word()?)?; // %sq/%bq
    let mut at = cursor.at;
    for _ in 0..captures {
        if line.get(at) != Some(&b'{') {
            return None;
        }
        let rest = line.get(at..)?;
        let close = memchr::memchr(b'}', rest)?;
        if rest.get(close + 1) != Some(&b' ') {
            return None;
        }
        at += close + 2;
    }
    // `"%r"`: to the next quote, which is not escaped and ends the line.
    if line.get(at) != Some(&b'"') {
        return None;
    }
    let rest = line.get(at + 1..)?;
    let quote = find_any(rest, [b'"'])?;
    if quote > 0 && rest.get(quote - 1) == Some(&b'\\') {
        return None;
    }
    if !rest.get(quote + 1..)?.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    Some(Line {
        backend,
        server,
        timers,
        status,
        state,
        request: rest.get(..quote)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::format::{Format, HTTPLOG, HTTPLOG_BARE, HTTPLOG_ONE_CAPTURE, timer};

    /// What the general reader makes of a line, in the same shape.
    fn general(format: &str, line: &str) -> Option<(Vec<String>, [Option<u64>; 5])> {
        let fields = Format::new(format).read_fields(line).ok()?;
        let get = |name: &str| fields.get(name).unwrap_or("").to_string();
        let t = |name: &str| timer(get(name).as_bytes()).map(|v| v as u64);
        Some((
            vec![get("b"), get("s"), get("ST"), get("tsc"), get("r")],
            [t("TR"), t("Tw"), t("Tc"), t("Tr"), t("Ta")],
        ))
    }

    fn fast(captures: usize, line: &str) -> Option<(Vec<String>, [Option<u64>; 5])> {
        let read = read(line.as_bytes(), captures)?;
        let s = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
        Some((
            vec![
                s(read.backend),
                s(read.server),
                s(read.status),
                s(read.state),
                s(read.request),
            ],
            read.timers,
        ))
    }

    #[test]
    fn reads_what_the_general_reader_reads_or_declines() {
        let head = "Sep  3 15:20:31 lb haproxy[1234]: 10.1.2.3:4567 [03/Sep/2024:15:20:22.467]";
        let lines = [
            format!(
                "{head} www~ be/s1 0/0/2/7662/9400 200 143 - - ---- 1/1/0/0/0 0/0 \"GET / \
                HTTP/1.1\""
            ),
            format!("{head} www be/s/x -1/-1/-1/-1/+12 503 0 - - sQ-- 1/1/0/0/3 0/2 \"POST /a b\""),
            format!(
                "{head} www be/s1 1/0/2/3/4 200 10 - - ---- 1/1/1/1/0 0/0 {{h}} \"GET / \
                HTTP/1.1\""
            ),
            format!(
                "{head} www be/s1 1/0/2/3/4 200 10 - - ---- 1/1/1/1/0 0/0 {{a b}} {{}} \"GET \
                /\""
            ),
            format!("{head} www be/s1 1/0/2/3/4 200 10 - - ---- 1/1/1/1/0 0/0 \"GET /\\\"x\" \""),
            format!("{head} www be/s1 1/0/2/3/4 200 10 {{c}} - ---- 1/1/1/1/0 0/0 \"GET /\""),
            format!("{head} www be/s1 1/0/2/3 200 10 - - ---- 1/1/1/1/0 0/0 \"GET /\""),
            format!("{head} www be/s1 1/0/2/3/4 200 10 - - ---- 1/1/1/1/0 0/0 \"GET /\" x"),
            format!("{head} www be s1 1/0/2/3/4 200 10 - - ---- 1/1/1/1/0 0/0 \"GET /\""),
            "10.1.2.3:4567 [03/Sep/2024:15:20:22.467] www be/s1 1/0/2/3/4 200 10 - - ---- \
             1/1/1/1/0 0/0 \"GET /\"\r\n"
                .to_string(),
            "garbage [x] more".to_string(),
        ];
        let mut read_fast = 0;
        for line in &lines {
            for (captures, format) in [(0, HTTPLOG_BARE), (1, HTTPLOG_ONE_CAPTURE), (2, HTTPLOG)] {
                let fast = fast(captures, line);
                if fast.is_some() {
                    read_fast += 1;
                    assert_eq!(fast, general(format, line), "{captures}: {line}");
                }
            }
        }
        assert_eq!(read_fast, 5);
        let first = fast(0, &lines[0]).unwrap();
        assert_eq!(first.0, ["be", "s1", "200", "----", "GET / HTTP/1.1"]);
        assert_eq!(first.1, [Some(0), Some(0), Some(2), Some(7662), Some(9400)]);
        let second = fast(0, &lines[1]).unwrap();
        assert_eq!(second.0[1], "s/x");
        assert_eq!(second.1, [None, None, None, None, Some(12)]);
    }
}

//! ALB entries matched to their HAProxy lines in a file of any size (the
//! HAProxy log and the ALB's, concatenated or interleaved), by the same
//! rule as for a few lines ([`matching`](super::matching)): the same method
//! and path, and full timestamps within 2 s.
//!
//! The aggregate keeps, for each ALB entry, its request's key (a hash of
//! method and path), its two times in UTC milliseconds and its line number
//! (48 bytes). The file is then read again for the HAProxy lines: each is
//! looked up among the entries of its key sorted by time (a binary search),
//! so matching is O(n log n) and memory grows with the ALB entries only.
//! Without a zone for HAProxy's dates, the first lines with candidates vote
//! for the UTC offset at which the times agree.

use super::format::Format;
use super::matching::{self, TOLERANCE_MS, Zone};
use super::time;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;
use rustc_hash::{FxHashSet, FxHasher};
use serde::Serialize;
use std::collections::BTreeMap;
use std::hash::Hasher;
use std::io::BufRead;

/// At most this many ALB entries are kept for matching, per worker (about
/// 100 bytes each while matching: the record, two sorted keys, the claim).
pub const KEPT_PER_WORKER: usize = 150_000;
/// How many HAProxy lines with candidates vote for the UTC offset.
const VOTERS: usize = 1000;
/// Unmatched ALB entries listed (all are counted).
const LISTED: usize = 20;

/// What matching needs of an ALB entry.
#[derive(Clone, Copy, Debug)]
pub struct AlbRecord {
    pub key: u64,
    /// `request_creation_time` and `time`, UTC milliseconds.
    pub created: Option<i64>,
    pub time: Option<i64>,
    pub line: u64,
}

/// A request's key: a hash of its method and path (host and protocol left
/// out, as `matching` compares them).
pub fn request_key(request: &[u8]) -> Option<u64> {
    let request = std::str::from_utf8(request).ok()?;
    let (method, path) = matching::method_and_path(request)?;
    let mut hasher = FxHasher::default();
    hasher.write(method.as_bytes());
    hasher.write_u8(b' ');
    hasher.write(path.as_bytes());
    Some(hasher.finish())
}

/// Days from 1970-01-01 to a civil date (proleptic Gregorian).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = of_era * 365 + of_era / 4 - of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// AWS's `2024-09-03T15:20:31.868632Z` as UTC milliseconds, read at its
/// fixed places; any other RFC 3339 form through the general parser.
pub fn utc_ms(text: &[u8]) -> Option<i64> {
    let digits = |range: std::ops::Range<usize>| -> Option<i64> {
        let bytes = text.get(range)?;
        bytes.iter().try_fold(0i64, |n, &b| {
            b.is_ascii_digit().then(|| n * 10 + i64::from(b - b'0'))
        })
    };
    let fixed = || -> Option<i64> {
        if text.get(4) != Some(&b'-') || text.get(10) != Some(&b'T') || text.last() != Some(&b'Z') {
            return None;
        }
        let days = days_from_civil(digits(0..4)?, digits(5..7)?, digits(8..10)?);
        let seconds = days * 86_400 + digits(11..13)? * 3600 + digits(14..16)? * 60;
        let seconds = seconds + digits(17..19)?;
        let millis = match text.get(19) {
            Some(b'.') => {
                let fraction = text.get(20..text.len() - 1)?;
                let mut ms = 0;
                for place in 0..3 {
                    let digit = fraction.get(place).copied().unwrap_or(b'0');
                    if !digit.is_ascii_digit() {
                        return None;
                    }
                    ms = ms * 10 + i64::from(digit - b'0');
                }
                ms
            }
            Some(b'Z') => 0,
            _ => return None,
        };
        Some(seconds * 1000 + millis)
    };
    fixed().or_else(|| time::timestamp(std::str::from_utf8(text).ok()?).map(|t| t.as_millisecond()))
}

/// A local time read as if it were UTC, in milliseconds.
fn civil_ms(local: DateTime) -> Option<i64> {
    Some(TimeZone::UTC.to_timestamp(local).ok()?.as_millisecond())
}

/// An unmatched ALB entry and why.
#[derive(Clone, Debug, Serialize)]
pub struct Unmatched {
    pub line: u64,
    pub why: String,
}

/// The outcome, for the aggregate's report.
#[derive(Debug, Default, Serialize)]
pub struct MatchReport {
    /// How HAProxy's local times were placed.
    pub zone: String,
    pub alb_entries: u64,
    pub matched: u64,
    /// ALB entries not kept for matching (beyond the bound), not counted in
    /// `alb_entries`.
    pub not_kept: u64,
    pub haproxy_lines_matched: u64,
    /// The first unmatched ALB entries (all are counted in `alb_entries -
    /// matched`).
    pub unmatched: Vec<Unmatched>,
    /// ALB entry line → its HAProxy line.
    #[serde(skip)]
    pub pairs: BTreeMap<u64, u64>,
}

/// Entries of one key sorted by one of their times: (key, ms, entry).
struct Sorted(Vec<(u64, i64, usize)>);

impl Sorted {
    fn new(records: &[AlbRecord], time: impl Fn(&AlbRecord) -> Option<i64>) -> Sorted {
        let mut all: Vec<_> = records
            .iter()
            .enumerate()
            .filter_map(|(i, r)| Some((r.key, time(r)?, i)))
            .collect();
        all.sort_unstable();
        Sorted(all)
    }

    /// The entries of `key` within the tolerance of `ms`, with how far.
    fn near(&self, key: u64, ms: i64) -> impl Iterator<Item = (i64, usize)> + '_ {
        let from = self
            .0
            .partition_point(|e| (e.0, e.1) < (key, ms - TOLERANCE_MS));
        self.0
            .get(from..)
            .unwrap_or_default()
            .iter()
            .take_while(move |e| e.0 == key && e.1 <= ms + TOLERANCE_MS)
            .map(move |e| ((e.1 - ms).abs(), e.2))
    }

    fn has(&self, key: u64) -> bool {
        let at = self.0.partition_point(|e| e.0 < key);
        self.0.get(at).is_some_and(|e| e.0 == key)
    }
}

/// A HAProxy line's key, its send and end times as local civil ms, and the
/// syslog header's offset (seconds) when it states one.
type Request = (u64, Option<i64>, Option<i64>, Option<i32>);

fn request(formats: &[Format], line: &str) -> Option<Request> {
    let fields = super::read_haproxy_line(formats, line).ok()?;
    let key = request_key(fields.get("r")?.as_bytes())?;
    let (sent, end) = matching::local_times(&fields)?;
    let offset = time::syslog_offset(line).map(|o| o.seconds());
    Some((key, civil_ms(sent), end.and_then(civil_ms), offset))
}

/// Each HAProxy line of `input`, numbered, with what matching needs; stops
/// when `each` returns false.
fn scan(
    input: &mut dyn BufRead,
    formats: &[Format],
    mut each: impl FnMut(u64, &str, Request) -> bool,
) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    let mut number = 0;
    loop {
        buffer.clear();
        if input.read_until(b'\n', &mut buffer)? == 0 {
            return Ok(());
        }
        number += 1;
        let Ok(line) = std::str::from_utf8(&buffer) else {
            continue;
        };
        let line = line.trim_end();
        if line.is_empty() || super::alb::looks_like_alb(line) {
            continue;
        }
        if let Some(request) = request(formats, line)
            && !each(number, line, request)
        {
            return Ok(());
        }
    }
}

/// The UTC offset (seconds) at which the most HAProxy lines (of the first
/// `VOTERS` that have entries of their key) find an entry within 2 s; ties
/// go to the offset nearer UTC, as `time::plausible_offsets` orders them.
fn vote(
    open: &mut dyn FnMut() -> std::io::Result<Box<dyn BufRead>>,
    formats: &[Format],
    by_created: &Sorted,
) -> std::io::Result<Option<i32>> {
    let offsets = time::plausible_offsets();
    let mut votes: BTreeMap<i32, u64> = BTreeMap::new();
    let mut voters = 0;
    scan(&mut *open()?, formats, |_, _, (key, sent, _, offset)| {
        if offset.is_some() {
            return true;
        }
        let Some(sent) = sent else {
            return true;
        };
        let mut voted = false;
        for offset in &offsets {
            let seconds = offset.seconds();
            let utc = sent - i64::from(seconds) * 1000;
            if by_created.near(key, utc).next().is_some() {
                *votes.entry(seconds).or_default() += 1;
                voted = true;
            }
        }
        voters += usize::from(voted);
        voters < VOTERS
    })?;
    let rank = |seconds: i32| offsets.iter().position(|o| o.seconds() == seconds);
    Ok(votes
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(rank(b.0).cmp(&rank(a.0))))
        .map(|(seconds, _)| seconds))
}

/// Match the ALB entries `records` (sorted by line) to the HAProxy lines
/// that `open` reads (again) from the start.
pub fn match_file(
    open: &mut dyn FnMut() -> std::io::Result<Box<dyn BufRead>>,
    formats: &[Format],
    records: &[AlbRecord],
    not_kept: u64,
    zone: &Zone,
) -> std::io::Result<MatchReport> {
    let by_created = Sorted::new(records, |r| r.created);
    let by_time = Sorted::new(records, |r| r.time);
    let voted = match zone {
        Zone::Given(..) => None,
        Zone::Unknown => vote(open, formats, &by_created)?,
    };
    let mut claimed: Vec<u64> = vec![0; records.len()];
    let mut seen_keys: FxHashSet<u64> = FxHashSet::default();
    let mut haproxy_lines_matched = 0;
    let mut used_syslog = false;
    scan(
        &mut *open()?,
        formats,
        |number, _, (key, sent, end, offset)| {
            if !by_created.has(key) && !by_time.has(key) {
                return true;
            }
            seen_keys.insert(key);
            // Local civil ms → UTC ms.
            let to_utc = |local: Option<i64>| -> Option<i64> {
                let local = local?;
                match (zone, offset, voted) {
                    (Zone::Given(zone, _), _, _) => {
                        let civil = jiff::Timestamp::from_millisecond(local).ok()?;
                        let civil = TimeZone::UTC.to_datetime(civil);
                        Some(time::in_zone(civil, zone)?.as_millisecond())
                    }
                    (Zone::Unknown, Some(seconds), _) => Some(local - i64::from(seconds) * 1000),
                    (Zone::Unknown, None, Some(seconds)) => Some(local - i64::from(seconds) * 1000),
                    (Zone::Unknown, None, None) => None,
                }
            };
            used_syslog |= offset.is_some() && matches!(zone, Zone::Unknown);
            let best = to_utc(sent)
                .map(|sent| by_created.near(key, sent).collect::<Vec<_>>())
                .unwrap_or_default()
                .into_iter()
                .chain(
                    to_utc(end)
                        .into_iter()
                        .flat_map(|end| by_time.near(key, end)),
                )
                .min();
            if let Some((_, entry)) = best {
                haproxy_lines_matched += 1;
                if let Some(slot) = claimed.get_mut(entry).filter(|c| **c == 0) {
                    *slot = number;
                }
            }
            true
        },
    )?;
    let mut report = MatchReport {
        zone: match (zone, voted) {
            (Zone::Given(_, text), _) => format!("HAProxy's local time read in {text} (given)"),
            (Zone::Unknown, Some(seconds)) => format!(
                "HAProxy's local time read at {} (no zone given: the offset at which most \
                 times agree; set --tz to be sure){}",
                jiff::tz::Offset::from_seconds(seconds)
                    .map_or_else(|_| "UTC".to_string(), time::offset_label),
                if used_syslog {
                    "; the syslog header's offset where it states one"
                } else {
                    ""
                }
            ),
            (Zone::Unknown, None) if used_syslog => {
                "HAProxy's local time read at the syslog header's offset".to_string()
            }
            (Zone::Unknown, None) => {
                "no UTC offset makes HAProxy's times agree with the ALB's".to_string()
            }
        },
        alb_entries: records.len() as u64,
        not_kept,
        haproxy_lines_matched,
        ..MatchReport::default()
    };
    for (record, &haproxy) in records.iter().zip(&claimed) {
        if haproxy != 0 {
            report.matched += 1;
            report.pairs.insert(record.line, haproxy);
        } else if report.unmatched.len() < LISTED {
            report.unmatched.push(Unmatched {
                line: record.line,
                why: if seen_keys.contains(&record.key) {
                    format!(
                        "no HAProxy line with its method and path within {} s",
                        TOLERANCE_MS / 1000
                    )
                } else {
                    "no HAProxy line has its method and path".to_string()
                },
            });
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aws_times_read_at_fixed_places_agree_with_the_general_parser() {
        for text in [
            "2024-09-03T15:20:31.868632Z",
            "2024-02-29T00:00:00.000000Z",
            "1999-12-31T23:59:59.999Z",
            "2024-09-03T15:20:31Z",
        ] {
            let general = time::timestamp(text).unwrap().as_millisecond();
            assert_eq!(utc_ms(text.as_bytes()), Some(general), "{text}");
        }
        assert_eq!(
            utc_ms(b"2024-09-03T17:20:31.868+02:00"),
            Some(
                time::timestamp("2024-09-03T15:20:31.868Z")
                    .unwrap()
                    .as_millisecond()
            )
        );
        assert_eq!(utc_ms(b"-"), None);
        assert_eq!(
            request_key(b"GET https://x.example.com:443/p?q=1 HTTP/1.1"),
            request_key(b"GET /p?q=1 HTTP/2.0")
        );
        assert_ne!(
            request_key(b"GET /p HTTP/1.1"),
            request_key(b"POST /p HTTP/1.1")
        );
    }
}

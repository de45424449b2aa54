//! Many log lines at once: per backend and server, the percentiles of every
//! timer, the status classes, the termination states and the slowest
//! requests; ALB entries per target group and target.
//!
//! Made for logs of any size: the input is read as a stream in blocks cut at
//! line ends, the blocks are shared among the cores, each line is split in
//! place (no copy, no allocation), and timers go to fixed-size histograms
//! (see `hist`), so memory depends on the number of servers, not of lines.

use super::alb;
use super::format::{Format, HTTPLOG, HTTPLOG_BARE, HTTPLOG_ONE_CAPTURE, timer};
use super::hist::{ERROR_BOUND, Histogram};
use super::httplog;
use super::pairs::{self, AlbRecord, MatchReport};
use rustc_hash::{FxHashMap, FxHasher};
use serde::Serialize;
use std::collections::BTreeMap;
use std::hash::Hasher;
use std::io::Read;
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, sync_channel};

/// Timers worth percentiles, in the order of a request's life.
pub const TIMERS: &[&str] = &["Th", "Ti", "TR", "Tq", "Tw", "Tc", "Tr", "Ta", "Tt"];
/// The ALB's timers.
pub const ALB_TIMERS: &[&str] = &[
    "request_processing",
    "target_processing",
    "response_processing",
];
const SLOWEST: usize = 5;
/// Unreadable lines kept with their error (all are counted).
const ERRORS_KEPT: usize = 100;
const BLOCK: usize = 1 << 20;

/// Where the fields the aggregate reads are, in the slots of one format.
#[derive(Clone)]
struct Slots {
    backend: Option<usize>,
    server: Option<usize>,
    timers: Vec<Option<usize>>,
    state: Option<usize>,
    status: Option<usize>,
    request: Option<usize>,
}

impl Slots {
    fn of(format: &Format) -> Slots {
        Slots {
            backend: format.slot("b"),
            server: format.slot("s"),
            timers: TIMERS.iter().map(|t| format.slot(t)).collect(),
            state: format.slot("tsc").or(format.slot("ts")),
            status: format.slot("ST"),
            request: format.slot("r").or(format.slot("HU")),
        }
    }
}

/// The slowest entries of a group: (total, line number, request, time).
#[derive(Clone, Default)]
struct Slowest {
    kept: Vec<(i64, u64, String)>,
}

impl Slowest {
    /// Whether an entry would be kept: slower than the last one kept, or as
    /// slow and earlier (so merging workers' lists gives one answer).
    #[inline]
    fn worth(&self, total: i64, line: u64) -> bool {
        self.kept.len() < SLOWEST
            || self
                .kept
                .last()
                .is_some_and(|k| total > k.0 || (total == k.0 && line < k.1))
    }

    fn add(&mut self, total: i64, line: u64, request: String) {
        self.kept.push((total, line, request));
        self.kept.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        self.kept.truncate(SLOWEST);
    }

    fn merge(&mut self, other: Slowest) {
        for (total, line, request) in other.kept {
            if self.worth(total, line) {
                self.add(total, line, request);
            }
        }
    }
}

#[derive(Clone, Default)]
struct Group {
    count: u64,
    timers: Vec<Histogram>,
    /// Termination state → count (few distinct ones: a short list).
    states: Vec<(Vec<u8>, u64)>,
    /// 1xx … 5xx, then anything else (`-1`, `000`).
    classes: [u64; 6],
    /// ALB: ELB and target status codes.
    elb_status: Vec<(Vec<u8>, u64)>,
    target_status: Vec<(Vec<u8>, u64)>,
    slowest: Slowest,
}

fn count_in(list: &mut Vec<(Vec<u8>, u64)>, key: &[u8], by: u64) {
    match list.iter_mut().find(|(k, _)| same(k, key)) {
        Some((_, n)) => *n += by,
        None => list.push((key.to_vec(), by)),
    }
}

impl Group {
    fn new(timers: usize) -> Group {
        Group {
            timers: vec![Histogram::default(); timers],
            ..Group::default()
        }
    }

    fn merge(&mut self, other: Group) {
        self.count += other.count;
        for (mine, theirs) in self.timers.iter_mut().zip(&other.timers) {
            mine.merge(theirs);
        }
        for (list, theirs) in [
            (&mut self.states, other.states),
            (&mut self.elb_status, other.elb_status),
            (&mut self.target_status, other.target_status),
        ] {
            for (key, n) in theirs {
                count_in(list, &key, n);
            }
        }
        for (mine, theirs) in self.classes.iter_mut().zip(other.classes) {
            *mine += theirs;
        }
        self.slowest.merge(other.slowest);
    }
}

/// Groups by a two-part key, found without allocating once they exist: by
/// a hash of both parts, checked against the parts kept.
#[derive(Default)]
struct Groups {
    /// Hash → the first group with it; `chain` links groups of equal hash.
    index: FxHashMap<u64, usize>,
    chain: Vec<Option<usize>>,
    raw: Vec<(Vec<u8>, Vec<u8>)>,
    keys: Vec<(String, String)>,
    groups: Vec<Group>,
}

/// Two short byte strings equal, compared in place (names are a few bytes:
/// a library call costs more).
#[inline(always)]
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

fn key_hash(first: &[u8], second: &[u8]) -> u64 {
    let mut hasher = FxHasher::default();
    hasher.write(first);
    hasher.write_u8(0xff);
    hasher.write(second);
    hasher.finish()
}

impl Groups {
    #[inline]
    fn get(&mut self, first: &[u8], second: &[u8], timers: usize) -> &mut Group {
        let hash = key_hash(first, second);
        let mut next = self.index.get(&hash).copied();
        let mut found = None;
        while let Some(at) = next {
            if self
                .raw
                .get(at)
                .is_some_and(|(a, b)| same(a, first) && same(b, second))
            {
                found = Some(at);
                break;
            }
            next = self.chain.get(at).copied().flatten();
        }
        let at = match found {
            Some(at) => at,
            None => {
                let at = self.groups.len();
                self.chain.push(self.index.insert(hash, at));
                self.raw.push((first.to_vec(), second.to_vec()));
                self.keys.push((
                    String::from_utf8_lossy(first).into_owned(),
                    String::from_utf8_lossy(second).into_owned(),
                ));
                self.groups.push(Group::new(timers));
                at
            }
        };
        let fallback = self.groups.len() - 1;
        // `at` is always in range; the fallback only keeps this panic-free.
        let at = if at < self.groups.len() { at } else { fallback };
        &mut self.groups[at]
    }

    fn merge(&mut self, other: Groups, timers: usize) {
        for ((first, second), group) in other.raw.into_iter().zip(other.groups) {
            self.get(&first, &second, timers).merge(group);
        }
    }

    fn sorted(self) -> Vec<((String, String), Group)> {
        let mut all: Vec<_> = self.keys.into_iter().zip(self.groups).collect();
        all.sort_by(|a, b| a.0.cmp(&b.0));
        all
    }
}

/// The aggregate of some lines (one worker's share, or all of them merged).
#[derive(Default)]
pub struct Aggregate {
    haproxy: Groups,
    alb: Groups,
    /// Non-blank lines seen.
    pub lines: u64,
    pub alb_entries: u64,
    pub unreadable: u64,
    pub errors: Vec<(u64, String)>,
    /// What matching ALB entries to HAProxy lines needs of each entry (see
    /// `pairs`), up to a bound; and how many were beyond it.
    pub alb_records: Vec<AlbRecord>,
    pub alb_not_kept: u64,
}

/// What a worker keeps between lines: the spans of a read, and which format
/// and syslog-prefix length worked last (tried first on the next line).
struct Reader<'f> {
    formats: &'f [Format],
    slots: Vec<Slots>,
    spans: Vec<(usize, usize)>,
    last: usize,
    skip: usize,
    alb_fields: Vec<(usize, usize)>,
    /// Per format: the number of capture blocks when it is one of the
    /// `option httplog` formats, read at fixed places ([`httplog`]).
    httplog: Vec<Option<usize>>,
}

/// The capture blocks of an `option httplog` format, `None` for others.
fn httplog_captures(format: &Format) -> Option<usize> {
    [HTTPLOG_BARE, HTTPLOG_ONE_CAPTURE, HTTPLOG]
        .iter()
        .position(|text| Format::new(text).pieces == format.pieces)
}

impl<'f> Reader<'f> {
    fn new(formats: &'f [Format]) -> Reader<'f> {
        Reader {
            formats,
            slots: formats.iter().map(Slots::of).collect(),
            spans: Vec::with_capacity(64),
            last: 0,
            skip: 0,
            alb_fields: Vec::with_capacity(32),
            httplog: formats.iter().map(httplog_captures).collect(),
        }
    }

    /// Read a HAProxy line with the format that worked last, then the others;
    /// the index of the format that fits.
    fn read(&mut self, line: &[u8]) -> Result<usize, String> {
        if let Some(format) = self.formats.get(self.last)
            && format
                .read_spans(line, &mut self.skip, &mut self.spans)
                .is_ok()
        {
            return Ok(self.last);
        }
        let mut first_error = None;
        for (index, format) in self.formats.iter().enumerate() {
            if index == self.last {
                continue;
            }
            let mut skip = self.skip;
            match format.read_spans(line, &mut skip, &mut self.spans) {
                Ok(()) => {
                    self.last = index;
                    self.skip = skip;
                    return Ok(index);
                }
                Err(error) => {
                    first_error.get_or_insert(error);
                }
            }
        }
        // Redo the first format for its error (it was skipped or came first).
        if let Some(format) = self.formats.get(self.last) {
            let mut skip = 0;
            if let Err(error) = format.read_spans(line, &mut skip, &mut self.spans) {
                first_error = Some(error);
            }
        }
        Err(first_error.map_or_else(
            || "no log format to read it with".to_string(),
            |error| {
                format!(
                    "no log format fits: cannot read {} at column {}",
                    error.at,
                    error.offset + 1
                )
            },
        ))
    }
}

impl Aggregate {
    fn error(&mut self, line: u64, error: String) {
        self.unreadable += 1;
        if self.errors.len() < ERRORS_KEPT {
            self.errors.push((line, error));
        }
    }

    /// One line (without its newline), numbered `number` in the input.
    fn line(&mut self, reader: &mut Reader, line: &[u8], number: u64) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        self.lines += 1;
        if alb::looks_like_alb_bytes(line) {
            self.alb_line(reader, line, number);
            return;
        }
        // The format that read the last line is httplog: its fixed places,
        // else the general reader.
        if let Some(captures) = reader.httplog.get(reader.last).copied().flatten()
            && let Some(read) = httplog::read(line, captures)
        {
            self.httplog_line(&read, number);
            return;
        }
        let format = match reader.read(line) {
            Ok(format) => format,
            Err(error) => {
                self.error(number, error);
                return;
            }
        };
        let (Some(slots), Some(text)) = (reader.slots.get(format), line.get(..)) else {
            return;
        };
        let spans = &reader.spans;
        let value = |slot: Option<usize>| -> &[u8] {
            slot.and_then(|s| spans.get(s))
                .and_then(|&(start, end)| text.get(start..end))
                .unwrap_or(b"-")
        };
        let group = self
            .haproxy
            .get(value(slots.backend), value(slots.server), TIMERS.len());
        group.count += 1;
        let mut total = None;
        for (histogram, slot) in group.timers.iter_mut().zip(&slots.timers) {
            if slot.is_some()
                && let Some(ms) = timer(value(*slot))
            {
                histogram.add(ms as u64);
            }
        }
        // Tt, else Ta: the request's time as the slowest list ranks it.
        for name in [8, 7] {
            if total.is_none() {
                total = slots
                    .timers
                    .get(name)
                    .copied()
                    .flatten()
                    .and_then(|slot| timer(value(Some(slot))));
            }
        }
        if slots.state.is_some() {
            count_in(&mut group.states, value(slots.state), 1);
        }
        if slots.status.is_some() {
            let class = match value(slots.status) {
                [digit @ b'1'..=b'5', _, _] => usize::from(digit - b'1'),
                _ => 5,
            };
            if let Some(n) = group.classes.get_mut(class) {
                *n += 1;
            }
        }
        let total = total.unwrap_or(0);
        if group.slowest.worth(total, number) {
            let request = String::from_utf8_lossy(value(slots.request)).into_owned();
            group.slowest.add(total, number, request);
        }
    }

    /// An httplog line read at its fixed places: the same counts as
    /// [`Aggregate::line`] makes of it with the general reader.
    fn httplog_line(&mut self, read: &httplog::Line, number: u64) {
        let group = self.haproxy.get(read.backend, read.server, TIMERS.len());
        group.count += 1;
        // TR, Tw, Tc, Tr, Ta in `TIMERS`.
        for (slot, value) in [2, 4, 5, 6, 7].into_iter().zip(read.timers) {
            if let (Some(histogram), Some(ms)) = (group.timers.get_mut(slot), value) {
                histogram.add(ms);
            }
        }
        count_in(&mut group.states, read.state, 1);
        let class = match read.status {
            [digit @ b'1'..=b'5', _, _] => usize::from(digit - b'1'),
            _ => 5,
        };
        if let Some(n) = group.classes.get_mut(class) {
            *n += 1;
        }
        let total = read.timers[4].map_or(0, |ms| ms as i64);
        if group.slowest.worth(total, number) {
            let request = String::from_utf8_lossy(read.request).into_owned();
            group.slowest.add(total, number, request);
        }
    }

    fn alb_line(&mut self, reader: &mut Reader, line: &[u8], number: u64) {
        let fields = &mut reader.alb_fields;
        alb::split_bytes(line, fields);
        let field = |index: usize| -> &[u8] {
            fields
                .get(index)
                .and_then(|&(start, end)| line.get(start..end))
                .unwrap_or(b"")
        };
        let times: Vec<Option<i64>> = (5..=7).map(|i| alb::seconds_to_us(field(i))).collect();
        if fields.len() < 13 || field(5).is_empty() || !field(8).iter().all(u8::is_ascii_digit) {
            self.error(
                number,
                "ALB entry: fewer fields than AWS's access-log format, or no status code"
                    .to_string(),
            );
            return;
        }
        self.alb_entries += 1;
        let target_group = alb::target_group_name(field(16));
        let group = self.alb.get(target_group, field(4), ALB_TIMERS.len());
        group.count += 1;
        for (histogram, us) in group.timers.iter_mut().zip(&times) {
            if let Some(us) = us {
                histogram.add(*us as u64);
            }
        }
        count_in(&mut group.elb_status, field(8), 1);
        count_in(&mut group.target_status, field(9), 1);
        if self.alb_records.len() < pairs::KEPT_PER_WORKER {
            self.alb_records.push(AlbRecord {
                key: pairs::request_key(field(12)).unwrap_or(0),
                created: pairs::utc_ms(field(21)),
                time: pairs::utc_ms(field(1)),
                line: number,
            });
        } else {
            self.alb_not_kept += 1;
        }
        let total: i64 = times.iter().flatten().sum();
        if group.slowest.worth(total, number) {
            let request = format!(
                "{} {}",
                String::from_utf8_lossy(field(1)),
                String::from_utf8_lossy(field(12))
            );
            group.slowest.add(total, number, request);
        }
    }

    fn block(&mut self, reader: &mut Reader, block: &[u8], first_line: u64) {
        let mut number = first_line;
        let mut start = 0;
        for end in memchr::memchr_iter(b'\n', block) {
            if let Some(line) = block.get(start..end) {
                self.line(reader, line, number);
            }
            number += 1;
            start = end + 1;
        }
        if let Some(line) = block.get(start..).filter(|l| !l.is_empty()) {
            self.line(reader, line, number);
        }
    }

    fn merge(&mut self, other: Aggregate) {
        self.haproxy.merge(other.haproxy, TIMERS.len());
        self.alb.merge(other.alb, ALB_TIMERS.len());
        self.lines += other.lines;
        self.alb_entries += other.alb_entries;
        self.unreadable += other.unreadable;
        self.errors.extend(other.errors);
        self.alb_records.extend(other.alb_records);
        self.alb_not_kept += other.alb_not_kept;
        self.errors.sort_by_key(|e| e.0);
        self.errors.truncate(ERRORS_KEPT);
    }
}

/// A block of whole lines: the buffer, how much of it is filled, and the
/// number of its first line.
type Block = (Vec<u8>, usize, u64);

/// Aggregate everything `input` holds, on `workers` threads. Buffers go back
/// to the reader once read, so the same few are filled again and again.
pub fn aggregate(
    input: &mut dyn Read,
    formats: &[Format],
    workers: usize,
) -> std::io::Result<Aggregate> {
    aggregate_with(input, formats, workers, true)
}

/// [`aggregate`], with httplog lines read at their fixed places or not
/// (to check that both give the same).
fn aggregate_with(
    input: &mut dyn Read,
    formats: &[Format],
    workers: usize,
    fixed_places: bool,
) -> std::io::Result<Aggregate> {
    let workers = workers.max(1);
    let (send, receive) = sync_channel::<Block>(workers * 2);
    let (give_back, recycled) = std::sync::mpsc::channel::<Vec<u8>>();
    let receive = Mutex::new(receive);
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                let give_back = give_back.clone();
                let receive = &receive;
                scope.spawn(move || work(receive, &give_back, formats, fixed_places))
            })
            .collect();
        drop(give_back);
        let read = feed(input, &send, &recycled);
        drop(send);
        let mut total = Aggregate::default();
        for handle in handles {
            if let Ok(part) = handle.join() {
                total.merge(part);
            }
        }
        read.map(|()| total)
    })
}

fn work(
    receive: &Mutex<Receiver<Block>>,
    give_back: &std::sync::mpsc::Sender<Vec<u8>>,
    formats: &[Format],
    fixed_places: bool,
) -> Aggregate {
    let mut reader = Reader::new(formats);
    if !fixed_places {
        reader.httplog.fill(None);
    }
    let mut aggregate = Aggregate::default();
    loop {
        let next = match receive.lock() {
            Ok(guard) => guard.recv(),
            Err(_) => break,
        };
        let Ok((buffer, filled, first_line)) = next else {
            break;
        };
        aggregate.block(
            &mut reader,
            buffer.get(..filled).unwrap_or_default(),
            first_line,
        );
        let _ = give_back.send(buffer);
    }
    aggregate
}

/// Read `input` in blocks of whole lines, numbering them.
fn feed(
    input: &mut dyn Read,
    send: &std::sync::mpsc::SyncSender<Block>,
    recycled: &Receiver<Vec<u8>>,
) -> std::io::Result<()> {
    let mut line = 1u64;
    // The start of a line cut by the end of the previous block.
    let mut carry: Vec<u8> = Vec::new();
    loop {
        let mut buffer = recycled.try_recv().unwrap_or_default();
        // A line longer than a block makes the block longer.
        let size = BLOCK.max(carry.len() * 2);
        if buffer.len() < size {
            buffer.resize(size, 0);
        }
        let mut filled = carry.len();
        if let Some(head) = buffer.get_mut(..filled) {
            head.copy_from_slice(&carry);
        }
        carry.clear();
        let mut eof = false;
        while filled < buffer.len() {
            let read = match input.read(buffer.get_mut(filled..).unwrap_or_default()) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if read == 0 {
                eof = true;
                break;
            }
            filled += read;
        }
        if !eof {
            let data = buffer.get(..filled).unwrap_or_default();
            match memchr::memrchr(b'\n', data) {
                Some(last) => {
                    carry.extend_from_slice(data.get(last + 1..).unwrap_or_default());
                    filled = last + 1;
                }
                None => {
                    carry.extend_from_slice(data);
                    continue;
                }
            }
        }
        let lines =
            memchr::memchr_iter(b'\n', buffer.get(..filled).unwrap_or_default()).count() as u64;
        if filled > 0 && send.send((buffer, filled, line)).is_err() {
            return Ok(());
        }
        line += lines;
        if eof {
            return Ok(());
        }
    }
}

#[derive(Serialize)]
pub struct Percentiles {
    pub p50: i64,
    pub p90: i64,
    pub p99: i64,
    pub max: i64,
}

#[derive(Serialize)]
pub struct Slow {
    pub line: u64,
    pub total_ms: i64,
    pub request: String,
}

#[derive(Serialize)]
pub struct GroupReport {
    pub backend: String,
    pub server: String,
    pub requests: u64,
    /// Milliseconds.
    pub timers: BTreeMap<String, Percentiles>,
    pub status_classes: BTreeMap<String, u64>,
    pub termination_states: BTreeMap<String, u64>,
    pub slowest: Vec<Slow>,
}

#[derive(Serialize)]
pub struct AlbPercentiles {
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
}

#[derive(Serialize)]
pub struct AlbSlow {
    pub line: u64,
    pub total_ms: f64,
    /// The entry's time and request.
    pub request: String,
    /// The HAProxy line of the same request, when the file has it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub haproxy_line: Option<u64>,
}

#[derive(Serialize)]
pub struct AlbGroupReport {
    pub target_group: String,
    pub target: String,
    pub requests: u64,
    /// Milliseconds (AWS logs microseconds).
    pub timers: BTreeMap<String, AlbPercentiles>,
    pub elb_status: BTreeMap<String, u64>,
    pub target_status: BTreeMap<String, u64>,
    pub slowest: Vec<AlbSlow>,
}

#[derive(Serialize)]
pub struct ErrorReport {
    pub line: u64,
    pub error: String,
}

#[derive(Serialize)]
pub struct Report {
    pub lines: u64,
    pub groups: Vec<GroupReport>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub alb_groups: Vec<AlbGroupReport>,
    pub alb_entries: u64,
    pub unreadable: u64,
    /// The first unreadable lines (all are counted in `unreadable`).
    pub errors: Vec<ErrorReport>,
    pub precision: &'static str,
    /// ALB entries matched to HAProxy lines, when the file has both.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alb_matching: Option<MatchReport>,
}

fn counts(list: Vec<(Vec<u8>, u64)>) -> BTreeMap<String, u64> {
    list.into_iter()
        .map(|(k, n)| (String::from_utf8_lossy(&k).into_owned(), n))
        .collect()
}

fn ms(us: u64) -> f64 {
    (us as f64 / 1000.0 * 1000.0).round() / 1000.0
}

impl Aggregate {
    /// HAProxy lines read.
    pub fn haproxy_lines(&self) -> u64 {
        self.lines - self.alb_entries - self.unreadable
    }

    pub fn report(self) -> Report {
        let groups = self
            .haproxy
            .sorted()
            .into_iter()
            .map(|((backend, server), group)| GroupReport {
                backend,
                server,
                requests: group.count,
                timers: TIMERS
                    .iter()
                    .zip(&group.timers)
                    .filter(|(_, h)| h.count() > 0)
                    .map(|(name, h)| {
                        let p = |q| h.percentile(q) as i64;
                        let max = h.max() as i64;
                        (
                            name.to_string(),
                            Percentiles {
                                p50: p(0.5),
                                p90: p(0.9),
                                p99: p(0.99),
                                max,
                            },
                        )
                    })
                    .collect(),
                status_classes: ["1xx", "2xx", "3xx", "4xx", "5xx", "other"]
                    .iter()
                    .zip(group.classes)
                    .filter(|(_, n)| *n > 0)
                    .map(|(c, n)| (c.to_string(), n))
                    .collect(),
                termination_states: counts(group.states),
                slowest: group
                    .slowest
                    .kept
                    .into_iter()
                    .map(|(total_ms, line, request)| Slow {
                        line,
                        total_ms,
                        request,
                    })
                    .collect(),
            })
            .collect();
        let alb_groups = self
            .alb
            .sorted()
            .into_iter()
            .map(|((target_group, target), group)| AlbGroupReport {
                target_group,
                target,
                requests: group.count,
                timers: ALB_TIMERS
                    .iter()
                    .zip(&group.timers)
                    .filter(|(_, h)| h.count() > 0)
                    .map(|(name, h)| {
                        let p = |q| ms(h.percentile(q));
                        (
                            name.to_string(),
                            AlbPercentiles {
                                p50: p(0.5),
                                p90: p(0.9),
                                p99: p(0.99),
                                max: ms(h.max()),
                            },
                        )
                    })
                    .collect(),
                elb_status: counts(group.elb_status),
                target_status: counts(group.target_status),
                slowest: group
                    .slowest
                    .kept
                    .into_iter()
                    .map(|(total, line, request)| AlbSlow {
                        line,
                        total_ms: ms(total as u64),
                        request,
                        haproxy_line: None,
                    })
                    .collect(),
            })
            .collect();
        Report {
            lines: self.lines,
            groups,
            alb_groups,
            alb_entries: self.alb_entries,
            unreadable: self.unreadable,
            errors: self
                .errors
                .into_iter()
                .map(|(line, error)| ErrorReport { line, error })
                .collect(),
            precision: ERROR_BOUND,
            alb_matching: None,
        }
    }
}

/// A bar from 0 to `max` with the three percentiles marked: where the bulk
/// of the requests sit against the worst.
fn spread(p: &[f64; 3], max: f64, width: usize) -> String {
    if max <= 0.0 {
        return String::new();
    }
    let at = |v: f64| (((v / max) * (width as f64 - 1.0)).round() as usize).min(width - 1);
    let mut bar: Vec<char> = vec!['·'; width];
    let (p50, p90, p99) = (at(p[0]), at(p[1]), at(p[2]));
    for (i, c) in bar.iter_mut().enumerate() {
        if i <= p50 {
            *c = '█';
        } else if i <= p90 {
            *c = '▓';
        } else if i <= p99 {
            *c = '░';
        }
    }
    bar.into_iter().collect()
}

const BAR: usize = 24;

impl Report {
    pub fn render(&self) -> String {
        let mut out = format!(
            "{} lines: {} HAProxy, {} ALB, {} unreadable\n",
            self.lines,
            self.lines - self.alb_entries - self.unreadable,
            self.alb_entries,
            self.unreadable
        );
        if !self.groups.is_empty() || !self.alb_groups.is_empty() {
            out.push_str(&format!(
                "({}; bars: 0 to max, █ up to p50, ▓ p90, ░ p99)\n",
                self.precision
            ));
        }
        for group in &self.groups {
            out.push_str(&format!(
                "\n{}/{}: {} requests\n",
                group.backend, group.server, group.requests
            ));
            if !group.status_classes.is_empty() {
                let classes: Vec<String> = group
                    .status_classes
                    .iter()
                    .map(|(c, n)| format!("{c} ×{n}"))
                    .collect();
                out.push_str(&format!("  status: {}\n", classes.join(", ")));
            }
            let states: Vec<String> = group
                .termination_states
                .iter()
                .map(|(s, n)| format!("{s} ×{n}"))
                .collect();
            if !states.is_empty() {
                out.push_str(&format!("  termination states: {}\n", states.join(", ")));
            }
            out.push_str("  timer      p50      p90      p99      max  (ms)\n");
            for name in TIMERS {
                if let Some(p) = group.timers.get(*name) {
                    let bar = spread(
                        &[p.p50 as f64, p.p90 as f64, p.p99 as f64],
                        p.max as f64,
                        BAR,
                    );
                    out.push_str(&format!(
                        "  {name:<4} {:>8} {:>8} {:>8} {:>8}  {bar}\n",
                        p.p50, p.p90, p.p99, p.max
                    ));
                }
            }
            if !group.slowest.is_empty() {
                out.push_str("  slowest:\n");
            }
            for slow in &group.slowest {
                out.push_str(&format!(
                    "    line {:<8} {:>7} ms  {}\n",
                    slow.line, slow.total_ms, slow.request
                ));
            }
        }
        for group in &self.alb_groups {
            out.push_str(&format!(
                "\nALB target group {} → target {}: {} requests\n",
                group.target_group, group.target, group.requests
            ));
            let list = |m: &BTreeMap<String, u64>| {
                m.iter()
                    .map(|(c, n)| format!("{c} ×{n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            out.push_str(&format!("  ELB status: {}\n", list(&group.elb_status)));
            out.push_str(&format!(
                "  target status: {}\n",
                list(&group.target_status)
            ));
            out.push_str("  time (ms)                 p50        p90        p99        max\n");
            for name in ALB_TIMERS {
                if let Some(p) = group.timers.get(*name) {
                    let bar = spread(&[p.p50, p.p90, p.p99], p.max, BAR);
                    out.push_str(&format!(
                        "  {name:<20} {:>10.3} {:>10.3} {:>10.3} {:>10.3}  {bar}\n",
                        p.p50, p.p90, p.p99, p.max
                    ));
                }
            }
            if !group.slowest.is_empty() {
                out.push_str("  slowest:\n");
            }
            for slow in &group.slowest {
                out.push_str(&format!(
                    "    line {:<8} {:>9.3} ms  {}\n",
                    slow.line, slow.total_ms, slow.request
                ));
                if let Some(line) = slow.haproxy_line {
                    out.push_str(&format!("      its HAProxy line: {line}\n"));
                }
            }
        }
        if let Some(matching) = &self.alb_matching {
            out.push_str(&format!(
                "\nALB entries matched to a HAProxy line: {} of {} ({}); \
                 HAProxy lines with an ALB entry: {}\n",
                matching.matched,
                matching.alb_entries,
                matching.zone,
                matching.haproxy_lines_matched
            ));
            if matching.not_kept > 0 {
                out.push_str(&format!(
                    "  {} more ALB entries were not matched (beyond the {} kept)\n",
                    matching.not_kept, matching.alb_entries
                ));
            }
            for unmatched in &matching.unmatched {
                out.push_str(&format!(
                    "  line {}: ALB entry unmatched: {}\n",
                    unmatched.line, unmatched.why
                ));
            }
            let unlisted = matching.alb_entries - matching.matched;
            let unlisted = unlisted.saturating_sub(matching.unmatched.len() as u64);
            if unlisted > 0 {
                out.push_str(&format!("  … and {unlisted} more unmatched ALB entries\n"));
            }
        }
        for error in self.errors.iter().take(20) {
            out.push_str(&format!("line {}: {}\n", error.line, error.error));
        }
        if self.unreadable > 20 {
            out.push_str(&format!(
                "… and {} more unreadable lines\n",
                self.unreadable - 20
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::format::HTTPLOG_BARE;

    #[test]
    fn httplog_read_at_fixed_places_gives_what_the_general_reader_gives() {
        let mut log = String::new();
        let head = "Sep  3 15:20:31 lb haproxy[1234]:";
        let requests = [
            "\"GET /a?b=1 HTTP/1.1\"",
            "\"POST /x HTTP/2.0\"",
            "\"<BADREQ>\"",
        ];
        for i in 0..6000u64 {
            let timers = match i % 7 {
                0 => format!("-1/-1/-1/-1/{}", i % 500),
                1 => format!("{}/0/+3/{}/+{}", i % 9, i % 1000, i % 1200),
                _ => format!(
                    "{}/{}/{}/{}/{}",
                    i % 9,
                    i % 13,
                    i % 4,
                    i * 7 % 3000,
                    i * 7 % 3000 + 9
                ),
            };
            let captures = match i % 11 {
                0 => "{h} ",
                1 => "{a b} {} ",
                _ => "",
            };
            let client = if i % 13 == 0 { "{c} -" } else { "- -" };
            let server = if i % 17 == 0 { "s/odd" } else { "s1" };
            let state = ["----", "sH--", "CD--", "SC--"][(i % 4) as usize];
            let status = ["200", "503", "-1", "404"][(i % 4) as usize];
            log.push_str(&format!(
                "{head} 10.0.{}.{}:{} [03/Sep/2024:15:20:22.467] www~ be{}/{server} {timers} \
                 {status} {} {client} {state} 1/1/0/0/{} 0/{} {captures}{}\n",
                i % 250,
                i % 200,
                1024 + i,
                i % 3,
                100 + i,
                i % 3,
                i % 2,
                requests[(i % 3) as usize]
            ));
            if i % 500 == 0 {
                log.push_str("not a log line\n");
            }
        }
        let formats = crate::logs::formats(None, None);
        let report = |fixed: bool| {
            let aggregate = aggregate_with(&mut log.as_bytes(), &formats, 2, fixed).unwrap();
            serde_json::to_string(&aggregate.report()).unwrap()
        };
        let (fast, general) = (report(true), report(false));
        assert!(fast.contains("\"be1\""), "{fast}");
        assert_eq!(fast, general);
    }

    #[test]
    fn blocks_split_across_workers_give_the_same_aggregate() {
        let mut log = String::new();
        // Over 1 MB: more than one block, line numbers carried across.
        for i in 0..8000 {
            log.push_str(&format!(
                "Sep 13 15:20:31 lb haproxy[1]: 10.0.0.1:{i} [13/Sep/2024:15:20:22.467] www be/s{} \
                    1/0/2/{}/{} 200 10 - - ---- 1/1/1/1/0 0/0 \"GET /r/{i} HTTP/1.1\"\n",
                i % 3,
                i,
                i + 3
            ));
        }
        log.push_str("garbage\n");
        let formats = vec![Format::new(HTTPLOG_BARE)];
        let report = aggregate(&mut log.as_bytes(), &formats, 2)
            .unwrap()
            .report();
        assert!(log.len() > BLOCK);
        assert_eq!(report.lines, 8001);
        assert_eq!(report.unreadable, 1);
        assert_eq!(report.errors[0].line, 8001);
        assert_eq!(report.groups.len(), 3);
        let s2 = &report.groups[2];
        assert_eq!(s2.requests, 2666);
        assert_eq!(s2.slowest[0].request, "GET /r/7997 HTTP/1.1");
        assert_eq!(s2.slowest[0].line, 7998);
        assert_eq!(s2.slowest[4].line, 7986);
        assert_eq!(s2.timers["Tr"].max, 7997);
        assert_eq!(s2.status_classes["2xx"], 2666);
    }
}

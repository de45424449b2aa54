//! Which ALB entry belongs to a HAProxy line: the same method and path, and
//! full timestamps (date included) that agree. HAProxy's dates carry no
//! zone, so its local time is placed with the zone the user gave (`--tz`,
//! `tz:` in `.haplint.yaml`), else the offset of the line's syslog header,
//! else every plausible offset is tried and the one that matched is named.

use super::alb::AlbEntry;
use super::format::Fields;
use super::time;
use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::TimeZone;

/// How far apart two clocks may be for the same request (network, clock skew).
pub(crate) const TOLERANCE_MS: i64 = 2000;

/// The zone of HAProxy's dates, as far as it is known.
#[derive(Clone, Debug)]
pub enum Zone {
    /// Given by the user (`--tz` or `.haplint.yaml`), with its text.
    Given(TimeZone, String),
    /// Not given: the syslog header's offset when it has one, else a guess.
    Unknown,
}

/// The result of looking for a line's ALB entry.
#[derive(Debug)]
pub enum Found<'a> {
    Matched {
        entry: &'a AlbEntry,
        index: usize,
        /// How HAProxy's time was placed, in words.
        zone: String,
    },
    /// There were ALB entries but none is this request; why.
    Unmatched(String),
}

/// When the request left HAProxy for the ALB, and when HAProxy's side ended,
/// as local times: from the accept date (`%t`: + Th + Ti + TR + Tw + Tc) or
/// the request date (`%tr`: + TR + Tw + Tc), and + Tt (or Ta).
pub(crate) fn local_times(fields: &Fields) -> Option<(DateTime, Option<DateTime>)> {
    let timer = |name| fields.timer(name).unwrap_or(0);
    let (date, before_sent, to_end) = if let Some(accepted) = fields.get("t") {
        let sent = timer("Th") + timer("Ti") + timer("TR") + timer("Tw") + timer("Tc");
        (accepted, sent, fields.timer("Tt"))
    } else {
        let requested = fields.get("tr")?;
        let sent = timer("TR") + timer("Tw") + timer("Tc");
        (requested, sent, fields.timer("Ta"))
    };
    let start = time::haproxy_date(date)?;
    Some((
        time::plus_ms(start, before_sent)?,
        to_end.and_then(|ms| time::plus_ms(start, ms)),
    ))
}

/// How far (ms) an entry is from the request placed with `zone`: the ALB's
/// `request_creation_time` against the request leaving HAProxy, and its
/// `time` against the end of HAProxy's side; the closer of the two.
fn distance(
    sent: DateTime,
    end: Option<DateTime>,
    zone: &TimeZone,
    entry: &AlbEntry,
) -> Option<i64> {
    let apart = |local: DateTime, alb: &str| -> Option<i64> {
        let haproxy = time::in_zone(local, zone)?;
        let alb: Timestamp = time::timestamp(alb)?;
        Some((haproxy.as_millisecond() - alb.as_millisecond()).abs())
    };
    let created = apart(sent, &entry.request_creation_time);
    let ended = end.and_then(|end| apart(end, &entry.time));
    match (created, ended) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The ALB entry for a HAProxy line, and how it was found.
pub fn find<'a>(line: &str, fields: &Fields, entries: &'a [AlbEntry], zone: &Zone) -> Found<'a> {
    let Some((method, path)) = fields.get("r").and_then(method_and_path) else {
        return Found::Unmatched("the line has no request line (%r) to compare".to_string());
    };
    let same_request: Vec<(usize, &AlbEntry)> = entries
        .iter()
        .enumerate()
        .filter(|(_, e)| method_and_path(&e.request) == Some((method, path)))
        .collect();
    if same_request.is_empty() {
        return Found::Unmatched(format!(
            "none of the {} ALB entries is a {method} of {path}",
            entries.len()
        ));
    }
    let Some((sent, end)) = local_times(fields) else {
        return Found::Unmatched("the line has no date (%t or %tr) to compare".to_string());
    };
    let zones: Vec<(TimeZone, String)> = match zone {
        Zone::Given(zone, text) => vec![(zone.clone(), format!("in {text} (given)"))],
        Zone::Unknown => match time::syslog_offset(line) {
            Some(offset) => vec![(
                TimeZone::fixed(offset),
                format!(
                    "at {} (the syslog header's offset)",
                    time::offset_label(offset)
                ),
            )],
            None => time::plausible_offsets()
                .into_iter()
                .map(|offset| {
                    (
                        TimeZone::fixed(offset),
                        format!(
                            "at {} (no zone given: the offset at which the times agree; set --tz \
                                to be sure)",
                            time::offset_label(offset)
                        ),
                    )
                })
                .collect(),
        },
    };
    let mut nearest: Option<i64> = None;
    for (zone, how) in &zones {
        let best = same_request
            .iter()
            .filter_map(|&(index, entry)| {
                distance(sent, end, zone, entry).map(|d| (d, index, entry))
            })
            .min_by_key(|(d, _, _)| *d);
        if let Some((apart, index, entry)) = best {
            if apart <= TOLERANCE_MS {
                return Found::Matched {
                    entry,
                    index,
                    zone: format!("HAProxy's local time read {how}; {apart} ms apart"),
                };
            }
            nearest = Some(nearest.map_or(apart, |n: i64| n.min(apart)));
        }
    }
    let tried = match zone {
        Zone::Given(_, text) => format!("in {text}"),
        Zone::Unknown if zones.len() == 1 => "at the syslog header's offset".to_string(),
        Zone::Unknown => "at every offset from UTC-12:00 to UTC+14:00".to_string(),
    };
    Found::Unmatched(match nearest {
        Some(ms) => format!(
            "{} ALB {} {method} of {path}, but none within {} s of this request {tried} (nearest \
                {:.1} s apart; dates are compared in full)",
            same_request.len(),
            if same_request.len() == 1 {
                "entry is a"
            } else {
                "entries are a"
            },
            TOLERANCE_MS / 1000,
            ms as f64 / 1000.0
        ),
        None => format!("the ALB entries for {method} {path} have no readable time"),
    })
}

/// `POST https://host:443/a/b?x HTTP/1.1` → (`POST`, `/a/b?x`).
pub fn method_and_path(request: &str) -> Option<(&str, &str)> {
    let mut words = request.split_whitespace();
    let method = words.next()?;
    let url = words.next()?;
    let path = match url.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("/", |i| rest.get(i..).unwrap_or("/")),
        None => url,
    };
    Some((method, path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::alb;

    const ALB: &str = "https 2024-09-03T15:20:31.868632Z app/x/y 1.2.3.4:5 172.31.80.84:80 7.655 \
        0.005 0.000 200 200 1068 143 \"POST https://domain.com:443/ls/a HTTP/1.1\" \"ua\" c p \
        arn:aws:elasticloadbalancing:r:1:targetgroup/tg/1 \"Root=1-a\" \"-\" \"-\" 0 \
        2024-09-03T15:20:24.207000Z \"forward\" \"-\" \"-\" \"172.31.80.84:80\" \"200\" \"-\" \
        \"-\"";

    fn fields(date: &str) -> Fields {
        Fields {
            values: [
                ("t", date),
                ("Th", "0"),
                ("Ti", "1736"),
                ("TR", "0"),
                ("Tw", "0"),
                ("Tc", "2"),
                ("Tr", "7662"),
                ("Tt", "9400"),
                ("r", "POST https://domain.com/ls/a HTTP/2.0"),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        }
    }

    #[test]
    fn zones_given_read_from_syslog_or_guessed() {
        let entries = vec![alb::read_line(ALB).unwrap()];
        let utc = fields("03/Sep/2024:15:20:22.467");
        let Found::Matched { zone, .. } = find("", &utc, &entries, &Zone::Unknown) else {
            panic!("no match at UTC");
        };
        assert!(zone.contains("at UTC (no zone given"), "{zone}");
        // The host runs on Paris summer time: 17:20 local is 15:20 UTC.
        let paris = fields("03/Sep/2024:17:20:22.467");
        let Found::Matched { zone, .. } = find("", &paris, &entries, &Zone::Unknown) else {
            panic!("no guessed match");
        };
        assert!(zone.contains("UTC+02:00"), "{zone}");
        let given = Zone::Given(
            time::parse_zone("Europe/Paris").unwrap(),
            "Europe/Paris".into(),
        );
        assert!(matches!(
            find("", &paris, &entries, &given),
            Found::Matched { .. }
        ));
        let wrong = Zone::Given(time::parse_zone("UTC").unwrap(), "UTC".into());
        let Found::Unmatched(why) = find("", &paris, &entries, &wrong) else {
            panic!("matched in the wrong zone");
        };
        assert!(why.contains("7200.0 s apart"), "{why}");
        let header = "<134>1 2024-09-03T17:20:31.868+02:00 lb haproxy - - x";
        let Found::Matched { zone, .. } = find(header, &paris, &entries, &Zone::Unknown) else {
            panic!("syslog offset not used");
        };
        assert!(zone.contains("syslog header"), "{zone}");
        // The same clock time a day later is another request.
        let next_day = fields("04/Sep/2024:15:20:22.467");
        let Found::Unmatched(why) = find("", &next_day, &entries, &Zone::Unknown) else {
            panic!("matched across days");
        };
        assert!(why.contains("none within 2 s"), "{why}");
    }
}

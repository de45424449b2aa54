//! Dates and zones of log lines. HAProxy writes its dates (`%t`, `%tr`:
//! `03/Sep/2024:15:20:22.467`) in the host's local time with no zone; AWS
//! writes UTC (`2024-09-03T15:20:31.868632Z`); a syslog header may carry a
//! full RFC 3339 timestamp with its offset.

use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone};
use jiff::{SignedDuration, Timestamp};

/// A zone named by the user: `UTC`/`Z`, an offset (`+02:00`, `-0500`,
/// `+2`) or a zone name of the system's database (`Europe/Paris`).
pub fn parse_zone(text: &str) -> Result<TimeZone, String> {
    let text = text.trim();
    if text.eq_ignore_ascii_case("utc") || text == "Z" {
        return Ok(TimeZone::UTC);
    }
    let body = text
        .strip_prefix("UTC")
        .or_else(|| text.strip_prefix("GMT"))
        .unwrap_or(text);
    if let Some(sign) = body.chars().next().filter(|c| *c == '+' || *c == '-') {
        let digits: String = body.chars().skip(1).filter(|c| *c != ':').collect();
        let (hours, minutes) = match digits.len() {
            1 | 2 => (digits.as_str(), "0"),
            3 => digits.split_at(1),
            4 => digits.split_at(2),
            _ => ("x", "x"),
        };
        if let (Ok(h), Ok(m)) = (hours.parse::<i32>(), minutes.parse::<i32>())
            && h <= 14
            && m < 60
        {
            let seconds = (h * 3600 + m * 60) * if sign == '-' { -1 } else { 1 };
            return Offset::from_seconds(seconds)
                .map(TimeZone::fixed)
                .map_err(|e| e.to_string());
        }
        return Err(format!(
            "`{text}` is not a UTC offset (write +02:00 or -0500)"
        ));
    }
    TimeZone::get(text).map_err(|_| {
        format!(
            "`{text}` is not a time zone: give UTC, an offset like +02:00, or a zone name like \
            Europe/Paris"
        )
    })
}

/// HAProxy's date (`03/Sep/2024:15:20:22.467`), a local time without zone.
pub fn haproxy_date(text: &str) -> Option<DateTime> {
    DateTime::strptime("%d/%b/%Y:%H:%M:%S%.f", text)
        .or_else(|_| DateTime::strptime("%d/%b/%Y:%H:%M:%S", text))
        .ok()
}

/// An ISO 8601 / RFC 3339 timestamp with its zone (`…Z`, `…+02:00`).
pub fn timestamp(text: &str) -> Option<Timestamp> {
    text.parse::<Timestamp>().ok()
}

/// The UTC offset a syslog header states, when its timestamp is RFC 3339
/// (`<134>1 2024-09-03T17:20:31.868+02:00 host haproxy …`, or rsyslog's
/// high-precision format): the zone the host's clock runs in.
pub fn syslog_offset(line: &str) -> Option<Offset> {
    for word in line.split(' ').take(3) {
        let word = word.rsplit('>').next().unwrap_or(word);
        if word.len() < 20 || word.as_bytes().get(10) != Some(&b'T') {
            continue;
        }
        let instant = timestamp(word)?;
        let civil: DateTime = word.get(..19)?.parse().ok()?;
        let as_utc = TimeZone::UTC.to_timestamp(civil).ok()?;
        let seconds = as_utc.as_second() - instant.as_second();
        return Offset::from_seconds(i32::try_from(seconds).ok()?).ok();
    }
    None
}

/// A local time in a zone, as an instant.
pub fn in_zone(local: DateTime, zone: &TimeZone) -> Option<Timestamp> {
    zone.to_timestamp(local).ok()
}

/// `local + milliseconds`.
pub fn plus_ms(local: DateTime, ms: i64) -> Option<DateTime> {
    local.checked_add(SignedDuration::from_millis(ms)).ok()
}

/// The offsets in use somewhere on Earth, UTC first, then by distance from
/// it, in quarter hours from -12:00 to +14:00.
pub fn plausible_offsets() -> Vec<Offset> {
    let mut quarters: Vec<i32> = (-48..=56).collect();
    quarters.sort_by_key(|q| (q.abs(), *q < 0));
    quarters
        .into_iter()
        .filter_map(|q| Offset::from_seconds(q * 900).ok())
        .collect()
}

/// `UTC+02:00`, `UTC-05:30`, `UTC`.
pub fn offset_label(offset: Offset) -> String {
    let seconds = offset.seconds();
    if seconds == 0 {
        return "UTC".to_string();
    }
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = seconds.abs() / 60;
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zones_offsets_and_dates() {
        let date = haproxy_date("03/Sep/2024:15:20:22.467").unwrap();
        assert_eq!(date.to_string(), "2024-09-03T15:20:22.467");
        let paris = parse_zone("+02:00").unwrap();
        assert_eq!(
            in_zone(date, &paris).unwrap().to_string(),
            "2024-09-03T13:20:22.467Z"
        );
        assert_eq!(
            parse_zone("-0530")
                .unwrap()
                .to_fixed_offset()
                .unwrap()
                .seconds(),
            -19800
        );
        assert_eq!(parse_zone("UTC").unwrap(), TimeZone::UTC);
        assert!(parse_zone("+25:00").is_err());
        assert!(parse_zone("Nowhere/Atlantis").is_err());
        let offset = syslog_offset(
            "<134>1 2024-09-03T17:20:31.868+02:00 lb haproxy 77 - - 10.0.0.1:1 \
                [03/Sep/2024:17:20:22.467]",
        )
        .unwrap();
        assert_eq!(offset_label(offset), "UTC+02:00");
        assert_eq!(syslog_offset("Sep  3 15:20:31 lb haproxy[1]: x"), None);
        let offsets = plausible_offsets();
        assert_eq!(offsets[0].seconds(), 0);
        assert_eq!(offsets[1].seconds(), 900);
        assert_eq!(offsets.len(), 105);
    }
}

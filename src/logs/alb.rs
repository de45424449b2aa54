//! AWS Application Load Balancer access-log entries, in the field order AWS
//! documents ("Access log entries" of the Elastic Load Balancing guide).

/// The fields haplint reads from an ALB entry.
#[derive(Clone, Debug, PartialEq)]
pub struct AlbEntry {
    /// When the ALB sent the response (ISO 8601, UTC).
    pub time: String,
    /// Seconds from the ALB receiving the request to sending it to a target.
    pub request_processing: f64,
    /// Seconds from sending the request to the target to the target starting its response.
    pub target_processing: f64,
    /// Seconds from the target's response to the ALB starting to send it.
    pub response_processing: f64,
    pub elb_status: String,
    pub target_status: String,
    pub received_bytes: u64,
    pub sent_bytes: u64,
    /// `METHOD URL PROTOCOL`.
    pub request: String,
    pub trace_id: String,
    /// When the ALB received the request.
    pub request_creation_time: String,
    /// `ip:port` of the target.
    pub target: String,
    /// The target group's name (from its ARN).
    pub target_group: String,
}

/// Split an entry into its fields: blanks separate, double quotes group.
fn fields(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let mut quoted = false;
    let mut started = false;
    for c in line.trim_end().chars() {
        match c {
            '"' => {
                quoted = !quoted;
                started = true;
            }
            ' ' if !quoted => {
                if started {
                    out.push(std::mem::take(&mut current));
                    started = false;
                }
            }
            c => {
                current.push(c);
                started = true;
            }
        }
    }
    if started {
        out.push(current);
    }
    out
}

/// Read an ALB entry; `Err` names the field that could not be read.
pub fn read_line(line: &str) -> Result<AlbEntry, String> {
    let fields = fields(line);
    let field = |index: usize, name: &str| {
        fields
            .get(index)
            .cloned()
            .ok_or_else(|| format!("{name} (field {})", index + 1))
    };
    let kind = field(0, "type")?;
    if !matches!(
        kind.as_str(),
        "http" | "https" | "h2" | "grpcs" | "ws" | "wss"
    ) {
        return Err(format!("type (field 1): `{kind}` is not an ALB entry type"));
    }
    let seconds = |index: usize, name: &str| -> Result<f64, String> {
        let text = field(index, name)?;
        text.parse::<f64>().map_err(|_| {
            format!(
                "{name} (field {}): `{text}` is not a number of seconds",
                index + 1
            )
        })
    };
    let bytes = |index: usize, name: &str| -> Result<u64, String> {
        let text = field(index, name)?;
        text.parse::<u64>()
            .map_err(|_| format!("{name} (field {}): `{text}` is not a byte count", index + 1))
    };
    Ok(AlbEntry {
        time: field(1, "time")?,
        request_processing: seconds(5, "request_processing_time")?,
        target_processing: seconds(6, "target_processing_time")?,
        response_processing: seconds(7, "response_processing_time")?,
        elb_status: field(8, "elb_status_code")?,
        target_status: field(9, "target_status_code")?,
        received_bytes: bytes(10, "received_bytes")?,
        sent_bytes: bytes(11, "sent_bytes")?,
        request: field(12, "request")?,
        trace_id: fields.get(17).cloned().unwrap_or_default(),
        request_creation_time: fields.get(21).cloned().unwrap_or_default(),
        target: field(4, "target:port")?,
        target_group: String::from_utf8_lossy(target_group_name(
            fields.get(16).map(String::as_bytes).unwrap_or_default(),
        ))
        .into_owned(),
    })
}

/// Whether a line looks like an ALB entry rather than a HAProxy line.
pub fn looks_like_alb(line: &str) -> bool {
    let mut words = line.split_whitespace();
    matches!(
        words.next(),
        Some("http" | "https" | "h2" | "grpcs" | "ws" | "wss")
    ) && words
        .next()
        .is_some_and(|time| time.len() > 19 && time.ends_with('Z') && time.contains('T'))
}

/// [`looks_like_alb`] on bytes, for the aggregate's hot loop: an entry type,
/// a blank, then a date (`2024-…T`).
pub fn looks_like_alb_bytes(line: &[u8]) -> bool {
    let Some(blank) = line.iter().take(6).position(|&b| b == b' ') else {
        return false;
    };
    matches!(
        line.get(..blank),
        Some(b"http" | b"https" | b"h2" | b"grpcs" | b"ws" | b"wss")
    ) && line.get(blank + 1..blank + 12).is_some_and(|date| {
        date.first().is_some_and(u8::is_ascii_digit) && date.get(10) == Some(&b'T')
    })
}

/// Split an entry into field ranges, in place: blanks separate, double
/// quotes group (the ranges leave the quotes out).
pub fn split_bytes(line: &[u8], fields: &mut Vec<(usize, usize)>) {
    fields.clear();
    let mut at = 0;
    while at < line.len() {
        match line.get(at) {
            Some(b' ') => at += 1,
            Some(b'"') => {
                let end = line
                    .get(at + 1..)
                    .and_then(|rest| memchr::memchr(b'"', rest))
                    .map_or(line.len(), |q| at + 1 + q);
                fields.push((at + 1, end));
                at = end + 1;
            }
            _ => {
                let end = line
                    .get(at..)
                    .and_then(|rest| memchr::memchr(b' ', rest))
                    .map_or(line.len(), |b| at + b);
                fields.push((at, end));
                at = end;
            }
        }
    }
}

/// AWS's seconds with up to microseconds (`7.655`, `0.000012`) as
/// microseconds; `-1` (not sent to a target, or no response) is `None`.
pub fn seconds_to_us(text: &[u8]) -> Option<i64> {
    let (whole, fraction) = match memchr::memchr(b'.', text) {
        Some(dot) => (text.get(..dot)?, text.get(dot + 1..)?),
        None => (text, &b""[..]),
    };
    if whole.is_empty() || whole.len() > 9 || !whole.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut seconds: i64 = 0;
    for &digit in whole {
        seconds = seconds * 10 + i64::from(digit - b'0');
    }
    let micros = fraction
        .iter()
        .take(6)
        .chain(std::iter::repeat(&b'0'))
        .take(6)
        .try_fold(0i64, |acc, &d| {
            d.is_ascii_digit().then(|| acc * 10 + i64::from(d - b'0'))
        })?;
    Some(seconds * 1_000_000 + micros)
}

/// `arn:aws:elasticloadbalancing:…:targetgroup/NAME/ID` → `NAME`.
pub fn target_group_name(arn: &[u8]) -> &[u8] {
    let Some(at) = memchr::memmem::find(arn, b"targetgroup/") else {
        return if arn.is_empty() { b"-" } else { arn };
    };
    let rest = arn.get(at + 12..).unwrap_or_default();
    let end = memchr::memchr(b'/', rest).unwrap_or(rest.len());
    rest.get(..end).unwrap_or(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_field_order() {
        let line = "https 2024-09-03T15:20:31.868632Z app/ecs-prod/fa267007e 54.156.x.y:48588 \
            172.31.80.84:80 7.655 0.005 0.000 200 200 1068 143 \"POST \
            https://domain.com:443/ls/apiLocation/location HTTP/1.1\" \"Mozilla/5.0 (iPhone)\" \
            ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 \
            arn:aws:elasticloadbalancing:us-east-1:2770xxxxx:targetgroup/x/y \
            \"Root=1-66d72938-062b422f6a970fb4\" \"-\" \"session-reused\" 335 \
            2024-09-03T15:20:24.207000Z \"waf,forward\" \"-\" \"-\" \"172.31.80.84:80\" \"200\" \
            \"-\" \"-\" TID_9c7aa4736266674d823";
        assert!(looks_like_alb(line));
        let entry = read_line(line).unwrap();
        assert_eq!(entry.request_processing, 7.655);
        assert_eq!(entry.target_processing, 0.005);
        assert_eq!(entry.received_bytes, 1068);
        assert_eq!(
            entry.request,
            "POST https://domain.com:443/ls/apiLocation/location HTTP/1.1"
        );
        assert_eq!(entry.trace_id, "Root=1-66d72938-062b422f6a970fb4");
        assert_eq!(entry.request_creation_time, "2024-09-03T15:20:24.207000Z");
        assert_eq!(entry.target_group, "x");
        assert!(looks_like_alb_bytes(line.as_bytes()));
        assert!(!looks_like_alb_bytes(b"Sep 13 15:20:31 lb haproxy[1]: x"));
        let mut spans = Vec::new();
        split_bytes(line.as_bytes(), &mut spans);
        let field = |i: usize| &line[spans[i].0..spans[i].1];
        assert_eq!(
            field(12),
            "POST https://domain.com:443/ls/apiLocation/location HTTP/1.1"
        );
        assert_eq!(
            field(16),
            "arn:aws:elasticloadbalancing:us-east-1:2770xxxxx:targetgroup/x/y"
        );
        assert_eq!(seconds_to_us(b"7.655"), Some(7_655_000));
        assert_eq!(seconds_to_us(b"0.000012"), Some(12));
        assert_eq!(seconds_to_us(b"-1"), None);
        assert!(
            read_line("https 2024-09-03T15:20:31Z app x y abc")
                .unwrap_err()
                .contains("request_processing_time")
        );
    }
}

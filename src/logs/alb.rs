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

/// Seconds since midnight of an ISO time (`2024-09-03T15:20:31.868632Z`).
pub fn iso_seconds(time: &str) -> Option<(String, f64)> {
    let (date, clock) = time.trim_end_matches('Z').split_once('T')?;
    Some((date.to_string(), clock_seconds(clock)?))
}

/// Seconds since midnight of `hh:mm:ss[.fraction]`.
pub fn clock_seconds(clock: &str) -> Option<f64> {
    let mut parts = clock.split(':');
    let hours: f64 = parts.next()?.parse().ok()?;
    let minutes: f64 = parts.next()?.parse().ok()?;
    let seconds: f64 = parts.next()?.parse().ok()?;
    Some(hours * 3600.0 + minutes * 60.0 + seconds)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_field_order() {
        let line = "https 2024-09-03T15:20:31.868632Z app/ecs-prod/fa267007e 54.156.x.y:48588 172.31.80.84:80 7.655 0.005 0.000 200 200 1068 143 \"POST https://domain.com:443/ls/apiLocation/location HTTP/1.1\" \"Mozilla/5.0 (iPhone)\" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-1:2770xxxxx:targetgroup/x/y \"Root=1-66d72938-062b422f6a970fb4\" \"-\" \"session-reused\" 335 2024-09-03T15:20:24.207000Z \"waf,forward\" \"-\" \"-\" \"172.31.80.84:80\" \"200\" \"-\" \"-\" TID_9c7aa4736266674d823";
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
        assert!(
            read_line("https 2024-09-03T15:20:31Z app x y abc")
                .unwrap_err()
                .contains("request_processing_time")
        );
    }
}

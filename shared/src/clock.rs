//! The time tokens and locks are measured in: seconds since the Unix epoch, and how DRF writes
//! them.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Epoch seconds as DRF (and knox) write datetimes: RFC 3339 in UTC, `2026-11-29T10:00:00Z`.
pub fn rfc3339(seconds: u64) -> String {
    humantime::format_rfc3339_seconds(UNIX_EPOCH + Duration::from_secs(seconds)).to_string()
}

/// Epoch seconds as an email's `Date` header: `Mon, 07 Dec 2026 16:33:12 GMT` (HTTP's date
/// form, which RFC 5322 also reads).
pub fn rfc2822(seconds: u64) -> String {
    httpdate::fmt_http_date(UNIX_EPOCH + Duration::from_secs(seconds))
}

/// Seconds since the Unix epoch.
pub fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiries_read_as_drf_writes_datetimes() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_795_946_400), "2026-11-29T10:00:00Z");
        assert_eq!(rfc2822(0), "Thu, 01 Jan 1970 00:00:00 GMT");
        assert_eq!(rfc2822(1_796_661_192), "Mon, 07 Dec 2026 16:33:12 GMT");
    }
}

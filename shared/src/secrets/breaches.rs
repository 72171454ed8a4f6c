//! The optional breach check (`PASSWORD_BREACH_CHECK`): a new password that Have I Been Pwned's
//! Pwned Passwords lists is refused. The password never leaves the function: its SHA-1 is
//! computed here and only the first 5 hex digits are sent (the k-anonymity range API, which
//! answers every suffix under that prefix, padded with decoys so that the answer's size says
//! nothing either); the match is made here.
//!
//! The check fails open: when the service does not answer within [`TIMEOUT`], answers anything
//! but a readable list, or cannot be reached, the password is judged by the other rules alone
//! and a `breach_check_failed` warning is logged. A new password is no reason to block a user
//! while a third party is down.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use aws_lc_rs::digest::{SHA1_FOR_LEGACY_USE_ONLY, digest};
use bytes::Bytes;
use http_body_util::{BodyExt, Empty, Limited};
use hyper_rustls::HttpsConnector;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::secrets::password::Password;
use crate::secrets::token::to_hex;

/// The message for a breached password: pwned-passwords-django's (the Django validator of this
/// check), so that a front-end already showing it shows the same.
pub const BREACHED: &str = "This password is known to have appeared in a public data breach.";

/// How long the service has to answer (connection included) before the check gives up.
pub const TIMEOUT: Duration = Duration::from_secs(2);

/// The largest answer read: a padded range holds about 1,000 lines of 40 characters.
const MAX_ANSWER_BYTES: usize = 1 << 20;

/// Where the breach check asks: the range API's address, ending in `/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreachCheck {
    range_api: String,
}

/// A range API address that is neither `https://` nor `http://` on the loopback interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the range API's address is neither https:// nor http:// on the loopback interface")]
pub struct InvalidRangeApi;

/// What the service said of a password.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Seen in breaches, this many times.
    Breached(u64),
    /// Not in the list.
    Unlisted,
    /// No answer to go by (timeout, error, unreadable answer): why.
    Unknown(String),
}

impl BreachCheck {
    /// The check against `range_api` (`PASSWORD_BREACH_API`): an `https://` address, or
    /// `http://` on the loopback interface (a local stand-in).
    pub fn new(range_api: &str) -> Result<Self, InvalidRangeApi> {
        let loopback = ["http://127.0.0.1:", "http://localhost:", "http://[::1]:"];
        let acceptable = range_api.starts_with("https://")
            || loopback.iter().any(|prefix| range_api.starts_with(prefix));
        if !acceptable || range_api.parse::<http::Uri>().is_err() {
            return Err(InvalidRangeApi);
        }
        let mut range_api = range_api.to_owned();
        if !range_api.ends_with('/') {
            range_api.push('/');
        }
        Ok(Self { range_api })
    }

    /// The range API's address, ending in `/`.
    pub fn range_api(&self) -> &str {
        &self.range_api
    }

    /// Asks the service about `password`, within [`TIMEOUT`].
    pub async fn verdict(&self, password: &Password) -> Verdict {
        let (prefix, suffix) = split_digest(password);
        let url = format!("{}{prefix}", self.range_api);
        match tokio::time::timeout(TIMEOUT, fetch(&url)).await {
            Ok(Ok(body)) => match count_of(&body, &suffix) {
                Ok(Some(count)) => Verdict::Breached(count),
                Ok(None) => Verdict::Unlisted,
                Err(line) => Verdict::Unknown(format!("unreadable answer line {line:?}")),
            },
            Ok(Err(reason)) => Verdict::Unknown(reason),
            Err(_) => Verdict::Unknown(format!("no answer within {} s", TIMEOUT.as_secs())),
        }
    }
}

/// The password's SHA-1 in upper-case hex, as the range API writes it: the first 5 digits (sent)
/// and the other 35 (kept).
fn split_digest(password: &Password) -> (String, String) {
    let hash = digest(&SHA1_FOR_LEGACY_USE_ONLY, password.expose().as_bytes());
    let hex = to_hex(hash.as_ref()).to_ascii_uppercase();
    let (prefix, suffix) = hex.split_at(5);
    (prefix.to_owned(), suffix.to_owned())
}

/// How many times `suffix` was seen, from a range answer (`SUFFIX:COUNT` lines); padding lines
/// count 0 and are no match. A line that is not of that form is an error (the line, cut short).
fn count_of(body: &str, suffix: &str) -> Result<Option<u64>, String> {
    for line in body.lines().map(str::trim).filter(|line| !line.is_empty()) {
        let parsed = line
            .split_once(':')
            .filter(|(hex, _)| hex.len() == 35 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|(hex, count)| Some((hex, count.parse::<u64>().ok()?)));
        let Some((hex, count)) = parsed else {
            return Err(line.chars().take(60).collect());
        };
        if count > 0 && hex.eq_ignore_ascii_case(suffix) {
            return Ok(Some(count));
        }
    }
    Ok(None)
}

/// The body of a `GET url` that answered 200, as text; otherwise why not.
async fn fetch(url: &str) -> Result<String, String> {
    let request = http::Request::get(url)
        .header("add-padding", "true")
        .header(
            "user-agent",
            concat!("authtoken/", env!("CARGO_PKG_VERSION")),
        )
        .body(Empty::<Bytes>::new())
        .map_err(|error| error.to_string())?;
    let response = client()
        .request(request)
        .await
        .map_err(|error| format!("request failed: {error}"))?;
    let status = response.status();
    if status != http::StatusCode::OK {
        return Err(format!("answered {status}"));
    }
    let body = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
        .collect()
        .await
        .map_err(|error| format!("answer unread: {error}"))?
        .to_bytes();
    String::from_utf8(body.to_vec()).map_err(|_| "answer not UTF-8".to_owned())
}

/// The HTTPS client, made at the first check of the process: rustls with aws-lc, trusting
/// Mozilla's root certificates (compiled in), HTTP/1.1.
fn client() -> &'static Client<HttpsConnector<HttpConnector>, Empty<Bytes>> {
    static CLIENT: OnceLock<Client<HttpsConnector<HttpConnector>, Empty<Bytes>>> = OnceLock::new();
    CLIENT.get_or_init(|| {
        let mut roots = rustls::RootCertStore::empty();
        roots.add_parsable_certificates(webpki_root_certs::TLS_SERVER_ROOT_CERTS.iter().cloned());
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map(|builder| builder.with_root_certificates(roots).with_no_client_auth());
        #[expect(
            clippy::expect_used,
            reason = "aws-lc's default provider supports rustls's default protocol versions"
        )]
        let tls = tls.expect("aws-lc supports TLS 1.2 and 1.3");
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_tls_config(tls)
            .https_or_http()
            .enable_http1()
            .build();
        Client::builder(TokioExecutor::new()).build(connector)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_digest_is_split_after_five_upper_case_hex_digits() {
        // SHA-1("password") = 5BAA61E4C9B93F3F0682250B6CF8331B7EE68FD8
        let (prefix, suffix) = split_digest(&Password::new("password"));
        assert_eq!(prefix, "5BAA6");
        assert_eq!(suffix, "1E4C9B93F3F0682250B6CF8331B7EE68FD8");
    }

    #[test]
    fn a_range_answer_is_read_with_its_padding_ignored() {
        let suffix = "1E4C9B93F3F0682250B6CF8331B7EE68FD8";
        let body = "003D68EB55068C33ACE09247EE4C639306B:3\r\n\
                    1E4C9B93F3F0682250B6CF8331B7EE68FD8:10434004\r\n\
                    01330C689E5D64F660D6947A93AD634EF8F:0\r\n";
        assert_eq!(count_of(body, suffix), Ok(Some(10_434_004)));
        assert_eq!(count_of(body, &suffix.to_lowercase()), Ok(Some(10_434_004)));
        assert_eq!(
            count_of(body, "01330C689E5D64F660D6947A93AD634EF8F"),
            Ok(None)
        );
        assert_eq!(count_of("", suffix), Ok(None));
        assert_eq!(
            count_of("<html>rate limited</html>\n", suffix),
            Err("<html>rate limited</html>".to_owned())
        );
    }

    #[test]
    fn the_address_must_be_https_or_loopback() {
        for good in [
            "https://api.pwnedpasswords.com/range/",
            "https://breaches.example.com/range",
            "http://127.0.0.1:8080/range/",
            "http://localhost:9/range/",
        ] {
            let check = BreachCheck::new(good).unwrap();
            assert!(check.range_api.ends_with('/'), "{good}");
        }
        for bad in [
            "http://api.pwnedpasswords.com/range/",
            "ftp://127.0.0.1:1/",
            "api.pwnedpasswords.com",
            "https://bad host/",
        ] {
            assert_eq!(BreachCheck::new(bad), Err(InvalidRangeApi), "{bad}");
        }
    }
}

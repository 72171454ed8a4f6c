//! What `authtoken serve` lets browsers do: which origins may call it across origins (CORS),
//! and which `Host` names it answers while it listens on loopback (so that a web page cannot
//! reach it through a DNS name rebound to 127.0.0.1).

use http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE, ALLOW, VARY,
};
use http::{HeaderMap, HeaderValue};

/// Origins allowed by default: pages served from this machine, on any port.
pub const LOOPBACK_ORIGINS: [&str; 3] =
    ["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"];

/// Request headers a cross-origin page may send by default, as in `template.yaml`.
pub const DEFAULT_ALLOWED_HEADERS: [&str; 2] = ["Authorization", "Content-Type"];

/// Response headers a cross-origin page may read: the 401's scheme, and the wait of a 429 or 503.
const EXPOSED_HEADERS: &str = "WWW-Authenticate, Retry-After";

/// One allowed origin: exact (`https://app.example.com`), any port (`http://localhost:*`), or
/// any origin (`*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OriginPattern(String);

impl OriginPattern {
    /// Reads an origin as `--cors-origin` takes it: `*`, or `scheme://host[:port]` with no path,
    /// where the port may be `*`.
    pub fn parse(text: &str) -> Result<Self, String> {
        if text == "*" {
            return Ok(Self(text.to_owned()));
        }
        let Some((scheme, rest)) = text.split_once("://") else {
            return Err(format!(
                "{text:?} is not an origin: expected scheme://host[:port], e.g. http://localhost:3000"
            ));
        };
        let valid_scheme = matches!(scheme, "http" | "https");
        if !valid_scheme || rest.is_empty() || rest.contains('/') || text.ends_with(':') {
            return Err(format!(
                "{text:?} is not an origin: expected http(s)://host[:port] without a path, \
                 e.g. http://localhost:3000 or http://localhost:*"
            ));
        }
        Ok(Self(text.to_owned()))
    }

    fn matches(&self, origin: &str) -> bool {
        let pattern = self.0.as_str();
        if pattern == "*" || pattern == origin {
            return true;
        }
        let Some(base) = pattern.strip_suffix(":*") else {
            return false;
        };
        // Any port, or none: "http://localhost:*" admits http://localhost and http://localhost:3000.
        origin == base
            || origin.strip_prefix(base).is_some_and(|rest| {
                rest.strip_prefix(':').is_some_and(|port| {
                    !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit())
                })
            })
    }
}

/// The CORS answers of the local server: which origins, which request headers.
#[derive(Debug, Clone)]
pub struct Cors {
    origins: Vec<OriginPattern>,
    allowed_headers: HeaderValue,
}

impl Cors {
    /// Loopback origins plus `extra_origins`; the default request headers plus `extra_headers`.
    pub fn new(extra_origins: &[OriginPattern], extra_headers: &[String]) -> Result<Self, String> {
        let mut origins: Vec<OriginPattern> = LOOPBACK_ORIGINS
            .iter()
            .map(|origin| OriginPattern(String::from(*origin)))
            .collect();
        origins.extend_from_slice(extra_origins);
        let mut headers: Vec<&str> = DEFAULT_ALLOWED_HEADERS.to_vec();
        headers.extend(extra_headers.iter().map(String::as_str));
        let allowed_headers = HeaderValue::from_str(&headers.join(", "))
            .map_err(|_| format!("{extra_headers:?} are not all valid header names"))?;
        Ok(Self {
            origins,
            allowed_headers,
        })
    }

    /// The origins allowed, for the start-up banner.
    pub fn describe(&self) -> String {
        let origins: Vec<&str> = self.origins.iter().map(|o| o.0.as_str()).collect();
        origins.join(", ")
    }

    /// Adds the CORS headers to an answer for a request from `origin`, if that origin is allowed
    /// (otherwise none, and the browser keeps the answer from the page). `preflight`: the
    /// request was a CORS preflight (`OPTIONS` with `Access-Control-Request-Method`).
    pub fn add_headers(&self, headers: &mut HeaderMap, origin: &HeaderValue, preflight: bool) {
        let allowed = origin
            .to_str()
            .is_ok_and(|origin| self.origins.iter().any(|pattern| pattern.matches(origin)));
        // The answer depends on the origin: caches must key on it (one Vary header, joined).
        let vary = match headers.get(VARY).and_then(|vary| vary.to_str().ok()) {
            Some(existing) => HeaderValue::from_str(&format!("{existing}, Origin"))
                .unwrap_or_else(|_| HeaderValue::from_static("Origin")),
            None => HeaderValue::from_static("Origin"),
        };
        headers.insert(VARY, vary);
        if !allowed {
            return;
        }
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
        headers.insert(
            ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED_HEADERS),
        );
        if preflight {
            if let Some(allow) = headers.get(ALLOW).cloned() {
                headers.insert(ACCESS_CONTROL_ALLOW_METHODS, allow);
            }
            headers.insert(ACCESS_CONTROL_ALLOW_HEADERS, self.allowed_headers.clone());
            headers.insert(ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600"));
        }
    }
}

/// Whether a `Host` header names this machine's loopback interface: `localhost`, an address in
/// 127.0.0.0/8 or `[::1]`, with any port. A server on loopback refuses other names, which only a
/// DNS name rebound to 127.0.0.1 by a web page would send.
pub fn is_loopback_host(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        match rest.split_once(']') {
            Some((address, _)) => return address == "::1",
            None => return false,
        }
    } else {
        host.rsplit_once(':').map_or(host, |(name, _)| name)
    };
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|address| address.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cors() -> Cors {
        let extra = [OriginPattern::parse("https://app.example.com").unwrap()];
        Cors::new(&extra, &["X-Requested-With".to_owned()]).unwrap()
    }

    fn answer(origin: &str, preflight: bool) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(ALLOW, HeaderValue::from_static("POST, OPTIONS"));
        cors().add_headers(
            &mut headers,
            &HeaderValue::from_str(origin).unwrap(),
            preflight,
        );
        headers
    }

    #[test]
    fn loopback_origins_on_any_port_and_the_given_ones_are_allowed() {
        for origin in [
            "http://localhost:3000",
            "http://localhost",
            "http://127.0.0.1:5173",
            "http://[::1]:8080",
            "https://app.example.com",
        ] {
            let headers = answer(origin, false);
            assert_eq!(headers[ACCESS_CONTROL_ALLOW_ORIGIN], origin, "{origin}");
            assert_eq!(
                headers[ACCESS_CONTROL_EXPOSE_HEADERS],
                "WWW-Authenticate, Retry-After"
            );
            assert_eq!(headers[VARY], "Origin");
        }
    }

    #[test]
    fn other_origins_get_no_cors_headers() {
        for origin in [
            "https://evil.example",
            "http://localhost.evil.example",
            "http://localhost:3000.evil.example",
            "https://localhost:3000",
            "https://app.example.com:8443",
            "null",
        ] {
            let headers = answer(origin, true);
            assert!(
                !headers.contains_key(ACCESS_CONTROL_ALLOW_ORIGIN),
                "{origin}"
            );
            assert!(
                !headers.contains_key(ACCESS_CONTROL_ALLOW_HEADERS),
                "{origin}"
            );
            assert_eq!(headers[VARY], "Origin");
        }
    }

    #[test]
    fn a_preflight_lists_the_methods_and_the_allowed_headers() {
        let headers = answer("http://localhost:3000", true);
        assert_eq!(headers[ACCESS_CONTROL_ALLOW_METHODS], "POST, OPTIONS");
        assert_eq!(
            headers[ACCESS_CONTROL_ALLOW_HEADERS],
            "Authorization, Content-Type, X-Requested-With"
        );
        assert_eq!(headers[ACCESS_CONTROL_MAX_AGE], "600");
    }

    #[test]
    fn origins_are_checked_when_given() {
        for good in [
            "*",
            "http://localhost:3000",
            "https://app.example.com",
            "http://h:*",
        ] {
            assert!(OriginPattern::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "localhost:3000",
            "ftp://x",
            "http://",
            "http://x/path",
            "http://x:",
        ] {
            let error = OriginPattern::parse(bad).unwrap_err();
            assert!(error.contains("is not an origin"), "{bad}: {error}");
        }
    }

    #[test]
    fn only_loopback_host_names_are_loopback() {
        for host in [
            "localhost",
            "localhost:8000",
            "LOCALHOST:8000",
            "127.0.0.1:8000",
            "127.1.2.3",
            "[::1]:8000",
            "[::1]",
        ] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in [
            "evil.example",
            "evil.example:8000",
            "localhost.evil.example:8000",
            "10.0.0.1:8000",
            "[::2]:8000",
            "[::1",
            "",
        ] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }
}

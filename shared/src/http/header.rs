//! `Authorization: Token <key>` parsing, with DRF's exact rules
//! (`rest_framework/authentication.py`, `TokenAuthentication.authenticate`).
//!
//! The value is split on runs of ASCII whitespace like Python's `bytes.split()`; the first word
//! must be `token` in any case; exactly one more word is the key, and it must be UTF-8.

use crate::secrets::token::TokenKey;

/// The keyword before the key, also sent back in `WWW-Authenticate`.
pub const KEYWORD: &str = "Token";

/// What a request's `Authorization` header offers.
#[derive(Debug, PartialEq, Eq)]
pub enum Credentials {
    /// No token credentials: no header, an empty one, or another scheme (`Bearer`, `Basic`...).
    /// DRF treats this as "not authenticated", not as a failure.
    Absent,
    /// A key to look up.
    Key(TokenKey),
}

/// A `Token` header that DRF refuses before looking anything up; each has its own 401 message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum HeaderError {
    /// `Token` with nothing after it.
    #[error("Invalid token header. No credentials provided.")]
    NoCredentials,
    /// `Token a b`: more than one word after the keyword.
    #[error("Invalid token header. Token string should not contain spaces.")]
    ContainsSpaces,
    /// The key's bytes are not valid UTF-8.
    #[error("Invalid token header. Token string should not contain invalid characters.")]
    InvalidCharacters,
}

/// Parses the raw bytes of an `Authorization` header (`None` when the request has none).
pub fn parse(value: Option<&[u8]>) -> Result<Credentials, HeaderError> {
    let Some(value) = value else {
        return Ok(Credentials::Absent);
    };
    let mut words = value
        .split(|&byte| is_python_bytes_whitespace(byte))
        .filter(|word| !word.is_empty());
    match words.next() {
        Some(keyword) if keyword.eq_ignore_ascii_case(KEYWORD.as_bytes()) => {}
        _ => return Ok(Credentials::Absent),
    }
    let key = words.next().ok_or(HeaderError::NoCredentials)?;
    if words.next().is_some() {
        return Err(HeaderError::ContainsSpaces);
    }
    let key = std::str::from_utf8(key).map_err(|_| HeaderError::InvalidCharacters)?;
    Ok(Credentials::Key(TokenKey::new(key)))
}

/// The bytes Python's `bytes.split()` splits on: space, \t, \n, \v, \f, \r.
fn is_python_bytes_whitespace(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "0123456789abcdef0123456789abcdef01234567";

    fn key(text: &str) -> Result<Credentials, HeaderError> {
        Ok(Credentials::Key(TokenKey::new(text)))
    }

    #[test]
    fn no_header_is_absent() {
        assert_eq!(parse(None), Ok(Credentials::Absent));
    }

    #[test]
    fn empty_or_blank_header_is_absent() {
        assert_eq!(parse(Some(b"")), Ok(Credentials::Absent));
        assert_eq!(parse(Some(b"   ")), Ok(Credentials::Absent));
    }

    #[test]
    fn other_schemes_are_absent() {
        for value in [
            "Bearer x",
            "Basic YWRtaW46cGFzc3dvcmQ=",
            "Tokenabc",
            "Tok abc",
        ] {
            assert_eq!(
                parse(Some(value.as_bytes())),
                Ok(Credentials::Absent),
                "{value}"
            );
        }
    }

    #[test]
    fn keyword_is_case_insensitive() {
        for keyword in ["Token", "token", "TOKEN", "tOkEn"] {
            let value = format!("{keyword} {KEY}");
            assert_eq!(parse(Some(value.as_bytes())), key(KEY), "{value}");
        }
    }

    #[test]
    fn runs_of_any_ascii_whitespace_separate_words() {
        for separator in ["  ", "\t", " \t ", "\x0b", "\x0c"] {
            let value = format!("Token{separator}{KEY}");
            assert_eq!(parse(Some(value.as_bytes())), key(KEY), "{value:?}");
        }
        assert_eq!(parse(Some(format!(" Token {KEY} ").as_bytes())), key(KEY));
    }

    #[test]
    fn keyword_alone_has_no_credentials() {
        assert_eq!(parse(Some(b"Token")), Err(HeaderError::NoCredentials));
        assert_eq!(parse(Some(b"Token ")), Err(HeaderError::NoCredentials));
    }

    #[test]
    fn more_than_one_word_after_the_keyword_contains_spaces() {
        assert_eq!(parse(Some(b"Token a b")), Err(HeaderError::ContainsSpaces));
        let value = format!("Token {KEY} extra");
        assert_eq!(
            parse(Some(value.as_bytes())),
            Err(HeaderError::ContainsSpaces)
        );
    }

    #[test]
    fn a_key_that_is_not_utf8_has_invalid_characters() {
        assert_eq!(
            parse(Some(b"Token \xff\xfe")),
            Err(HeaderError::InvalidCharacters)
        );
    }

    #[test]
    fn any_utf8_word_is_a_key_to_look_up() {
        assert_eq!(parse(Some("Token é".as_bytes())), key("é"));
        assert_eq!(parse(Some(b"Token abc")), key("abc"));
    }

    #[test]
    fn messages_are_drfs() {
        assert_eq!(
            HeaderError::NoCredentials.to_string(),
            "Invalid token header. No credentials provided."
        );
        assert_eq!(
            HeaderError::ContainsSpaces.to_string(),
            "Invalid token header. Token string should not contain spaces."
        );
        assert_eq!(
            HeaderError::InvalidCharacters.to_string(),
            "Invalid token header. Token string should not contain invalid characters."
        );
    }
}

//! The login body: `{"username", "password"}` as JSON, x-www-form-urlencoded or multipart, parsed
//! and validated with the messages of DRF's parsers and `AuthTokenSerializer`.

use bytes::Bytes;
use serde::Serialize;
use serde_json::Value;

use crate::http::media::MediaType;
use crate::secrets::password::Password;
use crate::username::is_python_whitespace;

/// Largest login body parsed, in bytes: Django's `DATA_UPLOAD_MAX_MEMORY_SIZE` (2.5 MiB).
/// Parsing is cheap next to argon2, and credentials that long are refused before any hashing
/// anyway; this bounds the memory and time one request can take.
pub const MAX_BODY_BYTES: usize = 2_621_440;

/// A login request that passed validation: a trimmed, non-blank username and a non-blank password.
#[derive(Debug)]
pub struct LoginForm {
    /// The username, with surrounding whitespace removed (DRF's `CharField` trims).
    pub username: String,
    /// The password, exactly as sent (`trim_whitespace=False`).
    pub password: Password,
}

/// Why a login body was refused, one variant per DRF error shape.
#[derive(Debug, PartialEq, Eq)]
pub enum FormError {
    /// 413: the body is larger than [`MAX_BODY_BYTES`].
    TooLarge,
    /// 415: no parser handles the request's `Content-Type` (the full header value, or "").
    UnsupportedMediaType(String),
    /// 400 `{"detail": ...}`: the body could not be parsed (`JSON parse error - ...`).
    Malformed(String),
    /// 400 `{"non_field_errors": [...]}`: the body parsed, but not to an object.
    NotAnObject(String),
    /// 400 `{"username": [...], "password": [...]}`: one or both fields are invalid.
    Fields(FieldErrors),
}

/// Per-field messages, serialised with `username` first as DRF does; a valid field is omitted.
#[derive(Debug, Default, PartialEq, Eq, Serialize)]
pub struct FieldErrors {
    /// The username's message, if it is invalid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<[&'static str; 1]>,
    /// The password's message, if it is invalid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub password: Option<[&'static str; 1]>,
}

const REQUIRED: &str = "This field is required.";
const NOT_NULL: &str = "This field may not be null.";
const NOT_BLANK: &str = "This field may not be blank.";
const NOT_A_STRING: &str = "Not a valid string.";
const NO_NULL_CHARACTERS: &str = "Null characters are not allowed.";

/// The body parsers of DRF's `ObtainAuthToken`, in its order (the first match wins).
#[derive(Clone, Copy)]
enum Parser {
    Form,
    Multipart,
    Json,
}

impl Parser {
    const ALL: [(Parser, &'static str); 3] = [
        (Parser::Form, "application/x-www-form-urlencoded"),
        (Parser::Multipart, "multipart/form-data"),
        (Parser::Json, "application/json"),
    ];
}

/// Parses and validates a login body. `content_type` is the raw `Content-Type` header, if any.
/// A body over [`MAX_BODY_BYTES`] is refused before anything else.
pub async fn parse(content_type: Option<&[u8]>, body: Bytes) -> Result<LoginForm, FormError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(FormError::TooLarge);
    }
    let fields = if body.is_empty() {
        // DRF reads no stream for an empty body, whatever its type: no data at all.
        Fields::default()
    } else {
        let content_type = content_type.map(latin1).unwrap_or_default();
        let media = MediaType::parse(&content_type);
        let parser = Parser::ALL
            .iter()
            .find(|(_, handled)| MediaType::parse(handled).is_matched_by(&media))
            .map(|(parser, _)| *parser)
            .ok_or(FormError::UnsupportedMediaType(content_type.clone()))?;
        match parser {
            Parser::Form => Fields::from_urlencoded(&body),
            Parser::Multipart => Fields::from_multipart(&media, body).await?,
            Parser::Json => Fields::from_json(&body)?,
        }
    };
    fields.validate()
}

/// The two fields as found in the body, before validation.
#[derive(Default)]
struct Fields {
    username: Raw,
    password: Raw,
}

/// One field's value as the parser produced it.
#[derive(Default)]
enum Raw {
    #[default]
    Missing,
    Json(Value),
    Text(String),
}

impl Fields {
    fn from_pairs(pairs: impl Iterator<Item = (String, String)>) -> Self {
        let mut fields = Fields::default();
        // Django's QueryDict: the last of repeated keys wins.
        for (name, value) in pairs {
            match name.as_str() {
                "username" => fields.username = Raw::Text(value),
                "password" => fields.password = Raw::Text(value),
                _ => {}
            }
        }
        fields
    }

    fn from_urlencoded(body: &[u8]) -> Self {
        Self::from_pairs(
            form_urlencoded::parse(body).map(|(k, v)| (k.into_owned(), v.into_owned())),
        )
    }

    async fn from_multipart(media: &MediaType, body: Bytes) -> Result<Self, FormError> {
        let boundary = match media.param("boundary") {
            Some(boundary) if is_valid_boundary(boundary) => boundary.to_owned(),
            other => {
                return Err(multipart_error(format!(
                    "Invalid boundary in multipart: {}",
                    other.unwrap_or("None")
                )));
            }
        };
        let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(body) });
        let mut multipart = multer::Multipart::new(stream, boundary);
        let mut pairs = Vec::new();
        loop {
            match multipart.next_field().await {
                Ok(Some(field)) => {
                    // Parts with a filename are files, which DRF keeps apart from the data.
                    let name = match (field.name(), field.file_name()) {
                        (Some(name), None) => name.to_owned(),
                        _ => continue,
                    };
                    let value = field
                        .text()
                        .await
                        .map_err(|error| multipart_error(error.to_string()))?;
                    pairs.push((name, value));
                }
                Ok(None) => break,
                Err(error) => return Err(multipart_error(error.to_string())),
            }
        }
        Ok(Self::from_pairs(pairs.into_iter()))
    }

    fn from_json(body: &[u8]) -> Result<Self, FormError> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|error| FormError::Malformed(format!("JSON parse error - {error}")))?;
        let mut object = match value {
            Value::Object(object) => object,
            Value::Null => return Err(FormError::NotAnObject("No data provided".to_owned())),
            other => {
                return Err(FormError::NotAnObject(format!(
                    "Invalid data. Expected a dictionary, but got {}.",
                    python_type_name(&other)
                )));
            }
        };
        let mut take = |name: &str| object.remove(name).map_or(Raw::Missing, Raw::Json);
        Ok(Fields {
            username: take("username"),
            password: take("password"),
        })
    }

    fn validate(self) -> Result<LoginForm, FormError> {
        let username = char_field(self.username, true);
        let password = char_field(self.password, false);
        match (username, password) {
            (Ok(username), Ok(password)) => Ok(LoginForm {
                username,
                password: Password::new(password),
            }),
            (username, password) => Err(FormError::Fields(FieldErrors {
                username: username.err().map(|message| [message]),
                password: password.err().map(|message| [message]),
            })),
        }
    }
}

/// DRF's `CharField(allow_blank=False, allow_null=False)` run on one value.
fn char_field(raw: Raw, trim_whitespace: bool) -> Result<String, &'static str> {
    let text = match raw {
        Raw::Missing => return Err(REQUIRED),
        Raw::Json(Value::Null) => return Err(NOT_NULL),
        Raw::Json(Value::String(text)) | Raw::Text(text) => text,
        Raw::Json(Value::Number(number)) => python_number_text(&number),
        Raw::Json(_) => return Err(NOT_A_STRING),
    };
    let text = if trim_whitespace {
        text.trim_matches(is_python_whitespace).to_owned()
    } else {
        text
    };
    if text.is_empty() {
        return Err(NOT_BLANK);
    }
    if text.contains('\0') {
        return Err(NO_NULL_CHARACTERS);
    }
    Ok(text)
}

/// How Python's `str()` writes a JSON number that DRF coerces to a string.
fn python_number_text(number: &serde_json::Number) -> String {
    match number.as_f64() {
        Some(float) if number.is_f64() && float.fract() == 0.0 && float.abs() < 1e16 => {
            format!("{float:.1}")
        }
        _ => number.to_string(),
    }
}

/// The Python type name DRF puts in "Expected a dictionary, but got ...".
fn python_type_name(value: &Value) -> &'static str {
    match value {
        Value::Array(_) => "list",
        Value::String(_) => "str",
        Value::Bool(_) => "bool",
        Value::Number(number) if number.is_f64() => "float",
        Value::Number(_) => "int",
        Value::Null => "NoneType",
        Value::Object(_) => "dict",
    }
}

fn multipart_error(message: String) -> FormError {
    FormError::Malformed(format!("Multipart form parse error - {message}"))
}

/// Python's `cgi.valid_boundary`: 1 to 201 printable ASCII characters, not ending in a space.
fn is_valid_boundary(boundary: &str) -> bool {
    let bytes = boundary.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 201
        && bytes.iter().all(|b| (b' '..=b'~').contains(b))
        && bytes.last() != Some(&b' ')
}

/// Header bytes as text the way WSGI hands them to Django (ISO-8859-1), so any byte survives.
fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn parse_json(body: &str) -> Result<LoginForm, FormError> {
        parse(Some(b"application/json"), Bytes::from(body.to_owned())).await
    }

    fn fields(username: Option<&'static str>, password: Option<&'static str>) -> FormError {
        FormError::Fields(FieldErrors {
            username: username.map(|m| [m]),
            password: password.map(|m| [m]),
        })
    }

    fn credentials(form: Result<LoginForm, FormError>) -> (String, Password) {
        let form = form.expect("valid form");
        (form.username, form.password)
    }

    #[tokio::test]
    async fn json_object_with_both_fields_is_valid() {
        let (username, password) =
            credentials(parse_json(r#"{"username":"admin","password":"pw","x":1}"#).await);
        assert_eq!(username, "admin");
        assert_eq!(password, Password::new("pw"));
    }

    #[tokio::test]
    async fn username_is_trimmed_and_password_is_not() {
        let (username, password) =
            credentials(parse_json(r#"{"username":"  admin\u001f ","password":" pw "}"#).await);
        assert_eq!(username, "admin");
        assert_eq!(password, Password::new(" pw "));
    }

    #[tokio::test]
    async fn missing_null_blank_and_non_string_fields_get_drfs_messages() {
        assert_eq!(
            parse_json("{}").await.unwrap_err(),
            fields(Some(REQUIRED), Some(REQUIRED))
        );
        assert_eq!(
            parse_json(r#"{"username":null,"password":""}"#)
                .await
                .unwrap_err(),
            fields(Some(NOT_NULL), Some(NOT_BLANK))
        );
        assert_eq!(
            parse_json(r#"{"username":"   ","password":"   "}"#)
                .await
                .unwrap_err(),
            fields(Some(NOT_BLANK), None)
        );
        for value in ["true", "[]", "{}", r#"["a"]"#] {
            let body = format!(r#"{{"username":{value},"password":"x"}}"#);
            assert_eq!(
                parse_json(&body).await.unwrap_err(),
                fields(Some(NOT_A_STRING), None),
                "{body}"
            );
        }
        assert_eq!(
            parse_json(r#"{"username":"a\u0000b","password":"x"}"#)
                .await
                .unwrap_err(),
            fields(Some(NO_NULL_CHARACTERS), None)
        );
    }

    #[tokio::test]
    async fn numbers_are_coerced_to_text_as_python_writes_them() {
        let (username, password) =
            credentials(parse_json(r#"{"username":42,"password":2.0}"#).await);
        assert_eq!(username, "42");
        assert_eq!(password, Password::new("2.0"));
    }

    #[tokio::test]
    async fn json_that_is_not_an_object_names_its_python_type() {
        for (body, name) in [
            ("[]", "list"),
            (r#""x""#, "str"),
            ("1", "int"),
            ("1.5", "float"),
            ("true", "bool"),
        ] {
            assert_eq!(
                parse_json(body).await.unwrap_err(),
                FormError::NotAnObject(format!(
                    "Invalid data. Expected a dictionary, but got {name}."
                )),
                "{body}"
            );
        }
        assert_eq!(
            parse_json("null").await.unwrap_err(),
            FormError::NotAnObject("No data provided".into())
        );
    }

    #[tokio::test]
    async fn malformed_json_is_a_parse_error() {
        for body in ["{", "{'username': 1}", "\u{feff}{}", "NaN"] {
            match parse_json(body).await {
                Err(FormError::Malformed(message)) => {
                    assert!(message.starts_with("JSON parse error - "), "{message}")
                }
                other => panic!("{body:?}: {other:?}"),
            }
        }
        match parse(Some(b"application/json"), Bytes::from_static(b"\xff\xfe")).await {
            Err(FormError::Malformed(message)) => {
                assert!(message.starts_with("JSON parse error - "))
            }
            other => panic!("{other:?}"),
        }
    }

    #[tokio::test]
    async fn urlencoded_fields_are_decoded_and_the_last_repeat_wins() {
        let body =
            Bytes::from_static(b"username=first&username=%20ad%6Din+&password=p%26w+x&other");
        let (username, password) = credentials(
            parse(
                Some(b"application/x-www-form-urlencoded; charset=utf-8"),
                body,
            )
            .await,
        );
        assert_eq!(username, "admin");
        assert_eq!(password, Password::new("p&w x"));
    }

    #[tokio::test]
    async fn urlencoded_empty_values_are_blank() {
        let body = Bytes::from_static(b"username=&password");
        assert_eq!(
            parse(Some(b"application/x-www-form-urlencoded"), body)
                .await
                .unwrap_err(),
            fields(Some(NOT_BLANK), Some(NOT_BLANK))
        );
    }

    #[tokio::test]
    async fn multipart_text_parts_are_fields_and_file_parts_are_not() {
        let body = "--XyZ\r\nContent-Disposition: form-data; name=\"username\"\r\n\r\nadmin\r\n\
                    --XyZ\r\nContent-Disposition: form-data; name=\"password\"; filename=\"p.txt\"\r\n\r\npw\r\n\
                    --XyZ--\r\n";
        assert_eq!(
            parse(
                Some(b"multipart/form-data; boundary=XyZ"),
                Bytes::from(body)
            )
            .await
            .unwrap_err(),
            fields(None, Some(REQUIRED))
        );
    }

    #[tokio::test]
    async fn multipart_without_boundary_says_so() {
        assert_eq!(
            parse(Some(b"multipart/form-data"), Bytes::from_static(b"x"))
                .await
                .unwrap_err(),
            FormError::Malformed(
                "Multipart form parse error - Invalid boundary in multipart: None".into()
            )
        );
    }

    #[tokio::test]
    async fn empty_body_has_no_fields_whatever_its_type() {
        for content_type in [None, Some(&b"text/plain"[..]), Some(b"application/json")] {
            assert_eq!(
                parse(content_type, Bytes::new()).await.unwrap_err(),
                fields(Some(REQUIRED), Some(REQUIRED))
            );
        }
    }

    #[tokio::test]
    async fn unsupported_types_quote_the_whole_header_value() {
        for content_type in [
            "text/plain",
            "application/xml",
            "application/vnd.api+json; charset=utf-8",
        ] {
            assert_eq!(
                parse(Some(content_type.as_bytes()), Bytes::from_static(b"{}"))
                    .await
                    .unwrap_err(),
                FormError::UnsupportedMediaType(content_type.to_owned())
            );
        }
        assert_eq!(
            parse(None, Bytes::from_static(b"{}")).await.unwrap_err(),
            FormError::UnsupportedMediaType(String::new())
        );
    }
}

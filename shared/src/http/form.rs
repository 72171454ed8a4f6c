//! Request bodies as DRF reads them: parsed by the endpoint's parsers (JSON,
//! x-www-form-urlencoded, multipart), the fields its serializer declares taken out ([`read`]),
//! each run through DRF's `CharField` ([`CharField`]), their errors gathered per field in the
//! serializer's order ([`FieldErrors`]), all with DRF's messages. The login body of
//! `ObtainAuthToken` ([`parse`]) is one such serializer; the other endpoints declare theirs
//! beside their work.

use bytes::Bytes;
use serde::Serialize;
use serde::ser::SerializeMap;
use serde_json::Value;

use crate::endpoint::LOGIN;
use crate::http::media::MediaType;
use crate::secrets::password::Password;
use crate::username::is_python_whitespace;

/// Largest body parsed, in bytes: Django's `DATA_UPLOAD_MAX_MEMORY_SIZE` (2.5 MiB). Parsing is
/// cheap next to argon2, and credentials that long are refused before any hashing anyway; this
/// bounds the memory and time one request can take.
pub const MAX_BODY_BYTES: usize = 2_621_440;

/// A login request that passed validation: a trimmed, non-blank username and a non-blank password.
#[derive(Debug)]
pub struct LoginForm {
    /// The username, with surrounding whitespace removed (DRF's `CharField` trims).
    pub username: String,
    /// The password, exactly as sent (`trim_whitespace=False`).
    pub password: Password,
}

/// Why a body was refused, one variant per DRF error shape.
#[derive(Debug, PartialEq, Eq)]
pub enum FormError {
    /// 413: the body is larger than [`MAX_BODY_BYTES`].
    TooLarge,
    /// 415: no parser handles the request's `Content-Type` (the full header value, or "").
    UnsupportedMediaType(String),
    /// 400 `{"detail": ...}`: the body could not be parsed (`JSON parse error - ...`).
    Malformed(String),
    /// 400 `{"non_field_errors": [...]}`: the body parsed, but not to an object; or its fields
    /// are each valid but do not go together.
    NonField(String),
    /// 400 `{"<field>": [...], ...}`: one or more fields are invalid.
    Fields(FieldErrors),
}

/// Messages per field, in the serializer's field order, as DRF writes them: a JSON object from
/// each invalid field's name to its messages; a valid field is omitted.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct FieldErrors(Vec<(&'static str, Vec<String>)>);

impl FieldErrors {
    /// The 400 of one invalid field.
    pub fn of(field: &'static str, messages: Vec<String>) -> FormError {
        let mut errors = Self::default();
        errors.add(field, messages);
        FormError::Fields(errors)
    }

    /// Records `field`'s messages (none: the field is valid).
    pub fn add(&mut self, field: &'static str, messages: Vec<String>) {
        if !messages.is_empty() {
            self.0.push((field, messages));
        }
    }

    /// The value of a field that passed its check; otherwise `None`, its message recorded.
    pub fn check<T>(&mut self, field: &'static str, outcome: Result<T, &'static str>) -> Option<T> {
        match outcome {
            Ok(value) => Some(value),
            Err(message) => {
                self.add(field, vec![message.to_owned()]);
                None
            }
        }
    }

    /// Whether no field is invalid.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok` if no field is invalid, otherwise the 400 that lists them.
    pub fn into_result(self) -> Result<(), FormError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(FormError::Fields(self))
        }
    }
}

impl Serialize for FieldErrors {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (field, messages) in &self.0 {
            map.serialize_entry(field, messages)?;
        }
        map.end()
    }
}

const REQUIRED: &str = "This field is required.";
const NOT_NULL: &str = "This field may not be null.";
const NOT_BLANK: &str = "This field may not be blank.";
const NOT_A_STRING: &str = "Not a valid string.";
const NO_NULL_CHARACTERS: &str = "Null characters are not allowed.";
const INVALID_EMAIL: &str = "Enter a valid email address.";

/// DRF's body parsers.
#[derive(Clone, Copy)]
enum Parser {
    Form,
    Multipart,
    Json,
}

impl Parser {
    /// The parser of a media type an endpoint lists ([`crate::endpoint::Endpoint::parses`]).
    fn for_media_type(media_type: &str) -> Option<Self> {
        match media_type {
            "application/x-www-form-urlencoded" => Some(Self::Form),
            "multipart/form-data" => Some(Self::Multipart),
            "application/json" => Some(Self::Json),
            _ => None,
        }
    }
}

/// Parses and validates a login body (DRF's `AuthTokenSerializer`). `content_type` is the raw
/// `Content-Type` header, if any. A body over [`MAX_BODY_BYTES`] is refused before anything
/// else.
pub async fn parse(content_type: Option<&[u8]>, body: Bytes) -> Result<LoginForm, FormError> {
    let mut fields = read(LOGIN.parses, content_type, body, &["username", "password"]).await?;
    let username = CharField::TRIMMED.required(fields.take("username"));
    let password = CharField::UNTRIMMED.required(fields.take("password"));
    match (username, password) {
        (Ok(username), Ok(password)) => Ok(LoginForm {
            username,
            password: Password::new(password),
        }),
        (username, password) => {
            let mut errors = FieldErrors::default();
            errors.check("username", username.map(drop));
            errors.check("password", password.map(drop));
            Err(FormError::Fields(errors))
        }
    }
}

/// Reads the fields `names` of a body with the first of `parsers` (media types, in the
/// endpoint's order) that handles its `Content-Type`; other fields are ignored. An empty body
/// has no fields, whatever its type, as DRF reads no stream for it. A body over
/// [`MAX_BODY_BYTES`] is refused before anything else.
pub async fn read(
    parsers: &[&str],
    content_type: Option<&[u8]>,
    body: Bytes,
    names: &[&'static str],
) -> Result<Fields, FormError> {
    if body.len() > MAX_BODY_BYTES {
        return Err(FormError::TooLarge);
    }
    let mut fields = Fields {
        values: names.iter().map(|name| (*name, Raw::Missing)).collect(),
    };
    if body.is_empty() {
        return Ok(fields);
    }
    let content_type = content_type.map(latin1).unwrap_or_default();
    let media = MediaType::parse(&content_type);
    let parser = parsers
        .iter()
        .find(|handled| MediaType::parse(handled).is_matched_by(&media))
        .and_then(|handled| Parser::for_media_type(handled))
        .ok_or(FormError::UnsupportedMediaType(content_type.clone()))?;
    match parser {
        Parser::Form => fields.set_pairs(
            form_urlencoded::parse(&body)
                .map(|(name, value)| (name.into_owned(), value.into_owned())),
        ),
        Parser::Multipart => fields.set_pairs(multipart_pairs(&media, body).await?.into_iter()),
        Parser::Json => fields.set_json(&body)?,
    }
    Ok(fields)
}

/// The fields a serializer declares, as the parser found them in a body.
pub struct Fields {
    values: Vec<(&'static str, Raw)>,
}

/// One field's value as the parser produced it.
#[derive(Debug, Default)]
pub enum Raw {
    /// Not in the body.
    #[default]
    Missing,
    /// A JSON value.
    Json(Value),
    /// A form's or multipart's text.
    Text(String),
}

impl Fields {
    /// The value of the field `name` (a declared one), leaving it missing.
    pub fn take(&mut self, name: &str) -> Raw {
        self.values
            .iter_mut()
            .find(|(declared, _)| *declared == name)
            .map(|(_, raw)| std::mem::take(raw))
            .unwrap_or_default()
    }

    fn set_pairs(&mut self, pairs: impl Iterator<Item = (String, String)>) {
        // Django's QueryDict: the last of repeated keys wins.
        for (name, value) in pairs {
            if let Some((_, raw)) = self
                .values
                .iter_mut()
                .find(|(declared, _)| *declared == name)
            {
                *raw = Raw::Text(value);
            }
        }
    }

    fn set_json(&mut self, body: &[u8]) -> Result<(), FormError> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|error| FormError::Malformed(format!("JSON parse error - {error}")))?;
        let mut object = match value {
            Value::Object(object) => object,
            Value::Null => return Err(FormError::NonField("No data provided".to_owned())),
            other => {
                return Err(FormError::NonField(format!(
                    "Invalid data. Expected a dictionary, but got {}.",
                    python_type_name(&other)
                )));
            }
        };
        for (name, raw) in &mut self.values {
            if let Some(value) = object.remove(*name) {
                *raw = Raw::Json(value);
            }
        }
        Ok(())
    }
}

/// The text parts of a multipart body, in order, as (name, value).
async fn multipart_pairs(
    media: &MediaType,
    body: Bytes,
) -> Result<Vec<(String, String)>, FormError> {
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
            Ok(None) => return Ok(pairs),
            Err(error) => return Err(multipart_error(error.to_string())),
        }
    }
}

/// DRF's `CharField(allow_null=False)`, with or without its whitespace trimming (on by default
/// in DRF), and blank or not (`allow_blank`, off by default).
#[derive(Debug, Clone, Copy)]
pub struct CharField {
    trim_whitespace: bool,
    allow_blank: bool,
}

impl CharField {
    /// DRF's default: surrounding whitespace removed before the checks.
    pub const TRIMMED: Self = Self {
        trim_whitespace: true,
        allow_blank: false,
    };
    /// `trim_whitespace=False`: the value as sent.
    pub const UNTRIMMED: Self = Self {
        trim_whitespace: false,
        allow_blank: false,
    };

    /// The field's value, or DRF's message when it is missing or invalid.
    pub fn required(self, raw: Raw) -> Result<String, &'static str> {
        self.optional(raw)?.ok_or(REQUIRED)
    }

    /// `required=False`: the field's value, `None` when it is missing, or DRF's message when it
    /// is invalid.
    pub fn optional(self, raw: Raw) -> Result<Option<String>, &'static str> {
        let text = self.text(raw)?;
        if text.as_deref().is_some_and(|text| text.contains('\0')) {
            return Err(NO_NULL_CHARACTERS);
        }
        Ok(text)
    }

    /// The value DRF's validators get (its null characters not checked yet: they are one of the
    /// validators): `None` when it is missing, or DRF's message when it is null, not a string or
    /// blank.
    pub fn text(self, raw: Raw) -> Result<Option<String>, &'static str> {
        let text = match raw {
            Raw::Missing => return Ok(None),
            Raw::Json(Value::Null) => return Err(NOT_NULL),
            Raw::Json(Value::String(text)) | Raw::Text(text) => text,
            Raw::Json(Value::Number(number)) => python_number_text(&number),
            Raw::Json(_) => return Err(NOT_A_STRING),
        };
        let text = if self.trim_whitespace {
            text.trim_matches(is_python_whitespace).to_owned()
        } else {
            text
        };
        if text.is_empty() && !self.allow_blank {
            return Err(NOT_BLANK);
        }
        Ok(Some(text))
    }
}

/// The email field of djoser's user serializer (from Django's `EmailField(blank=True)`): DRF's
/// `EmailField(allow_blank=True, max_length=254, required=False)`.
pub struct EmailField;

impl EmailField {
    /// The longest address Django's `EmailField` stores.
    pub const MAX_CHARS: usize = 254;

    /// The address, trimmed (`""`: none), `None` when the field is missing, or every message of
    /// DRF's validators that it fails, in their order (length, null characters, Django's
    /// `EmailValidator`).
    pub fn optional(raw: Raw) -> Result<Option<String>, Vec<String>> {
        let field = CharField {
            trim_whitespace: true,
            allow_blank: true,
        };
        // DRF's `EmailField` says "invalid" in its own words, for a value that is no text too.
        let text = field.text(raw).map_err(|message| match message {
            NOT_A_STRING => vec![INVALID_EMAIL.to_owned()],
            other => vec![other.to_owned()],
        })?;
        let Some(text) = text else {
            return Ok(None);
        };
        if text.is_empty() {
            // DRF runs no validator on an allowed blank.
            return Ok(Some(text));
        }
        let mut messages = Vec::new();
        if text.chars().count() > Self::MAX_CHARS {
            messages.push(format!(
                "Ensure this field has no more than {} characters.",
                Self::MAX_CHARS
            ));
        }
        if text.contains('\0') {
            messages.push(NO_NULL_CHARACTERS.to_owned());
        }
        if !crate::email::is_valid(&text) {
            messages.push(INVALID_EMAIL.to_owned());
        }
        if messages.is_empty() {
            Ok(Some(text))
        } else {
            Err(messages)
        }
    }

    /// [`EmailField::optional`] made required and not blank: the address an activation link
    /// goes to, where a missing or blank one would leave the user unable ever to activate.
    pub fn required_and_stored(raw: Raw) -> Result<String, Vec<String>> {
        match Self::optional(raw)? {
            None => Err(vec![REQUIRED.to_owned()]),
            Some(text) if text.is_empty() => Err(vec![NOT_BLANK.to_owned()]),
            Some(text) => Ok(text),
        }
    }

    /// DRF's `EmailField()` as djoser's reset serializers declare it: required, not blank, no
    /// length limit. The address, trimmed, or every message of its validators (null
    /// characters, Django's `EmailValidator`).
    pub fn required(raw: Raw) -> Result<String, Vec<String>> {
        let text = CharField::TRIMMED
            .text(raw)
            .map_err(|message| match message {
                NOT_A_STRING => vec![INVALID_EMAIL.to_owned()],
                other => vec![other.to_owned()],
            })?
            .ok_or_else(|| vec![REQUIRED.to_owned()])?;
        let mut messages = Vec::new();
        if text.contains('\0') {
            messages.push(NO_NULL_CHARACTERS.to_owned());
        }
        if !crate::email::is_valid(&text) {
            messages.push(INVALID_EMAIL.to_owned());
        }
        if messages.is_empty() {
            Ok(text)
        } else {
            Err(messages)
        }
    }
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
        let mut errors = FieldErrors::default();
        errors.add("username", username.map(String::from).into_iter().collect());
        errors.add("password", password.map(String::from).into_iter().collect());
        FormError::Fields(errors)
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
                FormError::NonField(format!(
                    "Invalid data. Expected a dictionary, but got {name}."
                )),
                "{body}"
            );
        }
        assert_eq!(
            parse_json("null").await.unwrap_err(),
            FormError::NonField("No data provided".into())
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

    /// djoser's views parse JSON first, then forms; their fields are any the view declares.
    const DEFAULT_PARSERS: &[&str] = &[
        "application/json",
        "application/x-www-form-urlencoded",
        "multipart/form-data",
    ];

    #[tokio::test]
    async fn any_declared_fields_are_read_and_others_ignored() {
        let names = &["new_password", "current_password"];
        let body = Bytes::from_static(br#"{"current_password":" a ","new_password":null,"x":1}"#);
        let mut fields = read(DEFAULT_PARSERS, Some(b"application/json"), body, names)
            .await
            .unwrap();
        assert_eq!(
            CharField::TRIMMED.required(fields.take("current_password")),
            Ok("a".to_owned())
        );
        assert_eq!(
            CharField::TRIMMED.required(fields.take("new_password")),
            Err(NOT_NULL)
        );
        assert!(matches!(fields.take("x"), Raw::Missing));
        let form = Bytes::from_static(b"new_password=n&current_password=c");
        let mut fields = read(
            DEFAULT_PARSERS,
            Some(b"application/x-www-form-urlencoded"),
            form,
            names,
        )
        .await
        .unwrap();
        assert_eq!(
            CharField::UNTRIMMED.optional(fields.take("new_password")),
            Ok(Some("n".to_owned()))
        );
        assert_eq!(CharField::TRIMMED.optional(Raw::Missing), Ok(None));
        assert_eq!(CharField::TRIMMED.required(Raw::Missing), Err(REQUIRED));
    }

    #[test]
    fn field_errors_keep_the_serializers_order() {
        let mut errors = FieldErrors::default();
        errors.check("password", Err::<(), _>(NOT_BLANK));
        errors.add("username", vec!["a".to_owned(), "b".to_owned()]);
        errors.add("email", Vec::new());
        assert_eq!(
            serde_json::to_string(&errors).unwrap(),
            r#"{"password":["This field may not be blank."],"username":["a","b"]}"#
        );
        assert!(FieldErrors::default().into_result().is_ok());
    }

    #[test]
    fn every_endpoints_media_types_have_a_parser() {
        for endpoint in crate::endpoint::ALL {
            for media_type in endpoint.parses {
                assert!(
                    Parser::for_media_type(media_type).is_some(),
                    "{}: {media_type}",
                    endpoint.path
                );
            }
        }
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

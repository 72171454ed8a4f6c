//! The requests the tests send and the answers they get, whichever app carries them (the
//! handlers in process, or `authtoken serve` over HTTP).

use serde_json::Value;

/// A request to send.
#[derive(Debug, Clone)]
pub struct TestRequest {
    /// The method, as sent (any bytes a test likes).
    pub method: String,
    /// The path, query included.
    pub path: String,
    /// Headers, with raw bytes as values.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body.
    pub body: Vec<u8>,
    /// The client's address as API Gateway reports it, for the apps that call the handlers
    /// (over HTTP it is the test's own, 127.0.0.1); `None`: not reported.
    pub source: Option<String>,
}

impl TestRequest {
    /// A request with no headers and no body.
    pub fn new(method: &str, path: &str) -> Self {
        Self {
            method: method.to_owned(),
            path: path.to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
            source: None,
        }
    }
    /// From the client address `source` (see [`TestRequest::source`]).
    pub fn from_source(mut self, source: &str) -> Self {
        self.source = Some(source.to_owned());
        self
    }
    /// A GET.
    pub fn get(path: &str) -> Self {
        Self::new("GET", path)
    }
    /// A POST.
    pub fn post(path: &str) -> Self {
        Self::new("POST", path)
    }
    /// Adds a header with raw bytes as its value.
    pub fn header(mut self, name: &str, value: impl AsRef<[u8]>) -> Self {
        self.headers
            .push((name.to_owned(), value.as_ref().to_vec()));
        self
    }
    /// `Authorization: Token <token>`.
    pub fn token(self, token: &str) -> Self {
        self.header("Authorization", format!("Token {token}"))
    }
    /// A body with the given `Content-Type`.
    pub fn body(self, content_type: &str, body: impl AsRef<[u8]>) -> Self {
        let mut request = self.header("Content-Type", content_type);
        request.body = body.as_ref().to_vec();
        request
    }
    /// A JSON body.
    pub fn json(self, value: &Value) -> Self {
        self.body("application/json", value.to_string())
    }
    /// A body with no `Content-Type`.
    pub fn raw_body(mut self, body: impl AsRef<[u8]>) -> Self {
        self.body = body.as_ref().to_vec();
        self
    }
}

/// An answer.
#[derive(Debug, Clone)]
pub struct TestResponse {
    /// The status code.
    pub status: u16,
    /// Headers, names in lower case, values as raw bytes.
    pub headers: Vec<(String, Vec<u8>)>,
    /// The body.
    pub body: Vec<u8>,
}

impl TestResponse {
    /// The value of a header (name in lower case), as text.
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(name))
            .map(|(_, value)| String::from_utf8_lossy(value).into_owned())
    }
    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|error| panic!("body is not JSON ({error}): {:?}", self.text()))
    }
    /// Asserts the status and the JSON body, and the headers every answer must have.
    #[track_caller]
    pub fn assert(&self, status: u16, body: Value) {
        assert_eq!(self.status, status, "status; body: {}", self.text());
        assert_eq!(self.json(), body, "body");
        self.assert_json_headers();
    }
    /// Asserts a 401 with `{"detail": message}` and `WWW-Authenticate: Token`.
    #[track_caller]
    pub fn assert_401(&self, message: &str) {
        self.assert(401, serde_json::json!({ "detail": message }));
        assert_eq!(self.header("www-authenticate").as_deref(), Some("Token"));
    }
    /// Asserts `{"detail": message}` with the given status.
    #[track_caller]
    pub fn assert_detail(&self, status: u16, message: &str) {
        self.assert(status, serde_json::json!({ "detail": message }));
    }
    /// Every answer is JSON, and only a 401 says `WWW-Authenticate`.
    #[track_caller]
    pub fn assert_json_headers(&self) {
        assert_eq!(
            self.header("content-type").as_deref(),
            Some("application/json")
        );
        assert_eq!(
            self.header("www-authenticate").is_some(),
            self.status == 401,
            "WWW-Authenticate"
        );
    }
}

//! The sample API Gateway events in `events/`, the answer each must get, and a runner that feeds
//! them to a real function binary under the [`RuntimeApi`] stand-in, against DynamoDB.
//!
//! An event belongs to the function its file name starts with: `events/whoami-token.json` is for
//! `whoami`, `events/authorizer-token.json` for the authorizer, which answers a decision rather
//! than an HTTP response. Events that carry a token use [`EVENT_TOKEN`], which the runner installs for
//! [`EVENT_USER`] before the first invocation.

use authtoken::clock;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use authtoken::accounts::rename::{self, Renaming};
use authtoken::authorizer::AuthorizerRequest;
use authtoken::manifest::settings::SEAL_SECRET;
use authtoken::secrets::password::Password;
use authtoken::secrets::token::TokenKey;
use authtoken::store::dynamo::DynamoStore;
use authtoken::store::memory::MemoryStore;
use authtoken::store::{NewToken, Revoked, Store, TOKENS_PER_STEP};
use authtoken::{admin, handlers};
use serde_json::Value;

use crate::dynamo;
use crate::runtime_api::{FunctionProcess, Launcher, Outcome, RuntimeApi};

/// The key in the events that present a token.
pub const EVENT_TOKEN: &str = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b";
/// The user the events log in as, and whose token [`EVENT_TOKEN`] is.
pub const EVENT_USER: (&str, &str) = ("admin", "correct horse battery staple");

/// What an answer's body must be.
#[derive(Debug, Clone, Copy)]
pub enum ExpectedBody {
    /// Exactly this JSON text.
    Exactly(&'static str),
    /// `{"token": <the event user's token>}`.
    Token,
    /// `{"auth_token": <the event user's token>}` (djoser's login).
    AuthToken,
    /// No body, and no `Content-Type` (a 204).
    Empty,
    /// `[{"digest": ..., "created": ..., "expiry": null, "current": true}]`: the event user's
    /// one session, the token the events present.
    OneSession,
    /// `{"detail": "<text starting with this>"}`.
    DetailStartingWith(&'static str),
}

/// What a function must answer an event.
#[derive(Debug, Clone, Copy)]
pub enum Expected {
    /// An HTTP answer (API Gateway payload 2.0 response): status and body.
    Http(u16, ExpectedBody),
    /// An authorizer's simple response: allowed with [`EVENT_USER`]'s name in its context
    /// (`true`), or denied with an empty context (`false`).
    Authorizer(bool),
    /// The mailer's answer to an SQS event: every record done, none to deliver again.
    QueueDone,
}

/// The answer each event must get: (event file stem, answer).
pub const EXPECTED: &[(&str, Expected)] = &[
    ("login-json", Expected::Http(200, ExpectedBody::Token)),
    ("login-form", Expected::Http(200, ExpectedBody::Token)),
    (
        "login-bad-credentials",
        Expected::Http(
            400,
            ExpectedBody::Exactly(
                r#"{"non_field_errors":["Unable to log in with provided credentials."]}"#,
            ),
        ),
    ),
    (
        "login-malformed-json",
        Expected::Http(400, ExpectedBody::DetailStartingWith("JSON parse error - ")),
    ),
    (
        "whoami-token",
        Expected::Http(200, ExpectedBody::Exactly(r#"{"username":"admin"}"#)),
    ),
    ("whoami-no-token", Expected::Http(401, NOT_AUTHENTICATED)),
    (
        "logout-token",
        Expected::Http(200, ExpectedBody::Exactly(r#"{"username":null}"#)),
    ),
    (
        "logoutall-token",
        Expected::Http(200, ExpectedBody::Exactly(r#"{"username":null}"#)),
    ),
    ("logoutall-no-token", Expected::Http(401, NOT_AUTHENTICATED)),
    (
        "tokenlogin-json",
        Expected::Http(200, ExpectedBody::AuthToken),
    ),
    (
        "tokenlogin-bad-credentials",
        Expected::Http(
            400,
            ExpectedBody::Exactly(
                r#"{"non_field_errors":["Unable to log in with provided credentials."]}"#,
            ),
        ),
    ),
    (
        "tokenlogout-no-token",
        Expected::Http(401, NOT_AUTHENTICATED),
    ),
    (
        "tokenlogout-token",
        Expected::Http(204, ExpectedBody::Empty),
    ),
    (
        "setpassword-common",
        Expected::Http(
            400,
            ExpectedBody::Exactly(
                r#"{"new_password":["This password is too common.","This password is entirely numeric."]}"#,
            ),
        ),
    ),
    (
        "setpassword-no-token",
        Expected::Http(401, NOT_AUTHENTICATED),
    ),
    (
        "setpassword-token",
        Expected::Http(204, ExpectedBody::Empty),
    ),
    (
        "setusername-no-token",
        Expected::Http(401, NOT_AUTHENTICATED),
    ),
    ("sessions-no-token", Expected::Http(401, NOT_AUTHENTICATED)),
    (
        "sessions-token",
        Expected::Http(200, ExpectedBody::OneSession),
    ),
    ("endsession-token", Expected::Http(204, ExpectedBody::Empty)),
    (
        "endsession-other",
        Expected::Http(404, ExpectedBody::Exactly(r#"{"detail":"Not found."}"#)),
    ),
    (
        "setusername-taken",
        Expected::Http(
            400,
            ExpectedBody::Exactly(
                r#"{"new_username":["A user with that username already exists."]}"#,
            ),
        ),
    ),
    (
        "setusername-token",
        Expected::Http(204, ExpectedBody::Empty),
    ),
    (
        "register-json",
        Expected::Http(
            201,
            ExpectedBody::Exactly(
                r#"{"email":"newcomer@example.com","username":"newcomer","id":2}"#,
            ),
        ),
    ),
    (
        "register-taken",
        Expected::Http(
            400,
            ExpectedBody::Exactly(r#"{"username":["A user with that username already exists."]}"#),
        ),
    ),
    (
        "register-weak",
        Expected::Http(
            400,
            ExpectedBody::Exactly(
                r#"{"password":["The password is too similar to the username."]}"#,
            ),
        ),
    ),
    (
        "me-bad-email",
        Expected::Http(
            400,
            ExpectedBody::Exactly(r#"{"email":["Enter a valid email address."]}"#),
        ),
    ),
    ("me-no-token", Expected::Http(401, NOT_AUTHENTICATED)),
    (
        "me-token",
        Expected::Http(
            200,
            ExpectedBody::Exactly(r#"{"email":"","id":1,"username":"admin"}"#),
        ),
    ),
    (
        "me-token-delete-wrong-password",
        Expected::Http(
            400,
            ExpectedBody::Exactly(r#"{"current_password":["Invalid password."]}"#),
        ),
    ),
    (
        "me-token-patch",
        Expected::Http(
            200,
            ExpectedBody::Exactly(r#"{"email":"admin@example.com","id":1,"username":"admin"}"#),
        ),
    ),
    (
        "resetpassword-json",
        Expected::Http(204, ExpectedBody::Empty),
    ),
    (
        "resetpassword-bad-email",
        Expected::Http(
            400,
            ExpectedBody::Exactly(r#"{"email":["Enter a valid email address."]}"#),
        ),
    ),
    (
        "resetconfirm-unknown-uid",
        Expected::Http(
            400,
            ExpectedBody::Exactly(r#"{"uid":["Invalid user id or user doesn't exist."]}"#),
        ),
    ),
    (
        "resetconfirm-weak",
        Expected::Http(
            400,
            ExpectedBody::Exactly(
                r#"{"new_password":["This password is too common.","This password is entirely numeric."]}"#,
            ),
        ),
    ),
    (
        "activation-unknown-uid",
        Expected::Http(
            400,
            ExpectedBody::Exactly(r#"{"uid":["Invalid user id or user doesn't exist."]}"#),
        ),
    ),
    (
        "resendactivation-json",
        Expected::Http(204, ExpectedBody::Empty),
    ),
    ("mailer-unknown-address", Expected::QueueDone),
    ("authorizer-token", Expected::Authorizer(true)),
    ("authorizer-unknown-token", Expected::Authorizer(false)),
    ("authorizer-malformed-header", Expected::Authorizer(false)),
    ("authorizer-no-header", Expected::Authorizer(false)),
    (
        "example-authorized",
        Expected::Http(200, ExpectedBody::Exactly(r#"{"username":"admin"}"#)),
    ),
    (
        "example-no-authorizer",
        Expected::Http(401, NOT_AUTHENTICATED),
    ),
];

/// The contract's 401 body for a request without token credentials.
const NOT_AUTHENTICATED: ExpectedBody =
    ExpectedBody::Exactly(r#"{"detail":"Authentication credentials were not provided."}"#);

/// The `events/` folder of the workspace.
pub fn events_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../events")
}

/// The file beside the events that holds `sam local invoke --env-vars` settings, not an event.
pub const ENV_VARS_FILE: &str = "env.json";

/// Every event file, as (stem, path), sorted by name.
pub fn event_files() -> Vec<(String, PathBuf)> {
    let mut files: Vec<(String, PathBuf)> = std::fs::read_dir(events_dir())
        .expect("read events/")
        .map(|entry| entry.expect("events/ entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "json"))
        .filter(|path| !path.ends_with(ENV_VARS_FILE))
        .map(|path| {
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            (stem, path)
        })
        .collect();
    files.sort();
    files
}

/// The function an event belongs to: its file name up to the first `-`.
pub fn function_of(stem: &str) -> &str {
    stem.split('-').next().unwrap_or(stem)
}

/// The answer expected for an event, if the table above lists it.
pub fn expected(stem: &str) -> Option<Expected> {
    EXPECTED
        .iter()
        .find(|(name, _)| *name == stem)
        .map(|(_, expected)| *expected)
}

/// `events/authorizer-no-header.json` (an authorizer request for the example route) with this
/// `Authorization` header, if any, as API Gateway would send it (the header is also the identity
/// source).
pub fn authorizer_request(authorization: Option<&[u8]>) -> AuthorizerRequest {
    let path = events_dir().join("authorizer-no-header.json");
    let mut request: AuthorizerRequest =
        serde_json::from_slice(&std::fs::read(path).expect("read the event")).expect("an event");
    if let Some(value) = authorization {
        let header = http::HeaderValue::from_bytes(value).expect("a header value");
        request.headers.insert(http::header::AUTHORIZATION, header);
        request.identity_source = Some(vec![String::from_utf8_lossy(value).into_owned()]);
    }
    request
}

/// Fresh DynamoDB tables holding [`EVENT_USER`] with [`EVENT_TOKEN`]: what the events expect.
pub async fn store_with_event_user() -> DynamoStore {
    let store = dynamo::fresh_store().await;
    add_event_user(&store).await;
    store
}

/// A memory store holding [`EVENT_USER`] with [`EVENT_TOKEN`].
pub async fn memory_store_with_event_user() -> MemoryStore {
    let store = MemoryStore::new();
    add_event_user(&store).await;
    store
}

async fn add_event_user(store: &impl Store) {
    let (username, password) = EVENT_USER;
    admin::create_user(store, username, Password::new(password), true)
        .await
        .expect("create the events' user");
    ensure_event_token(store).await;
}

/// The user the registration event creates.
pub const REGISTERED: &str = "newcomer";
/// The name the renaming event gives [`EVENT_USER`].
pub const RENAMED: &str = "administrator";

/// Makes sure [`EVENT_USER`] holds [`EVENT_TOKEN`] again (a logout event deletes it) under their
/// name (the renaming event changes it), and that the registration event's user does not exist
/// yet, so that any event can be sent again.
pub async fn ensure_event_token(store: &impl Store) {
    if let Some(registered) = store
        .user(REGISTERED)
        .await
        .expect("read the registered user")
    {
        assert!(store.delete_user(&registered).await.expect("delete it"));
    }
    if let Some(renamed) = store.user(RENAMED).await.expect("read the renamed user") {
        let renaming = rename::rename_user(store, &renamed, EVENT_USER.0);
        assert_eq!(renaming.await.expect("rename back"), Renaming::Renamed);
        // The key moved with them by its digest alone: revoke it, to install it anew below.
        let user = store
            .user(EVENT_USER.0)
            .await
            .expect("read")
            .expect("renamed back");
        let held = Revoked::held_by(&user, TOKENS_PER_STEP);
        assert!(
            store
                .revoke_tokens(EVENT_USER.0, &held)
                .await
                .expect("revoke")
        );
    }
    let user = store
        .user(EVENT_USER.0)
        .await
        .expect("read the events' user");
    if user.expect("the events' user").per_user_token.is_some() {
        return;
    }
    let token = NewToken {
        key: TokenKey::new(EVENT_TOKEN),
        created: clock::now(),
        expires: None,
    };
    assert!(crate::keys::install(store, EVENT_USER.0, &token).await);
}

/// The environment Lambda gives a function over `store`'s tables, with DynamoDB at `endpoint`
/// and SQS and SES at the local server (registration open and email on, as the stack deploys the registration's and the
/// password reset's functions only then).
pub fn function_env(store: &DynamoStore, endpoint: String) -> Vec<(&'static str, String)> {
    dynamo::ensure_seal_secret();
    vec![
        ("REGISTRATION", "open".to_owned()),
        ("EMAIL_FROM", crate::mail::SENDER.to_owned()),
        ("DOMAIN", crate::mail::FRONTEND.to_owned()),
        // SQS and SES at the local server itself, whatever stands in front of its DynamoDB.
        (
            "MAIL_QUEUE_URL",
            dynamo::mail_queue_url(&dynamo::endpoint()),
        ),
        ("AWS_ENDPOINT_URL_SQS", dynamo::endpoint()),
        ("AWS_ENDPOINT_URL_SESV2", dynamo::endpoint()),
        (SEAL_SECRET.var, dynamo::SEAL_SECRET_ID.to_owned()),
        ("AWS_ENDPOINT_URL_SECRETS_MANAGER", endpoint.clone()),
        ("USERS_TABLE", store.tables().users.clone()),
        ("TOKENS_TABLE", store.tables().tokens.clone()),
        ("LOCKOUTS_TABLE", store.tables().lockouts.clone()),
        ("AWS_ENDPOINT_URL_DYNAMODB", endpoint),
        ("AWS_REGION", dynamo::REGION.to_owned()),
        ("AWS_ACCESS_KEY_ID", "test".to_owned()),
        ("AWS_SECRET_ACCESS_KEY", "test".to_owned()),
    ]
}

/// What the stack sets besides [`function_env`] for `function`: `SEND_ACTIVATION_EMAIL=true` for
/// the functions it deploys only with it (the manifest's `SendsActivationEmail`), which answer
/// 404 without it.
pub fn deployed_settings(function: &str) -> Vec<(&'static str, String)> {
    let deployed_when =
        authtoken::manifest::Function::named(function).and_then(|declared| declared.deployed_when);
    if deployed_when == Some("SendsActivationEmail") {
        vec![("SEND_ACTIVATION_EMAIL", "true".to_owned())]
    } else {
        Vec::new()
    }
}

/// Runs every event of `function` through `binary` (a built function) under the Runtime API
/// stand-in, against fresh DynamoDB tables, and asserts each answer. Returns how many ran.
pub async fn run_through_function(function: &str, binary: &str) -> usize {
    run_events(function, &Launcher::native(), binary)
        .await
        .len()
}

/// Runs every event of `function` through `binary`, started by `launcher`, under the Runtime
/// API stand-in, against fresh DynamoDB tables; asserts each answer, then that the function
/// logged no secret. Returns one line per event saying what it got.
pub async fn run_events(function: &str, launcher: &Launcher, binary: &str) -> Vec<String> {
    let store = store_with_event_user().await;
    let api = RuntimeApi::start().await;
    let mut env = function_env(&store, dynamo::endpoint());
    env.extend(deployed_settings(function));
    let process = FunctionProcess::spawn_with(launcher, binary, &api, &env);

    let events: Vec<_> = event_files()
        .into_iter()
        .filter(|(stem, _)| function_of(stem) == function)
        .collect();
    assert!(!events.is_empty(), "no events/{function}-*.json");
    let mut report = Vec::new();
    for (stem, path) in &events {
        let event = std::fs::read(path).expect("read event");
        let sent = Instant::now();
        let outcome = api
            .invoke(&event, Duration::from_secs(30))
            .await
            .unwrap_or_else(|error| panic!("{stem}: {error}; log: {:#?}", process.log()));
        let Outcome::Response(output) = outcome else {
            panic!("{stem}: the function reported an error: {outcome:?}");
        };
        let got = check_output(stem, &output);
        report.push(format!(
            "{stem}: {got} as expected ({} ms)",
            sent.elapsed().as_millis()
        ));
    }
    let digest = TokenKey::new(EVENT_TOKEN).digest();
    assert_no_secrets(
        &process.log(),
        &[
            EVENT_USER.1,
            EVENT_TOKEN,
            digest.as_str(),
            dynamo::SEAL_SECRET_TEXT,
        ],
    );
    report
}

/// Asserts that no log line holds a secret; on failure, describes the offending lines by their
/// span and message, never by their content.
pub fn assert_no_secrets(log: &[String], secrets: &[&str]) {
    let leaks: Vec<String> = log
        .iter()
        .filter(|line| secrets.iter().any(|secret| line.contains(secret)))
        .map(|line| {
            let entry: Value = serde_json::from_str(line).unwrap_or_default();
            format!(
                "span {:?}, message {:?}",
                entry
                    .pointer("/span/name")
                    .and_then(Value::as_str)
                    .unwrap_or("-"),
                entry
                    .pointer("/fields/message")
                    .and_then(Value::as_str)
                    .unwrap_or("-")
            )
        })
        .collect();
    assert!(leaks.is_empty(), "secrets reached the log from: {leaks:?}");
}

/// An answer as the checks read it, from a function's API Gateway output or a handler's response.
#[derive(Debug)]
pub struct Answer {
    /// The status code.
    pub status: u16,
    /// The `Content-Type` header.
    pub content_type: Option<String>,
    /// The `WWW-Authenticate` header.
    pub www_authenticate: Option<String>,
    /// The body, as text.
    pub body: String,
}

impl Answer {
    /// Reads a function's API Gateway (payload 2.0) answer; it must not be base64.
    pub fn from_function_output(stem: &str, output: &[u8]) -> Self {
        let answer: Value = serde_json::from_slice(output)
            .unwrap_or_else(|error| panic!("{stem}: answer is not JSON: {error}"));
        assert_eq!(answer["isBase64Encoded"], false, "{stem}: {answer}");
        let header = |name: &str| answer["headers"][name].as_str().map(str::to_owned);
        Self {
            status: answer["statusCode"]
                .as_u64()
                .and_then(|status| u16::try_from(status).ok())
                .unwrap_or_else(|| panic!("{stem}: no statusCode: {answer}")),
            content_type: header("content-type"),
            www_authenticate: header("www-authenticate"),
            // An empty answer (a 204) has no body at all.
            body: match &answer["body"] {
                Value::Null => String::new(),
                body => body
                    .as_str()
                    .unwrap_or_else(|| panic!("{stem}: a body that is not text: {answer}"))
                    .to_owned(),
            },
        }
    }

    /// Reads a handler's response.
    pub fn from_response(response: http::Response<lambda_http::Body>) -> Self {
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
        };
        let (content_type, www_authenticate) = (header("content-type"), header("www-authenticate"));
        let status = response.status().as_u16();
        let body = handlers::body_bytes(response.into_body());
        Self {
            status,
            content_type,
            www_authenticate,
            body: String::from_utf8_lossy(&body).into_owned(),
        }
    }
}

/// Asserts that a function's output is what the event `stem` must get (see [`EXPECTED`]);
/// returns what it was, in a word or two, for a report.
pub fn check_output(stem: &str, output: &[u8]) -> String {
    match expected(stem) {
        Some(Expected::QueueDone) => {
            let answer: Value = serde_json::from_slice(output)
                .unwrap_or_else(|error| panic!("{stem}: answer is not JSON: {error}"));
            assert_eq!(
                answer,
                serde_json::json!({ "batchItemFailures": [] }),
                "{stem}"
            );
            "done".to_owned()
        }
        Some(Expected::Authorizer(allowed)) => {
            let decision: Value = serde_json::from_slice(output)
                .unwrap_or_else(|error| panic!("{stem}: answer is not JSON: {error}"));
            check_decision(stem, &decision, allowed);
            if allowed { "allowed" } else { "denied" }.to_owned()
        }
        _ => {
            let answer = Answer::from_function_output(stem, output);
            check_answer(stem, &answer);
            answer.status.to_string()
        }
    }
}

/// Asserts that an authorizer's simple response is what the event `stem` must get: exactly
/// `{"isAuthorized": true, "context": {"username": <the event user>}}` or
/// `{"isAuthorized": false, "context": {}}`.
pub fn check_decision(stem: &str, decision: &Value, allowed: bool) {
    let context = if allowed {
        serde_json::json!({ "username": EVENT_USER.0 })
    } else {
        serde_json::json!({})
    };
    assert_eq!(
        decision,
        &serde_json::json!({ "isAuthorized": allowed, "context": context }),
        "{stem}"
    );
}

/// Asserts that `answer` is what the event `stem` must get (see [`EXPECTED`]).
pub fn check_answer(stem: &str, answer: &Answer) {
    let Some(Expected::Http(status, expected)) = expected(stem) else {
        panic!("events/{stem}.json has no expected HTTP answer");
    };
    assert_eq!(answer.status, status, "{stem}: {answer:?}");
    let content_type = match expected {
        ExpectedBody::Empty => None,
        _ => Some("application/json"),
    };
    assert_eq!(
        answer.content_type.as_deref(),
        content_type,
        "{stem}: {answer:?}"
    );
    assert_eq!(
        answer.www_authenticate.as_deref(),
        (status == 401).then_some("Token"),
        "{stem}: {answer:?}"
    );
    let body = answer.body.as_str();
    match expected {
        ExpectedBody::Exactly(text) => assert_eq!(body, text, "{stem}"),
        ExpectedBody::Token => {
            assert_eq!(body, format!(r#"{{"token":"{EVENT_TOKEN}"}}"#), "{stem}")
        }
        ExpectedBody::AuthToken => assert_eq!(
            body,
            format!(r#"{{"auth_token":"{EVENT_TOKEN}"}}"#),
            "{stem}"
        ),
        ExpectedBody::Empty => assert_eq!(body, "", "{stem}"),
        ExpectedBody::OneSession => {
            let sessions: Value = serde_json::from_str(body).expect("JSON body");
            let digest = TokenKey::new(EVENT_TOKEN).digest();
            assert_eq!(sessions.as_array().map(Vec::len), Some(1), "{stem}: {body}");
            assert_eq!(sessions[0]["digest"], digest.short(), "{stem}: {body}");
            assert_eq!(sessions[0]["current"], true, "{stem}: {body}");
            assert_eq!(sessions[0]["expiry"], Value::Null, "{stem}: {body}");
            assert!(sessions[0]["created"].is_string(), "{stem}: {body}");
        }
        ExpectedBody::DetailStartingWith(prefix) => {
            let body: Value = serde_json::from_str(body).expect("JSON body");
            let detail = body["detail"].as_str().unwrap_or_default();
            assert!(detail.starts_with(prefix), "{stem}: {body}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use authtoken::manifest::Function;

    #[test]
    fn every_event_has_a_function_and_an_expected_answer() {
        let files = event_files();
        assert!(!files.is_empty());
        for (stem, _) in &files {
            let function = function_of(stem);
            assert!(
                Function::named(function).is_some(),
                "events/{stem}.json names no function"
            );
            assert!(
                expected(stem).is_some(),
                "events/{stem}.json has no expected answer"
            );
        }
        for (stem, _) in EXPECTED {
            assert!(
                files.iter().any(|(file, _)| file == stem),
                "no events/{stem}.json"
            );
        }
        for function in authtoken::manifest::FUNCTIONS {
            assert!(
                function_of(function.bench_event) == function.binary
                    && expected(function.bench_event).is_some(),
                "{}'s benchmark event events/{}.json is not one of its events",
                function.binary,
                function.bench_event
            );
        }
    }

    #[test]
    fn every_endpoint_event_is_an_http_api_request_for_its_function() {
        for (stem, path) in event_files() {
            let text = std::fs::read_to_string(&path).unwrap();
            let event: Value = serde_json::from_str(&text).unwrap();
            // The mailer's are SQS events (scripts/check_template.py checks their records).
            if expected(&stem).is_some_and(|answer| matches!(answer, Expected::QueueDone)) {
                assert!(event["Records"].is_array(), "{stem}: an SQS event");
                continue;
            }
            assert_eq!(event["version"], "2.0", "{stem}: payload format 2.0");
            // The others' routes are in template.yaml: scripts/check_template.py checks them.
            let Some(endpoint) = authtoken::endpoint::Endpoint::for_function(function_of(&stem))
            else {
                continue;
            };
            // API Gateway routes the path without its trailing slash; clients may send either.
            let route = endpoint.path;
            let raw_path = event["rawPath"].as_str().unwrap();
            assert!(endpoint.serves(raw_path), "{stem}: rawPath {raw_path}");
            assert_eq!(event["routeKey"], format!("ANY {route}"), "{stem}");
        }
    }
}

//! Property tests: arbitrary bytes into the header parser, the body parser, the handlers and the
//! authorizer. None may panic, every answer is one the contract allows, as JSON, and the
//! authorizer allows nothing but the key it issued.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed expectation is the test's failure, reported where it happened"
)]

use authtoken::Ctx;
use authtoken::authorizer;
use authtoken::clock;
use authtoken::config::Settings;
use authtoken::endpoint;
use authtoken::handlers;
use authtoken::http::form::{self, FormError};
use authtoken::http::header::{self, Credentials, HeaderError};
use authtoken::secrets::token::TokenKey;
use authtoken::store::memory::MemoryStore;
use authtoken::store::{NewToken, Store};
use bytes::Bytes;
use lambda_http::Body;
use proptest::prelude::*;
use testkit::app::ADMIN;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// ASCII whitespace as Python's `bytes.split()` sees it.
fn is_split_byte(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

fn any_json() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        ".{0,20}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(2, 8, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            proptest::collection::hash_map(".{0,5}", inner, 0..4)
                .prop_map(|map| serde_json::Value::Object(map.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_header_bytes_parse_without_panic_into_a_clean_key_or_a_drf_error(
        value in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        match header::parse(Some(&value)) {
            Ok(Credentials::Key(key)) => {
                let key = key.expose();
                prop_assert!(!key.is_empty());
                prop_assert!(!key.bytes().any(is_split_byte));
            }
            Ok(Credentials::Absent) => {}
            Err(HeaderError::NoCredentials | HeaderError::ContainsSpaces | HeaderError::InvalidCharacters) => {}
        }
    }

    #[test]
    fn a_token_header_yields_exactly_its_key(
        keyword in "[Tt][Oo][Kk][Ee][Nn]",
        separator in "[ \t]{1,3}",
        key in "[^ \t\n\r\u{b}\u{c}]{1,60}",
    ) {
        let value = format!("{keyword}{separator}{key}");
        prop_assert_eq!(
            header::parse(Some(value.as_bytes())),
            Ok(Credentials::Key(TokenKey::new(key)))
        );
    }

    #[test]
    fn any_body_under_any_content_type_parses_without_panic(
        content_type in prop_oneof![
            Just(None),
            Just(Some(b"application/json".to_vec())),
            Just(Some(b"application/x-www-form-urlencoded".to_vec())),
            Just(Some(b"multipart/form-data; boundary=X".to_vec())),
            proptest::collection::vec(any::<u8>(), 0..40).prop_map(Some),
        ],
        body in proptest::collection::vec(any::<u8>(), 0..300),
    ) {
        let outcome = runtime().block_on(form::parse(content_type.as_deref(), Bytes::from(body)));
        match outcome {
            Ok(form) => prop_assert!(!form.username.is_empty() && form.username.trim() == form.username),
            Err(FormError::Fields(errors)) => prop_assert!(!errors.is_empty()),
            Err(FormError::Malformed(message)) => prop_assert!(
                message.starts_with("JSON parse error - ")
                    || message.starts_with("Multipart form parse error - ")
            ),
            Err(FormError::NonField(_) | FormError::UnsupportedMediaType(_)) => {}
            Err(FormError::TooLarge) => prop_assert!(false, "a body of at most 300 bytes is not too large"),
        }
    }

    #[test]
    fn arbitrary_json_values_as_fields_get_a_field_answer(
        username in any_json(),
        password in any_json(),
    ) {
        let body = serde_json::json!({ "username": username, "password": password }).to_string();
        let outcome = runtime().block_on(form::parse(Some(b"application/json"), Bytes::from(body)));
        prop_assert!(matches!(outcome, Ok(_) | Err(FormError::Fields(_))), "{:?}", outcome);
    }
}

/// Every status the endpoints may answer with while the store works.
const CONTRACT_STATUSES: &[u16] = &[200, 400, 401, 404, 405, 406, 413, 415];

proptest! {
    // A case may verify a password (tens of milliseconds): fewer cases.
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn any_request_to_the_handlers_gets_a_contract_answer_as_json(
        method in prop_oneof![Just("GET"), Just("POST"), Just("PUT"), Just("DELETE"), Just("HEAD"), Just("OPTIONS"), Just("PATCH")],
        path in prop_oneof![prop::sample::select(endpoint::ALL.map(|e| e.slashed_path()).to_vec()), prop::sample::select(endpoint::ALL.map(|e| e.path.to_owned()).to_vec()), "/[a-z/-]{0,20}"],
        authorization in proptest::option::of(proptest::collection::vec(0x20u8..0x7f, 0..60)),
        content_type in proptest::option::of("[ -~]{0,40}"),
        accept in proptest::option::of(prop_oneof![Just("application/json".to_owned()), Just("text/html".to_owned()), "[ -~]{0,30}"]),
        body in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let rt = runtime();
        let ctx = rt.block_on(async {
            let ctx = Ctx::new(MemoryStore::new(), Settings::default());
            assert!(ctx.store.create_user(&testkit::app::seeded_user(ADMIN.0)).await.unwrap());
            ctx
        });
        let mut request = http::Request::builder().method(method).uri(path.as_str());
        if let Some(value) = &authorization {
            request = request.header("Authorization", http::HeaderValue::from_bytes(value).unwrap());
        }
        if let Some(value) = &content_type {
            request = request.header("Content-Type", value.as_str());
        }
        if let Some(value) = &accept {
            request = request.header("Accept", value.as_str());
        }
        let body = if body.is_empty() { Body::Empty } else { Body::Binary(body) };
        let response = rt.block_on(handlers::route(&ctx, request.body(body).unwrap()));
        let status = response.status().as_u16();
        prop_assert!(CONTRACT_STATUSES.contains(&status), "status {}", status);
        prop_assert_eq!(response.headers()["content-type"].as_bytes(), b"application/json");
        prop_assert_eq!(response.headers().contains_key("www-authenticate"), status == 401);
        let body = handlers::body_bytes(response.into_body());
        prop_assert!(serde_json::from_slice::<serde_json::Value>(&body).is_ok(), "not JSON: {:?}", body);
    }
}

/// The key the authorizer's property test issues.
const ISSUED: &str = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b";

/// Header values near the issued key (its keyword in any case, any separator, the key exact or
/// altered, something after it) and arbitrary bytes.
fn authorization_values() -> impl Strategy<Value = Vec<u8>> {
    let near_the_key = (
        "[Tt][Oo][Kk][Ee][Nn]",
        "[ \t]{0,3}",
        prop_oneof![
            Just(ISSUED.to_owned()),
            Just(ISSUED.to_uppercase()),
            Just(ISSUED[..39].to_owned()),
            Just(format!("{ISSUED}0")),
        ],
        prop_oneof![Just(String::new()), "[ \t]{1,2}", "[ \t][ -~]{1,5}"],
    )
        .prop_map(|(keyword, separator, key, suffix)| {
            format!("{keyword}{separator}{key}{suffix}").into_bytes()
        });
    let arbitrary =
        proptest::collection::vec(prop_oneof![0x20u8..0x7f, 0x80u8..=0xff, Just(b'\t')], 0..80);
    prop_oneof![near_the_key, arbitrary]
}

proptest! {
    // Each case makes a store and a user: fewer cases.
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn the_authorizer_allows_exactly_the_issued_key(
        authorization in proptest::option::of(authorization_values()),
    ) {
        let rt = runtime();
        let store = rt.block_on(async {
            let store = MemoryStore::new();
            assert!(store.create_user(&testkit::app::seeded_user(ADMIN.0)).await.unwrap());
            let token = NewToken { key: TokenKey::new(ISSUED), created: clock::now(), expires: None };
            assert!(testkit::keys::install(&store, "admin", &token).await);
            store
        });
        let request = testkit::events::authorizer_request(authorization.as_deref());
        let decision = rt.block_on(authorizer::authorize(&store, &Settings::default(), &request)).unwrap();
        let presents_the_key = authorization.as_deref().is_some_and(|value| {
            header::parse(Some(value)) == Ok(Credentials::Key(TokenKey::new(ISSUED)))
        });
        prop_assert_eq!(decision.is_authorized, presents_the_key);
        prop_assert_eq!(decision.context.username.as_deref(), presents_the_key.then_some("admin"));
    }
}

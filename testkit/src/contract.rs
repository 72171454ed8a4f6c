//! The contract's cases (docs/API.md), each a function of the app it runs on, so that the
//! same case runs on the handlers over the memory store and over DynamoDB (`cargo test -p
//! authtoken`) and through `authtoken serve` over HTTP (the CLI's tests), with
//! [`contract_suite!`](crate::contract_suite).

use std::time::Duration;

use authtoken::config::Settings;
use serde_json::json;

use crate::app::{ADMIN, BOB, CAROL, TestApp, TestRequest};

/// Declares, in a module named `$module`, one test per contract case, each on an app that
/// `$make` builds from the settings (`async fn(Settings) -> TestApp`), e.g.
/// `testkit::contract_suite!(memory, testkit::app::TestApp::memory);`: DRF's contract, under
/// the per-user policy. `contract_suite!(per_login MODULE, MAKE)` declares the cases that hold
/// under the per-login policy too (all but the three on login's answer, which the policy suite
/// has in knox's form).
#[macro_export]
macro_rules! contract_suite {
    ($module:ident, $make:expr) => {
        $crate::contract_suite!(@with_common $module, $make, $crate::app::drf_settings;
            login_with_json_returns_a_40_hex_token,
            login_again_in_any_encoding_returns_the_same_token,
            username_is_trimmed_but_password_is_not,
        );
    };
    (per_login $module:ident, $make:expr) => {
        $crate::contract_suite!(@with_common $module, $make, $crate::policy::per_login;);
    };
    (@with_common $module:ident, $make:expr, $settings:path; $($only:ident,)*) => {
        $crate::contract_suite!(@suite $module, $make, $settings; $($only,)*
            login_with_a_form_or_multipart_returns_a_token,
            bad_credentials_get_one_indistinguishable_400,
            very_long_credentials_are_refused_as_bad_credentials,
            oversized_bodies_are_refused_with_413,
            extra_fields_are_ignored,
            missing_fields_are_required,
            no_data_at_all_means_both_fields_are_required,
            blank_fields_are_refused,
            null_fields_are_refused,
            non_string_fields_are_refused,
            null_characters_are_refused,
            json_that_is_not_an_object_is_refused_with_its_type,
            json_null_means_no_data,
            malformed_json_is_a_parse_error,
            multipart_without_boundary_is_a_parse_error,
            other_content_types_are_unsupported,
            a_body_without_content_type_is_unsupported,
            content_type_matching_ignores_case_and_parameters,
            login_refuses_other_methods,
            login_ignores_the_authorization_header,
            login_refuses_an_unacceptable_accept_header,
            form_with_repeated_keys_uses_the_last,
            missing_or_foreign_credentials_are_not_provided,
            token_keyword_alone_has_no_credentials,
            token_with_spaces_is_refused,
            token_with_invalid_characters_is_refused,
            unknown_keys_are_invalid_tokens,
            keyword_case_and_whitespace_are_flexible,
            whoami_returns_the_username,
            logout_deletes_the_token,
            logout_twice_fails_the_second_time,
            logout_spares_other_users_and_login_after_it_gives_a_new_token,
            logout_never_reads_its_body,
            wrong_method_with_a_valid_token_is_405_and_spares_the_token,
            wrong_method_without_credentials_is_401,
            paths_work_without_the_trailing_slash,
            options_answers_with_the_allowed_methods,
            unknown_paths_are_404_json,
            every_answer_carries_djangos_security_headers,
        );
    };
    (@suite $module:ident, $make:expr, $settings:path; $($name:ident,)*) => {
        mod $module {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let app = ($make)($settings()).await;
                    $crate::contract::$name(app).await
                }
            )*
        }
    };
}

/// Lifetime of tokens in the expiry case. Expiry is by whole seconds, so a token lives between
/// `TTL - 1` and `TTL` seconds: at least two, ample for the checks made before it expires.
pub const TTL_SECONDS: u64 = 3;

/// Tokens that expire [`TTL_SECONDS`] after they are issued, for the expiry case.
pub fn short_lived_tokens() -> Settings {
    Settings {
        token_ttl_seconds: Some(TTL_SECONDS),
        ..crate::app::drf_settings()
    }
}

const UNABLE: &str = "Unable to log in with provided credentials.";
const REQUIRED: &str = "This field is required.";
const BLANK: &str = "This field may not be blank.";

fn unable() -> serde_json::Value {
    json!({ "non_field_errors": [UNABLE] })
}

fn login_json(body: serde_json::Value) -> TestRequest {
    TestRequest::post("/api-token-auth/").json(&body)
}

fn admin_json() -> serde_json::Value {
    json!({ "username": ADMIN.0, "password": ADMIN.1 })
}

fn multipart(fields: &[(&str, &str)]) -> (String, String) {
    let boundary = "----authtoken-test-boundary";
    let mut body = String::new();
    for (name, value) in fields {
        body.push_str(&format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    (format!("multipart/form-data; boundary={boundary}"), body)
}

// ---- Section 2: login ----

/// Login with json returns a 40 hex token.
pub async fn login_with_json_returns_a_40_hex_token(app: TestApp) {
    let response = app.send(login_json(admin_json())).await;
    assert_eq!(response.status, 200, "{}", response.text());
    response.assert_json_headers();
    let token = response.json()["token"].as_str().unwrap().to_owned();
    assert_eq!(token.len(), 40);
    assert!(
        token
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{token}"
    );
    assert_eq!(
        response.text(),
        format!("{{\"token\":\"{token}\"}}"),
        "compact JSON"
    );
    assert_eq!(response.header("allow").as_deref(), Some("POST, OPTIONS"));
    assert_eq!(
        response.header("cache-control").as_deref(),
        Some("no-store")
    );
    assert_eq!(response.header("vary"), None);
}

/// Login with a form or multipart returns a token.
pub async fn login_with_a_form_or_multipart_returns_a_token(app: TestApp) {
    let form = TestRequest::post("/api-token-auth/").body(
        "application/x-www-form-urlencoded",
        "username=bob&password=bob%27s+password",
    );
    let by_form = app.send(form).await;
    assert_eq!(by_form.status, 200, "{}", by_form.text());
    let (content_type, body) = multipart(&[("username", ADMIN.0), ("password", ADMIN.1)]);
    let by_multipart = app
        .send(TestRequest::post("/api-token-auth/").body(&content_type, body))
        .await;
    assert_eq!(by_multipart.status, 200, "{}", by_multipart.text());
    assert_ne!(
        by_form.json()["token"],
        by_multipart.json()["token"],
        "different users, different tokens"
    );
}

/// Login again in any encoding returns the same token.
pub async fn login_again_in_any_encoding_returns_the_same_token(app: TestApp) {
    let first = app.login(ADMIN).await;
    let form = app
        .send(TestRequest::post("/api-token-auth/").body(
            "application/x-www-form-urlencoded",
            "username=admin&password=password",
        ))
        .await;
    form.assert(200, json!({ "token": first }));
    let (content_type, body) = multipart(&[("username", "admin"), ("password", "password")]);
    let multi = app
        .send(TestRequest::post("/api-token-auth/").body(&content_type, body))
        .await;
    multi.assert(200, json!({ "token": first }));
    assert_eq!(app.login(ADMIN).await, first);
}

/// Bad credentials get one indistinguishable 400.
pub async fn bad_credentials_get_one_indistinguishable_400(app: TestApp) {
    for body in [
        json!({ "username": "admin", "password": "wrong" }),
        json!({ "username": "nobody", "password": "password" }),
        json!({ "username": CAROL.0, "password": CAROL.1 }),
        json!({ "username": CAROL.0, "password": "wrong" }),
        json!({ "username": "ADMIN", "password": "password" }),
    ] {
        let response = app.send(login_json(body.clone())).await;
        assert_eq!(response.status, 400, "{body}");
        response.assert(400, unable());
        assert_eq!(
            response.header("cache-control").as_deref(),
            Some("no-store")
        );
    }
}

/// Username is trimmed but password is not.
pub async fn username_is_trimmed_but_password_is_not(app: TestApp) {
    let token = app.login(ADMIN).await;
    app.send(login_json(
        json!({ "username": "  admin  ", "password": "password" }),
    ))
    .await
    .assert(200, json!({ "token": token }));
    for password in [" password ", "password ", "   "] {
        app.send(login_json(
            json!({ "username": "admin", "password": password }),
        ))
        .await
        .assert(400, unable());
    }
}

/// Very long credentials are refused as bad credentials.
pub async fn very_long_credentials_are_refused_as_bad_credentials(app: TestApp) {
    let long = "a".repeat(10_000);
    for body in [
        json!({ "username": long, "password": "password" }),
        json!({ "username": "admin", "password": long }),
    ] {
        app.send(login_json(body)).await.assert(400, unable());
    }
}

/// Oversized bodies are refused with 413.
pub async fn oversized_bodies_are_refused_with_413(app: TestApp) {
    // A megabyte password fits the body limit: refused like any wrong password, with no hashing.
    let megabyte = "p".repeat(1 << 20);
    app.send(login_json(
        json!({ "username": "admin", "password": megabyte }),
    ))
    .await
    .assert(400, unable());
    let limit = authtoken::http::form::MAX_BODY_BYTES;
    let oversized = format!(
        "{{\"username\":\"admin\",\"password\":\"{}\"}}",
        "p".repeat(limit)
    );
    app.send(TestRequest::post("/api-token-auth/").body("application/json", oversized))
        .await
        .assert_detail(413, &format!("Request body is larger than {limit} bytes."));
}

/// Extra fields are ignored.
pub async fn extra_fields_are_ignored(app: TestApp) {
    let response = app
        .send(login_json(
            json!({ "username": "admin", "password": "password", "remember": true, "x": [1] }),
        ))
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
}

/// Missing fields are required.
pub async fn missing_fields_are_required(app: TestApp) {
    app.send(login_json(json!({ "username": "admin" })))
        .await
        .assert(400, json!({ "password": [REQUIRED] }));
    app.send(login_json(json!({ "password": "password" })))
        .await
        .assert(400, json!({ "username": [REQUIRED] }));
    let both = app.send(login_json(json!({}))).await;
    both.assert(
        400,
        json!({ "username": [REQUIRED], "password": [REQUIRED] }),
    );
    assert!(
        both.text().starts_with("{\"username\""),
        "username first: {}",
        both.text()
    );
}

/// No data at all means both fields are required.
pub async fn no_data_at_all_means_both_fields_are_required(app: TestApp) {
    let both = json!({ "username": [REQUIRED], "password": [REQUIRED] });
    let requests = [
        TestRequest::post("/api-token-auth/").body("application/json", ""),
        TestRequest::post("/api-token-auth/"),
        TestRequest::post("/api-token-auth/?username=admin&password=password"),
        TestRequest::post("/api-token-auth/").body("text/plain", ""),
    ];
    for request in requests {
        app.send(request.clone()).await.assert(400, both.clone());
    }
}

/// Blank fields are refused.
pub async fn blank_fields_are_refused(app: TestApp) {
    app.send(login_json(json!({ "username": "", "password": "" })))
        .await
        .assert(400, json!({ "username": [BLANK], "password": [BLANK] }));
    app.send(login_json(
        json!({ "username": " \t ", "password": "password" }),
    ))
    .await
    .assert(400, json!({ "username": [BLANK] }));
    app.send(
        TestRequest::post("/api-token-auth/")
            .body("application/x-www-form-urlencoded", "username=&password="),
    )
    .await
    .assert(400, json!({ "username": [BLANK], "password": [BLANK] }));
}

/// Null fields are refused.
pub async fn null_fields_are_refused(app: TestApp) {
    let message = "This field may not be null.";
    app.send(login_json(json!({ "username": null, "password": null })))
        .await
        .assert(400, json!({ "username": [message], "password": [message] }));
}

/// Non string fields are refused.
pub async fn non_string_fields_are_refused(app: TestApp) {
    let invalid = "Not a valid string.";
    for value in [json!(true), json!(["admin"]), json!({ "a": 1 })] {
        app.send(login_json(
            json!({ "username": value, "password": value.clone() }),
        ))
        .await
        .assert(400, json!({ "username": [invalid], "password": [invalid] }));
    }
    // Numbers are coerced to strings (DRF's CharField), then fail as credentials.
    app.send(login_json(json!({ "username": 12, "password": 3.5 })))
        .await
        .assert(400, unable());
}

/// Null characters are refused.
pub async fn null_characters_are_refused(app: TestApp) {
    app.send(login_json(
        json!({ "username": "ad\u{0}min", "password": "password" }),
    ))
    .await
    .assert(
        400,
        json!({ "username": ["Null characters are not allowed."] }),
    );
}

/// Json that is not an object is refused with its type.
pub async fn json_that_is_not_an_object_is_refused_with_its_type(app: TestApp) {
    for (body, name) in [
        ("[1, 2]", "list"),
        ("\"admin\"", "str"),
        ("42", "int"),
        ("4.2", "float"),
        ("true", "bool"),
    ] {
        let message = format!("Invalid data. Expected a dictionary, but got {name}.");
        app.send(TestRequest::post("/api-token-auth/").body("application/json", body))
            .await
            .assert(400, json!({ "non_field_errors": [message] }));
    }
}

/// Json null means no data.
pub async fn json_null_means_no_data(app: TestApp) {
    app.send(TestRequest::post("/api-token-auth/").body("application/json", "null"))
        .await
        .assert(400, json!({ "non_field_errors": ["No data provided"] }));
}

/// Malformed json is a parse error.
pub async fn malformed_json_is_a_parse_error(app: TestApp) {
    for body in [
        &b"{\"username\": "[..],
        b"{'username': 'admin'}",
        b"\xff\xfe{}",
        b"{\"username\": NaN}",
    ] {
        let response = app
            .send(TestRequest::post("/api-token-auth/").body("application/json", body))
            .await;
        assert_eq!(response.status, 400, "{}", response.text());
        response.assert_json_headers();
        let detail = response.json()["detail"].as_str().unwrap().to_owned();
        assert!(detail.starts_with("JSON parse error - "), "{detail}");
        assert_eq!(response.json().as_object().unwrap().len(), 1, "only detail");
    }
}

/// Multipart without boundary is a parse error.
pub async fn multipart_without_boundary_is_a_parse_error(app: TestApp) {
    app.send(TestRequest::post("/api-token-auth/").body("multipart/form-data", "username=admin"))
        .await
        .assert_detail(
            400,
            "Multipart form parse error - Invalid boundary in multipart: None",
        );
}

/// Other content types are unsupported.
pub async fn other_content_types_are_unsupported(app: TestApp) {
    for content_type in [
        "text/plain",
        "application/xml",
        "application/vnd.api+json",
        "text/plain; charset=utf-8",
    ] {
        app.send(
            TestRequest::post("/api-token-auth/").body(content_type, "{\"username\":\"admin\"}"),
        )
        .await
        .assert_detail(
            415,
            &format!("Unsupported media type \"{content_type}\" in request."),
        );
    }
}

/// A body without content type is unsupported.
pub async fn a_body_without_content_type_is_unsupported(app: TestApp) {
    app.send(
        TestRequest::post("/api-token-auth/")
            .raw_body("{\"username\":\"admin\",\"password\":\"password\"}"),
    )
    .await
    .assert_detail(415, "Unsupported media type \"\" in request.");
}

/// Content type matching ignores case and parameters.
pub async fn content_type_matching_ignores_case_and_parameters(app: TestApp) {
    let body = admin_json().to_string();
    for content_type in [
        "APPLICATION/JSON",
        "application/json; charset=UTF-8",
        "Application/Json;charset=utf-8",
    ] {
        let response = app
            .send(TestRequest::post("/api-token-auth/").body(content_type, &body))
            .await;
        assert_eq!(response.status, 200, "{content_type}: {}", response.text());
    }
}

/// Login refuses other methods.
pub async fn login_refuses_other_methods(app: TestApp) {
    for method in ["GET", "PUT", "PATCH", "DELETE", "HEAD"] {
        let response = app
            .send(TestRequest::new(method, "/api-token-auth/").json(&admin_json()))
            .await;
        assert_eq!(response.status, 405, "{method}");
        assert_eq!(response.header("allow").as_deref(), Some("POST, OPTIONS"));
        if method == "HEAD" && app.is_http() {
            assert!(response.body.is_empty(), "HEAD has no body over HTTP");
            response.assert_json_headers();
        } else {
            response.assert_detail(405, &format!("Method \"{method}\" not allowed."));
        }
    }
}

/// Login ignores the authorization header.
pub async fn login_ignores_the_authorization_header(app: TestApp) {
    for header in [
        "Token",
        "Token a b",
        "Token 0123456789abcdef0123456789abcdef01234567",
    ] {
        let response = app
            .send(login_json(admin_json()).header("Authorization", header))
            .await;
        assert_eq!(response.status, 200, "{header}: {}", response.text());
    }
}

/// Login refuses an unacceptable accept header.
pub async fn login_refuses_an_unacceptable_accept_header(app: TestApp) {
    app.send(login_json(admin_json()).header("Accept", "text/html"))
        .await
        .assert_detail(406, "Could not satisfy the request Accept header.");
    for accept in [
        "application/json",
        "*/*",
        "application/*",
        "text/html, application/json;q=0.9",
    ] {
        let response = app
            .send(login_json(admin_json()).header("Accept", accept))
            .await;
        assert_eq!(response.status, 200, "{accept}");
    }
}

/// Form with repeated keys uses the last.
pub async fn form_with_repeated_keys_uses_the_last(app: TestApp) {
    let response = app
        .send(TestRequest::post("/api-token-auth/").body(
            "application/x-www-form-urlencoded",
            "username=nobody&password=x&username=admin&password=password",
        ))
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
}

// ---- Section 3: the Authorization header, on whoami and logout ----

fn protected(app: &TestApp, header: Option<&[u8]>) -> [TestRequest; 2] {
    let _ = app;
    [
        TestRequest::get("/api/whoami/"),
        TestRequest::post("/api/logout/"),
    ]
    .map(|request| match header {
        Some(value) => request.header("Authorization", value),
        None => request,
    })
}

/// Missing or foreign credentials are not provided.
pub async fn missing_or_foreign_credentials_are_not_provided(app: TestApp) {
    let token = app.login(ADMIN).await;
    let bearer = format!("Bearer {token}");
    let glued = format!("Token{token}");
    for header in [
        None,
        Some(&b""[..]),
        Some(bearer.as_bytes()),
        Some(b"Basic YWRtaW46cGFzc3dvcmQ="),
        Some(glued.as_bytes()),
    ] {
        for request in protected(&app, header) {
            app.send(request)
                .await
                .assert_401("Authentication credentials were not provided.");
        }
    }
}

/// Token keyword alone has no credentials.
pub async fn token_keyword_alone_has_no_credentials(app: TestApp) {
    for header in [&b"Token"[..], b"token"] {
        for request in protected(&app, Some(header)) {
            app.send(request)
                .await
                .assert_401("Invalid token header. No credentials provided.");
        }
    }
}

/// Token with spaces is refused.
pub async fn token_with_spaces_is_refused(app: TestApp) {
    let token = app.login(ADMIN).await;
    let extra = format!("Token {token} extra");
    for header in [&b"Token a b"[..], extra.as_bytes()] {
        for request in protected(&app, Some(header)) {
            app.send(request)
                .await
                .assert_401("Invalid token header. Token string should not contain spaces.");
        }
    }
    app.whoami(&token)
        .await
        .assert(200, json!({ "username": "admin" }));
}

/// Token with invalid characters is refused.
pub async fn token_with_invalid_characters_is_refused(app: TestApp) {
    for request in protected(&app, Some(b"Token \xff\xfe")) {
        app.send(request).await.assert_401(
            "Invalid token header. Token string should not contain invalid characters.",
        );
    }
}

/// Unknown keys are invalid tokens.
pub async fn unknown_keys_are_invalid_tokens(app: TestApp) {
    let token = app.login(ADMIN).await;
    let upper = token.to_uppercase();
    let longer = format!("{token}0");
    let deleted = app.login(BOB).await;
    app.logout(&deleted)
        .await
        .assert(200, json!({ "username": null }));
    let random = "0123456789abcdef0123456789abcdef01234567";
    for key in [
        random,
        "abc",
        longer.as_str(),
        upper.as_str(),
        "é",
        deleted.as_str(),
    ] {
        let header = format!("Token {key}");
        for request in protected(&app, Some(header.as_bytes())) {
            app.send(request).await.assert_401("Invalid token.");
        }
    }
    app.whoami(&token)
        .await
        .assert(200, json!({ "username": "admin" }));
}

/// Keyword case and whitespace are flexible.
pub async fn keyword_case_and_whitespace_are_flexible(app: TestApp) {
    let token = app.login(ADMIN).await;
    for header in [
        format!("token {token}"),
        format!("TOKEN {token}"),
        format!("Token  {token}"),
        format!("Token\t{token}"),
    ] {
        let response = app
            .send(TestRequest::get("/api/whoami/").header("Authorization", &header))
            .await;
        response.assert(200, json!({ "username": "admin" }));
    }
}

// ---- Section 4: whoami and logout ----

/// Whoami returns the username.
pub async fn whoami_returns_the_username(app: TestApp) {
    let token = app.login(BOB).await;
    let response = app.whoami(&token).await;
    response.assert(200, json!({ "username": "bob" }));
    assert_eq!(response.text(), "{\"username\":\"bob\"}");
    assert_eq!(response.header("vary").as_deref(), Some("Accept"));
    let allow = response.header("allow").unwrap();
    let mut methods: Vec<&str> = allow.split(", ").collect();
    methods.sort_unstable();
    assert_eq!(methods, ["GET", "OPTIONS"]);
}

/// Logout deletes the token.
pub async fn logout_deletes_the_token(app: TestApp) {
    let token = app.login(ADMIN).await;
    let response = app.logout(&token).await;
    response.assert(200, json!({ "username": null }));
    assert_eq!(response.header("vary").as_deref(), Some("Accept"));
    app.whoami(&token).await.assert_401("Invalid token.");
}

/// Logout twice fails the second time.
pub async fn logout_twice_fails_the_second_time(app: TestApp) {
    let token = app.login(ADMIN).await;
    app.logout(&token)
        .await
        .assert(200, json!({ "username": null }));
    app.logout(&token).await.assert_401("Invalid token.");
}

/// Logout spares other users and login after it gives a new token.
pub async fn logout_spares_other_users_and_login_after_it_gives_a_new_token(app: TestApp) {
    let admin = app.login(ADMIN).await;
    let bob = app.login(BOB).await;
    app.logout(&admin)
        .await
        .assert(200, json!({ "username": null }));
    app.whoami(&bob)
        .await
        .assert(200, json!({ "username": "bob" }));
    let again = app.login(ADMIN).await;
    assert_ne!(again, admin, "a new token after logout");
    app.whoami(&again)
        .await
        .assert(200, json!({ "username": "admin" }));
    app.whoami(&admin).await.assert_401("Invalid token.");
}

/// Logout never reads its body.
pub async fn logout_never_reads_its_body(app: TestApp) {
    let token = app.login(ADMIN).await;
    app.send(
        TestRequest::post("/api/logout/")
            .token(&token)
            .body("text/plain", "\u{0}not json{"),
    )
    .await
    .assert(200, json!({ "username": null }));
}

/// Wrong method with a valid token is 405 and spares the token.
pub async fn wrong_method_with_a_valid_token_is_405_and_spares_the_token(app: TestApp) {
    let token = app.login(ADMIN).await;
    app.send(TestRequest::post("/api/whoami/").token(&token))
        .await
        .assert_detail(405, "Method \"POST\" not allowed.");
    app.send(TestRequest::get("/api/logout/").token(&token))
        .await
        .assert_detail(405, "Method \"GET\" not allowed.");
    app.send(TestRequest::new("DELETE", "/api/logout/").token(&token))
        .await
        .assert_detail(405, "Method \"DELETE\" not allowed.");
    app.whoami(&token)
        .await
        .assert(200, json!({ "username": "admin" }));
}

/// Wrong method without credentials is 401.
pub async fn wrong_method_without_credentials_is_401(app: TestApp) {
    app.send(TestRequest::post("/api/whoami/"))
        .await
        .assert_401("Authentication credentials were not provided.");
    app.send(TestRequest::get("/api/logout/"))
        .await
        .assert_401("Authentication credentials were not provided.");
}

/// Paths work without the trailing slash.
pub async fn paths_work_without_the_trailing_slash(app: TestApp) {
    let token = app
        .send(TestRequest::post("/api-token-auth").json(&admin_json()))
        .await
        .json()["token"]
        .as_str()
        .expect("token")
        .to_owned();
    app.send(TestRequest::get("/api/whoami").token(&token))
        .await
        .assert(200, json!({ "username": "admin" }));
    app.send(TestRequest::post("/api/logout").token(&token))
        .await
        .assert(200, json!({ "username": null }));
    app.send(TestRequest::get("/api/whoami").token(&token))
        .await
        .assert_401("Invalid token.");
}

/// Options answers with the allowed methods.
pub async fn options_answers_with_the_allowed_methods(app: TestApp) {
    for (path, allow) in [
        ("/api-token-auth/", "POST, OPTIONS"),
        ("/api/whoami/", "GET, OPTIONS"),
        ("/api/logout/", "POST, OPTIONS"),
    ] {
        let response = app.send(TestRequest::new("OPTIONS", path)).await;
        assert_eq!(response.status, 200, "{path}");
        response.assert_json_headers();
        assert_eq!(response.header("allow").as_deref(), Some(allow));
    }
}

/// Unknown paths are 404 json.
pub async fn unknown_paths_are_404_json(app: TestApp) {
    for path in ["/", "/api/", "/api/whoami/extra", "/api-token-auth/x"] {
        app.send(TestRequest::get(path))
            .await
            .assert_detail(404, "Not found.");
    }
}

/// An expired token is refused, and the next login replaces it (run with [`short_lived_tokens`]).
pub async fn an_expired_token_is_refused_and_replaced_at_the_next_login(app: TestApp) {
    let first = app.login(ADMIN).await;
    app.whoami(&first)
        .await
        .assert(200, json!({ "username": "admin" }));
    tokio::time::sleep(Duration::from_millis(TTL_SECONDS * 1000 + 100)).await;
    app.whoami(&first).await.assert_401("Invalid token.");
    app.send(TestRequest::post("/api/logout/").token(&first))
        .await
        .assert_401("Invalid token.");
    let second = app.login(ADMIN).await;
    assert_ne!(second, first, "an expired token is replaced");
    app.whoami(&second)
        .await
        .assert(200, json!({ "username": "admin" }));
    if !app.is_http() {
        app.assert_consistent(ADMIN.0).await;
    }
}

/// Every answer, success or refusal, carries the headers Django's security middleware adds.
pub async fn every_answer_carries_djangos_security_headers(app: TestApp) {
    let token = app.login(ADMIN).await;
    let requests = [
        TestRequest::post("/api-token-auth/")
            .json(&json!({ "username": "admin", "password": "x" })),
        TestRequest::post("/api-token-auth/").body("application/json", "{"),
        TestRequest::get("/api-token-auth/"),
        TestRequest::get("/api/whoami/"),
        TestRequest::get("/api/whoami/").header("Authorization", format!("Token {token}")),
        TestRequest::new("OPTIONS", "/api/logout/"),
        TestRequest::get("/nowhere/"),
        TestRequest::post("/api/logout/").header("Authorization", format!("Token {token}")),
    ];
    for request in requests {
        let response = app.send(request.clone()).await;
        for (name, value) in authtoken::http::response::SECURITY_HEADERS {
            assert_eq!(
                response.header(name).as_deref(),
                Some(value),
                "{name} on {request:?} -> {}",
                response.status
            );
        }
    }
}

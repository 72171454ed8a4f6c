//! Test harness: one `TestApp` that answers requests through the shared handlers on the memory
//! store, through the shared handlers on DynamoDB (a DynamoDB-compatible server such as moto,
//! at `AWS_ENDPOINT_URL_DYNAMODB`), or through a real `authtoken serve` process over HTTP.
//! Every app starts with the same users, so one test body runs against all three.

use std::time::Duration;

use std::sync::Arc;

use authtoken::Ctx;
use authtoken::config::Settings;
use authtoken::delivery::local as worker;
use authtoken::endpoint;
use authtoken::handlers;
use authtoken::mail::{Postman, Templates};
use authtoken::secrets::token::TokenKey;
use authtoken::store::dynamo::DynamoStore;
use authtoken::store::memory::MemoryStore;
use lambda_http::Body;

use crate::http_client;
pub use crate::request::{TestRequest, TestResponse};
use crate::serve::ServeProcess;

/// Active user with a token-free start.
pub const ADMIN: (&str, &str) = ("admin", "password");
/// A second active user.
pub const BOB: (&str, &str) = ("bob", "bob's password");
/// An inactive user: cannot log in even with the right password.
pub const CAROL: (&str, &str) = ("carol", "carol's password");

/// `ctx` with a mail worker in this test's runtime, writing to the test outbox
/// ([`crate::mail::outbox`]), as `authtoken serve --outbox` does.
fn with_mail_worker<S: authtoken::store::Store + 'static>(ctx: Ctx<S>) -> Arc<Ctx<S>> {
    let (mailbox, requests) = worker::channel();
    let ctx = Arc::new(ctx.with_mailbox(mailbox));
    let postman = Postman::Outbox(crate::mail::outbox());
    worker::spawn(
        Arc::downgrade(&ctx),
        requests,
        Templates::builtin(),
        postman,
    );
    ctx
}

/// The seeded users with their passwords' argon2id hashes at the production parameters, made
/// once (a test checks that each matches its password and needs no rehash): an app starts
/// without hashing, where three hashes per app were a large part of the suites' time.
const SEEDED: [((&str, &str), &str, bool); 3] = [
    (
        ADMIN,
        "$argon2id$v=19$m=19456,t=2,p=1$SKrcGE/8AtMeZnadgbGjcg$exM/FQH7jP/nh0PbrQ/4li+Hf0UWKkqZmlBoLR4o/iw",
        true,
    ),
    (
        BOB,
        "$argon2id$v=19$m=19456,t=2,p=1$iGm/11fncBT6oVAFlEKlUA$UAuLP5z6BPDwS3zFNE7PbY4y78TecH45+j1C/s+J7qs",
        true,
    ),
    (
        CAROL,
        "$argon2id$v=19$m=19456,t=2,p=1$lrXrpylmTjC+2PDkUdtpBQ$5VI8EOJfmQFr0EmTn4s+IlgVSNLbKh76eISaTymE0UE",
        false,
    ),
];

/// Where a test's requests go.
pub enum TestApp {
    /// The handlers, called directly, on the in-memory store.
    Memory(Arc<Ctx<MemoryStore>>),
    /// The handlers, called directly, on DynamoDB tables of the test's own.
    Dynamo(Arc<Ctx<DynamoStore>>),
    /// `authtoken serve`, as a process, over HTTP.
    Http(ServeProcess),
    /// An API someone else started and seeded ([`seed`]), over HTTP: `sam local start-api`
    /// in front of the built functions (testkit's `check-api`).
    Remote(std::net::SocketAddr),
}

impl TestApp {
    /// Handlers on the memory store, with the standard users.
    pub async fn memory(settings: Settings) -> Self {
        let ctx = Ctx::new(MemoryStore::new(), settings);
        seed(&ctx.store).await;
        TestApp::Memory(with_mail_worker(ctx))
    }

    /// Handlers on fresh DynamoDB tables, with the standard users.
    pub async fn dynamo(settings: Settings) -> Self {
        let ctx = Ctx::new(crate::dynamo::fresh_store().await, settings);
        seed(&ctx.store).await;
        TestApp::Dynamo(with_mail_worker(ctx))
    }

    /// `authtoken serve` (the binary at `authtoken`) on a free port, with the standard users,
    /// writing emails to the test outbox ([`crate::mail::outbox`]).
    pub async fn http(authtoken: &str, settings: Settings) -> Self {
        TestApp::Http(ServeProcess::start(authtoken, &settings, &[ADMIN, BOB], &[CAROL]).await)
    }

    /// Sends one request and returns the answer.
    pub async fn send(&self, request: TestRequest) -> TestResponse {
        match self {
            TestApp::Memory(ctx) => call_handlers(ctx, request).await,
            TestApp::Dynamo(ctx) => call_handlers(ctx, request).await,
            TestApp::Http(process) => http_client::send(process.addr(), &request).await,
            TestApp::Remote(addr) => http_client::send(*addr, &request).await,
        }
    }

    /// True when answers travel over real HTTP (where, for instance, HEAD answers have no body).
    pub fn is_http(&self) -> bool {
        matches!(self, TestApp::Http(_) | TestApp::Remote(_))
    }

    /// Logs in with JSON and returns the token, asserting success.
    pub async fn login(&self, (username, password): (&str, &str)) -> String {
        let response = self
            .send(
                TestRequest::post(&endpoint::LOGIN.slashed_path()).json(&serde_json::json!({
                    "username": username,
                    "password": password,
                })),
            )
            .await;
        assert_eq!(
            response.status,
            200,
            "login of {username}: {}",
            response.text()
        );
        let token = response.json()["token"]
            .as_str()
            .expect("a token")
            .to_owned();
        assert!(TokenKey::new(token.as_str()).is_well_formed(), "{token}");
        token
    }

    /// whoami with `Authorization: Token <token>`.
    pub async fn whoami(&self, token: &str) -> TestResponse {
        self.send(TestRequest::get(&endpoint::WHOAMI.slashed_path()).token(token))
            .await
    }

    /// logout with `Authorization: Token <token>`.
    pub async fn logout(&self, token: &str) -> TestResponse {
        self.send(TestRequest::post(&endpoint::LOGOUT.slashed_path()).token(token))
            .await
    }

    /// logout-all with `Authorization: Token <token>`.
    pub async fn logoutall(&self, token: &str) -> TestResponse {
        self.send(TestRequest::post(&endpoint::LOGOUT_ALL.slashed_path()).token(token))
            .await
    }

    /// Deletes the record of `token` and nothing else, as DynamoDB's TTL sweep deletes an
    /// expired token's record while its user still lists it. Not over HTTP: the process's
    /// store is out of the test's reach.
    pub async fn sweep(&self, token: &str) {
        let digest = TokenKey::new(token).digest();
        match self {
            TestApp::Memory(ctx) => assert!(ctx.store.sweep(&digest), "no record to sweep"),
            TestApp::Dynamo(ctx) => {
                crate::dynamo::client()
                    .delete_item()
                    .table_name(&ctx.store.tables().tokens)
                    .key(
                        "digest",
                        aws_sdk_dynamodb::types::AttributeValue::S(digest.as_str().to_owned()),
                    )
                    .send()
                    .await
                    .expect("delete the record as the sweep does");
            }
            TestApp::Http(_) | TestApp::Remote(_) => {
                panic!("sweep: the store of an API over HTTP is out of reach")
            }
        }
    }
}

/// The seeded user `username` ([`ADMIN`], [`BOB`] or [`CAROL`]), as `authtoken user create`
/// would have made it, its password hashed once ([`SEEDED`]), holding no token; their ids are
/// 1, 2 and 3, as `authtoken serve` creates them, and they have no email address.
pub fn seeded_user(username: &str) -> authtoken::store::User {
    let (position, ((username, _), password_hash, active)) = SEEDED
        .into_iter()
        .enumerate()
        .find(|(_, ((name, _), _, _))| *name == username)
        .unwrap_or_else(|| panic!("{username} is not a seeded user"));
    authtoken::store::User {
        username: username.to_owned(),
        password_hash: password_hash.to_owned(),
        active,
        per_user_token: None,
        per_login_tokens: Vec::new(),
        created: authtoken::clock::now(),
        credentials: 0,
        id: Some(position as u64 + 1),
        email: String::new(),
        link_nonce: None,
        awaiting_activation: false,
    }
}

/// Adds the seeded users ([`SEEDED`]) to `store`, their ids reserved: what every app starts
/// with.
pub async fn seed(store: &impl authtoken::store::Store) {
    for ((username, _), _, _) in SEEDED {
        let created = store.create_user(&seeded_user(username)).await;
        assert!(created.expect("seed user"), "{username} already existed");
    }
    store
        .reserve_user_ids(SEEDED.len() as u64)
        .await
        .expect("reserve the seeded users' ids");
}

async fn call_handlers<S: authtoken::store::Store>(
    ctx: &Ctx<S>,
    request: TestRequest,
) -> TestResponse {
    let request_source = request.source.clone();
    let mut builder = http::Request::builder()
        .method(http::Method::from_bytes(request.method.as_bytes()).expect("method"))
        .uri(&request.path);
    for (name, value) in &request.headers {
        builder = builder.header(
            name.as_str(),
            http::HeaderValue::from_bytes(value).expect("header value"),
        );
    }
    let body = if request.body.is_empty() {
        Body::Empty
    } else {
        Body::Binary(request.body.clone())
    };
    let mut request = builder.body(body).expect("request");
    if let Some(source) = &request_source {
        let mut context =
            lambda_http::aws_lambda_events::apigw::ApiGatewayV2httpRequestContext::default();
        context.http.source_ip = Some(source.clone());
        request = lambda_http::RequestExt::with_request_context(
            request,
            lambda_http::request::RequestContext::ApiGatewayV2(context),
        );
    }
    let response = handlers::route(ctx, request).await;
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), value.as_bytes().to_vec()))
        .collect();
    let body = handlers::body_bytes(response.into_body()).to_vec();
    TestResponse {
        status,
        headers,
        body,
    }
}

/// DRF's behaviour: tokens that never expire, and no lockout (DRF has none; the contract's
/// cases log in wrongly many times, and lockout has its own tests).
pub fn drf_settings() -> Settings {
    let mut settings = Settings {
        lockout: authtoken::lockout::LockoutPolicy::OFF,
        // The deployed defaults: keys that never expire, DRF's form, one token per user.
        ..Settings::default()
    };
    // Emailed links point to a front-end of the tests' own, from a sender of theirs.
    settings.mail.from = crate::mail::SENDER.to_owned();
    settings.mail.domain = crate::mail::FRONTEND.to_owned();
    settings
}

/// Runs `body` with a deadline, so that a hung store fails the test instead of hanging it.
pub async fn within<T>(seconds: u64, body: impl std::future::Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(seconds), body)
        .await
        .unwrap_or_else(|_| panic!("did not finish within {seconds} s"))
}

impl TestApp {
    /// The store's record of `username`, for the apps that call the handlers directly.
    pub async fn stored_user(&self, username: &str) -> Option<authtoken::store::User> {
        use authtoken::store::Store;
        match self {
            TestApp::Memory(ctx) => ctx.store.user(username).await.expect("read user"),
            TestApp::Dynamo(ctx) => ctx.store.user(username).await.expect("read user"),
            TestApp::Http(_) | TestApp::Remote(_) => {
                panic!("the HTTP app's store is inside another process")
            }
        }
    }

    /// Asserts the invariant between the two tables for `username`: a user's current token has
    /// a record that names that user.
    pub async fn assert_consistent(&self, username: &str) {
        use authtoken::store::Store;
        let user = self.stored_user(username).await.expect("user exists");
        if let Some(current) = user.per_user_token {
            let digest = current.key.digest();
            let record = match self {
                TestApp::Memory(ctx) => ctx.store.token(&digest).await,
                TestApp::Dynamo(ctx) => ctx.store.token(&digest).await,
                TestApp::Http(_) | TestApp::Remote(_) => unreachable!(),
            }
            .expect("read token")
            .unwrap_or_else(|| panic!("{username}'s current token has no record"));
            assert_eq!(record.username, username);
            assert_eq!(record.expires, current.expires);
        }
        for issued in &user.per_login_tokens {
            let record = match self {
                TestApp::Memory(ctx) => ctx.store.token(&issued.digest).await,
                TestApp::Dynamo(ctx) => ctx.store.token(&issued.digest).await,
                TestApp::Http(_) | TestApp::Remote(_) => unreachable!(),
            }
            .expect("read token")
            .unwrap_or_else(|| panic!("a per-login token of {username} has no record"));
            assert_eq!(record.username, username);
            assert_eq!(record.expires, issued.expires);
        }
    }

    /// Adds a user directly to the store, with a given password hash.
    pub async fn insert_user(&self, user: &authtoken::store::User) {
        use authtoken::store::Store;
        let created = match self {
            TestApp::Memory(ctx) => ctx.store.create_user(user).await,
            TestApp::Dynamo(ctx) => ctx.store.create_user(user).await,
            TestApp::Http(_) | TestApp::Remote(_) => {
                panic!("the HTTP app's store is inside another process")
            }
        };
        assert!(
            created.expect("create user"),
            "user {} already existed",
            user.username
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use authtoken::secrets::password::{self, Password, Verdict};

    #[test]
    fn each_seeded_hash_is_its_users_password_at_the_production_parameters() {
        for ((username, password), hash, _) in SEEDED {
            assert_eq!(
                password::verify(Some(hash), &Password::new(password)),
                Verdict::Match {
                    needs_rehash: false
                },
                "{username}: make its hash again with authtoken::secrets::password::hash"
            );
        }
    }
}

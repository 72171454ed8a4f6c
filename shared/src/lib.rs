//! Django REST Framework's token authentication (`rest_framework.authtoken`), for AWS Lambda
//! behind API Gateway, with DynamoDB as the store.
//!
//! The crate's map:
//! - [`manifest`]: every Lambda function and every setting, declared once, and the files
//!   generated from them (`manifest.json`, the docs' tables);
//! - [`endpoint`]: the endpoints, each described once (path, method, function, work);
//! - [`handlers`]: the one request pipeline every endpoint goes through, as a handler per
//!   endpoint (`login`, `whoami`, `logout`; `handle` and `route` for the local server), plain
//!   async functions from a request to a response;
//! - [`ctx`]: the store and settings the handlers run with; [`lambda`]: a function's start-up
//!   and its loop over events;
//! - [`login`]: a login's checks (password, lockout) and its token; [`tokens`]: tokens issued,
//!   authenticated, renewed and taken away, under [`policy`] (per-user, DRF's; per-login,
//!   knox's) and [`sliding`] expiry; [`clock`]: the epoch seconds they are measured in;
//! - [`guard`]: a team's own `lambda_http` function behind the tokens, in one line;
//! - [`authorizer`]: an API Gateway Lambda authorizer over the tokens, for routes served by any
//!   function, and how a function behind it reads the username;
//! - [`accounts`]: what changes a user's account, whoever asks (an operator or the user): a new
//!   password, the id, the account's deletion;
//! - [`admin`]: user and token administration for the command line, on the same write paths;
//! - [`http`]: the HTTP layer: parsing the login body, the `Authorization` header and media
//!   types with DRF's exact rules, the client a request comes from, JSON responses and the
//!   mapping from failures to status codes;
//! - [`email`]: email addresses as Django's `EmailValidator` accepts them; [`mail`]: the
//!   emailed links (a password reset), queued by the endpoints and sent by the mailer, which
//!   [`delivery`] runs (in the same process, or as the mailer Lambda function);
//! - [`username`]: what a name must be to be a user's (NFKC, length, whitespace, control
//!   characters), for login, user creation and the import;
//! - [`secrets`]: argon2id hashing, token keys and their digests, the Django password hashes
//!   of users imported from a DRF back-end, and the per-user keys kept sealed;
//! - [`store`]: the `Store` trait, with DynamoDB and in-memory implementations;
//! - [`audit`]: the structured events an operator counts and alerts on (logins, locks,
//!   tokens, users);
//! - [`config`]: settings read once from the environment, through their declarations;
//! - [`logging`]: log setup that keeps secrets out of the logs at every level.

pub mod accounts;
pub mod admin;
pub mod audit;
pub mod authorizer;
pub mod clock;
pub mod config;
pub mod ctx;
pub mod delivery;
pub mod email;
pub mod endpoint;
pub mod guard;
pub mod handlers;
pub mod http;
pub mod lambda;
pub mod lockout;
pub mod logging;
pub mod login;
pub mod mail;
pub mod manifest;
pub mod policy;
pub mod sdk;
pub mod secrets;
pub mod sliding;
pub mod store;
pub mod tokens;
pub mod username;

pub use ctx::Ctx;

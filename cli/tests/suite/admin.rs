//! The administration commands against DynamoDB (moto): every subcommand, its failure paths,
//! and what the endpoints see afterwards.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed expectation is the test's failure, reported where it happened"
)]

use std::process::{Output, Stdio};

use authtoken::store::Store;
use serde_json::json;
use testkit::app::{TestApp, TestRequest};
use testkit::cli::{Admin, describe};
use testkit::serve::ServeProcess;

fn is_key(text: &str) -> bool {
    text.len() == 40
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[test]
fn tables_create_is_idempotent_and_check_then_matches() {
    let admin = Admin::new(env!("CARGO_BIN_EXE_authtoken"));
    let missing = admin.run(&["tables", "check"], None);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&missing.stdout)
            .contains("does not exist (run `authtoken tables create`)")
    );
    // A seal secret of the test's own: made with the tables, then used to seal a key.
    let secret = format!("{}-seal", admin.tables.users);
    let first = admin.ok(&["tables", "create", "--seal-secret", &secret]);
    assert!(
        first.contains(&format!("created the users table {:?}", admin.tables.users)),
        "{first}"
    );
    assert!(
        first.contains(&format!("created the seal secret {secret:?}")),
        "{first}"
    );
    assert!(
        first.contains(&format!(
            "created the tokens table {:?}",
            admin.tables.tokens
        )),
        "{first}"
    );
    let again = admin.ok(&["tables", "create", "--seal-secret", &secret]);
    assert_eq!(again.matches("already exists").count(), 4, "{again}");
    admin.ok_with_stdin(
        &["user", "create", "ann", "--password-stdin"],
        Some("strong-pw-1\n"),
    );
    let key = admin.ok(&["token", "create", "ann", "--seal-secret", &secret]);
    assert_eq!(key.trim().len(), 40, "{key}");
    let check = admin.ok(&["tables", "check"]);
    assert_eq!(check.matches("matches template.yaml").count(), 3, "{check}");
}

/// Tables of their own holding the user alice (password `strong-pw-1`), logged in: the admin, the app on
/// those tables and her key.
async fn alice_logged_in() -> (Admin, TestApp, String) {
    let admin = Admin::with_tables(env!("CARGO_BIN_EXE_authtoken"));
    admin.create_user("alice", "strong-pw-1");
    let app = admin.app();
    let token = app.login(("alice", "strong-pw-1")).await;
    (admin, app, token)
}

/// Runs `authtoken ARGS`, which must succeed and say `said`.
fn says(admin: &Admin, args: &[&str], said: &str) {
    let out = admin.ok(args);
    assert!(out.contains(said), "{out}");
}

#[tokio::test]
async fn tables_check_reports_a_tokens_table_without_ttl() {
    let admin = Admin::new(env!("CARGO_BIN_EXE_authtoken"));
    admin.ok(&["tables", "create"]);
    let client = testkit::dynamo::client();
    client
        .delete_table()
        .table_name(&admin.tables.tokens)
        .send()
        .await
        .unwrap();
    // The same key, but no TTL.
    use aws_sdk_dynamodb::types::*;
    client
        .create_table()
        .table_name(&admin.tables.tokens)
        .attribute_definitions(
            AttributeDefinition::builder()
                .attribute_name("digest")
                .attribute_type(ScalarAttributeType::S)
                .build()
                .unwrap(),
        )
        .key_schema(
            KeySchemaElement::builder()
                .attribute_name("digest")
                .key_type(KeyType::Hash)
                .build()
                .unwrap(),
        )
        .billing_mode(BillingMode::PayPerRequest)
        .send()
        .await
        .unwrap();
    let output = admin.run(&["tables", "check"], None);
    assert_eq!(output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("TTL should be enabled on \"expires\""),
        "{stdout}"
    );
}

#[test]
fn tables_create_refuses_real_aws_without_yes_really() {
    let admin = Admin::new(env!("CARGO_BIN_EXE_authtoken"));
    let mut command = admin.command(&["tables", "create"]);
    command.env_remove("AWS_ENDPOINT_URL_DYNAMODB");
    let stderr = admin.fails_with(command, None);
    assert!(
        stderr.contains("refusing to create tables at AWS itself"),
        "{stderr}"
    );
    assert!(stderr.contains("--yes-really"), "{stderr}");
}

#[tokio::test]
async fn a_created_user_logs_in_and_deactivation_kills_their_token() {
    let admin = Admin::with_tables(env!("CARGO_BIN_EXE_authtoken"));
    admin.create_user("alice", "correct horse");
    let app = admin.app();
    let token = app.login(("alice", "correct horse")).await;
    app.whoami(&token)
        .await
        .assert(200, json!({ "username": "alice" }));

    let out = admin.ok(&["user", "deactivate", "alice"]);
    assert!(out.contains("deactivated \"alice\""), "{out}");
    app.whoami(&token).await.assert_401("Invalid token.");
    app.send(
        TestRequest::post("/api-token-auth/")
            .json(&json!({ "username": "alice", "password": "correct horse" })),
    )
    .await
    .assert(
        400,
        json!({ "non_field_errors": ["Unable to log in with provided credentials."] }),
    );
    says(&admin, &["user", "deactivate", "alice"], "already inactive");

    says(
        &admin,
        &["user", "activate", "alice"],
        "activated \"alice\"",
    );
    let again = app.login(("alice", "correct horse")).await;
    assert_ne!(again, token);
    says(&admin, &["user", "activate", "alice"], "already active");
}

#[test]
fn user_create_refuses_duplicates_bad_names_and_missing_passwords() {
    let admin = Admin::with_tables(env!("CARGO_BIN_EXE_authtoken"));
    admin.create_user("alice", "strong-pw-1");
    let stderr = admin.fails(
        &["user", "create", "alice", "--password-stdin"],
        Some("strong-pw-1\n"),
    );
    assert!(
        stderr.contains("a user named \"alice\" already exists"),
        "{stderr}"
    );
    // The name's problem is said, before the password's.
    let stderr = admin.fails(
        &["user", "create", " spaced", "--password-stdin"],
        Some("1\n"),
    );
    assert!(
        stderr.contains("no leading or trailing whitespace"),
        "{stderr}"
    );
    let stderr = admin.fails(&["user", "create", "bob", "--password-stdin"], Some("\n"));
    assert!(stderr.contains("the password is empty"), "{stderr}");
    let stderr = admin.fails(&["user", "create", "bob"], None);
    assert!(stderr.contains("pass --password-stdin"), "{stderr}");
}

/// `user create` and `user set-password` apply Django's validators, printing Django's message for
/// each rule broken and writing nothing; `PASSWORD_MIN_LENGTH` moves the minimum and
/// `PASSWORD_VALIDATORS=false` turns them off.
#[tokio::test]
async fn weak_passwords_are_refused_with_djangos_messages_and_nothing_is_written() {
    let admin = Admin::with_tables(env!("CARGO_BIN_EXE_authtoken"));
    let create_bob = ["user", "create", "bob", "--password-stdin"];
    let stderr = admin.fails(&create_bob, Some("1234567\n"));
    assert!(
        stderr.contains(
            "the password was refused by Django's password validators; nothing was changed \
             (PASSWORD_VALIDATORS=false turns them off):\n  \
             This password is too short. It must contain at least 8 characters.\n  \
             This password is too common.\n  \
             This password is entirely numeric."
        ),
        "{stderr}"
    );
    let stderr = admin.fails(&create_bob, Some("bobby\n"));
    assert!(
        stderr.contains("The password is too similar to the username."),
        "{stderr}"
    );
    // Compared with the name as stored: ｂｏｂ (full-width) is stored as bob.
    let stderr = admin.fails(
        &["user", "create", "ｂｏｂ", "--password-stdin"],
        Some("bobby\n"),
    );
    assert!(
        stderr.contains("The password is too similar to the username."),
        "{stderr}"
    );
    let app = admin.app();
    assert!(
        app.stored_user("bob").await.is_none(),
        "bob was not created"
    );

    admin.create_user("alice", "old strong pw");
    let stderr = admin.fails(
        &["user", "set-password", "alice", "--password-stdin"],
        Some("password\n"),
    );
    assert!(stderr.contains("This password is too common."), "{stderr}");
    app.login(("alice", "old strong pw")).await;

    let with = |vars: &[(&str, &str)], stdin: &str| {
        let mut command = admin.command(&create_bob);
        command.envs(vars.iter().copied());
        admin.run_with(command, Some(stdin))
    };
    let longer = with(&[("PASSWORD_MIN_LENGTH", "16")], "kqzvmwxrtl\n");
    let stderr = String::from_utf8_lossy(&longer.stderr);
    assert!(
        stderr.contains("It must contain at least 16 characters."),
        "{stderr}"
    );
    let bad = with(&[("PASSWORD_MIN_LENGTH", "0")], "kqzvmwxrtl\n");
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(
        stderr.contains("PASSWORD_MIN_LENGTH is \"0\", but it must be"),
        "{stderr}"
    );
    let off = with(&[("PASSWORD_VALIDATORS", "false")], "1\n");
    assert!(off.status.success(), "{}", describe(&off));
    app.login(("bob", "1")).await;
}

#[test]
fn a_password_is_never_an_argument() {
    let admin = Admin::new(env!("CARGO_BIN_EXE_authtoken"));
    let output = admin.run(&["user", "create", "alice", "secret"], None);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
    let output = admin.run(&["user", "create", "alice", "--password", "secret"], None);
    assert_eq!(output.status.code(), Some(2), "{}", describe(&output));
}

#[tokio::test]
async fn set_password_replaces_the_password_and_revokes_the_token() {
    let admin = Admin::with_tables(env!("CARGO_BIN_EXE_authtoken"));
    admin.create_user("alice", "old strong pw");
    let app = admin.app();
    let token = app.login(("alice", "old strong pw")).await;
    let out = admin.ok_with_stdin(
        &["user", "set-password", "alice", "--password-stdin"],
        Some("new strong pw\r\n"),
    );
    assert!(
        out.contains("set the password of \"alice\" and deleted their token"),
        "{out}"
    );
    app.whoami(&token).await.assert_401("Invalid token.");
    let new_token = app.login(("alice", "new strong pw")).await;
    assert_ne!(new_token, token);
    app.send(
        TestRequest::post("/api-token-auth/")
            .json(&json!({ "username": "alice", "password": "old strong pw" })),
    )
    .await
    .assert(
        400,
        json!({ "non_field_errors": ["Unable to log in with provided credentials."] }),
    );

    let out = admin.ok_with_stdin(
        &[
            "user",
            "set-password",
            "alice",
            "--password-stdin",
            "--keep-token",
        ],
        Some("third strong pw\n"),
    );
    assert!(out.contains("their token, if any, stays valid"), "{out}");
    app.whoami(&new_token)
        .await
        .assert(200, json!({ "username": "alice" }));
    assert_eq!(app.login(("alice", "third strong pw")).await, new_token);

    let stderr = admin.fails(
        &["user", "set-password", "nobody", "--password-stdin"],
        Some("x\n"),
    );
    assert!(
        stderr.contains("there is no user named \"nobody\""),
        "{stderr}"
    );
}

#[tokio::test]
async fn unlock_ends_a_lock_at_once_for_users_and_other_names() {
    let admin = Admin::with_tables(env!("CARGO_BIN_EXE_authtoken"));
    admin.create_user("alice", "strong-pw-1");
    let app = admin.app();
    let wrong = |name: &str| {
        TestRequest::post("/api-token-auth/").json(&json!({ "username": name, "password": "no" }))
    };
    for name in ["alice", "ghost"] {
        for _ in 0..testkit::lockout::long_locks().lockout.threshold {
            app.send(wrong(name)).await;
        }
        assert_eq!(app.send(wrong(name)).await.status, 429, "{name} is locked");
    }
    let out = admin.ok(&["user", "unlock", "alice"]);
    assert!(
        out.contains("unlocked \"alice\": its failed logins are forgotten"),
        "{out}"
    );
    app.login(("alice", "strong-pw-1")).await;
    let out = admin.ok(&["user", "unlock", "ghost"]);
    assert!(out.contains("unlocked \"ghost\""), "{out}");
    app.send(wrong("ghost")).await.assert(
        400,
        json!({ "non_field_errors": ["Unable to log in with provided credentials."] }),
    );
    let out = admin.ok(&["user", "unlock", "alice"]);
    assert!(out.contains("had no failed logins"), "{out}");
}

#[tokio::test]
async fn delete_removes_the_user_and_their_token() {
    let (admin, app, token) = alice_logged_in().await;
    says(
        &admin,
        &["user", "delete", "alice"],
        "deleted user \"alice\"",
    );
    app.whoami(&token).await.assert_401("Invalid token.");
    let store = testkit::dynamo::store(testkit::dynamo::client(), admin.tables.clone());
    assert_eq!(store.user("alice").await.unwrap(), None);
    let digest = authtoken::secrets::token::TokenKey::new(token.as_str()).digest();
    assert_eq!(
        store.token(&digest).await.unwrap(),
        None,
        "no token record left"
    );
    let stderr = admin.fails(&["user", "delete", "alice"], None);
    assert!(
        stderr.contains("there is no user named \"alice\""),
        "{stderr}"
    );
}

#[test]
fn list_pages_through_all_users_without_hashes() {
    let admin = Admin::with_tables(env!("CARGO_BIN_EXE_authtoken"));
    for name in ["ann", "bob", "cy"] {
        admin.create_user(name, "strong-pw-1");
    }
    admin.ok(&["user", "deactivate", "cy"]);
    admin.ok(&["token", "create", "ann"]);
    let output = admin.run(&["user", "list", "--page-size", "2"], None);
    assert!(output.status.success(), "{}", describe(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    let rows: Vec<Vec<&str>> = stdout
        .lines()
        .skip(1)
        .map(|line| line.split_whitespace().collect())
        .collect();
    let mut rows: Vec<_> = rows.iter().map(|row| (row[0], row[1], row[2])).collect();
    rows.sort();
    assert_eq!(
        rows,
        [("ann", "yes", "1"), ("bob", "yes", "0"), ("cy", "no", "0")],
        "{stdout}"
    );
    assert!(!stdout.contains("argon2"), "{stdout}");
    assert!(String::from_utf8_lossy(&output.stderr).contains("3 user(s)"));
}

#[tokio::test]
async fn token_create_prints_the_key_and_reset_replaces_it() {
    let admin = Admin::with_tables(env!("CARGO_BIN_EXE_authtoken"));
    admin.create_user("alice", "strong-pw-1");
    let output = admin.run(&["token", "create", "alice"], None);
    assert!(output.status.success(), "{}", describe(&output));
    let key = String::from_utf8(output.stdout).unwrap().trim().to_owned();
    assert!(is_key(&key), "{key}");
    assert!(
        !String::from_utf8_lossy(&output.stderr).contains(&key),
        "the key only on stdout"
    );
    let app = admin.app();
    app.whoami(&key)
        .await
        .assert(200, json!({ "username": "alice" }));
    assert_eq!(
        admin.ok(&["token", "create", "alice"]).trim(),
        key,
        "the same key again"
    );
    assert_eq!(
        app.login(("alice", "strong-pw-1")).await,
        key,
        "login hands out the same key"
    );

    let reset = admin
        .ok(&["token", "create", "alice", "--reset"])
        .trim()
        .to_owned();
    assert!(is_key(&reset) && reset != key);
    app.whoami(&key).await.assert_401("Invalid token.");
    app.whoami(&reset)
        .await
        .assert(200, json!({ "username": "alice" }));

    let stderr = admin.fails(&["token", "create", "nobody"], None);
    assert!(
        stderr.contains("there is no user named \"nobody\""),
        "{stderr}"
    );
    admin.ok(&["user", "deactivate", "alice"]);
    let stderr = admin.fails(&["token", "create", "alice"], None);
    assert!(stderr.contains("is inactive"), "{stderr}");
}

/// `token create --key`: the events' key installed for a local session of `sam local invoke`,
/// replacing the user's token; refused for a malformed key, a key in use, and tables that are
/// not on this machine.
#[tokio::test]
async fn token_create_with_a_key_installs_it_for_local_tables_only() {
    const EVENTS_KEY: &str = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b";
    let admin = Admin::with_tables(env!("CARGO_BIN_EXE_authtoken"));
    admin.create_user("alice", "strong-pw-1");
    admin.create_user("bob", "strong-pw-2");
    let app = admin.app();
    let first = app.login(("alice", "strong-pw-1")).await;
    let printed = admin.ok(&["token", "create", "alice", "--key", EVENTS_KEY]);
    assert_eq!(printed.trim(), EVENTS_KEY);
    app.whoami(EVENTS_KEY)
        .await
        .assert(200, json!({ "username": "alice" }));
    app.whoami(&first).await.assert_401("Invalid token.");
    assert_eq!(
        app.login(("alice", "strong-pw-1")).await,
        EVENTS_KEY,
        "login hands out the installed key"
    );
    assert_eq!(
        admin
            .ok(&["token", "create", "alice", "--key", EVENTS_KEY])
            .trim(),
        EVENTS_KEY,
        "installed already: the same key, nothing changed"
    );
    app.whoami(EVENTS_KEY)
        .await
        .assert(200, json!({ "username": "alice" }));
    let in_use = admin.fails(&["token", "create", "bob", "--key", EVENTS_KEY], None);
    assert!(in_use.contains("the key is in use already"), "{in_use}");
    let malformed = admin.fails(&["token", "create", "bob", "--key", "ABC"], None);
    assert!(
        malformed.contains("not of an issued key's form"),
        "{malformed}"
    );
    let mut remote = admin.command(&["token", "create", "bob", "--key", &"a".repeat(40)]);
    remote.env("AWS_ENDPOINT_URL_DYNAMODB", "http://203.0.113.9:8000");
    let stderr = admin.fails_with(remote, None);
    assert!(
        stderr.contains("--key is for tables on this machine only"),
        "{stderr}"
    );
}

#[tokio::test]
async fn token_revoke_deletes_the_token() {
    let (admin, app, token) = alice_logged_in().await;
    says(
        &admin,
        &["token", "revoke", "alice"],
        "revoked 1 token of \"alice\"",
    );
    app.whoami(&token).await.assert_401("Invalid token.");
    says(
        &admin,
        &["token", "revoke", "alice"],
        "\"alice\" had no token",
    );
    let stderr = admin.fails(&["token", "revoke", "nobody"], None);
    assert!(
        stderr.contains("there is no user named \"nobody\""),
        "{stderr}"
    );
}

#[test]
fn a_missing_table_says_how_to_create_it() {
    let admin = Admin::new(env!("CARGO_BIN_EXE_authtoken"));
    for args in [
        &["user", "list"][..],
        &["token", "create", "alice"],
        &["user", "delete", "alice"],
    ] {
        let stderr = admin.fails(args, None);
        assert!(stderr.contains("does not exist"), "{args:?}: {stderr}");
        assert!(
            stderr.contains("authtoken tables create"),
            "{args:?}: {stderr}"
        );
    }
}

#[test]
fn an_unreachable_store_is_named_with_its_causes_printed_once() {
    let admin = Admin::new(env!("CARGO_BIN_EXE_authtoken"));
    // A loopback port nothing listens on: connections are refused at once.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let mut command = admin.command(&["user", "list"]);
    command.env("AWS_ENDPOINT_URL_DYNAMODB", &endpoint);
    let stderr = admin.fails_with(command, None);
    let first = stderr.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        format!("authtoken: error: cannot reach DynamoDB at {endpoint}")
    );
    let causes: Vec<&str> = stderr
        .lines()
        .filter_map(|line| line.strip_prefix("  caused by: "))
        .collect();
    assert!(!causes.is_empty(), "{stderr}");
    assert_eq!(
        causes[0], "the store is temporarily unavailable",
        "{stderr}"
    );
    for (i, cause) in causes.iter().enumerate() {
        assert!(
            !causes[i + 1..].contains(cause),
            "printed twice: {cause}\n{stderr}"
        );
    }
}

#[test]
fn missing_credentials_region_or_table_names_say_what_to_set() {
    let admin = Admin::with_tables(env!("CARGO_BIN_EXE_authtoken"));
    let mut command = admin.command(&["user", "list"]);
    command
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY");
    let stderr = String::from_utf8(admin.run_with(command, None).stderr).unwrap();
    assert!(
        stderr.contains("no AWS credentials found: set AWS_ACCESS_KEY_ID"),
        "{stderr}"
    );

    let mut command = admin.command(&["user", "list"]);
    command.env_remove("AWS_REGION");
    let stderr = String::from_utf8(admin.run_with(command, None).stderr).unwrap();
    assert!(stderr.contains("no AWS region: set AWS_REGION"), "{stderr}");

    let mut command = admin.command(&["user", "list"]);
    command.env_remove("USERS_TABLE");
    let stderr = admin.fails_with(command, None);
    assert!(
        stderr.contains("pass --users-table NAME or set USERS_TABLE"),
        "{stderr}"
    );
}

#[test]
fn table_flags_override_the_environment() {
    let admin = Admin::with_tables(env!("CARGO_BIN_EXE_authtoken"));
    admin.create_user("alice", "strong-pw-1");
    let mut command = admin.command(&[
        "user",
        "list",
        "--users-table",
        &admin.tables.users,
        "--tokens-table",
        &admin.tables.tokens,
        "--lockouts-table",
        &admin.tables.lockouts,
    ]);
    command
        .env("USERS_TABLE", "elsewhere")
        .env("TOKENS_TABLE", "elsewhere")
        .env("LOCKOUTS_TABLE", "elsewhere");
    let output = admin.run_with(command, None);
    assert!(output.status.success(), "{}", describe(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("alice"));
}

#[tokio::test]
async fn serve_dynamodb_serves_the_tables_and_sees_admin_changes_at_once() {
    let admin = Admin::with_tables(env!("CARGO_BIN_EXE_authtoken"));
    admin.create_user("alice", "strong-pw-1");
    let mut command = admin.command(&[
        "serve",
        "--dynamodb",
        "--addr",
        "127.0.0.1:0",
        "--user",
        "alice:other",
        "--user",
        "bob:bob pw",
    ]);
    command.stdin(Stdio::null());
    let server = ServeProcess::spawn(command).await;
    let startup = server.startup_lines().join("\n");
    assert!(startup.contains("DynamoDB store"), "{startup}");
    assert!(
        startup.contains("user \"alice\" exists already; kept as it is"),
        "{startup}"
    );
    let app = TestApp::Http(server);
    let token = app.login(("alice", "strong-pw-1")).await;
    app.login(("bob", "bob pw")).await;
    app.whoami(&token)
        .await
        .assert(200, json!({ "username": "alice" }));
    admin.ok(&["user", "deactivate", "alice"]);
    app.whoami(&token).await.assert_401("Invalid token.");
}

/// `authtoken ARGS` under the per-login policy.
fn per_login(admin: &Admin, args: &[&str]) -> Output {
    let mut command = admin.command(args);
    command.env("TOKEN_POLICY", "per-login");
    admin.run_with(command, None)
}

#[tokio::test]
async fn tokens_are_listed_without_keys_and_revoked_one_or_all() {
    let admin = Admin::with_tables(env!("CARGO_BIN_EXE_authtoken"));
    admin.create_user("alice", "strong-pw-1");
    let mut keys = Vec::new();
    for _ in 0..3 {
        let output = per_login(&admin, &["token", "create", "alice"]);
        assert!(output.status.success(), "{}", describe(&output));
        keys.push(String::from_utf8(output.stdout).unwrap().trim().to_owned());
    }
    assert!(
        keys[0] != keys[1] && keys[1] != keys[2],
        "a new key each time"
    );
    let listing = admin.run(&["token", "list", "alice"], None);
    assert!(listing.status.success(), "{}", describe(&listing));
    let stdout = String::from_utf8_lossy(&listing.stdout).into_owned();
    let rows: Vec<Vec<&str>> = stdout
        .lines()
        .skip(1)
        .map(|line| line.split_whitespace().collect())
        .collect();
    assert_eq!(rows.len(), 3, "{stdout}");
    for row in &rows {
        assert_eq!(row.len(), 4, "{stdout}");
        assert_eq!(row[0].len(), 8, "a digest prefix: {stdout}");
        assert!(row[1].ends_with('Z') && row[2] == "never" && row[3] == "per-login");
    }
    for key in &keys {
        assert!(!stdout.contains(key.as_str()), "no key listed");
        let digest = authtoken::secrets::token::TokenKey::new(key.as_str()).digest();
        assert!(!stdout.contains(digest.as_str()), "no whole digest listed");
    }
    assert!(String::from_utf8_lossy(&listing.stderr).contains("3 token(s)"));

    // Several tokens: which one must be said.
    let stderr = admin.fails(&["token", "revoke", "alice"], None);
    assert!(stderr.contains("holds 3 tokens: pass --all"), "{stderr}");
    let stderr = admin.fails(&["token", "revoke", "alice", "--digest", "zz"], None);
    assert!(stderr.contains("no single token"), "{stderr}");

    let app = admin.app();
    let first = authtoken::secrets::token::TokenKey::new(keys[0].as_str()).digest();
    let out = admin.ok(&["token", "revoke", "alice", "--digest", first.short()]);
    assert!(out.contains("revoked 1 token of \"alice\""), "{out}");
    app.whoami(&keys[0]).await.assert_401("Invalid token.");
    app.whoami(&keys[1])
        .await
        .assert(200, json!({ "username": "alice" }));

    let out = admin.ok(&["token", "revoke", "alice", "--all"]);
    assert!(out.contains("revoked 2 tokens of \"alice\""), "{out}");
    for key in &keys {
        app.whoami(key).await.assert_401("Invalid token.");
    }
    let stderr = per_login(&admin, &["token", "create", "alice", "--reset"]);
    assert_eq!(stderr.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&stderr.stderr).contains("--reset applies to"));
}

#[tokio::test]
async fn forget_keys_removes_every_plaintext_key_and_keeps_the_tokens() {
    let admin = Admin::with_tables(env!("CARGO_BIN_EXE_authtoken"));
    for name in ["ann", "bob", "cy"] {
        admin.create_user(name, "strong-pw-1");
    }
    let ann = admin.ok(&["token", "create", "ann"]).trim().to_owned();
    let bob = admin.ok(&["token", "create", "bob"]).trim().to_owned();
    let output = admin.run(&["token", "forget-keys", "--page-size", "2"], None);
    assert!(output.status.success(), "{}", describe(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("forgot 2 key(s) of 3 user(s); every token stays valid"),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_progress_per_page(&stderr, 2);
    let app = admin.app();
    for (key, name) in [(&ann, "ann"), (&bob, "bob")] {
        app.whoami(key)
            .await
            .assert(200, json!({ "username": name }));
        let user = app.stored_user(name).await.unwrap();
        assert_eq!(
            (user.per_user_token, user.per_login_tokens.len()),
            (None, 1),
            "{name}"
        );
    }
    let again = admin.ok(&["token", "forget-keys"]);
    assert!(again.contains("forgot 0 key(s) of 3 user(s)"), "{again}");
    let listing = admin.ok(&["token", "list", "ann"]);
    assert!(listing.contains("per-login"), "{listing}");
}

/// `token seal-keys` seals the keys an earlier version kept in plain text, leaves sealed ones
/// alone, and reports the ones it cannot open; every token keeps working.
#[tokio::test]
async fn seal_keys_seals_plain_keys_and_reports_lost_ones() {
    use authtoken::secrets::seal::{KeptKey, SealKey};
    use authtoken::secrets::token::{TokenFormat, TokenKey};
    use authtoken::store::Store;
    let admin = Admin::with_tables(env!("CARGO_BIN_EXE_authtoken"));
    admin.create_user("ann", "strong-pw-1");
    let ann = admin.ok(&["token", "create", "ann"]).trim().to_owned();
    let store = testkit::dynamo::store(testkit::dynamo::client(), admin.tables.clone());
    let (plain, lost) = (
        TokenKey::generate(TokenFormat::Hex),
        TokenKey::generate(TokenFormat::Hex),
    );
    let foreign = SealKey::random().seal("cy", &lost).unwrap();
    for (name, key, kept) in [
        ("bob", &plain, KeptKey::Plain(plain.clone())),
        ("cy", &lost, KeptKey::sealed(&lost, foreign)),
    ] {
        testkit::keys::user_keeping(&store, name, "!", key, kept).await;
    }
    let output = admin.run(&["token", "seal-keys", "--page-size", "2"], None);
    assert!(output.status.success(), "{}", describe(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains("sealed 1 key(s) of 3 user(s); 1 already sealed under the current secret"),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_progress_per_page(&stderr, 2);
    assert!(
        stderr.contains("1 key(s) cannot be opened"),
        "lost keys reported: {stderr}"
    );
    let bob = store.user("bob").await.unwrap().unwrap();
    assert!(
        matches!(&bob.per_user_token.unwrap().key, KeptKey::Sealed { digest, .. } if *digest == plain.digest())
    );
    let app = admin.app();
    for (key, name) in [
        (ann.as_str(), "ann"),
        (plain.expose(), "bob"),
        (lost.expose(), "cy"),
    ] {
        app.whoami(key)
            .await
            .assert(200, json!({ "username": name }));
    }
    let again = admin.ok(&["token", "seal-keys"]);
    assert!(
        again.contains("sealed 0 key(s) of 3 user(s); 2 already sealed"),
        "{again}"
    );
}

/// What an operator did is on record at the command line's default level (no RUST_LOG), and
/// even when RUST_LOG asks for errors only: the audit events are always logged.
#[test]
fn administrative_commands_always_log_their_audit_events() {
    let admin = Admin::with_tables(env!("CARGO_BIN_EXE_authtoken"));
    admin.ok(&["tables", "create"]);
    let created = admin.run(
        &["user", "create", "olga", "--password-stdin"],
        Some("olga's password\n"),
    );
    assert!(created.status.success(), "{created:?}");
    let stderr = String::from_utf8_lossy(&created.stderr);
    assert!(stderr.contains("event=\"user_created\""), "{stderr}");
    assert!(!stderr.contains("olga's password"), "{stderr}");

    let mut quiet = admin.command(&["user", "deactivate", "olga"]);
    quiet.env("RUST_LOG", "error");
    let deactivated = admin.run_with(quiet, None);
    assert!(deactivated.status.success(), "{deactivated:?}");
    let stderr = String::from_utf8_lossy(&deactivated.stderr);
    assert!(stderr.contains("event=\"user_deactivated\""), "{stderr}");
}

/// Over HTTP, the state DynamoDB's TTL sweep leaves (a per-login token's record deleted while
/// its user still lists it): POST /api/logoutall/ answers 200 and leaves no token valid (it
/// answered 503 on every try before revocation treated a missing record as revoked).
#[tokio::test]
async fn logout_all_over_http_finishes_after_the_ttl_sweep() {
    let admin = Admin::with_tables(env!("CARGO_BIN_EXE_authtoken"));
    admin.create_user("alice", "strong-pw-1");
    let mut command = admin.command(&["serve", "--dynamodb", "--addr", "127.0.0.1:0"]);
    command
        .env("TOKEN_POLICY", "per-login")
        .env("TOKEN_TTL_SECONDS", "3600")
        .stdin(Stdio::null());
    let app = TestApp::Http(ServeProcess::spawn(command).await);
    let swept = app.login(("alice", "strong-pw-1")).await;
    let kept = app.login(("alice", "strong-pw-1")).await;
    testkit::dynamo::client()
        .delete_item()
        .table_name(&admin.tables.tokens)
        .key(
            "digest",
            aws_sdk_dynamodb::types::AttributeValue::S(
                authtoken::secrets::token::TokenKey::new(swept.as_str())
                    .digest()
                    .as_str()
                    .to_owned(),
            ),
        )
        .send()
        .await
        .unwrap();
    app.logoutall(&kept)
        .await
        .assert(200, json!({ "username": null }));
    app.whoami(&kept).await.assert_401("Invalid token.");
}

/// `user create --email` keeps an address Django accepts and refuses one it does not, writing
/// nothing; the password rules compare the password with it; `user list` shows each user's id
/// (from 1, in creation order) and address.
#[tokio::test]
async fn users_get_ids_in_order_and_an_email_django_accepts() {
    let admin = Admin::with_tables(env!("CARGO_BIN_EXE_authtoken"));
    admin.create_user("alice", "old strong pw");
    let create_bob = |email: &str, stdin: &str| {
        let args = [
            "user",
            "create",
            "bob",
            "--password-stdin",
            "--email",
            email,
        ];
        admin.run(&args, Some(stdin))
    };
    let refused = create_bob("bob@", "a password nobody guesses\n");
    assert!(!refused.status.success(), "{}", describe(&refused));
    assert!(
        String::from_utf8_lossy(&refused.stderr)
            .contains("\"bob@\" is not a valid email address (Django's EmailValidator refuses it)"),
        "{}",
        describe(&refused)
    );
    let similar = create_bob("kqzvmwxrtl@example.com", "kqzvmwxrtl\n");
    assert!(
        String::from_utf8_lossy(&similar.stderr)
            .contains("The password is too similar to the email address."),
        "{}",
        describe(&similar)
    );
    let created = create_bob("bob@example.com", "a password nobody guesses\n");
    assert!(created.status.success(), "{}", describe(&created));
    let app = admin.app();
    let bob = app.stored_user("bob").await.unwrap();
    assert_eq!((bob.id, bob.email.as_str()), (Some(2), "bob@example.com"));
    let shown = admin.ok(&["user", "show", "bob"]);
    for line in [
        "username  bob\n",
        "id        2\n",
        "email     bob@example.com\n",
        "active    yes\n",
        "tokens    0\n",
    ] {
        assert!(shown.contains(line), "{line:?} in {shown}");
    }
    assert!(!shown.contains("argon2"), "{shown}");
    let missing = admin.fails(&["user", "show", "nobody"], None);
    assert!(
        missing.contains("there is no user named \"nobody\""),
        "{missing}"
    );
    let list = admin.ok(&["user", "list"]);
    let lines: Vec<&str> = list.lines().collect();
    assert!(lines[0].ends_with("ID       EMAIL"), "{list}");
    assert!(
        lines
            .iter()
            .any(|line| line.starts_with("alice ") && line.contains(" 1        ")),
        "{list}"
    );
    assert!(
        lines
            .iter()
            .any(|line| line.starts_with("bob ") && line.ends_with(" 2        bob@example.com")),
        "{list}"
    );
}

/// Asserts a progress line after a page of at most `page_size` users (the users table's first
/// page may hold the item that counts ids, which is no user), before the last.
fn assert_progress_per_page(stderr: &str, page_size: usize) {
    let paged = stderr.lines().any(|line| {
        (1..=page_size).any(|read| line.starts_with(&format!("{read} user(s) read, ")))
    });
    assert!(paged, "progress: {stderr}");
}

/// `user fold-names` lists the names that share a fold and refuses to rename anything while
/// there are some; `user rename` resolves one; `--apply` then folds every name, whose holders
/// keep their keys. Under `USERNAME_CASE_INSENSITIVE=true` the commands find a user in any
/// case, and create users folded.
#[tokio::test]
async fn fold_names_readies_a_table_for_case_insensitive_names() {
    let admin = Admin::with_tables(env!("CARGO_BIN_EXE_authtoken"));
    for name in ["alice", "Alice", "Bob", "carol"] {
        admin.create_user(name, "a password nobody guesses");
    }
    let app = admin.app();
    let bobs_key = app.login(("Bob", "a password nobody guesses")).await;
    let refused = admin.run(&["user", "fold-names"], None);
    let stdout = String::from_utf8_lossy(&refused.stdout);
    assert_eq!(refused.status.code(), Some(1), "{}", describe(&refused));
    assert!(stdout.contains("  \"Alice\", \"alice\"\n"), "{stdout}");
    assert!(stdout.contains("  \"Bob\" -> \"bob\"\n"), "{stdout}");
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("4 user(s) read"),
        "{}",
        describe(&refused)
    );
    let applied = admin.fails(&["user", "fold-names", "--apply"], None);
    assert!(applied.contains("nothing was renamed"), "{applied}");
    assert!(app.stored_user("Bob").await.is_some());

    says(
        &admin,
        &["user", "rename", "Alice", "alice2"],
        "renamed \"Alice\" to \"alice2\"",
    );
    says(&admin, &["user", "fold-names"], "run again with --apply");
    says(
        &admin,
        &["user", "fold-names", "--apply"],
        "renamed \"Bob\" to \"bob\"",
    );
    says(
        &admin,
        &["user", "fold-names"],
        "all 4 name(s) are stored case-folded",
    );
    app.whoami(&bobs_key)
        .await
        .assert(200, json!({ "username": "bob" }));

    let insensitive = |args: &[&str], stdin: Option<&str>| {
        let mut command = admin.command(args);
        command.env("USERNAME_CASE_INSENSITIVE", "true");
        admin.run_with(command, stdin)
    };
    let taken = insensitive(
        &["user", "create", "ALICE", "--password-stdin"],
        Some("a password nobody guesses\n"),
    );
    assert!(
        String::from_utf8_lossy(&taken.stderr).contains("a user named \"alice\" already exists"),
        "{}",
        describe(&taken)
    );
    let created = insensitive(
        &["user", "create", "Dave", "--password-stdin"],
        Some("a password nobody guesses\n"),
    );
    assert!(
        String::from_utf8_lossy(&created.stdout).contains("created user \"dave\""),
        "{}",
        describe(&created)
    );
    let renamed = insensitive(&["user", "rename", "DAVE", "CAROL"], None);
    assert!(
        String::from_utf8_lossy(&renamed.stderr).contains("a user named \"carol\" already exists"),
        "{}",
        describe(&renamed)
    );
    let key = insensitive(&["token", "create", "BOB"], None);
    assert!(
        is_key(String::from_utf8_lossy(&key.stdout).trim()),
        "{}",
        describe(&key)
    );
    let deleted = insensitive(&["user", "delete", "DAVE"], None);
    assert!(deleted.status.success(), "{}", describe(&deleted));
    assert!(app.stored_user("dave").await.is_none());
}

/// `user create` and `user set-password` apply the breach check when it is on: a listed password
/// is refused, nothing written; with the service down the password is accepted and the
/// failure logged.
#[tokio::test]
async fn the_breach_check_refuses_a_listed_password_and_fails_open() {
    use testkit::breaches::{BREACHED_PASSWORD, range_api};
    let admin = Admin::with_tables(env!("CARGO_BIN_EXE_authtoken"));
    let checked = |args: &[&str], api: &str, password: &str| {
        let mut command = admin.command(args);
        command
            .env("PASSWORD_BREACH_CHECK", "true")
            .env("PASSWORD_BREACH_API", api);
        admin.run_with(command, Some(&format!("{password}\n")))
    };
    let create = ["user", "create", "alice", "--password-stdin"];
    let refused = checked(&create, &range_api(""), BREACHED_PASSWORD);
    assert_eq!(refused.status.code(), Some(1), "{}", describe(&refused));
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(
        stderr.contains("refused by the breach check; nothing was changed")
            && stderr.contains("This password is known to have appeared in a public data breach."),
        "{stderr}"
    );
    assert!(admin.app().stored_user("alice").await.is_none());
    let created = checked(&create, &range_api("down/"), BREACHED_PASSWORD);
    assert!(created.status.success(), "{}", describe(&created));
    let stderr = String::from_utf8_lossy(&created.stderr);
    assert!(stderr.contains("breach_check_failed"), "{stderr}");
    assert!(stderr.contains("answered 503"), "{stderr}");
    let set = ["user", "set-password", "alice", "--password-stdin"];
    let refused = checked(&set, &range_api(""), BREACHED_PASSWORD);
    assert_eq!(refused.status.code(), Some(1), "{}", describe(&refused));
    let bad_api = checked(
        &set,
        "http://breaches.example.com/",
        "fine and unlisted 0x1",
    );
    assert!(
        String::from_utf8_lossy(&bad_api.stderr).contains("PASSWORD_BREACH_API is"),
        "{}",
        describe(&bad_api)
    );
}

/// `user index-emails` puts in the index by address the addresses stored before it existed (an
/// item without its `email_key`, as a version before password resets wrote it).
#[tokio::test]
async fn index_emails_makes_old_addresses_findable() {
    let admin = Admin::with_tables(env!("CARGO_BIN_EXE_authtoken"));
    let create = [
        "user",
        "create",
        "ann",
        "--password-stdin",
        "--email",
        "Ann@Example.com",
    ];
    admin.ok_with_stdin(&create, Some("a password nobody guesses\n"));
    testkit::dynamo::client()
        .update_item()
        .table_name(&admin.tables.users)
        .key(
            "username",
            aws_sdk_dynamodb::types::AttributeValue::S("ann".into()),
        )
        .update_expression("REMOVE email_key")
        .send()
        .await
        .unwrap();
    let store = testkit::dynamo::store(testkit::dynamo::client(), admin.tables.clone());
    assert!(
        store
            .users_with_email("ann@example.com")
            .await
            .unwrap()
            .is_empty()
    );
    says(
        &admin,
        &["user", "index-emails"],
        "1 address(es) of 1 user(s) are in the index by email address",
    );
    let found = store.users_with_email("ANN@example.com").await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].username, "ann");
}

//! `authtoken import django` against DynamoDB (moto), fed real fixtures: a throwaway Django
//! project in the test venv (`scripts/django_dump.py`) hashes passwords with Django's own
//! hashers, creates DRF tokens and exports them with `manage.py dumpdata`. Then the contract is
//! checked against the imported users: old keys authenticate, old passwords log in (and are
//! replaced by argon2id), inactive users are refused, unusable passwords never log in.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed expectation is the test's failure, reported where it happened"
)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use authtoken::Ctx;
use authtoken::config::Settings;
use authtoken::store::Store;
use serde_json::{Value, json};
use testkit::app::{TestApp, TestRequest, drf_settings};
use testkit::cli::{Admin, describe};

/// The workspace's root.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The fixtures, made once per version of `scripts/django_dump.py` and kept in cargo's
/// directory for tests' files (hashing at Django's 1,000,000 PBKDF2 iterations takes seconds,
/// and each test may run in a process of its own). One process makes them, holding a lock file;
/// the others wait for them (at most 5 minutes; a lock left by a maker that died is taken over
/// after two); they appear in one rename, never half-written.
fn fixtures() -> &'static Path {
    static MADE: OnceLock<PathBuf> = OnceLock::new();
    MADE.get_or_init(|| {
        let script = root().join("scripts/django_dump.py");
        let version = {
            use std::hash::{Hash, Hasher};
            let mut hasher = std::collections::hash_map::DefaultHasher::new();
            std::fs::read(&script).unwrap().hash(&mut hasher);
            hasher.finish()
        };
        let made = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("django-{version:016x}"));
        let lock = made.with_extension("lock");
        let deadline = Instant::now() + Duration::from_secs(300);
        while !made.join("users.json").is_file() {
            assert!(
                Instant::now() < deadline,
                "no Django fixtures after 5 minutes: is {} stale?",
                lock.display()
            );
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&lock)
            {
                Ok(_) => {
                    // Given up even if making them fails, so that a waiting test tries in turn
                    // and fails at once with the reason rather than after the lock's timeout.
                    let _held = HeldLock(&lock);
                    make_fixtures(&script, &made);
                }
                // A lock older than two minutes is a maker that died (making takes seconds).
                Err(_) if lock_age(&lock) > Duration::from_secs(120) => {
                    std::fs::remove_file(&lock).ok();
                }
                Err(_) => std::thread::sleep(Duration::from_millis(200)),
            }
        }
        made
    })
}

/// A lock file, removed when dropped (also when its holder panics).
struct HeldLock<'a>(&'a Path);

impl Drop for HeldLock<'_> {
    fn drop(&mut self) {
        std::fs::remove_file(self.0).ok();
    }
}

/// How long ago `lock` was made (zero if it is gone).
fn lock_age(lock: &Path) -> Duration {
    std::fs::metadata(lock)
        .and_then(|metadata| metadata.modified())
        .ok()
        .and_then(|made| made.elapsed().ok())
        .unwrap_or_default()
}

/// Runs `scripts/django_dump.py` into a directory of its own, then moves it to `made`.
fn make_fixtures(script: &Path, made: &Path) {
    let python = root().join(".venv/bin/python");
    let out = made.with_extension(format!("{}", std::process::id()));
    let output = Command::new(&python).arg(script).arg(&out).output();
    match output {
        Ok(output) if output.status.success() => std::fs::rename(&out, made).unwrap(),
        other => panic!(
            "the Django fixtures could not be made with {}: {other:?}. These tests need \
             Django, djangorestframework and argon2-cffi in .venv: run `bash \
             scripts/test.sh`, or `.venv/bin/pip install --require-hashes -r \
             scripts/requirements-test.txt`",
            python.display()
        ),
    }
}

/// What the fixtures say of each user: (username, password, active, key, hasher).
fn described(file: &str) -> Vec<Value> {
    let text = std::fs::read(fixtures().join(file)).unwrap();
    serde_json::from_slice::<Vec<Value>>(&text).unwrap()
}

fn admin() -> Admin {
    Admin::with_tables(env!("CARGO_BIN_EXE_authtoken"))
}

/// The handlers on the admin's tables, with `settings`.
fn app(admin: &Admin, settings: Settings) -> TestApp {
    TestApp::Dynamo(std::sync::Arc::new(Ctx::new(
        testkit::dynamo::store(testkit::dynamo::client(), admin.tables.clone()),
        settings,
    )))
}

fn login(username: &str, password: &str) -> TestRequest {
    TestRequest::post("/api-token-auth/")
        .json(&json!({ "username": username, "password": password }))
}

/// Runs `authtoken import django ARGS...`; returns (exit code, stdout, stderr).
fn import(admin: &Admin, args: &[&str]) -> (Option<i32>, String, String) {
    let mut all = vec!["import", "django"];
    all.extend_from_slice(args);
    let output = admin.run(&all, None);
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn fixture(name: &str) -> String {
    fixtures().join(name).to_string_lossy().into_owned()
}

#[tokio::test]
async fn a_drf_dump_imports_and_nobody_is_logged_out() {
    let admin = admin();
    let (code, stdout, stderr) = import(&admin, &[&fixture("plain.json")]);
    // grace's md5 hash is refused, and with it her token: exit 1, the rest imported.
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("6 user(s) created (4 with their token, 1 with an unusable password)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("1 token(s) of inactive users left out"),
        "{stdout}"
    );
    assert!(
        stdout.contains("(user \"grace\"): its password hash is \"md5\""),
        "{stdout}"
    );
    assert!(stdout.contains("its user (pk 7) is refused"), "{stdout}");
    assert!(stderr.contains("2 entries were refused"), "{stderr}");

    // The imported keys are kept sealed: the users table holds none of them.
    let scanned = testkit::dynamo::client()
        .scan()
        .table_name(&admin.tables.users)
        .send()
        .await
        .unwrap();
    let stored = format!("{:?}", scanned.items());
    let keys: Vec<_> = described("users.json")
        .into_iter()
        .filter_map(|user| user["key"].as_str().map(str::to_owned))
        .collect();
    assert!(keys.len() >= 4, "{keys:?}");
    for key in &keys {
        assert!(
            !stored.contains(key.as_str()),
            "an imported key in plain text"
        );
    }

    let app = app(&admin, drf_settings());
    for user in described("users.json") {
        let name = user["username"].as_str().unwrap();
        let key = user["key"].as_str();
        let password = user["password"].as_str().unwrap_or("anything");
        match (name, user["active"].as_bool().unwrap()) {
            ("grace", _) => {
                assert!(
                    app.stored_user(name).await.is_none(),
                    "grace is not created"
                );
                app.whoami(key.unwrap()).await.assert_401("Invalid token.");
            }
            ("erin", _) => {
                // Unusable password: the old key still works, no password ever logs in.
                app.whoami(key.unwrap())
                    .await
                    .assert(200, json!({ "username": name }));
                for attempt in ["anything", "", "!"] {
                    assert_eq!(app.send(login(name, attempt)).await.status, 400);
                }
            }
            (_, false) => {
                app.send(login(name, password)).await.assert(
                    400,
                    json!({ "non_field_errors": ["Unable to log in with provided credentials."] }),
                );
                app.whoami(key.unwrap()).await.assert_401("Invalid token.");
            }
            (_, true) => {
                if let Some(key) = key {
                    app.whoami(key)
                        .await
                        .assert(200, json!({ "username": name }));
                }
                let before = app.stored_user(name).await.unwrap().password_hash;
                assert!(
                    !before.starts_with("$argon2id$"),
                    "{name}: Django's hash kept"
                );
                let token = app.login((name, password)).await;
                if let Some(key) = key {
                    assert_eq!(token, key, "{name}: the old key handed back");
                }
                let after = app.stored_user(name).await.unwrap().password_hash;
                assert!(
                    after.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
                    "{name}: {after}"
                );
                assert_eq!(
                    app.login((name, password)).await,
                    token,
                    "{name} after the upgrade"
                );
                assert_eq!(app.send(login(name, "wrong")).await.status, 400);
            }
        }
    }
}

#[tokio::test]
async fn natural_compact_and_standard_input_dumps_import_alike() {
    for (file, via_stdin) in [("natural.json", true), ("compact.json", false)] {
        let admin = admin();
        let text = std::fs::read_to_string(fixtures().join(file)).unwrap();
        let output = if via_stdin {
            admin.run(&["import", "django", "-"], Some(&text))
        } else {
            admin.run(&["import", "django", &fixture(file)], None)
        };
        let stdout = String::from_utf8_lossy(&output.stdout);
        assert!(
            stdout.contains("6 user(s) created (4 with their token, 1 with an unusable password)"),
            "{file}: {}",
            describe(&output)
        );
        let app = app(&admin, drf_settings());
        let alice = &described("users.json")[0];
        app.whoami(alice["key"].as_str().unwrap())
            .await
            .assert(200, json!({ "username": "alice" }));
    }
}

#[tokio::test]
async fn importing_twice_leaves_users_alone_dry_runs_write_nothing_and_update_updates() {
    let admin = admin();
    let (_, stdout, _) = import(&admin, &[&fixture("plain.json"), "--dry-run"]);
    assert!(stdout.contains("6 user(s) would be created"), "{stdout}");
    let listing = admin.run(&["user", "list"], None);
    assert!(
        String::from_utf8_lossy(&listing.stderr).contains("0 user(s)"),
        "a dry run writes nothing: {}",
        describe(&listing)
    );

    import(&admin, &[&fixture("plain.json")]);
    let (_, stdout, _) = import(&admin, &[&fixture("plain.json")]);
    assert!(stdout.contains("0 user(s) created"), "{stdout}");
    assert!(
        stdout.contains("6 existing user(s) left alone: \"alice\", \"bob\""),
        "{stdout}"
    );

    // The dump changes on the DRF side: alice is deactivated, frank's password replaced.
    let mut dump: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("plain.json")).unwrap())
            .unwrap();
    let new_hash =
        "pbkdf2_sha256$1000$MXApBmLKF6pkpkrcC6QjfP$UjOAPKStDEWX24bp4hMk6UmhZ3FKjzSnJWYjEemE7FQ=";
    for entry in &mut dump {
        match entry["fields"]["username"].as_str() {
            Some("alice") => entry["fields"]["is_active"] = json!(false),
            Some("bob") => entry["fields"]["password"] = json!(new_hash),
            _ => {}
        }
    }
    let changed = admin.scratch("changed.json");
    std::fs::write(&changed, serde_json::to_vec(&dump).unwrap()).unwrap();
    let app = app(&admin, drf_settings());
    let key_of = |name: &str| {
        described("users.json")
            .into_iter()
            .find(|user| user["username"] == name)
            .and_then(|user| user["key"].as_str().map(str::to_owned))
            .unwrap()
    };
    let bobs = key_of("bob");
    app.whoami(&bobs)
        .await
        .assert(200, json!({ "username": "bob" }));
    let (_, stdout, _) = import(&admin, &[changed.to_str().unwrap(), "--update"]);
    assert!(
        stdout.contains("6 existing user(s), 2 of them updated"),
        "{stdout}"
    );
    app.whoami(&key_of("alice"))
        .await
        .assert_401("Invalid token.");
    // A new password revokes bob's tokens, as `user set-password` does, the dump's included.
    app.whoami(&bobs).await.assert_401("Invalid token.");
    // bob's new hash is frank's old one: "frank's password" now logs bob in.
    app.login(("bob", "frank's password")).await;
}

#[tokio::test]
async fn unsupported_hashes_can_be_imported_unusable() {
    let admin = admin();
    let (code, stdout, _) = import(&admin, &[&fixture("plain.json"), "--unusable-unsupported"]);
    assert_eq!(code, Some(0), "{stdout}");
    assert!(
        stdout.contains("7 user(s) created (5 with their token, 2 with an unusable password)"),
        "{stdout}"
    );
    let app = app(&admin, drf_settings());
    assert_eq!(
        app.send(login("grace", "grace's password")).await.status,
        400
    );
}

#[tokio::test]
async fn a_custom_user_model_imports_by_its_login_field() {
    let admin = admin();
    let custom = fixture("custom.json");
    let (code, stdout, _) = import(&admin, &[&custom]);
    assert_eq!(code, Some(1));
    let (code, stdout_custom, stderr) = import(
        &admin,
        &[
            &custom,
            "--user-model",
            "accounts.Account",
            "--username-field",
            "email",
        ],
    );
    // Without the model's name, its users are not found, nor the token's user.
    assert!(
        stdout.contains("its user (pk 1) is not in the dump"),
        "{stdout}"
    );
    assert_eq!(code, Some(0), "{stdout_custom}{stderr}");
    let hana = &described("custom-users.json")[0];
    let app = app(&admin, drf_settings());
    let key = hana["key"].as_str().unwrap();
    app.whoami(key)
        .await
        .assert(200, json!({ "username": "hana@example.com" }));
    assert_eq!(
        app.login(("hana@example.com", "hana's password")).await,
        key
    );
}

#[tokio::test]
async fn under_per_login_the_keys_are_imported_as_digests_only() {
    let admin = admin();
    let mut command = admin.command(&["import", "django", &fixture("plain.json")]);
    command.env("TOKEN_POLICY", "per-login");
    admin.run_with(command, None);
    let app = app(&admin, testkit::policy::per_login());
    let alice = &described("users.json")[0];
    let key = alice["key"].as_str().unwrap();
    app.whoami(key)
        .await
        .assert(200, json!({ "username": "alice" }));
    let user = app.stored_user("alice").await.unwrap();
    assert_eq!(
        (user.per_user_token, user.per_login_tokens.len()),
        (None, 1),
        "no key stored"
    );
    let TestApp::Dynamo(ctx) = &app else {
        unreachable!()
    };
    let record = ctx
        .store
        .token(&authtoken::secrets::token::TokenKey::new(key).digest())
        .await
        .unwrap()
        .unwrap();
    assert!(
        record.created > 1_700_000_000,
        "the DRF token's creation time kept"
    );
}

#[tokio::test]
async fn bad_input_is_refused_with_the_entry_it_concerns() {
    let admin = admin();
    let write = |name: &str, text: &str| {
        let path = std::env::temp_dir().join(format!("{}-{name}", admin.tables.users));
        std::fs::write(&path, text).unwrap();
        path.to_string_lossy().into_owned()
    };
    let not_json = write("not.json", "username,password\nalice,x\n");
    let (code, _, stderr) = import(&admin, &[&not_json]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains("not a dumpdata file: it is not JSON"),
        "{stderr}"
    );
    let no_users = write(
        "empty.json",
        r#"[{"model": "auth.group", "pk": 1, "fields": {"name": "x"}}]"#,
    );
    let (_, _, stderr) = import(&admin, &[&no_users]);
    assert!(
        stderr.contains("no auth.user or authtoken.token entries in the dump (1 of other models)"),
        "{stderr}"
    );
    let hash =
        "pbkdf2_sha256$1000$MXApBmLKF6pkpkrcC6QjfP$UjOAPKStDEWX24bp4hMk6UmhZ3FKjzSnJWYjEemE7FQ=";
    let bad = write(
        "bad.json",
        &json!([
            {"model": "auth.user", "pk": 1, "fields": {"username": "ann", "password": hash, "is_active": true}},
            {"model": "auth.user", "pk": 2, "fields": {"username": "ann", "password": hash, "is_active": true}},
            {"model": "auth.user", "pk": 3, "fields": {"username": " ann", "password": hash, "is_active": true}},
            {"model": "authtoken.token", "pk": "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b",
             "fields": {"user": 9, "created": "2026-11-29T10:00:00Z"}},
            {"model": "authtoken.token", "pk": "not-a-key", "fields": {"user": 1, "created": "2026-11-29T10:00:00Z"}}
        ])
        .to_string(),
    );
    let (code, stdout, _) = import(&admin, &[&bad]);
    assert_eq!(code, Some(1));
    for expected in [
        "1 user(s) created (0 with their token",
        "entry 2 (user \"ann\"): the username is already in entry 1",
        "entry 3 (user \" ann\"): no login could match this username",
        "entry 4 (authtoken.token): its user (pk 9) is not in the dump",
        "entry 5 (authtoken.token): the token of \"ann\" is not a key of DRF's form",
    ] {
        assert!(stdout.contains(expected), "{expected}: {stdout}");
    }
}

#[tokio::test]
async fn the_import_leaves_audit_events_and_no_secret_in_its_logs() {
    let admin = admin();
    let mut command = admin.command(&["import", "django", &fixture("plain.json")]);
    command.env("RUST_LOG", "audit=info");
    let output = admin.run_with(command, None);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(
        stderr.matches("event=\"user_created\"").count(),
        6,
        "{stderr}"
    );
    assert_eq!(
        stderr.matches("by=\"import\"").count(),
        4,
        "a token_issued per imported token: {stderr}"
    );
    let dump = std::fs::read_to_string(fixtures().join("plain.json")).unwrap();
    for user in described("users.json") {
        for secret in [user["key"].as_str(), user["password"].as_str()]
            .into_iter()
            .flatten()
        {
            assert!(!stderr.contains(secret), "a secret in the log");
        }
    }
    for hash in dump
        .split('"')
        .filter(|text| text.starts_with("pbkdf2_") || text.starts_with("argon2$"))
    {
        assert!(!stderr.contains(hash), "a password hash in the log");
    }
}

/// Hashes that would make one login run past the function's timeout are refused at import with
/// the limit they exceed; a hash of no known format is refused without being repeated (it may be
/// a bare digest of the password, as Django's unsalted MD5 of old stored it).
#[tokio::test]
async fn costly_and_unrecognised_hashes_are_refused_without_repeating_them() {
    let admin = admin();
    let mut dump: Vec<Value> =
        serde_json::from_str(&std::fs::read_to_string(fixtures().join("plain.json")).unwrap())
            .unwrap();
    // Django's own 1,000,000 iterations, but a 320-byte output: ten PBKDF2 blocks each.
    let long_output = "A".repeat(427);
    let costly = format!("pbkdf2_sha256$1000000$salt${long_output}=");
    let argon2 = "argon2$argon2id$v=19$m=102400,t=40,p=8$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";
    let digest = "5f4dcc3b5aa765d61d8327deb882cf99";
    for entry in &mut dump {
        match entry["fields"]["username"].as_str() {
            Some("alice") => entry["fields"]["password"] = json!(costly),
            Some("bob") => entry["fields"]["password"] = json!(argon2),
            Some("frank") => entry["fields"]["password"] = json!(digest),
            _ => {}
        }
    }
    let path = admin.scratch("costly.json");
    std::fs::write(&path, serde_json::to_vec(&dump).unwrap()).unwrap();
    let (code, stdout, stderr) = import(&admin, &[path.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stdout.contains("(user \"alice\"): its password hash cannot be used: the hash asks for 1000000 PBKDF2 iterations of a 320-byte output (10000000 blocks), over the limit of 5000000 blocks"),
        "{stdout}"
    );
    assert!(
        stdout.contains("(user \"bob\"): its password hash cannot be used: the hash asks for argon2 with m=102400 KiB, t=40, p=8, over the limit"),
        "{stdout}"
    );
    assert!(
        stdout.contains("(user \"frank\"): its password hash is of no format authtoken knows"),
        "{stdout}"
    );
    assert!(
        !stdout.contains(digest) && !stderr.contains(digest),
        "the digest is repeated"
    );
    let app = app(&admin, drf_settings());
    for name in ["alice", "bob", "frank"] {
        assert!(
            app.stored_user(name).await.is_none(),
            "{name} is not created"
        );
    }
}

/// Each user keeps Django's primary key as their id and Django's email address; ids drawn
/// afterwards come after every primary key of the dump (grace's, refused, included), so that a
/// user imported later keeps theirs. A dump without primary keys gets ids from the counter.
#[tokio::test]
async fn ids_and_emails_are_djangos_and_later_ids_come_after_them() {
    let admin = admin();
    import(&admin, &[&fixture("plain.json")]);
    let app = app(&admin, drf_settings());
    let users = described("users.json");
    let highest = users.iter().map(|user| user["pk"].as_u64().unwrap()).max();
    for user in &users {
        let name = user["username"].as_str().unwrap();
        if name == "grace" {
            continue;
        }
        let stored = app.stored_user(name).await.unwrap();
        assert_eq!(stored.id, user["pk"].as_u64(), "{name}");
        assert_eq!(stored.email, user["email"].as_str().unwrap(), "{name}");
    }
    admin.create_user("newcomer", "a password nobody guesses");
    let newcomer = app.stored_user("newcomer").await.unwrap();
    assert_eq!(newcomer.id, highest.map(|pk| pk + 1));

    let natural = Admin::with_tables(env!("CARGO_BIN_EXE_authtoken"));
    import(&natural, &[&fixture("natural.json")]);
    let app = self::app(&natural, drf_settings());
    let mut ids = Vec::new();
    for user in &users[..4] {
        let name = user["username"].as_str().unwrap();
        ids.push(app.stored_user(name).await.unwrap().id.unwrap());
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 4, "distinct ids from the counter: {ids:?}");
}

/// A user whose primary key is already another existing user's id is refused, by name; the
/// others are imported.
#[tokio::test]
async fn a_primary_key_that_is_another_users_id_is_refused() {
    let admin = admin();
    admin.create_user("zed", "a password nobody guesses");
    let (code, stdout, stderr) = import(&admin, &[&fixture("plain.json")]);
    assert_eq!(code, Some(1), "{stdout}{stderr}");
    assert!(
        stdout
            .contains("(user \"alice\"): its id 1 (its primary key) is already the id of \"zed\""),
        "{stdout}"
    );
    assert!(
        stdout.contains("5 user(s) created"),
        "alice alone is refused besides grace: {stdout}"
    );
    let app = app(&admin, drf_settings());
    assert!(app.stored_user("alice").await.is_none());
    assert_eq!(app.stored_user("bob").await.unwrap().id, Some(2));
}

/// Under `USERNAME_CASE_INSENSITIVE=true` the names are stored folded (`Bob` as `bob`, with his
/// key), and a name that another entry holds in another case is refused.
#[tokio::test]
async fn case_insensitive_names_are_imported_folded_and_refused_when_they_collide() {
    let admin = admin();
    let mut entries = described("plain.json");
    let mut twin = entries[2].clone();
    entries[1]["fields"]["username"] = json!("Bob");
    twin["pk"] = json!(99);
    twin["fields"]["username"] = json!("CAROL");
    entries.push(twin);
    let dump = admin.scratch("folded.json");
    std::fs::write(&dump, serde_json::to_vec(&entries).unwrap()).unwrap();
    let mut command = admin.command(&["import", "django", &dump.to_string_lossy()]);
    command.env("USERNAME_CASE_INSENSITIVE", "true");
    let output = admin.run_with(command, None);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(1), "{}", describe(&output));
    assert!(
        stdout.contains(
            "(user \"CAROL\"): the username is already in entry 3, in another case \
             (USERNAME_CASE_INSENSITIVE=true)"
        ),
        "{stdout}"
    );
    let mut settings = drf_settings();
    settings.usernames = authtoken::config::NameCase::Insensitive;
    let app = app(&admin, settings);
    assert!(app.stored_user("Bob").await.is_none());
    let bobs = described("users.json")
        .into_iter()
        .find(|user| user["username"] == "bob")
        .unwrap();
    app.whoami(bobs["key"].as_str().unwrap())
        .await
        .assert(200, json!({ "username": "bob" }));
    let response = app
        .send(login("BOB", bobs["password"].as_str().unwrap()))
        .await;
    assert_eq!(response.status, 200, "{}", response.text());
    assert_eq!(app.stored_user("carol").await.unwrap().id, Some(3));
}

//! `authtoken::secrets::validators` against Django's own `validate_password` with a new
//! project's four default validators, run by the Django the test command installs into `.venv`:
//! the same messages, in the same order, for several hundred passwords built around the
//! account's username and email address.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed expectation is the test's failure, reported where it happened"
)]

use authtoken::secrets::password::Password;
use authtoken::secrets::validators::{Attributes, PasswordRules};
use serde_json::json;

/// Django's messages for each case `[password, username, email or null]`, in order.
const DJANGO: &str = r#"
import json, sys
import django
from django.conf import settings
settings.configure(
    INSTALLED_APPS=["django.contrib.contenttypes", "django.contrib.auth"],
    AUTH_PASSWORD_VALIDATORS=[
        {"NAME": "django.contrib.auth.password_validation." + name}
        for name in ("UserAttributeSimilarityValidator", "MinimumLengthValidator",
                     "CommonPasswordValidator", "NumericPasswordValidator")
    ],
)
django.setup()
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
answers = []
for password, username, email in json.load(sys.stdin):
    try:
        validate_password(password, User(username=username, email=email or ""))
        answers.append([])
    except ValidationError as error:
        answers.append(error.messages)
json.dump(answers, sys.stdout)
"#;

/// Passwords around `username` and `email`: the attributes themselves and their parts, cased,
/// cut, padded and extended; common, numeric and short ones; non-ASCII ones.
fn cases() -> Vec<(String, String, Option<String>)> {
    let accounts = [
        ("testclient", Some("testclient@example.com")),
        ("alice", None),
        ("jean-luc.picard", Some("captain@enterprise.example")),
        ("Ünïcødé_user", Some("ünï@exämple.org")),
        ("a", Some("a@b.c")),
    ];
    let mut cases = Vec::new();
    for (username, email) in accounts {
        let mut passwords: Vec<String> = vec![
            username.to_owned(),
            username.to_uppercase(),
            format!("{username}123"),
            format!("{username}{username}"),
            username.chars().rev().collect(),
            format!("x{username}y"),
            format!("{username} with a long tail of words"),
            "a".repeat(24),
            "password".into(),
            " Password\t".into(),
            "godzilla".into(),
            "1234567".into(),
            "3141592653589".into(),
            "٣١٤١٥٩٢٦٥٣٥".into(),
            "short".into(),
            "kqzvmwxrtl".into(),
            "correct horse battery staple".into(),
            "éééééééé".into(),
            String::new(),
        ];
        for cut in 1..username.chars().count() {
            passwords.push(username.chars().take(cut).collect());
            passwords.push(username.chars().skip(cut).collect::<String>() + "Zq9!");
        }
        if let Some(email) = email {
            passwords.push(email.to_owned());
            passwords.push(email.to_uppercase());
            for part in email.split(['@', '.']) {
                passwords.push(part.to_owned());
                passwords.push(format!("{part}2024"));
            }
        }
        for password in passwords {
            cases.push((password, username.to_owned(), email.map(str::to_owned)));
        }
    }
    cases
}

#[test]
fn the_messages_are_djangos_for_every_case() {
    let cases = cases();
    let input = json!(
        cases
            .iter()
            .map(|(password, username, email)| json!([password, username, email]))
            .collect::<Vec<_>>()
    );
    let answers = crate::django::run(DJANGO, &input);
    assert_eq!(answers.len(), cases.len());
    let said = answers
        .iter()
        .flat_map(|messages| messages.as_array().unwrap())
        .map(|message| message.as_str().unwrap())
        .collect::<Vec<_>>();
    for start in [
        "The password is too similar to the username.",
        "The password is too similar to the email address.",
        "This password is too short.",
        "This password is too common.",
        "This password is entirely numeric.",
    ] {
        assert!(
            said.iter().any(|message| message.starts_with(start)),
            "no case gets {start:?}"
        );
    }
    let rules = PasswordRules::default();
    let mut refused = 0;
    for ((password, username, email), django) in cases.iter().zip(answers) {
        let ours = rules.problems(
            &Password::new(password.as_str()),
            Attributes {
                username,
                email: email.as_deref(),
            },
        );
        refused += usize::from(!ours.is_empty());
        assert_eq!(
            json!(ours),
            django,
            "password {password:?}, username {username:?}, email {email:?}"
        );
    }
    // Both outcomes are exercised.
    assert!(refused > 50 && refused < cases.len() - 20, "{refused}");
}

//! The breach check (`PASSWORD_BREACH_CHECK`) against a local stand-in of Pwned Passwords'
//! range API ([`testkit::breaches`]): only 5 hex digits of the SHA-1 leave, a listed password is
//! refused with its message once Django's validators pass, and a service that is slow, failing
//! or unreachable lets the password through (fail open).

use authtoken::config::{BreachCheck, PasswordRules};
use authtoken::secrets::breaches::{BREACHED, TIMEOUT, Verdict};
use authtoken::secrets::password::Password;
use authtoken::secrets::validators::Attributes;
use testkit::breaches::{
    BREACHED_COUNT, BREACHED_PASSWORD, SLOW_SECONDS, asked, range_api, sha1_hex,
};

const USER: Attributes<'static> = Attributes {
    username: "alice",
    email: None,
};

fn check(kind: &str) -> BreachCheck {
    BreachCheck::new(&range_api(kind)).unwrap()
}

fn rules(kind: &str) -> PasswordRules {
    PasswordRules {
        breaches: Some(check(kind)),
        ..PasswordRules::default()
    }
}

#[tokio::test]
async fn a_listed_password_is_found_from_five_hex_digits_only() {
    let listed = check("").verdict(&Password::new(BREACHED_PASSWORD)).await;
    assert_eq!(listed, Verdict::Breached(BREACHED_COUNT));
    let unlisted = "a password no breach lists 0x5eed";
    let verdict = check("").verdict(&Password::new(unlisted)).await;
    assert_eq!(verdict, Verdict::Unlisted);
    let paths = asked();
    for password in [BREACHED_PASSWORD, unlisted] {
        let hex = sha1_hex(password);
        let path = format!("/range/{}", &hex[..5]);
        assert!(paths.contains(&path), "{path} in {paths:?}");
        assert!(
            paths.iter().all(|path| !path.contains(&hex[..6])),
            "no more than 5 digits: {paths:?}"
        );
    }
    assert!(paths.iter().all(|path| path.len() == "/range/".len() + 5));
}

#[tokio::test]
async fn the_check_refuses_a_listed_password_after_djangos_validators() {
    let rules = rules("");
    let refused = rules.check(&Password::new(BREACHED_PASSWORD), USER).await;
    assert_eq!(refused, [BREACHED]);
    let fine = "a password no breach lists 0xf1ne";
    assert!(rules.check(&Password::new(fine), USER).await.is_empty());
    // A password Django's validators refuse is not sent anywhere: their messages alone.
    let weak = "1234";
    let problems = rules.check(&Password::new(weak), USER).await;
    assert_eq!(
        problems,
        [
            "This password is too short. It must contain at least 8 characters.",
            "This password is too common.",
            "This password is entirely numeric."
        ]
    );
    let prefix = format!("/range/{}", &sha1_hex(weak)[..5]);
    assert!(!asked().contains(&prefix), "{:?}", asked());
}

#[tokio::test]
async fn a_slow_failing_or_unreachable_service_lets_the_password_through() {
    assert!(SLOW_SECONDS > TIMEOUT.as_secs());
    let password = Password::new(BREACHED_PASSWORD);
    let slow = check("slow/").verdict(&password).await;
    assert_eq!(slow, Verdict::Unknown("no answer within 2 s".to_owned()));
    let down = check("down/").verdict(&password).await;
    assert_eq!(
        down,
        Verdict::Unknown("answered 503 Service Unavailable".to_owned())
    );
    let unreachable = BreachCheck::new("http://127.0.0.1:1/range/").unwrap();
    let Verdict::Unknown(reason) = unreachable.verdict(&password).await else {
        panic!("an unreachable service gives no verdict");
    };
    assert!(reason.starts_with("request failed"), "{reason}");
    assert!(rules("down/").check(&password, USER).await.is_empty());
}

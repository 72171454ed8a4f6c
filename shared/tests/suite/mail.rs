//! The mailer on its own ([`authtoken::mail::mailer`]), on the memory store: who gets a reset
//! link, the sending limits, and what becomes of a send that fails; then SES and SQS through
//! moto: an email SES refuses is logged and not retried, an unreachable SES is retried, and the
//! queue carries a request as JSON.

use std::sync::{Arc, Mutex};

use authtoken::config::Settings;
use authtoken::mail::limits::{Limited, WINDOW_SECONDS};
use authtoken::mail::mailer::{Mailer, MailerError, Outcome};
use authtoken::mail::postman::SendError;
use authtoken::mail::{Email, MailRequest, Mailbox, Postman, Templates};
use authtoken::secrets::seal::Sealer;
use authtoken::store::Store;
use authtoken::store::memory::MemoryStore;
use testkit::app::{ADMIN, seeded_user};

/// An hour's window, from its start.
const NOW: u64 = 1_800_000_000 / WINDOW_SECONDS * WINDOW_SECONDS;

fn settings() -> Settings {
    testkit::app::drf_settings()
}

/// A memory store with users `(name, email, active)`.
async fn store_with(users: &[(&str, &str, bool)]) -> MemoryStore {
    let store = MemoryStore::with_sealer(Sealer::ephemeral());
    for (index, (name, email, active)) in users.iter().enumerate() {
        let mut user = seeded_user(ADMIN.0);
        (*name).clone_into(&mut user.username);
        user.email = (*email).to_owned();
        user.active = *active;
        // Inactive users here registered and await their activation link.
        user.awaiting_activation = !*active;
        user.id = Some(index as u64 + 1);
        assert!(store.create_user(&user).await.unwrap());
    }
    store
}

fn reset(email: &str, source: Option<&str>) -> MailRequest {
    MailRequest::PasswordReset {
        email: email.to_owned(),
        source: source.map(str::to_owned),
    }
}

/// Runs the mailer once on `request`, sending into `sent`.
async fn handle(
    store: &MemoryStore,
    settings: &Settings,
    postman: &Postman,
    request: &MailRequest,
    now: u64,
) -> Result<Outcome, MailerError> {
    let templates = Templates::builtin();
    let mailer = Mailer {
        store,
        settings,
        templates: &templates,
        postman,
    };
    mailer.handle(request, now, true).await
}

fn memory() -> (Postman, Arc<Mutex<Vec<Email>>>) {
    let sent = Arc::new(Mutex::new(Vec::new()));
    (Postman::Memory(Arc::clone(&sent)), sent)
}

#[tokio::test]
async fn every_active_user_with_the_address_gets_a_link_and_nobody_else() {
    let store = store_with(&[
        ("ann", "Shared@Example.com", true),
        ("bob", "shared@example.com", true),
        ("cid", "shared@example.com", false),
        ("dee", "other@example.com", true),
    ])
    .await;
    let mut unusable = seeded_user(ADMIN.0);
    "eve".clone_into(&mut unusable.username);
    unusable.email = "shared@example.com".into();
    unusable.password_hash = "!unusable".into();
    unusable.id = Some(9);
    store.create_user(&unusable).await.unwrap();
    let (postman, sent) = memory();
    let outcome = handle(
        &store,
        &settings(),
        &postman,
        &reset("SHARED@example.COM", None),
        NOW,
    )
    .await;
    assert_eq!(outcome.unwrap(), Outcome::Sent(2));
    let sent = sent.lock().unwrap().clone();
    let mut to: Vec<&str> = sent.iter().map(|email| email.to.as_str()).collect();
    to.sort_unstable();
    assert_eq!(to, ["Shared@Example.com", "shared@example.com"]);
    for email in sent.iter() {
        assert!(
            email.text.contains("/#/password/reset/confirm/"),
            "{}",
            email.text
        );
        assert!(
            email.text.contains("The link works once, for 1 hour."),
            "{}",
            email.text
        );
    }
    let nobody = handle(
        &store,
        &settings(),
        &postman,
        &reset("nobody@example.com", None),
        NOW,
    )
    .await;
    assert_eq!(nobody.unwrap(), Outcome::Sent(0));
}

#[tokio::test]
async fn requests_beyond_the_hourly_limits_are_dropped() {
    let store = store_with(&[("ann", "ann@example.com", true)]).await;
    let (postman, sent) = memory();
    let settings = settings();
    assert_eq!(settings.mail.per_address_limit, 3);
    for _ in 0..3 {
        let outcome = handle(
            &store,
            &settings,
            &postman,
            &reset("ann@example.com", None),
            NOW,
        )
        .await;
        assert_eq!(outcome.unwrap(), Outcome::Sent(1));
    }
    let fourth = handle(
        &store,
        &settings,
        &postman,
        &reset("ANN@example.com", None),
        NOW + 10,
    )
    .await;
    assert_eq!(fourth.unwrap(), Outcome::Dropped(Limited::Address));
    let next_hour = NOW + WINDOW_SECONDS;
    let later = handle(
        &store,
        &settings,
        &postman,
        &reset("ann@example.com", None),
        next_hour,
    )
    .await;
    assert_eq!(later.unwrap(), Outcome::Sent(1));
    assert_eq!(sent.lock().unwrap().len(), 4);

    // One source, many addresses: its limit, whatever the addresses.
    let source = Some("203.0.113.7");
    for index in 0..settings.mail.per_source_limit {
        let request = reset(&format!("spray{index}@example.com"), source);
        let outcome = handle(&store, &settings, &postman, &request, NOW).await;
        assert_eq!(outcome.unwrap(), Outcome::Sent(0), "{index}");
    }
    let request = reset("spray-last@example.com", source);
    let outcome = handle(&store, &settings, &postman, &request, NOW).await;
    assert_eq!(outcome.unwrap(), Outcome::Dropped(Limited::Source));
    // A request delivered again after a failure was counted the first time.
    let templates = Templates::builtin();
    let mailer = Mailer {
        store: &store,
        settings: &settings,
        templates: &templates,
        postman: &postman,
    };
    let again = mailer.handle(&request, NOW, false).await.unwrap();
    assert_eq!(again, Outcome::Sent(0));
}

#[tokio::test]
async fn activation_links_go_to_inactive_users_and_notices_to_active_ones() {
    let store = store_with(&[
        ("ann", "ann@example.com", false),
        ("bob", "ANN@example.com", true),
        ("cid", "", false),
        ("dee", "ann@example.com", false),
    ])
    .await;
    // An operator deactivated dee: no activation link for them.
    assert!(
        authtoken::admin::set_active(&store, "dee", false)
            .await
            .unwrap()
    );
    let (postman, sent) = memory();
    let settings = settings();
    let for_user = |username: &str| MailRequest::Activation {
        username: username.to_owned(),
        source: None,
    };
    let sends = async |request: &MailRequest| {
        handle(&store, &settings, &postman, request, NOW)
            .await
            .unwrap()
    };
    // Inactive with an address: a link; active, or without an address, or unknown: nothing.
    assert_eq!(sends(&for_user("ann")).await, Outcome::Sent(1));
    for nobody in ["bob", "cid", "dee", "nobody"] {
        assert_eq!(sends(&for_user(nobody)).await, Outcome::Sent(0), "{nobody}");
    }
    let resend = MailRequest::ResendActivation {
        email: "Ann@Example.com".into(),
        source: None,
    };
    assert_eq!(
        sends(&resend).await,
        Outcome::Sent(1),
        "ann, not bob nor dee"
    );
    let confirmation = |username: &str| MailRequest::Confirmation {
        username: username.to_owned(),
        source: None,
    };
    assert_eq!(
        sends(&confirmation("ann")).await,
        Outcome::Sent(0),
        "inactive"
    );
    assert_eq!(sends(&confirmation("bob")).await, Outcome::Sent(1));
    {
        let sent = sent.lock().unwrap();
        assert_eq!(sent.len(), 3);
        assert_eq!(sent[0].to, "ann@example.com");
        assert!(sent[0].text.contains("/#/activate/MQ/"), "{}", sent[0].text);
        assert!(sent[0].text.contains("The link works for 1 day."));
        assert!(sent[1].text.contains("/#/activate/MQ/"), "{}", sent[1].text);
        assert_eq!(sent[2].to, "ANN@example.com");
        assert!(
            sent[2]
                .subject
                .ends_with("Your account has been successfully created and activated!")
        );
    }
    // The address has had 3 emails counted this hour: a fourth link is dropped; the notice of a
    // password change is never counted.
    assert_eq!(
        sends(&for_user("ann")).await,
        Outcome::Dropped(Limited::Address)
    );
    for _ in 0..5 {
        let notice = MailRequest::PasswordChanged {
            username: "bob".into(),
        };
        assert_eq!(sends(&notice).await, Outcome::Sent(1));
    }
}

#[tokio::test]
async fn a_send_refused_for_good_is_logged_and_a_failing_one_retried() {
    let store = store_with(&[("ann", "ann@example.com", true)]).await;
    // A file where the outbox folder should be: every write fails, for good.
    let file = std::env::temp_dir().join(format!("authtoken-not-a-folder-{}", std::process::id()));
    std::fs::write(&file, b"").unwrap();
    let refused = Postman::Outbox(file.join("outbox"));
    let outcome = handle(
        &store,
        &settings(),
        &refused,
        &reset("ann@example.com", None),
        NOW,
    )
    .await;
    assert_eq!(outcome.unwrap(), Outcome::Sent(0));
    std::fs::remove_file(file).unwrap();

    // SES at an address where nothing listens: no answer, worth trying again.
    let unreachable = Postman::Ses {
        client: testkit::dynamo::ses_client("http://127.0.0.1:1"),
        configuration_set: None,
    };
    let request = reset("ann@example.com", None);
    let error = handle(&store, &settings(), &unreachable, &request, NOW)
        .await
        .unwrap_err();
    assert!(
        matches!(error, MailerError::Send(SendError::Transient(_))),
        "{error:?}"
    );
}

/// SES through moto: an unverified sender is refused (logged, not retried); once the sender
/// is an identity, the email is sent (moto checks the identity as SES does).
#[tokio::test]
async fn ses_sends_from_a_verified_identity_only() {
    let store = store_with(&[("ann", "ann@example.com", true)]).await;
    let endpoint = testkit::dynamo::endpoint();
    let client = testkit::dynamo::ses_client(&endpoint);
    let mut settings = settings();
    settings.mail.from = format!("noreply@{}.example.com", std::process::id());
    let postman = Postman::Ses {
        client: client.clone(),
        configuration_set: None,
    };
    let request = reset("ann@example.com", None);
    let refused = handle(&store, &settings, &postman, &request, NOW).await;
    assert_eq!(refused.unwrap(), Outcome::Sent(0));
    client
        .create_email_identity()
        .email_identity(&settings.mail.from)
        .send()
        .await
        .unwrap();
    let sent = handle(&store, &settings, &postman, &request, NOW).await;
    assert_eq!(sent.unwrap(), Outcome::Sent(1));
}

/// The queue carries a request as the mailer reads it.
#[tokio::test]
async fn the_queue_carries_a_request_as_json() {
    let endpoint = testkit::dynamo::endpoint();
    let client = testkit::dynamo::sqs_client(&endpoint);
    let name = format!("mail-{}-{}", std::process::id(), NOW);
    let url = client
        .create_queue()
        .queue_name(&name)
        .send()
        .await
        .unwrap();
    let url = url.queue_url().unwrap().to_owned();
    let mailbox = Mailbox::Queue {
        client: client.clone(),
        url: url.clone(),
    };
    let request = reset("ann@example.com", Some("203.0.113.7"));
    mailbox.post(&request).await.unwrap();
    let received = client
        .receive_message()
        .queue_url(&url)
        .send()
        .await
        .unwrap();
    let bodies: Vec<&str> = received
        .messages()
        .iter()
        .filter_map(|m| m.body())
        .collect();
    assert_eq!(bodies.len(), 1);
    assert_eq!(
        serde_json::from_str::<MailRequest>(bodies[0]).unwrap(),
        request
    );
}

/// A user an operator deactivates while they await activation is no longer sent a link, and
/// the link they hold no longer activates them.
#[tokio::test]
async fn an_operators_deactivation_ends_the_wait_for_activation() {
    use authtoken::Ctx;
    use authtoken::handlers;
    use lambda_http::{Body, Request};
    let store = store_with(&[("ann", "ann@example.com", false)]).await;
    let (postman, sent) = memory();
    let mut settings = settings();
    settings.mail.send_activation = true;
    let request = MailRequest::Activation {
        username: "ann".into(),
        source: None,
    };
    let outcome = handle(&store, &settings, &postman, &request, NOW).await;
    assert_eq!(outcome.unwrap(), Outcome::Sent(1));
    let email = sent.lock().unwrap().pop().unwrap();
    let (uid, token) = testkit::mail::link_in(&email.text);
    assert!(
        authtoken::admin::set_active(&store, "ann", false)
            .await
            .unwrap()
    );
    let ctx = Ctx::new(store, settings);
    let body = serde_json::json!({ "uid": uid, "token": token }).to_string();
    let mut activation = Request::new(Body::Text(body));
    *activation.method_mut() = http::Method::POST;
    *activation.uri_mut() = "/auth/users/activation/".parse().unwrap();
    activation.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    let answer = handlers::activation(&ctx, activation).await;
    assert_eq!(answer.status(), 400);
    assert_eq!(
        answer.body().as_ref(),
        br#"{"token":["Invalid token for given user."]}"#
    );
    assert!(!ctx.store.user("ann").await.unwrap().unwrap().active);
}

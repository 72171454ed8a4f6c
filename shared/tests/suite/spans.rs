//! A login's steps run in spans of their own, and the password's verification, on tokio's
//! blocking pool, runs in an `argon2` span inside `check_credentials`: the span crosses to the
//! blocking thread, so that what a trace shows of a login includes where its time went.

use std::sync::{Arc, Mutex};
use std::thread::ThreadId;

use authtoken::admin;
use authtoken::config::Settings;
use authtoken::login;
use authtoken::secrets::password::Password;
use authtoken::store::memory::MemoryStore;
use tracing::span::{Attributes, Id};
use tracing::subscriber::Subscriber;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};
use tracing_subscriber::registry::LookupSpan;

/// What the layer saw: each span's name with its parent's, and the threads each was entered on.
#[derive(Default)]
struct Seen {
    spans: Vec<(String, Option<String>)>,
    entered: Vec<(String, ThreadId)>,
}

/// A layer that records spans as they are made and entered.
struct Recorder(Arc<Mutex<Seen>>);

impl<S: Subscriber + for<'a> LookupSpan<'a>> Layer<S> for Recorder {
    fn on_new_span(&self, attributes: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        let parent = ctx
            .span(id)
            .and_then(|span| span.parent())
            .map(|parent| parent.name().to_owned());
        let name = attributes.metadata().name().to_owned();
        self.0.lock().unwrap().spans.push((name, parent));
    }

    fn on_enter(&self, id: &Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            let entered = (span.name().to_owned(), std::thread::current().id());
            self.0.lock().unwrap().entered.push(entered);
        }
    }
}

#[tokio::test]
async fn a_logins_steps_have_spans_and_argon2_runs_in_one_on_the_blocking_pool() {
    let store = MemoryStore::new();
    admin::create_user(&store, "ann", Password::new("pw"), true)
        .await
        .unwrap();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let subscriber = tracing_subscriber::registry().with(Recorder(Arc::clone(&seen)));
    let guard = tracing::subscriber::set_default(subscriber);
    let granted =
        login::obtain_token(&store, &Settings::default(), "ann", Password::new("pw")).await;
    drop(guard);
    assert!(granted.is_ok());

    let seen = seen.lock().unwrap();
    let parent_of = |name: &str| {
        seen.spans
            .iter()
            .find(|(span, _)| span == name)
            .unwrap_or_else(|| panic!("no span {name}: {:?}", seen.spans))
            .1
            .clone()
    };
    assert_eq!(parent_of("argon2").as_deref(), Some("check_credentials"));
    assert_eq!(
        parent_of("reread_user").as_deref(),
        Some("check_credentials")
    );
    let here = std::thread::current().id();
    assert!(
        seen.entered
            .iter()
            .any(|(name, thread)| name == "argon2" && *thread != here),
        "argon2 was not entered on another (blocking) thread: {:?}",
        seen.entered
    );
}

//! The emails every test app writes (the handlers' mail worker and `authtoken serve --outbox`)
//! to one outbox folder per machine, and what tests read in them. Tests tell their emails apart
//! by recipient: each uses addresses of its own ([`address`]).

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use authtoken::config::Settings;
use authtoken::mail::mailer::{Mailer, MailerError, Outcome};
use authtoken::mail::{Email, MailRequest, Postman, Templates};
use authtoken::store::Store;

/// The sender of the tests' emails (`EMAIL_FROM`).
pub const SENDER: &str = "noreply@example.com";
/// The front-end the tests' links point to (`DOMAIN`).
pub const FRONTEND: &str = "app.example.com";

/// The outbox folder, made if needed.
pub fn outbox() -> PathBuf {
    let dir = std::env::temp_dir().join("authtoken-test-outbox");
    std::fs::create_dir_all(&dir).expect("make the test outbox");
    dir
}

/// An address no other test (in any process) uses: `label` plus this process's id, a counter
/// and the time.
pub fn address(label: &str) -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.subsec_nanos());
    format!(
        "{label}.{}.{}.{nanos}@example.com",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// An email as read back from the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// `From`.
    pub from: String,
    /// `To`.
    pub to: String,
    /// `Subject`, as written (an encoded word for a subject that is not ASCII).
    pub subject: String,
    /// The plain-text body, decoded.
    pub text: String,
    /// The HTML body, decoded.
    pub html: String,
}

/// The `uid` and `token` of the first link in `text` (`.../{uid}/{token}`, the default link
/// pages' last two segments).
pub fn link_in(text: &str) -> (String, String) {
    let url = text
        .split_whitespace()
        .find(|word| word.starts_with("http://") || word.starts_with("https://"))
        .unwrap_or_else(|| panic!("no link in {text}"));
    let mut segments = url.trim_end_matches('/').rsplit('/');
    let token = segments.next().expect("a token").to_owned();
    let uid = segments.next().expect("a uid").to_owned();
    (uid, token)
}

/// Runs the mailer once on `request` at `now`, over `store` with `settings` and the built-in
/// templates, as a first delivery: what it did, and the emails it sent.
pub async fn mailed<S: Store>(
    store: &S,
    settings: &Settings,
    request: &MailRequest,
    now: u64,
) -> (Result<Outcome, MailerError>, Vec<Email>) {
    let sent = Arc::new(Mutex::new(Vec::new()));
    let templates = Templates::builtin();
    let postman = Postman::Memory(Arc::clone(&sent));
    let mailer = Mailer {
        store,
        settings,
        templates: &templates,
        postman: &postman,
    };
    let outcome = mailer.handle(request, now, true).await;
    let sent = std::mem::take(&mut *sent.lock().expect("the sent emails"));
    (outcome, sent)
}

impl Received {
    /// The `uid` and `token` of the link in the text body.
    pub fn link(&self) -> (String, String) {
        link_in(&self.text)
    }

    /// The link's whole URL.
    pub fn url(&self) -> String {
        self.text
            .split_whitespace()
            .find(|word| word.starts_with("http://") || word.starts_with("https://"))
            .unwrap_or_else(|| panic!("no link in {}", self.text))
            .to_owned()
    }
}

/// Every email to `to` in the outbox now, oldest first.
pub fn sent_to(to: &str) -> Vec<Received> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(outbox())
        .expect("read the test outbox")
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "eml"))
        .collect();
    files.sort();
    let mut found: Vec<(std::time::SystemTime, Received)> = files
        .iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(path).ok()?;
            let received = parse(&text)?;
            let modified = std::fs::metadata(path).and_then(|m| m.modified()).ok()?;
            (received.to == to).then_some((modified, received))
        })
        .collect();
    found.sort_by_key(|(modified, _)| *modified);
    found.into_iter().map(|(_, received)| received).collect()
}

/// Waits (at most 10 s) until `count` emails to `to` are in the outbox, and returns them.
pub async fn wait_for(to: &str, count: usize) -> Vec<Received> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let sent = sent_to(to);
        if sent.len() >= count {
            return sent;
        }
        assert!(
            Instant::now() < deadline,
            "{count} email(s) to {to} expected in {}, found {}",
            outbox().display(),
            sent.len()
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Reads an `.eml` file the mail worker wrote; `None` if it is not one (yet: half-written).
fn parse(text: &str) -> Option<Received> {
    let (headers, _) = text.split_once("\r\n\r\n")?;
    let header = |name: &str| {
        headers
            .split("\r\n")
            .find_map(|line| line.strip_prefix(&format!("{name}: ")))
            .map(str::to_owned)
    };
    let boundary = format!("\r\n--{}", authtoken::mail::postman::BOUNDARY);
    let bodies: Vec<String> = text
        .split("Content-Transfer-Encoding: 8bit\r\n\r\n")
        .skip(1)
        .map(|part| {
            part.split(&boundary)
                .next()
                .map(|body| body.replace("\r\n", "\n"))
        })
        .collect::<Option<Vec<_>>>()?;
    let [text_body, html]: [String; 2] = bodies.try_into().ok()?;
    Some(Received {
        from: header("From")?,
        to: header("To")?,
        subject: header("Subject")?,
        text: text_body,
        html,
    })
}

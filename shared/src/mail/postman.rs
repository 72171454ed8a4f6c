//! Who carries an email: Amazon SES (the stack), an outbox folder of `.eml` files or the console
//! (`authtoken serve`, as Django's file and console backends), or a list in memory (tests).

use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use aws_sdk_sesv2::error::ProvideErrorMetadata;
use aws_sdk_sesv2::types::{Body, Content, Destination, EmailContent, Message};
use base64ct::{Base64, Encoding};

use crate::clock;

/// One email, ready to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// The sender (`EMAIL_FROM`).
    pub from: String,
    /// The one recipient.
    pub to: String,
    /// One line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body.
    pub html: String,
}

/// Why an email was not sent.
#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// It may pass later (throttling, a timeout, a server error): the request is tried again.
    #[error("sending failed for now: {0}")]
    Transient(String),
    /// It will not pass as it is (the address or the sender refused): dropped, and logged.
    #[error("sending failed: {0}")]
    Permanent(String),
}

/// Where emails go.
#[derive(Debug, Clone)]
pub enum Postman {
    /// Amazon SES v2's `SendEmail`, with a configuration set if named.
    Ses {
        /// The SES client.
        client: aws_sdk_sesv2::Client,
        /// `SES_CONFIGURATION_SET`, if any.
        configuration_set: Option<String>,
    },
    /// One `.eml` file per email in this folder (Django's file backend), its path logged.
    Outbox(PathBuf),
    /// Printed on standard output (Django's console backend).
    Console,
    /// Kept in memory, for tests.
    Memory(Arc<Mutex<Vec<Email>>>),
}

impl Postman {
    /// Sends `email`.
    pub async fn send(&self, email: &Email) -> Result<(), SendError> {
        match self {
            Self::Ses {
                client,
                configuration_set,
            } => send_with_ses(client, configuration_set.as_deref(), email).await,
            Self::Outbox(dir) => {
                static SENT: AtomicU64 = AtomicU64::new(0);
                let path = dir.join(format!(
                    "{}-{}-{}.eml",
                    clock::now(),
                    std::process::id(),
                    SENT.fetch_add(1, Ordering::Relaxed)
                ));
                // Written aside, then renamed: whoever watches the folder sees whole emails only.
                let partial = path.with_extension("eml.partial");
                std::fs::create_dir_all(dir)
                    .and_then(|()| std::fs::write(&partial, email.to_mime()))
                    .and_then(|()| std::fs::rename(&partial, &path))
                    .map_err(|error| {
                        SendError::Permanent(format!("cannot write {}: {error}", path.display()))
                    })?;
                tracing::info!(path = %path.display(), to = email.to, "email written to the outbox");
                Ok(())
            }
            Self::Console => {
                println!("{}\n{}", email.to_mime(), "-".repeat(79));
                Ok(())
            }
            Self::Memory(sent) => {
                sent.lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner)
                    .push(email.clone());
                Ok(())
            }
        }
    }
}

/// Sends through SES v2, the two bodies in UTF-8.
async fn send_with_ses(
    client: &aws_sdk_sesv2::Client,
    configuration_set: Option<&str>,
    email: &Email,
) -> Result<(), SendError> {
    let content = |data: &str| {
        Content::builder()
            .data(data)
            .charset("UTF-8")
            .build()
            .map_err(|error| SendError::Permanent(error.to_string()))
    };
    let message = Message::builder()
        .subject(content(&email.subject)?)
        .body(
            Body::builder()
                .text(content(&email.text)?)
                .html(content(&email.html)?)
                .build(),
        )
        .build();
    let result = client
        .send_email()
        .from_email_address(&email.from)
        .destination(Destination::builder().to_addresses(&email.to).build())
        .content(EmailContent::builder().simple(message).build())
        .set_configuration_set_name(configuration_set.map(str::to_owned))
        .send()
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(error) => {
            let code = error.code().unwrap_or("").to_owned();
            let transient = crate::sdk::is_transient(
                &error,
                &["TooManyRequestsException", "LimitExceededException"],
            );
            let reason = if code.is_empty() {
                format!("{error}")
            } else {
                format!("{code}: {}", error.message().unwrap_or(""))
            };
            Err(if transient {
                SendError::Transient(reason)
            } else {
                SendError::Permanent(reason)
            })
        }
    }
}

impl Email {
    /// The email as a MIME message (`multipart/alternative`, both bodies in UTF-8, as written:
    /// 8-bit text that a person can read), as an `.eml` file holds it.
    pub fn to_mime(&self) -> String {
        format!(
            "Content-Type: multipart/alternative; boundary=\"{BOUNDARY}\"\r\n\
             MIME-Version: 1.0\r\n\
             Subject: {subject}\r\n\
             From: {from}\r\n\
             To: {to}\r\n\
             Date: {date}\r\n\
             \r\n\
             --{BOUNDARY}\r\n\
             Content-Type: text/plain; charset=\"utf-8\"\r\n\
             Content-Transfer-Encoding: 8bit\r\n\
             \r\n\
             {text}\r\n\
             --{BOUNDARY}\r\n\
             Content-Type: text/html; charset=\"utf-8\"\r\n\
             Content-Transfer-Encoding: 8bit\r\n\
             \r\n\
             {html}\r\n\
             --{BOUNDARY}--\r\n",
            subject = encoded_word(&self.subject),
            from = self.from,
            to = self.to,
            date = clock::rfc2822(clock::now()),
            text = crlf(&self.text),
            html = crlf(&self.html),
        )
    }
}

/// The boundary between the two bodies (no line of the templates starts with it).
pub const BOUNDARY: &str = "authtoken-alternative-body";

/// A header value as RFC 2047 allows: as it is if it is printable ASCII, else a UTF-8 encoded
/// word.
fn encoded_word(value: &str) -> String {
    if value.bytes().all(|byte| (0x20..0x7f).contains(&byte)) {
        value.to_owned()
    } else {
        format!("=?utf-8?b?{}?=", Base64::encode_string(value.as_bytes()))
    }
}

/// `text` with CRLF line ends, as a message's lines have, and no trailing line end.
fn crlf(text: &str) -> String {
    text.trim_end().lines().collect::<Vec<_>>().join("\r\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn email() -> Email {
        Email {
            from: "noreply@example.com".into(),
            to: "ann@example.com".into(),
            subject: "Réinitialisation".into(),
            text: "Go to https://example.com/#/r/MQ/x".into(),
            html: "<a href=\"https://example.com/#/r/MQ/x\">here</a>".into(),
        }
    }

    /// The MIME form read back: headers, and each body as written.
    #[test]
    fn an_email_is_a_multipart_message_with_both_bodies() {
        let mime = email().to_mime();
        assert!(mime.contains("To: ann@example.com\r\n"), "{mime}");
        assert!(
            mime.contains("Subject: =?utf-8?b?UsOpaW5pdGlhbGlzYXRpb24=?=\r\n"),
            "{mime}"
        );
        let bodies: Vec<&str> = mime
            .split("Content-Transfer-Encoding: 8bit\r\n\r\n")
            .skip(1)
            .map(|part| part.split(&format!("\r\n--{BOUNDARY}")).next().unwrap())
            .collect();
        assert_eq!(bodies, [email().text, email().html]);
    }

    #[tokio::test]
    async fn the_outbox_holds_one_file_per_email() {
        let dir = std::env::temp_dir().join(format!("authtoken-outbox-{}", std::process::id()));
        std::fs::remove_dir_all(&dir).ok();
        Postman::Outbox(dir.clone()).send(&email()).await.unwrap();
        Postman::Outbox(dir.clone()).send(&email()).await.unwrap();
        let files: Vec<_> = std::fs::read_dir(&dir).unwrap().flatten().collect();
        assert_eq!(files.len(), 2);
        assert!(
            files
                .iter()
                .all(|file| file.path().extension().unwrap() == "eml")
        );
        std::fs::remove_dir_all(dir).unwrap();
    }
}

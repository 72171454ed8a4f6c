//! Emailed links (djoser's password reset), without revealing who has an account.
//!
//! An endpoint that may send an email only posts a [`MailRequest`] to the [`Mailbox`] (a queue,
//! one write whatever the address) and answers at once, so its answer and its time are the same
//! whether or not a user has the address. The [`mailer`] takes each request later: it applies
//! the sending limits ([`limits`]), looks the address up, makes each user's link
//! ([`crate::accounts::links`]), fills in the [`templates`] and hands the email to the
//! [`Postman`] (Amazon SES, or locally an outbox folder or the console). [`crate::delivery`] runs
//! it.

pub mod limits;
pub mod mailbox;
pub mod mailer;
pub mod postman;
pub mod request;
pub mod templates;

pub use mailbox::Mailbox;
pub use postman::{Email, Postman};
pub use request::MailRequest;
pub use templates::Templates;

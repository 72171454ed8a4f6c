//! The mailer: carries out each [`MailRequest`] after its endpoint has answered. For a password
//! reset: the sending limits, then each active user with the address (whatever its case) gets a
//! link, made for them as they are now ([`crate::accounts::links`]), in the templates' words.

use crate::accounts::links::{self, Purpose};
use crate::accounts::profile;
use crate::audit;
use crate::config::Settings;
use crate::mail::limits::{self, Limited};
use crate::mail::postman::SendError;
use crate::mail::templates::Kind;
use crate::mail::{Email, MailRequest, Postman, Templates};
use crate::secrets::seal::SealError;
use crate::store::{Store, StoreError, User};

/// What carrying out a request did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// This many emails were sent (0: no active user has the address).
    Sent(usize),
    /// A sending limit dropped it.
    Dropped(Limited),
}

/// Why a request could not be carried out now: it is tried again later (the queue redelivers
/// it), then set aside.
#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The seal secret, which signs links, could not be read.
    #[error(transparent)]
    Seal(#[from] SealError),
    /// SES refused for now.
    #[error(transparent)]
    Send(#[from] SendError),
}

/// What the mailer works with.
#[derive(Debug)]
pub struct Mailer<'a, S> {
    /// Users, their links and the sending counts.
    pub store: &'a S,
    /// The email settings (and the sender).
    pub settings: &'a Settings,
    /// The emails' texts.
    pub templates: &'a Templates,
    /// Who carries them.
    pub postman: &'a Postman,
}

impl<S: Store> Mailer<'_, S> {
    /// Carries out `request` at `now`. `first_delivery` is false when the queue delivers it
    /// again after a failure: it was counted against the limits already.
    pub async fn handle(
        &self,
        request: &MailRequest,
        now: u64,
        first_delivery: bool,
    ) -> Result<Outcome, MailerError> {
        match request {
            MailRequest::PasswordReset { email, source } => {
                let mail = &self.settings.mail;
                if first_delivery {
                    let limits = (mail.per_address_limit, mail.per_source_limit);
                    let counted = (email.as_str(), source.as_deref());
                    if let Some(limited) = limits::count(self.store, counted, limits, now).await? {
                        audit::mail_dropped(limited.as_str());
                        return Ok(Outcome::Dropped(limited));
                    }
                }
                self.password_reset(email, now).await
            }
        }
    }

    /// A reset link to each active user with `address` who has a usable password.
    async fn password_reset(&self, address: &str, now: u64) -> Result<Outcome, MailerError> {
        let users: Vec<User> = self
            .store
            .users_with_email(address)
            .await?
            .into_iter()
            .filter(|user| user.active && !user.password_hash.starts_with('!'))
            .collect();
        audit::password_reset_requested(users.len());
        let mut sent = 0;
        for user in users {
            if self.send_reset_link(user, now).await? {
                sent += 1;
            }
        }
        Ok(Outcome::Sent(sent))
    }

    /// Makes `user`'s link and sends it: `false` if they changed meanwhile (a newer request
    /// gets them a link) or SES refused the address for good (logged).
    async fn send_reset_link(&self, user: User, now: u64) -> Result<bool, MailerError> {
        let Some(user) = profile::with_id(self.store, user).await? else {
            return Ok(false);
        };
        let Some(id) = user.id else {
            return Ok(false);
        };
        self.store.point_id(id, &user.username).await?;
        let nonce = links::nonce();
        if !self.store.stamp_link(&user, nonce).await? {
            return Ok(false);
        }
        let user = User {
            link_nonce: Some(nonce),
            ..user
        };
        let token = links::token(self.store.sealer(), Purpose::PasswordReset, &user, now).await?;
        let email = self.email(Kind::PasswordReset, &user, &links::uid(id), &token);
        match self.postman.send(&email).await {
            Ok(()) => {
                audit::mail_sent(&user.username, Kind::PasswordReset.stem());
                Ok(true)
            }
            Err(SendError::Permanent(reason)) => {
                audit::mail_failed(&user.username, Kind::PasswordReset.stem(), &reason);
                Ok(false)
            }
            Err(transient) => Err(transient.into()),
        }
    }

    /// The email of `kind` for `user`, with the link of `uid` and `token`.
    fn email(&self, kind: Kind, user: &User, uid: &str, token: &str) -> Email {
        let mail = &self.settings.mail;
        let path = mail
            .reset_confirm_url
            .replace("{uid}", uid)
            .replace("{token}", token);
        let url = format!("{}://{}/{}", mail.protocol, mail.domain, path);
        let site_name = if mail.site_name.is_empty() {
            &mail.domain
        } else {
            &mail.site_name
        };
        let lifetime = lifetime(mail.reset_lifetime_seconds);
        let rendered = self.templates.get(kind).render(&[
            ("site_name", site_name),
            ("domain", &mail.domain),
            ("protocol", &mail.protocol),
            ("url", &url),
            ("uid", uid),
            ("token", token),
            ("username", &user.username),
            ("lifetime", &lifetime),
        ]);
        Email {
            from: mail.from.clone(),
            to: user.email.clone(),
            subject: rendered.subject,
            text: rendered.text,
            html: rendered.html,
        }
    }
}

/// A link's lifetime in words: `1 hour`, `90 minutes`, `3 days`.
fn lifetime(seconds: u64) -> String {
    let (count, unit) = if seconds.is_multiple_of(86_400) {
        (seconds / 86_400, "day")
    } else if seconds.is_multiple_of(3600) {
        (seconds / 3600, "hour")
    } else if seconds.is_multiple_of(60) {
        (seconds / 60, "minute")
    } else {
        (seconds, "second")
    };
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} {unit}{plural}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_read_as_words() {
        assert_eq!(lifetime(3600), "1 hour");
        assert_eq!(lifetime(5400), "90 minutes");
        assert_eq!(lifetime(259_200), "3 days");
        assert_eq!(lifetime(61), "61 seconds");
    }
}

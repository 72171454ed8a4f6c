//! The mailer: carries out each [`MailRequest`] after its endpoint has answered. For a password
//! reset: the sending limits, then each active user with the address (whatever its case) gets a
//! link, made for them as they are now ([`crate::accounts::links`]), in the templates' words.
//! An activation link goes likewise to each inactive user with the address (a resend), or to
//! the user just registered or readdressed; the notices (account confirmed, password changed)
//! carry no link.

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
        let counted = Counted {
            now,
            first_delivery,
        };
        match request {
            MailRequest::PasswordReset { email, source } => {
                if let Some(dropped) = self.limit(counted, email, source.as_deref()).await? {
                    return Ok(dropped);
                }
                let users = self.users_with_email(email, Kind::PasswordReset).await?;
                audit::password_reset_requested(users.len());
                self.send_each(Kind::PasswordReset, users, now).await
            }
            MailRequest::ResendActivation { email, source } => {
                if let Some(dropped) = self.limit(counted, email, source.as_deref()).await? {
                    return Ok(dropped);
                }
                let users = self.users_with_email(email, Kind::Activation).await?;
                self.send_each(Kind::Activation, users, now).await
            }
            MailRequest::Activation { username, source } => {
                self.send_to_user(Kind::Activation, username, source.as_deref(), counted)
                    .await
            }
            MailRequest::Confirmation { username, source } => {
                self.send_to_user(Kind::Confirmation, username, source.as_deref(), counted)
                    .await
            }
            MailRequest::PasswordChanged { username } => {
                let user = self.recipient(username, Kind::PasswordChanged).await?;
                self.send_each(Kind::PasswordChanged, user.into_iter().collect(), now)
                    .await
            }
        }
    }

    /// Counts a request for `address` from `source` against the sending limits, on its first
    /// delivery: the outcome of a request a limit drops (logged), or `None` to go on.
    async fn limit(
        &self,
        counted: Counted,
        address: &str,
        source: Option<&str>,
    ) -> Result<Option<Outcome>, MailerError> {
        if !counted.first_delivery {
            return Ok(None);
        }
        let mail = &self.settings.mail;
        let limits = (mail.per_address_limit, mail.per_source_limit);
        let limited = limits::count(self.store, (address, source), limits, counted.now).await?;
        Ok(limited.map(|limited| {
            audit::mail_dropped(limited.as_str());
            Outcome::Dropped(limited)
        }))
    }

    /// The users with `address` an email of `kind` is for ([`is_for`]) who have a usable
    /// password: djoser's `get_user`, for every such user.
    async fn users_with_email(&self, address: &str, kind: Kind) -> Result<Vec<User>, StoreError> {
        Ok(self
            .store
            .users_with_email(address)
            .await?
            .into_iter()
            .filter(|user| is_for(kind, user) && !user.password_hash.starts_with('!'))
            .collect())
    }

    /// The user named `username`, if they exist, an email of `kind` is for them ([`is_for`])
    /// and they have an address.
    async fn recipient(&self, username: &str, kind: Kind) -> Result<Option<User>, StoreError> {
        Ok(self
            .store
            .user(username)
            .await?
            .filter(|user| is_for(kind, user) && !user.email.is_empty()))
    }

    /// An email of `kind` to the user named `username`, counted against the limits: an
    /// activation link while they await activation, the confirmation once they are active.
    async fn send_to_user(
        &self,
        kind: Kind,
        username: &str,
        source: Option<&str>,
        counted: Counted,
    ) -> Result<Outcome, MailerError> {
        let Some(user) = self.recipient(username, kind).await? else {
            return Ok(Outcome::Sent(0));
        };
        if let Some(dropped) = self.limit(counted, &user.email, source).await? {
            return Ok(dropped);
        }
        self.send_each(kind, vec![user], counted.now).await
    }

    /// Sends an email of `kind` to each of `users`.
    async fn send_each(
        &self,
        kind: Kind,
        users: Vec<User>,
        now: u64,
    ) -> Result<Outcome, MailerError> {
        let mut sent = 0;
        for user in users {
            if self.send(kind, user, now).await? {
                sent += 1;
            }
        }
        Ok(Outcome::Sent(sent))
    }

    /// Sends `user` the email of `kind`, with their new link if it carries one: `false` if they
    /// changed meanwhile (a newer request gets them a link) or SES refused the address for good
    /// (logged).
    async fn send(&self, kind: Kind, user: User, now: u64) -> Result<bool, MailerError> {
        let (user, link) = match link_purpose(kind) {
            Some(purpose) => match self.link(purpose, user, now).await? {
                Some((user, link)) => (user, Some(link)),
                None => return Ok(false),
            },
            None => (user, None),
        };
        let email = self.email(kind, &user, link.as_ref());
        match self.postman.send(&email).await {
            Ok(()) => {
                audit::mail_sent(&user.username, kind.stem());
                Ok(true)
            }
            Err(SendError::Permanent(reason)) => {
                audit::mail_failed(&user.username, kind.stem(), &reason);
                Ok(false)
            }
            Err(transient) => Err(transient.into()),
        }
    }

    /// A new link of `purpose` for `user`: their id pointed to them, a new link number stamped
    /// (which kills their earlier links), and the `uid` and `token`; `None` if they changed
    /// meanwhile.
    async fn link(
        &self,
        purpose: Purpose,
        user: User,
        now: u64,
    ) -> Result<Option<(User, Link)>, MailerError> {
        let Some(user) = profile::with_id(self.store, user).await? else {
            return Ok(None);
        };
        let Some(id) = user.id else {
            return Ok(None);
        };
        self.store.point_id(id, &user.username).await?;
        let nonce = links::nonce();
        if !self.store.stamp_link(&user, nonce).await? {
            return Ok(None);
        }
        let user = User {
            link_nonce: Some(nonce),
            ..user
        };
        let token = links::token(self.store.sealer(), purpose, &user, now).await?;
        let link = Link {
            purpose,
            uid: links::uid(id),
            token,
        };
        Ok(Some((user, link)))
    }

    /// The email of `kind` for `user`, with `link` if it carries one.
    fn email(&self, kind: Kind, user: &User, link: Option<&Link>) -> Email {
        let mail = &self.settings.mail;
        let (url, lifetime) = match link {
            Some(link) => {
                let (page, seconds) = match link.purpose {
                    Purpose::PasswordReset => {
                        (&mail.reset_confirm_url, mail.reset_lifetime_seconds)
                    }
                    Purpose::Activation => (&mail.activation_url, mail.activation_lifetime_seconds),
                };
                let path = page
                    .replace("{uid}", &link.uid)
                    .replace("{token}", &link.token);
                let url = format!("{}://{}/{}", mail.protocol, mail.domain, path);
                (url, lifetime(seconds))
            }
            None => (String::new(), String::new()),
        };
        let site_name = if mail.site_name.is_empty() {
            &mail.domain
        } else {
            &mail.site_name
        };
        let (uid, token) = link.map_or(("", ""), |link| (link.uid.as_str(), link.token.as_str()));
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

/// When a request is carried out, for the limits: at `now`, on its first delivery or again.
#[derive(Debug, Clone, Copy)]
struct Counted {
    now: u64,
    first_delivery: bool,
}

/// An emailed link's parts.
struct Link {
    purpose: Purpose,
    uid: String,
    token: String,
}

/// Whether an email of `kind` is for `user` as they are: an activation link only while they
/// await activation (never for one an operator deactivated), every other kind only while they
/// are active.
fn is_for(kind: Kind, user: &User) -> bool {
    match kind {
        Kind::Activation => !user.active && user.awaiting_activation,
        Kind::PasswordReset | Kind::Confirmation | Kind::PasswordChanged => user.active,
    }
}

/// The purpose of the link an email of `kind` carries, if it carries one.
fn link_purpose(kind: Kind) -> Option<Purpose> {
    match kind {
        Kind::PasswordReset => Some(Purpose::PasswordReset),
        Kind::Activation => Some(Purpose::Activation),
        Kind::Confirmation | Kind::PasswordChanged => None,
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

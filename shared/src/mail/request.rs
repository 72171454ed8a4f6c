//! What an endpoint asks the mailer to do, as it travels through the queue (JSON).

use serde::{Deserialize, Serialize};

/// One request for emails, queued by an endpoint and carried out by the mailer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MailRequest {
    /// `POST /auth/users/reset_password/`: a reset link to each active user with the address.
    PasswordReset {
        /// The address as sent (looked up whatever its case).
        email: String,
        /// The client's address, for the per-source limit, when known.
        source: Option<String>,
    },
    /// `POST /auth/users/resend_activation/`: an activation link to each inactive user with
    /// the address.
    ResendActivation {
        /// The address as sent (looked up whatever its case).
        email: String,
        /// The client's address, for the per-source limit, when known.
        source: Option<String>,
    },
    /// A registration, or a new address through `/auth/users/me/`, under
    /// `SEND_ACTIVATION_EMAIL`: an activation link to the user, if still inactive.
    Activation {
        /// The user's name.
        username: String,
        /// The client's address, for the per-source limit, when known.
        source: Option<String>,
    },
    /// `SEND_CONFIRMATION_EMAIL`: the notice that the user's account is created and active, if
    /// it is.
    Confirmation {
        /// The user's name.
        username: String,
        /// The client's address, for the per-source limit, when known.
        source: Option<String>,
    },
    /// `PASSWORD_CHANGED_EMAIL_CONFIRMATION`: the notice that the user's password was changed.
    /// Not counted against the limits: only a password change, once proven, sends it.
    PasswordChanged {
        /// The user's name.
        username: String,
    },
}

impl MailRequest {
    /// Its kind, as it travels (`password_reset`, `activation`...).
    pub fn kind(&self) -> &'static str {
        match self {
            Self::PasswordReset { .. } => "password_reset",
            Self::ResendActivation { .. } => "resend_activation",
            Self::Activation { .. } => "activation",
            Self::Confirmation { .. } => "confirmation",
            Self::PasswordChanged { .. } => "password_changed",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_travels_as_tagged_json() {
        let request = MailRequest::PasswordReset {
            email: "a@example.com".into(),
            source: Some("203.0.113.7".into()),
        };
        let json = serde_json::to_string(&request).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"password_reset","email":"a@example.com","source":"203.0.113.7"}"#
        );
        assert_eq!(serde_json::from_str::<MailRequest>(&json).unwrap(), request);
        let changed = MailRequest::PasswordChanged {
            username: "ann".into(),
        };
        assert_eq!(
            serde_json::to_string(&changed).unwrap(),
            r#"{"kind":"password_changed","username":"ann"}"#
        );
    }

    #[test]
    fn each_kind_is_its_tag() {
        let (email, username, source) = (String::new(), String::from("ann"), None);
        for request in [
            MailRequest::PasswordReset {
                email: email.clone(),
                source: source.clone(),
            },
            MailRequest::ResendActivation {
                email,
                source: source.clone(),
            },
            MailRequest::Activation {
                username: username.clone(),
                source: source.clone(),
            },
            MailRequest::Confirmation {
                username: username.clone(),
                source,
            },
            MailRequest::PasswordChanged { username },
        ] {
            let json = serde_json::to_value(&request).unwrap();
            assert_eq!(json["kind"], request.kind());
        }
    }
}

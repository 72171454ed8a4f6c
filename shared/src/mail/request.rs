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
    }
}

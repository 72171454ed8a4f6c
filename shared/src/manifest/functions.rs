//! Every Lambda function, declared once: its binary (which is also its SAM `Binary`, the prefix
//! of its events in `events/` and, capitalised, its template resource `<Binary>Function`), what
//! it serves, and what its role may do. `scripts/check_template.py` holds `template.yaml` to
//! these declarations through `manifest.json`; the events test runs every function's events.

use crate::endpoint::{self, Endpoint};

/// What a function serves.
#[derive(Debug, Clone, Copy)]
pub enum Kind {
    /// An endpoint of the contract, on the route `ANY <path>` (every method reaches it, so that
    /// it answers the contract's 405), behind no authorizer: it answers DRF's own 401s.
    Contract(&'static Endpoint),
    /// API Gateway's Lambda authorizer for the routes behind it; it has no route of its own.
    Authorizer,
    /// A route of the team's own, behind the authorizer.
    BehindAuthorizer {
        /// The route's method.
        method: &'static str,
        /// The route's path, without its trailing slash.
        path: &'static str,
    },
    /// The mailer: it has no route; SQS delivers it the mail queue's requests.
    Mailer,
}

/// What a function's role may act on: one of the three tables, the users table's index by
/// email address, the mail queue, or sending email as the stack's sender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// `UsersTable`.
    Users,
    /// `TokensTable`.
    Tokens,
    /// `LockoutsTable`.
    Lockouts,
    /// `UsersTable`'s index `ByEmail` (`${UsersTable.Arn}/index/ByEmail`).
    EmailIndex,
    /// `MailQueue`, the password resets' queue.
    MailQueue,
    /// SES identities, on condition that the sender is `EmailFrom`, and the configuration set
    /// `MailConfigurationSet`.
    SendEmail,
}

impl Resource {
    /// How `scripts/check_template.py` names it: the template resource, or the index's path.
    pub fn resource(self) -> &'static str {
        match self {
            Self::Users => "UsersTable",
            Self::Tokens => "TokensTable",
            Self::Lockouts => "LockoutsTable",
            Self::EmailIndex => "UsersTable/index/ByEmail",
            Self::MailQueue => "MailQueue",
            Self::SendEmail => "EmailFrom",
        }
    }
}

/// Actions a function's role holds on one resource.
#[derive(Debug, Clone, Copy)]
pub struct Grant {
    /// What they act on.
    pub on: Resource,
    /// The actions, such as `dynamodb:GetItem`.
    pub actions: &'static [&'static str],
}

/// One Lambda function.
#[derive(Debug, Clone, Copy)]
pub struct Function {
    /// The binary's name: SAM's `Binary`, the events' prefix, `<Binary>Function` in the
    /// template.
    pub binary: &'static str,
    /// What it serves.
    pub kind: Kind,
    /// Whether it builds a context ([`crate::Ctx`]): the tables and the token settings, which
    /// the template must then hand it.
    pub context: bool,
    /// What its role may do on the tables, always.
    pub grants: &'static [Grant],
    /// What its role may do besides under sliding expiry (the template's `RefreshesTokens`).
    pub refresh_grants: &'static [Grant],
    /// What its role may do besides when the stack sends email (the template's `SendsEmail`):
    /// post to the mail queue, which only then exists.
    pub mail_grants: &'static [Grant],
    /// Whether its role may read the seal secret (`TokenSealSecret`).
    pub reads_seal_secret: bool,
    /// The event (in `events/`, without `.json`) its benchmark answers, as the events test
    /// expects: a success, or, for a function whose success writes something new each time (a
    /// new password's salt, a new id) that the benchmark's replay of DynamoDB's answers cannot
    /// match, its refusal after the work it measures (the current password verified).
    pub bench_event: &'static str,
    /// The template's condition under which the stack deploys it, with its route; `None`:
    /// always.
    pub deployed_when: Option<&'static str>,
}

/// A mail request posted to the queue.
const POST_MAIL: Grant = Grant {
    on: Resource::MailQueue,
    actions: &["sqs:SendMessage"],
};

/// Reading a token and deleting it: a logout's.
const REVOKE_TOKEN: Grant = Grant {
    on: Resource::Tokens,
    actions: &["dynamodb:GetItem", "dynamodb:DeleteItem"],
};

/// Reading a token, and moving its expiry under sliding expiry.
const READ_TOKEN: &[Grant] = &[Grant {
    on: Resource::Tokens,
    actions: &["dynamodb:GetItem"],
}];
/// Sliding expiry's writes: a token's expiry, on its record and on its user.
const REFRESH: &[Grant] = &[
    Grant {
        on: Resource::Tokens,
        actions: &["dynamodb:UpdateItem"],
    },
    Grant {
        on: Resource::Users,
        actions: &["dynamodb:UpdateItem"],
    },
];

/// The lockout's reads and writes: the name's failures read with the user, an attempt counted
/// (and a source's given back), the count forgotten on success.
const LOCKOUT: Grant = Grant {
    on: Resource::Lockouts,
    actions: &[
        "dynamodb:BatchGetItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
    ],
};

/// A password check's and what follows it on the user: the user read with the name's failures
/// and again after the check, then written (a token or a stronger hash; a new password).
const CHECKED_USER: Grant = Grant {
    on: Resource::Users,
    actions: &[
        "dynamodb:BatchGetItem",
        "dynamodb:GetItem",
        "dynamodb:UpdateItem",
    ],
};

/// A login's: the password check on the user and the lockout's, and a token written with its
/// listing on the user (replacing an expired one).
const LOGIN: &[Grant] = &[
    CHECKED_USER,
    LOCKOUT,
    Grant {
        on: Resource::Tokens,
        actions: &["dynamodb:PutItem", "dynamodb:DeleteItem"],
    },
];

/// Every token of the caller taken away: the caller's token read, then the user's list of
/// tokens read and taken away with their records, step by step.
const REVOKE_ALL: &[Grant] = &[
    REVOKE_TOKEN,
    Grant {
        on: Resource::Users,
        actions: &["dynamodb:GetItem", "dynamodb:UpdateItem"],
    },
];

/// Every function, in the order the docs list them.
pub static FUNCTIONS: &[Function] = &[
    Function {
        binary: "login",
        kind: Kind::Contract(&endpoint::LOGIN),
        context: true,
        grants: LOGIN,
        refresh_grants: &[],
        mail_grants: &[],
        reads_seal_secret: true,
        bench_event: "login-json",
        deployed_when: None,
    },
    Function {
        binary: "whoami",
        kind: Kind::Contract(&endpoint::WHOAMI),
        context: true,
        grants: READ_TOKEN,
        refresh_grants: REFRESH,
        mail_grants: &[],
        reads_seal_secret: false,
        bench_event: "whoami-token",
        deployed_when: None,
    },
    Function {
        binary: "logout",
        kind: Kind::Contract(&endpoint::LOGOUT),
        context: true,
        grants: &[
            REVOKE_TOKEN,
            // The user's list of tokens, without the one taken away.
            Grant {
                on: Resource::Users,
                actions: &["dynamodb:UpdateItem"],
            },
        ],
        refresh_grants: &[],
        mail_grants: &[],
        reads_seal_secret: false,
        bench_event: "logout-token",
        deployed_when: None,
    },
    Function {
        binary: "logoutall",
        kind: Kind::Contract(&endpoint::LOGOUT_ALL),
        context: true,
        grants: REVOKE_ALL,
        refresh_grants: &[],
        mail_grants: &[],
        reads_seal_secret: false,
        bench_event: "logoutall-token",
        deployed_when: None,
    },
    Function {
        binary: "tokenlogin",
        kind: Kind::Contract(&endpoint::TOKEN_LOGIN),
        context: true,
        grants: LOGIN,
        refresh_grants: &[],
        mail_grants: &[],
        reads_seal_secret: true,
        bench_event: "tokenlogin-json",
        deployed_when: None,
    },
    Function {
        binary: "tokenlogout",
        kind: Kind::Contract(&endpoint::TOKEN_LOGOUT),
        context: true,
        grants: REVOKE_ALL,
        refresh_grants: &[],
        mail_grants: &[],
        reads_seal_secret: false,
        bench_event: "tokenlogout-token",
        deployed_when: None,
    },
    Function {
        binary: "setpassword",
        kind: Kind::Contract(&endpoint::SET_PASSWORD),
        context: true,
        grants: &[
            // The caller's token read; the records of their tokens deleted with the change.
            Grant {
                on: Resource::Tokens,
                actions: &["dynamodb:GetItem", "dynamodb:DeleteItem"],
            },
            // The current password checked, then the new one written (with the list of tokens
            // taken away).
            CHECKED_USER,
            LOCKOUT,
        ],
        refresh_grants: &[],
        mail_grants: &[POST_MAIL],
        reads_seal_secret: false,
        bench_event: "setpassword-common",
        deployed_when: None,
    },
    Function {
        binary: "me",
        kind: Kind::Contract(&endpoint::ME),
        context: true,
        grants: &[
            // The caller's token read; the records of their tokens deleted with the account.
            Grant {
                on: Resource::Tokens,
                actions: &["dynamodb:GetItem", "dynamodb:DeleteItem"],
            },
            // The current password checked; an id or an email written; the user deleted. (The
            // id counter is an item of the users table.)
            Grant {
                on: Resource::Users,
                actions: &[
                    "dynamodb:BatchGetItem",
                    "dynamodb:GetItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                ],
            },
            LOCKOUT,
        ],
        refresh_grants: &[],
        mail_grants: &[POST_MAIL],
        reads_seal_secret: false,
        bench_event: "me-token",
        deployed_when: None,
    },
    Function {
        binary: "setusername",
        kind: Kind::Contract(&endpoint::SET_USERNAME),
        context: true,
        grants: &[
            // The caller's token read; the records of the user's tokens read and re-owned (and,
            // beyond 50 tokens, deleted step by step first).
            Grant {
                on: Resource::Tokens,
                actions: &[
                    "dynamodb:GetItem",
                    "dynamodb:BatchGetItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                ],
            },
            // The current password checked; the new name looked up; the user written under it
            // and deleted under the old one (the list of tokens updated when shedding).
            Grant {
                on: Resource::Users,
                actions: &[
                    "dynamodb:BatchGetItem",
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                ],
            },
            LOCKOUT,
        ],
        refresh_grants: &[],
        mail_grants: &[],
        reads_seal_secret: false,
        bench_event: "setusername-taken",
        deployed_when: None,
    },
    Function {
        binary: "sessions",
        kind: Kind::Contract(&endpoint::SESSIONS),
        context: true,
        grants: &[
            // The caller's token read; the records of the user's tokens read.
            Grant {
                on: Resource::Tokens,
                actions: &["dynamodb:GetItem", "dynamodb:BatchGetItem"],
            },
            // The user's list of tokens read.
            Grant {
                on: Resource::Users,
                actions: &["dynamodb:GetItem"],
            },
        ],
        refresh_grants: &[],
        mail_grants: &[],
        reads_seal_secret: false,
        bench_event: "sessions-token",
        deployed_when: None,
    },
    Function {
        binary: "endsession",
        kind: Kind::Contract(&endpoint::END_SESSION),
        context: true,
        grants: &[
            REVOKE_TOKEN,
            // The user's list of tokens, read to find the one named, and taken off.
            Grant {
                on: Resource::Users,
                actions: &["dynamodb:GetItem", "dynamodb:UpdateItem"],
            },
        ],
        refresh_grants: &[],
        mail_grants: &[],
        reads_seal_secret: false,
        bench_event: "endsession-token",
        deployed_when: None,
    },
    Function {
        binary: "register",
        kind: Kind::Contract(&endpoint::REGISTER),
        context: true,
        grants: &[
            // The name looked up, the id drawn (an item of the users table), the user created.
            Grant {
                on: Resource::Users,
                actions: &[
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                ],
            },
        ],
        refresh_grants: &[],
        mail_grants: &[
            POST_MAIL,
            // The user just registered deleted when their activation link cannot be queued.
            Grant {
                on: Resource::Users,
                actions: &["dynamodb:DeleteItem"],
            },
        ],
        reads_seal_secret: false,
        bench_event: "register-weak",
        deployed_when: Some("RegistrationOpen"),
    },
    Function {
        binary: "resetpassword",
        kind: Kind::Contract(&endpoint::RESET_PASSWORD),
        context: true,
        // The request queued for the mailer: nothing read, whoever has the address.
        grants: &[POST_MAIL],
        refresh_grants: &[],
        mail_grants: &[],
        reads_seal_secret: false,
        bench_event: "resetpassword-json",
        deployed_when: Some("SendsEmail"),
    },
    Function {
        binary: "resetconfirm",
        kind: Kind::Contract(&endpoint::RESET_PASSWORD_CONFIRM),
        context: true,
        grants: &[
            // The id's pointer and the user read; the new password written with the list of
            // tokens taken away.
            Grant {
                on: Resource::Users,
                actions: &["dynamodb:GetItem", "dynamodb:UpdateItem"],
            },
            // The records of the user's tokens deleted with the change.
            Grant {
                on: Resource::Tokens,
                actions: &["dynamodb:DeleteItem"],
            },
            // The user's failed logins forgotten.
            Grant {
                on: Resource::Lockouts,
                actions: &["dynamodb:DeleteItem"],
            },
            // The notice of the new password queued, under
            // `PASSWORD_CHANGED_EMAIL_CONFIRMATION`.
            POST_MAIL,
        ],
        refresh_grants: &[],
        mail_grants: &[],
        // The seal secret signs the links.
        reads_seal_secret: true,
        bench_event: "resetconfirm-unknown-uid",
        deployed_when: Some("SendsEmail"),
    },
    Function {
        binary: "activation",
        kind: Kind::Contract(&endpoint::ACTIVATION),
        context: true,
        grants: &[
            // The id's pointer and the user read (again, when the activation loses a race);
            // the user activated.
            Grant {
                on: Resource::Users,
                actions: &["dynamodb:GetItem", "dynamodb:UpdateItem"],
            },
            // The confirmation queued, under `SEND_CONFIRMATION_EMAIL`.
            POST_MAIL,
        ],
        refresh_grants: &[],
        mail_grants: &[],
        // The seal secret signs the links.
        reads_seal_secret: true,
        bench_event: "activation-unknown-uid",
        deployed_when: Some("SendsActivationEmail"),
    },
    Function {
        binary: "resendactivation",
        kind: Kind::Contract(&endpoint::RESEND_ACTIVATION),
        context: true,
        // The request queued for the mailer: nothing read, whoever has the address.
        grants: &[POST_MAIL],
        refresh_grants: &[],
        mail_grants: &[],
        reads_seal_secret: false,
        bench_event: "resendactivation-json",
        deployed_when: Some("SendsActivationEmail"),
    },
    Function {
        binary: "mailer",
        kind: Kind::Mailer,
        context: true,
        grants: &[
            // The queue's requests received and deleted (the event source mapping's polling).
            Grant {
                on: Resource::MailQueue,
                actions: &[
                    "sqs:ReceiveMessage",
                    "sqs:DeleteMessage",
                    "sqs:GetQueueAttributes",
                ],
            },
            // The address looked up.
            Grant {
                on: Resource::EmailIndex,
                actions: &["dynamodb:Query"],
            },
            // Each user read, given an id if they had none (the id counter), their link
            // stamped and their id's pointer written.
            Grant {
                on: Resource::Users,
                actions: &[
                    "dynamodb:GetItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:PutItem",
                ],
            },
            // The sending limits counted.
            Grant {
                on: Resource::Lockouts,
                actions: &["dynamodb:UpdateItem"],
            },
            // The email sent, from `EmailFrom` only.
            Grant {
                on: Resource::SendEmail,
                actions: &["ses:SendEmail"],
            },
        ],
        refresh_grants: &[],
        mail_grants: &[],
        // The seal secret signs the links.
        reads_seal_secret: true,
        bench_event: "mailer-unknown-address",
        deployed_when: Some("SendsEmail"),
    },
    Function {
        binary: "authorizer",
        kind: Kind::Authorizer,
        context: true,
        grants: READ_TOKEN,
        refresh_grants: REFRESH,
        mail_grants: &[],
        reads_seal_secret: false,
        bench_event: "authorizer-token",
        deployed_when: None,
    },
    Function {
        binary: "example",
        kind: Kind::BehindAuthorizer {
            method: "GET",
            path: "/api/example",
        },
        context: false,
        grants: &[],
        refresh_grants: &[],
        mail_grants: &[],
        reads_seal_secret: false,
        bench_event: "example-authorized",
        deployed_when: None,
    },
];

impl Function {
    /// The function whose binary is `binary`, if any.
    pub fn named(binary: &str) -> Option<&'static Function> {
        FUNCTIONS.iter().find(|function| function.binary == binary)
    }

    /// Its resource in `template.yaml`: `login` -> `LoginFunction`.
    pub fn resource(&self) -> String {
        let mut chars = self.binary.chars();
        let first = chars.next().map(|c| c.to_ascii_uppercase());
        first
            .into_iter()
            .chain(chars)
            .chain("Function".chars())
            .collect()
    }

    /// Its route keys as API Gateway routes them (`ANY /api/whoami`); none for an authorizer.
    pub fn routes(&self) -> Vec<String> {
        match self.kind {
            Kind::Contract(endpoint) => vec![format!("ANY {}", endpoint.path)],
            Kind::Authorizer | Kind::Mailer => Vec::new(),
            Kind::BehindAuthorizer { method, path } => vec![format!("{method} {path}")],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_endpoint_has_its_function_and_binaries_are_unique() {
        for endpoint in endpoint::ALL {
            let function = Function::named(endpoint.function).unwrap();
            assert!(
                matches!(function.kind, Kind::Contract(served) if std::ptr::eq(served, endpoint))
            );
        }
        for (index, function) in FUNCTIONS.iter().enumerate() {
            assert!(
                FUNCTIONS[index + 1..]
                    .iter()
                    .all(|other| other.binary != function.binary)
            );
            assert!(
                function
                    .bench_event
                    .starts_with(&format!("{}-", function.binary))
            );
        }
        let named = |binary| Function::named(binary).unwrap();
        assert_eq!(named("authorizer").resource(), "AuthorizerFunction");
        assert!(named("authorizer").routes().is_empty());
        assert_eq!(named("whoami").routes(), ["ANY /api/whoami"]);
    }
}

//! Every setting, declared once: the variable a process reads (or a deploy passes on), the stack
//! parameter that sets it in AWS, its default, what it may be, what it means and who reads it.
//! [`crate::config`] parses the functions' settings through these declarations; the deploy
//! script, its tests, the template check and `docs/CONFIGURATION.md` read `manifest.json`.

/// What values a setting may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowed {
    /// A whole number in a range (no upper bound when `max` is `None`).
    Number {
        /// The least value.
        min: u64,
        /// The greatest value, if any.
        max: Option<u64>,
    },
    /// One of these words.
    OneOf(&'static [&'static str]),
    /// Text (a name, an ARN, a URL, a path, a comma-separated list): read as it is.
    Text,
}

/// The functions a setting is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readers {
    /// Every function that builds a context ([`crate::manifest::Function::context`]).
    WithContext,
    /// Every function whose role may read a name's failures with its user (`BatchGetItem` on
    /// the lockouts table): the ones that check a password, under the lockout.
    CheckingPasswords,
    /// Every function whose role may read the seal secret: the logins, which hand back per-user
    /// keys.
    ReadingSealSecret,
    /// These functions (binaries) only.
    Only(&'static [&'static str]),
}

impl Readers {
    /// The binaries of the functions it names.
    pub fn binaries(self) -> Vec<&'static str> {
        match self {
            Self::WithContext => binaries_where(|function| function.context),
            Self::CheckingPasswords => binaries_where(|function| {
                function.grants.iter().any(|grant| {
                    grant.on == crate::manifest::Resource::Lockouts
                        && grant.actions.contains(&"dynamodb:BatchGetItem")
                })
            }),
            Self::ReadingSealSecret => binaries_where(|function| function.reads_seal_secret),
            Self::Only(binaries) => binaries.to_vec(),
        }
    }
}

/// The binaries of the functions that `wanted` picks, in the manifest's order.
fn binaries_where(wanted: impl Fn(&crate::manifest::Function) -> bool) -> Vec<&'static str> {
    crate::manifest::FUNCTIONS
        .iter()
        .filter(|function| wanted(function))
        .map(|function| function.binary)
        .collect()
}

/// One setting. See the module's documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Setting {
    /// The environment variable: what a function or the CLI reads and what `scripts/deploy.sh`
    /// takes the stack parameter from.
    pub var: &'static str,
    /// The stack parameter of `template.yaml` that sets it; `None` for a variable the stack
    /// sets from its own resources, Lambda sets, or only a local run reads.
    pub parameter: Option<&'static str>,
    /// Its value when unset; `None` when there is none (the variable is required, or its
    /// absence means "not used").
    pub default: Option<&'static str>,
    /// What values it may take.
    pub allowed: Allowed,
    /// What it must be, in words: the end of the error that a bad value gets.
    pub expected: &'static str,
    /// The functions whose behaviour it sets: the template must hand it to each.
    pub functions: Readers,
    /// Who else reads it (Markdown): the CLI's commands, or the part of the stack it sets.
    pub also_read_by: &'static str,
    /// What it does (Markdown), for `docs/CONFIGURATION.md`.
    pub doc: &'static str,
}

/// The functions that build a context ([`crate::Ctx`]): they read the token settings.
const TOKEN_FUNCTIONS: Readers = Readers::WithContext;
/// The logins (DRF's and djoser's) read the seal secret: they hand back per-user keys.
const LOGINS: Readers = Readers::ReadingSealSecret;
/// The functions that check a password read the lockout settings: the logins, and the account
/// changes that ask for the current password.
const PASSWORD_CHECKERS: Readers = Readers::CheckingPasswords;
/// The functions that set a password read the password rules.
const PASSWORD_SETTERS: Readers = Readers::Only(&["setpassword", "register", "resetconfirm"]);
/// The user's own password change reads its settings.
const SET_PASSWORD: Readers = Readers::Only(&["setpassword"]);
/// The functions that take a username from the request: the logins, registration and renames.
const NAMING: Readers = Readers::Only(&["login", "tokenlogin", "register", "setusername"]);
/// The functions of a password reset: the request's (which queues it), the mailer (which sends
/// the link) and the confirmation's (which checks it).
const RESETS: Readers = Readers::Only(&["resetpassword", "mailer", "resetconfirm"]);
/// The mailer alone.
const MAILER: Readers = Readers::Only(&["mailer"]);
/// The functions of an activation: registration and the address change (which deactivate and
/// queue the link), the activation and the resend.
const ACTIVATIONS: Readers = Readers::Only(&["register", "me", "activation", "resendactivation"]);
/// The functions that post mail requests to the queue, when the stack sends email.
const MAIL_POSTERS: Readers = Readers::Only(&[
    "resetpassword",
    "register",
    "me",
    "setpassword",
    "resetconfirm",
    "activation",
    "resendactivation",
]);
/// Where the local server reads the email settings.
const MAIL_CLI: &str = "`authtoken serve`";
/// Settings of the stack only (API Gateway, CloudWatch, IAM): no function reads them.
const NO_FUNCTION: Readers = Readers::Only(&[]);
/// Ten years in seconds: the longest lifetime (anything longer is a typo, and epoch arithmetic
/// stays far from overflow).
const TEN_YEARS: u64 = 10 * 365 * 24 * 3600;
/// A day in seconds: the longest lock and window.
const DAY: u64 = 86_400;

/// The CLI's commands that read the token settings.
const TOKEN_CLI: &str = "`authtoken serve`, `token create`";

/// A setting that a stack parameter sets: `readers` are the functions it is for and who else
/// reads it; `text` is what it must be (the end of a bad value's error) and what it does.
const fn with_parameter(
    (var, parameter): (&'static str, &'static str),
    default: &'static str,
    allowed: Allowed,
    (functions, also_read_by): (Readers, &'static str),
    (expected, doc): (&'static str, &'static str),
) -> Setting {
    Setting {
        var,
        parameter: Some(parameter),
        default: Some(default),
        allowed,
        expected,
        functions,
        also_read_by,
        doc,
    }
}

/// `TOKEN_TTL_SECONDS`.
pub const TOKEN_TTL: Setting = with_parameter(
    ("TOKEN_TTL_SECONDS", "TokenTtlSeconds"),
    "0",
    Allowed::Number {
        min: 0,
        max: Some(TEN_YEARS),
    },
    (TOKEN_FUNCTIONS, TOKEN_CLI),
    (
        "a whole number of seconds from 0 (never expire) to 315360000",
        "token lifetime in seconds; `0` = never expires (DRF). Set later, it applies to tokens \
          issued before without an expiry too, counted from their creation",
    ),
);

/// `TOKEN_FORMAT`.
pub const TOKEN_FORMAT: Setting = with_parameter(
    ("TOKEN_FORMAT", "TokenFormat"),
    "hex",
    Allowed::OneOf(&["hex", "prefixed"]),
    (TOKEN_FUNCTIONS, TOKEN_CLI),
    (
        "hex (40 hex characters, DRF's) or prefixed (atk_...)",
        "form of new keys: `hex` (DRF's 40 hex characters) or `prefixed` (`atk_` + 30 base62 + \
          a CRC32 checksum, 40 characters: secret scanners can find a leaked key, and a mistyped \
          one is refused without a read; the checksum only catches typos, since anyone can \
          compute it). Keys of both forms are accepted either way",
    ),
);

/// `TOKEN_POLICY`.
pub const TOKEN_POLICY: Setting = with_parameter(
    ("TOKEN_POLICY", "TokenPolicy"),
    "per-user",
    Allowed::OneOf(&["per-user", "per-login"]),
    (TOKEN_FUNCTIONS, TOKEN_CLI),
    (
        "per-user (one token per user, DRF's) or per-login (one per login, knox's)",
        "`per-user` (DRF's one token per user, handed back at every login) or `per-login` \
          (knox's: a new token per login, answered as `{\"expiry\": ..., \"token\": ...}`, its \
          key stored nowhere). See [Token policies](OPERATING.md#token-policies)",
    ),
);

/// `TOKEN_LIMIT_PER_USER`.
pub const TOKEN_LIMIT: Setting = with_parameter(
    ("TOKEN_LIMIT_PER_USER", "TokenLimitPerUser"),
    "0",
    Allowed::Number {
        min: 0,
        max: Some(crate::policy::MAX_TOKENS_PER_USER as u64),
    },
    (TOKEN_FUNCTIONS, TOKEN_CLI),
    (
        "a whole number from 1 to 1000, or 0 (or unset) for no limit",
        "under `per-login`, the most live tokens a user may hold; a login beyond it answers \
          knox's 403. `0` = no limit (the store's own is 1000). Refused with `per-user`",
    ),
);

/// `TOKEN_AUTO_REFRESH`.
pub const TOKEN_AUTO_REFRESH: Setting = with_parameter(
    ("TOKEN_AUTO_REFRESH", "TokenAutoRefresh"),
    "false",
    Allowed::OneOf(&["false", "true"]),
    (TOKEN_FUNCTIONS, "`authtoken serve`"),
    (
        "true or false",
        "`true` = [sliding expiry](OPERATING.md#sliding-expiry): each use of a token (whoami, \
          the authorizer, the guard) moves its expiry to now + `TOKEN_TTL_SECONDS`, which must \
          then be above 0. Only then may whoami and the authorizer update anything (a template \
          condition)",
    ),
);

/// `TOKEN_MIN_REFRESH_SECONDS`.
pub const TOKEN_MIN_REFRESH: Setting = with_parameter(
    ("TOKEN_MIN_REFRESH_SECONDS", "TokenMinRefreshSeconds"),
    "60",
    Allowed::Number {
        min: 0,
        max: Some(DAY),
    },
    (TOKEN_FUNCTIONS, "`authtoken serve`"),
    (
        "a whole number of seconds from 0 to 86400",
        "with sliding expiry, an expiry is written only when it moves by more than this",
    ),
);

/// `TOKEN_MAX_TTL_SECONDS`.
pub const TOKEN_MAX_TTL: Setting = with_parameter(
    ("TOKEN_MAX_TTL_SECONDS", "TokenMaxTtlSeconds"),
    "0",
    Allowed::Number {
        min: 0,
        max: Some(TEN_YEARS),
    },
    (TOKEN_FUNCTIONS, "`authtoken serve`"),
    (
        "a whole number of seconds from 0 to 315360000",
        "with sliding expiry, no token lives longer than this from its creation; `0` = no \
          bound; otherwise at least `TOKEN_TTL_SECONDS`",
    ),
);

/// A setting of the lockout, read by the functions that check a password and `authtoken serve`: a whole number
/// from `min` to `max`.
const fn lockout(
    var: &'static str,
    parameter: &'static str,
    default: &'static str,
    (min, max): (u64, u64),
    expected: &'static str,
    doc: &'static str,
) -> Setting {
    let allowed = Allowed::Number {
        min,
        max: Some(max),
    };
    with_parameter(
        (var, parameter),
        default,
        allowed,
        (PASSWORD_CHECKERS, "`authtoken serve`"),
        (expected, doc),
    )
}

/// `LOGIN_LOCKOUT_THRESHOLD`.
pub const LOCKOUT_THRESHOLD: Setting = lockout(
    "LOGIN_LOCKOUT_THRESHOLD",
    "LoginLockoutThreshold",
    "5",
    (0, 1000),
    "a whole number of failures from 0 (no lockout) to 1000",
    "consecutive failed logins that lock a username (user or not); `0` = no lockout. See \
          [Login lockout](OPERATING.md#login-lockout)",
);

/// `LOGIN_LOCKOUT_BASE_SECONDS`.
pub const LOCKOUT_BASE: Setting = lockout(
    "LOGIN_LOCKOUT_BASE_SECONDS",
    "LoginLockoutBaseSeconds",
    "1",
    (1, DAY),
    "a whole number of seconds from 1 to 86400",
    "seconds of the first lock, doubled by each further failure",
);

/// `LOGIN_LOCKOUT_MAX_SECONDS`.
pub const LOCKOUT_MAX: Setting = lockout(
    "LOGIN_LOCKOUT_MAX_SECONDS",
    "LoginLockoutMaxSeconds",
    "900",
    (1, DAY),
    "a whole number of seconds from 1 to 86400",
    "the longest lock, in seconds; at least `LOGIN_LOCKOUT_BASE_SECONDS`",
);

/// `LOGIN_LOCKOUT_ACCOUNT_THRESHOLD`.
pub const LOCKOUT_ACCOUNT: Setting = lockout(
    "LOGIN_LOCKOUT_ACCOUNT_THRESHOLD",
    "LoginLockoutAccountThreshold",
    "20",
    (1, 10_000),
    "a whole number of failures, at least LOGIN_LOCKOUT_THRESHOLD, at most 10000",
    "failed logins of a username from any sources that lock it for every source; below it \
          a lock stops only the sources that failed on the name; at least \
          `LOGIN_LOCKOUT_THRESHOLD` (raised to it when unset)",
);

/// `LOGIN_SOURCE_THRESHOLD`.
pub const SOURCE_THRESHOLD: Setting = lockout(
    "LOGIN_SOURCE_THRESHOLD",
    "LoginSourceThreshold",
    "100",
    (0, 1_000_000),
    "a whole number of attempts from 0 (no limit) to 1000000",
    "login attempts one client address may make per window, whatever the usernames \
          (password spraying); a success gives its attempt back; `0` = no limit",
);

/// `LOGIN_SOURCE_WINDOW_SECONDS`.
pub const SOURCE_WINDOW: Setting = lockout(
    "LOGIN_SOURCE_WINDOW_SECONDS",
    "LoginSourceWindowSeconds",
    "3600",
    (1, DAY),
    "a whole number of seconds from 1 to 86400",
    "the window of `LOGIN_SOURCE_THRESHOLD`, in seconds",
);

/// A table's name: set by the stack from its own table, read by every function and the CLI.
const fn table(var: &'static str, doc: &'static str) -> Setting {
    Setting {
        var,
        parameter: None,
        default: None,
        allowed: Allowed::Text,
        expected: "a DynamoDB table name: 3 to 255 of a-z A-Z 0-9 _ - .",
        functions: TOKEN_FUNCTIONS,
        also_read_by: "`authtoken`",
        doc,
    }
}

/// `USERS_TABLE`.
pub const USERS_TABLE: Setting = table("USERS_TABLE", "DynamoDB users table (key `username`)");
/// `TOKENS_TABLE`.
pub const TOKENS_TABLE: Setting = table(
    "TOKENS_TABLE",
    "DynamoDB tokens table (key `digest`, TTL attribute `expires`)",
);
/// `LOCKOUTS_TABLE`.
pub const LOCKOUTS_TABLE: Setting = table(
    "LOCKOUTS_TABLE",
    "DynamoDB lockouts table: failed logins per username (key `username`, TTL attribute \
     `expires`)",
);

/// `TOKEN_SEAL_SECRET`: the Secrets Manager secret sealing the per-user keys.
pub const SEAL_SECRET: Setting = Setting {
    var: "TOKEN_SEAL_SECRET",
    parameter: None,
    default: None,
    allowed: Allowed::Text,
    expected: "the ARN or name of a Secrets Manager secret",
    functions: LOGINS,
    also_read_by: "`authtoken` (`--seal-secret`)",
    doc: "the Secrets Manager secret (ARN or name) that seals the per-user keys kept on users \
          (required by the login): see [Keys at rest](OPERATING.md#keys-at-rest). The stack \
          creates it and gives it to the login; the CLI needs it to issue, import or reseal \
          per-user keys. `authtoken serve` without it seals with a key of its own process",
};

/// A variable of the AWS SDK's clients, which every function and the CLI read.
const fn client(var: &'static str, functions: Readers, doc: &'static str) -> Setting {
    Setting {
        var,
        parameter: None,
        default: None,
        allowed: Allowed::Text,
        expected: "UTF-8 text",
        functions,
        also_read_by: "`authtoken`",
        doc,
    }
}

/// `AWS_REGION`.
pub const REGION: Setting = client("AWS_REGION", TOKEN_FUNCTIONS, "the region; Lambda sets it");
/// `AWS_ENDPOINT_URL_DYNAMODB`.
pub const DYNAMODB_ENDPOINT: Setting = client(
    "AWS_ENDPOINT_URL_DYNAMODB",
    TOKEN_FUNCTIONS,
    "another DynamoDB endpoint (a local one); unset or empty = DynamoDB's own. `template.yaml` \
     declares it empty so that `sam local invoke --env-vars` can set it",
);
/// `AWS_ENDPOINT_URL_SECRETS_MANAGER`.
pub const SECRETS_ENDPOINT: Setting = client(
    "AWS_ENDPOINT_URL_SECRETS_MANAGER",
    LOGINS,
    "another Secrets Manager endpoint (a local one, such as moto's); unset or empty = Secrets \
     Manager's own",
);
/// `SSL_CERT_FILE`.
pub const CERT_FILE: Setting = client(
    "SSL_CERT_FILE",
    NO_FUNCTION,
    "a PEM bundle of certificate authorities to trust for DynamoDB's endpoint instead of the \
     Amazon Trust Services roots compiled in (every AWS endpoint's certificate chains to them); \
     it must exist. Needed only for an endpoint certified by another authority, such as a \
     DynamoDB-compatible service outside AWS or a TLS-inspecting proxy. The CLI always uses the \
     system's store, which this variable also locates",
);
/// `SSL_CERT_DIR`.
pub const CERT_DIR: Setting = client(
    "SSL_CERT_DIR",
    NO_FUNCTION,
    "the same as `SSL_CERT_FILE`, as a directory of certificates",
);

/// The commands that set a password and so apply the password rules.
const PASSWORD_CLI: &str = "`authtoken serve`, `user create`, `user set-password`";

/// `PASSWORD_VALIDATORS`.
pub const PASSWORD_VALIDATORS: Setting = Setting {
    var: "PASSWORD_VALIDATORS",
    parameter: Some("PasswordValidators"),
    default: Some("true"),
    allowed: Allowed::OneOf(&["true", "false"]),
    expected: "true or false",
    functions: PASSWORD_SETTERS,
    also_read_by: PASSWORD_CLI,
    doc: "`true` = a new password must pass Django's four default validators (not too similar to \
          the username, at least `PASSWORD_MIN_LENGTH` characters, not one of Django's 19,640 \
          common passwords, not entirely numeric), with Django's messages; `false` = any \
          non-empty password, as a Django project without validators",
};

/// `PASSWORD_MIN_LENGTH`.
pub const PASSWORD_MIN_LENGTH: Setting = Setting {
    var: "PASSWORD_MIN_LENGTH",
    parameter: Some("PasswordMinLength"),
    default: Some("8"),
    allowed: Allowed::Number {
        min: 1,
        // The longest password accepted at all (`secrets::password::MAX_PASSWORD_BYTES`, which
        // config's tests hold it to).
        max: Some(4096),
    },
    expected: "a whole number of characters from 1 to 4096",
    functions: PASSWORD_SETTERS,
    also_read_by: PASSWORD_CLI,
    doc: "the fewest characters a new password may have (Django's `MinimumLengthValidator`), \
          when `PASSWORD_VALIDATORS` is `true`",
};

/// `PASSWORD_BREACH_CHECK`.
pub const PASSWORD_BREACH_CHECK: Setting = Setting {
    var: "PASSWORD_BREACH_CHECK",
    parameter: Some("PasswordBreachCheck"),
    default: Some("false"),
    allowed: Allowed::OneOf(&["false", "true"]),
    expected: "true or false",
    functions: PASSWORD_SETTERS,
    also_read_by: PASSWORD_CLI,
    doc: "`true` = a new password that Have I Been Pwned's Pwned Passwords lists is refused \
          (`This password is known to have appeared in a public data breach.`), once Django's \
          validators pass: only the first 5 hex digits of its SHA-1 leave the function. If the \
          service does not answer within 2 seconds the password is accepted and \
          `breach_check_failed` logged. See [Password rules](OPERATING.md#password-rules)",
};

/// `PASSWORD_BREACH_API`.
pub const PASSWORD_BREACH_API: Setting = Setting {
    var: "PASSWORD_BREACH_API",
    parameter: None,
    // Have I Been Pwned's Pwned Passwords.
    default: Some("https://api.pwnedpasswords.com/range/"),
    allowed: Allowed::Text,
    expected: "an https:// address (or http:// on 127.0.0.1, localhost or [::1])",
    functions: PASSWORD_SETTERS,
    also_read_by: PASSWORD_CLI,
    doc: "the range API the breach check asks, the 5 hex digits appended: Pwned Passwords' own \
          by default; a local stand-in in tests",
};

/// `SET_PASSWORD_RETYPE`.
pub const SET_PASSWORD_RETYPE: Setting = with_parameter(
    ("SET_PASSWORD_RETYPE", "SetPasswordRetype"),
    "false",
    Allowed::OneOf(&["false", "true"]),
    (SET_PASSWORD, "`authtoken serve`"),
    (
        "true or false",
        "`true` = `POST /auth/users/set_password/` also asks for `re_new_password`, which must \
          equal `new_password` (djoser's setting of that name)",
    ),
);

/// `REGISTRATION`.
pub const REGISTRATION: Setting = with_parameter(
    ("REGISTRATION", "Registration"),
    "closed",
    Allowed::OneOf(&["closed", "open"]),
    (Readers::Only(&["register"]), "`authtoken serve`"),
    (
        "closed or open",
        "`open` = anyone may create an account with djoser's `POST /auth/users/` (active at \
          once); `closed` = the route does not exist (404), and the stack deploys no \
          `RegisterFunction`. See [Registration](OPERATING.md#registration)",
    ),
);

/// `USERNAME_CASE_INSENSITIVE`.
pub const USERNAME_CASE_INSENSITIVE: Setting = with_parameter(
    ("USERNAME_CASE_INSENSITIVE", "UsernameCaseInsensitive"),
    "false",
    Allowed::OneOf(&["false", "true"]),
    (
        NAMING,
        "`authtoken serve`, `authtoken user`, `authtoken token`, `authtoken import django`",
    ),
    (
        "true or false",
        "`true` = usernames match and are unique whatever their case: a new name is stored \
          case-folded (`Alice` as `alice`), a login's name is folded before it is looked up \
          (`ADMIN` logs in as `admin`) and its failures are counted under the folded name; \
          `false` = names match exactly, as in Django. Run `authtoken user fold-names` before \
          turning it on. See [Case-insensitive usernames](OPERATING.md#case-insensitive-usernames)",
    ),
);

/// `EMAIL_FROM`.
pub const EMAIL_FROM: Setting = with_parameter(
    ("EMAIL_FROM", "EmailFrom"),
    "",
    Allowed::Text,
    (
        MAILER,
        "`authtoken serve` (`webmaster@localhost` when empty, as Django's)",
    ),
    (
        "",
        "the sender of every email, an address or domain verified in Amazon SES (an identity of \
          the account's region); empty = the stack sends no email and deploys no password reset. \
          See [Email](OPERATING.md#email)",
    ),
);

/// `DOMAIN`.
pub const DOMAIN: Setting = with_parameter(
    ("DOMAIN", "FrontendDomain"),
    "",
    Allowed::Text,
    (MAILER, MAIL_CLI),
    (
        "",
        "the front-end's host (and port) that emailed links point to, djoser's `DOMAIN`: \
          `app.example.com`; needed with `EMAIL_FROM` (`authtoken serve` uses its own address \
          when empty)",
    ),
);

/// `SITE_NAME`.
pub const SITE_NAME: Setting = with_parameter(
    ("SITE_NAME", "SiteName"),
    "",
    Allowed::Text,
    (MAILER, MAIL_CLI),
    (
        "",
        "the site's name in the emails, djoser's `SITE_NAME`; empty = `DOMAIN`",
    ),
);

/// `PROTOCOL`.
pub const PROTOCOL: Setting = with_parameter(
    ("PROTOCOL", "FrontendProtocol"),
    "https",
    Allowed::OneOf(&["https", "http"]),
    (MAILER, MAIL_CLI),
    (
        "https or http",
        "the scheme of emailed links, djoser's `PROTOCOL` (`authtoken serve` uses `http` when \
          `DOMAIN` is empty)",
    ),
);

/// `PASSWORD_RESET_CONFIRM_URL`.
pub const PASSWORD_RESET_CONFIRM_URL: Setting = with_parameter(
    ("PASSWORD_RESET_CONFIRM_URL", "PasswordResetConfirmUrl"),
    "#/password/reset/confirm/{uid}/{token}",
    Allowed::Text,
    (MAILER, MAIL_CLI),
    (
        "a path holding {uid} and {token}",
        "the front-end's page a reset link opens, djoser's setting of that name: \
          `{PROTOCOL}://{DOMAIN}/` then this, `{uid}` and `{token}` filled in; the page posts \
          them with the new password to `POST /auth/users/reset_password_confirm/`",
    ),
);

/// `PASSWORD_RESET_TIMEOUT_SECONDS`.
pub const PASSWORD_RESET_TIMEOUT: Setting = with_parameter(
    (
        "PASSWORD_RESET_TIMEOUT_SECONDS",
        "PasswordResetTimeoutSeconds",
    ),
    "3600",
    Allowed::Number {
        min: 60,
        max: Some(259_200),
    },
    (RESETS, MAIL_CLI),
    (
        "a whole number of seconds from 60 to 259200",
        "how long a reset link works (Django's `PASSWORD_RESET_TIMEOUT`, 3 days by default \
          there, the most allowed here): an hour, since whoever reads the mailbox meanwhile can \
          use it. See [Email](OPERATING.md#email)",
    ),
);

/// `PASSWORD_RESET_CONFIRM_RETYPE`.
pub const PASSWORD_RESET_CONFIRM_RETYPE: Setting = with_parameter(
    (
        "PASSWORD_RESET_CONFIRM_RETYPE",
        "PasswordResetConfirmRetype",
    ),
    "false",
    Allowed::OneOf(&["false", "true"]),
    (Readers::Only(&["resetconfirm"]), MAIL_CLI),
    (
        "true or false",
        "`true` = `POST /auth/users/reset_password_confirm/` also asks for `re_new_password` \
          (djoser's setting of that name)",
    ),
);

/// `SEND_ACTIVATION_EMAIL`.
pub const SEND_ACTIVATION_EMAIL: Setting = with_parameter(
    ("SEND_ACTIVATION_EMAIL", "SendActivationEmail"),
    "false",
    Allowed::OneOf(&["false", "true"]),
    (ACTIVATIONS, MAIL_CLI),
    (
        "true or false",
        "`true` = djoser's setting of that name: a registered user (who must then give an \
          address) stays inactive until they follow the emailed link \
          (`POST /auth/users/activation/`), and a new address through `/auth/users/me/` \
          deactivates the user (revoking their tokens) and sends a link to it; the stack deploys \
          the activation routes. Needs `EMAIL_FROM`. See [Email](OPERATING.md#email)",
    ),
);

/// `ACTIVATION_URL`.
pub const ACTIVATION_URL: Setting = with_parameter(
    ("ACTIVATION_URL", "ActivationUrl"),
    "#/activate/{uid}/{token}",
    Allowed::Text,
    (MAILER, MAIL_CLI),
    (
        "a path holding {uid} and {token}",
        "the front-end's page an activation link opens, djoser's setting of that name: \
          `{PROTOCOL}://{DOMAIN}/` then this, `{uid}` and `{token}` filled in; the page posts \
          them to `POST /auth/users/activation/`",
    ),
);

/// `ACTIVATION_TIMEOUT_SECONDS`.
pub const ACTIVATION_TIMEOUT: Setting = with_parameter(
    ("ACTIVATION_TIMEOUT_SECONDS", "ActivationTimeoutSeconds"),
    "86400",
    Allowed::Number {
        min: 60,
        max: Some(259_200),
    },
    (Readers::Only(&["activation", "mailer"]), MAIL_CLI),
    (
        "a whole number of seconds from 60 to 259200",
        "how long an activation link works (Django uses `PASSWORD_RESET_TIMEOUT` for both): a \
          day, since a new user may read their mail later, and the link proves an address \
          rather than letting anyone in; `POST /auth/users/resend_activation/` sends a new one",
    ),
);

/// `SEND_CONFIRMATION_EMAIL`.
pub const SEND_CONFIRMATION_EMAIL: Setting = with_parameter(
    ("SEND_CONFIRMATION_EMAIL", "SendConfirmationEmail"),
    "false",
    Allowed::OneOf(&["false", "true"]),
    (Readers::Only(&["register", "activation"]), MAIL_CLI),
    (
        "true or false",
        "`true` = djoser's setting of that name: a user is told by email that their account is \
          ready, once activated (or at registration, without `SEND_ACTIVATION_EMAIL`). Needs \
          `EMAIL_FROM`",
    ),
);

/// `PASSWORD_CHANGED_EMAIL_CONFIRMATION`.
pub const PASSWORD_CHANGED_EMAIL_CONFIRMATION: Setting = with_parameter(
    (
        "PASSWORD_CHANGED_EMAIL_CONFIRMATION",
        "PasswordChangedEmailConfirmation",
    ),
    "false",
    Allowed::OneOf(&["false", "true"]),
    (Readers::Only(&["setpassword", "resetconfirm"]), MAIL_CLI),
    (
        "true or false",
        "`true` = djoser's setting of that name: a user whose password is changed \
          (`set_password`, or a reset link) is told by email. Needs `EMAIL_FROM`",
    ),
);

/// `MAIL_LIMIT_PER_ADDRESS`.
pub const MAIL_LIMIT_PER_ADDRESS: Setting = with_parameter(
    ("MAIL_LIMIT_PER_ADDRESS", "MailLimitPerAddress"),
    "3",
    Allowed::Number {
        min: 1,
        max: Some(1000),
    },
    (MAILER, MAIL_CLI),
    (
        "a whole number from 1 to 1000",
        "the most emails an hour for one address that requests can trigger (reset and \
          activation links, confirmations; not the notice of a password change); beyond, the \
          answer is the same and nothing is sent (`mail_dropped`)",
    ),
);

/// `MAIL_LIMIT_PER_SOURCE`.
pub const MAIL_LIMIT_PER_SOURCE: Setting = with_parameter(
    ("MAIL_LIMIT_PER_SOURCE", "MailLimitPerSource"),
    "10",
    Allowed::Number {
        min: 1,
        max: Some(100_000),
    },
    (MAILER, MAIL_CLI),
    (
        "a whole number from 1 to 100000",
        "the most emails an hour that requests from one client address can trigger, \
          whatever the addresses asked for; beyond, as for `MAIL_LIMIT_PER_ADDRESS`",
    ),
);

/// `MAIL_QUEUE_URL`.
pub const MAIL_QUEUE_URL: Setting = Setting {
    var: "MAIL_QUEUE_URL",
    parameter: None,
    default: None,
    allowed: Allowed::Text,
    expected: "an SQS queue URL",
    functions: MAIL_POSTERS,
    also_read_by: "",
    doc: "the queue the mail requests go to, which the mailer reads; the stack sets it \
          (`MailQueue`), empty when it sends no email",
};

/// `AWS_ENDPOINT_URL_SQS`.
pub const SQS_ENDPOINT: Setting = Setting {
    var: "AWS_ENDPOINT_URL_SQS",
    parameter: None,
    default: None,
    allowed: Allowed::Text,
    expected: "a URL",
    functions: Readers::Only(&[]),
    also_read_by: "the functions that queue or send (`sam local invoke --env-vars`)",
    doc: "another SQS endpoint (a local one, such as moto's); unset or empty = SQS's own",
};

/// `AWS_ENDPOINT_URL_SESV2`.
pub const SES_ENDPOINT: Setting = Setting {
    var: "AWS_ENDPOINT_URL_SESV2",
    parameter: None,
    default: None,
    allowed: Allowed::Text,
    expected: "a URL",
    functions: Readers::Only(&[]),
    also_read_by: "the mailer (`sam local invoke --env-vars`)",
    doc: "another SES v2 endpoint (a local one, such as moto's); unset or empty = SES's own",
};

/// `MAIL_TEMPLATES`.
pub const MAIL_TEMPLATES: Setting = Setting {
    var: "MAIL_TEMPLATES",
    parameter: None,
    default: None,
    allowed: Allowed::Text,
    expected: "a folder holding the email templates (the repository's mail/ folder's files)",
    functions: MAILER,
    also_read_by: "",
    doc: "where the mailer reads the email templates: the stack sets it to `/opt`, where its \
          layer of the repository's `mail/` folder is; unset = the copies built into the binary",
};

/// `SES_CONFIGURATION_SET`.
pub const SES_CONFIGURATION_SET: Setting = Setting {
    var: "SES_CONFIGURATION_SET",
    parameter: None,
    default: None,
    allowed: Allowed::Text,
    expected: "an SES configuration set's name",
    functions: MAILER,
    also_read_by: "",
    doc: "the configuration set every email is sent with (its bounces and complaints counted); \
          the stack sets it (`MailConfigurationSet`)",
};

/// `LOGOUT_ON_PASSWORD_CHANGE`.
pub const LOGOUT_ON_PASSWORD_CHANGE: Setting = with_parameter(
    ("LOGOUT_ON_PASSWORD_CHANGE", "LogoutOnPasswordChange"),
    "true",
    Allowed::OneOf(&["true", "false"]),
    (SET_PASSWORD, "`authtoken serve`"),
    (
        "true or false",
        "`true` = a user's own password change (`POST /auth/users/set_password/`) revokes every \
          token of theirs, the caller's included, in the same step; `false` = their tokens stay \
          valid (djoser's default). See [Password changes](OPERATING.md#password-changes)",
    ),
);

/// A rate or burst of API Gateway's throttling: at least one request.
const REQUESTS: Allowed = Allowed::Number { min: 1, max: None };

/// Every setting, in the order the docs list them.
pub static SETTINGS: &[Setting] = &[
    USERS_TABLE,
    TOKENS_TABLE,
    LOCKOUTS_TABLE,
    TOKEN_TTL,
    TOKEN_FORMAT,
    TOKEN_POLICY,
    TOKEN_LIMIT,
    TOKEN_AUTO_REFRESH,
    TOKEN_MIN_REFRESH,
    TOKEN_MAX_TTL,
    LOCKOUT_THRESHOLD,
    LOCKOUT_BASE,
    LOCKOUT_MAX,
    LOCKOUT_ACCOUNT,
    SOURCE_THRESHOLD,
    SOURCE_WINDOW,
    SEAL_SECRET,
    REGION,
    DYNAMODB_ENDPOINT,
    SECRETS_ENDPOINT,
    CERT_FILE,
    CERT_DIR,
    PASSWORD_VALIDATORS,
    PASSWORD_MIN_LENGTH,
    PASSWORD_BREACH_CHECK,
    PASSWORD_BREACH_API,
    SET_PASSWORD_RETYPE,
    LOGOUT_ON_PASSWORD_CHANGE,
    REGISTRATION,
    USERNAME_CASE_INSENSITIVE,
    EMAIL_FROM,
    DOMAIN,
    SITE_NAME,
    PROTOCOL,
    PASSWORD_RESET_CONFIRM_URL,
    PASSWORD_RESET_TIMEOUT,
    PASSWORD_RESET_CONFIRM_RETYPE,
    SEND_ACTIVATION_EMAIL,
    ACTIVATION_URL,
    ACTIVATION_TIMEOUT,
    SEND_CONFIRMATION_EMAIL,
    PASSWORD_CHANGED_EMAIL_CONFIRMATION,
    MAIL_LIMIT_PER_ADDRESS,
    MAIL_LIMIT_PER_SOURCE,
    MAIL_QUEUE_URL,
    SQS_ENDPOINT,
    SES_ENDPOINT,
    SES_CONFIGURATION_SET,
    MAIL_TEMPLATES,
    with_parameter(
        ("CORS_ALLOWED_ORIGINS", "CorsAllowedOrigins"),
        "*",
        Allowed::Text,
        (NO_FUNCTION, "API Gateway (CORS)"),
        (
            "",
            "origins allowed to call from a browser, comma-separated, no spaces",
        ),
    ),
    with_parameter(
        ("CORS_ALLOWED_HEADERS", "CorsAllowedHeaders"),
        "Authorization,Content-Type",
        Allowed::Text,
        (NO_FUNCTION, "API Gateway (CORS)"),
        (
            "",
            "request headers such a page may send, comma-separated, no spaces (add \
         `X-Requested-With` or a tracing header your front-end sends, or its preflight fails); \
         `WWW-Authenticate` and `Retry-After` are always readable",
        ),
    ),
    with_parameter(
        ("LOGIN_RATE_LIMIT", "LoginRateLimit"),
        "10",
        REQUESTS,
        (NO_FUNCTION, "API Gateway (throttling)"),
        (
            "",
            "steady requests per second allowed on the login route (each costs an argon2 hash)",
        ),
    ),
    with_parameter(
        ("LOGIN_BURST_LIMIT", "LoginBurstLimit"),
        "20",
        REQUESTS,
        (NO_FUNCTION, "API Gateway (throttling)"),
        ("", "burst of requests allowed on the login route"),
    ),
    with_parameter(
        ("API_RATE_LIMIT", "ApiRateLimit"),
        "100",
        REQUESTS,
        (NO_FUNCTION, "API Gateway (throttling)"),
        ("", "steady requests per second allowed on each other route"),
    ),
    with_parameter(
        ("API_BURST_LIMIT", "ApiBurstLimit"),
        "200",
        REQUESTS,
        (NO_FUNCTION, "API Gateway (throttling)"),
        ("", "burst of requests allowed on each other route"),
    ),
    with_parameter(
        ("LOG_RETENTION_DAYS", "LogRetentionDays"),
        "30",
        Allowed::OneOf(&[
            "1", "3", "5", "7", "14", "30", "60", "90", "120", "150", "180", "365", "400", "545",
            "731", "1096", "1827", "2192", "2557", "2922", "3288", "3653",
        ]),
        (NO_FUNCTION, "CloudWatch Logs"),
        (
            "",
            "days CloudWatch Logs keeps each function's logs (audit events included)",
        ),
    ),
    with_parameter(
        ("LOCKOUT_ALARM_THRESHOLD", "LockoutAlarmThreshold"),
        "10",
        Allowed::Number { min: 1, max: None },
        (NO_FUNCTION, "CloudWatch (alarm)"),
        (
            "",
            "distinct usernames locked within 5 minutes that set off the `LockoutAlarm`",
        ),
    ),
    with_parameter(
        ("ALARM_TOPIC_ARN", "AlarmTopicArn"),
        "",
        Allowed::Text,
        (NO_FUNCTION, "CloudWatch (alarm)"),
        (
            "",
            "an SNS topic the alarm notifies; empty: the alarm only changes state",
        ),
    ),
    with_parameter(
        ("AUTHORIZER_CACHE_SECONDS", "AuthorizerCacheSeconds"),
        "0",
        Allowed::OneOf(&["0", "5", "15", "30", "60", "120", "300"]),
        (NO_FUNCTION, "API Gateway (authorizer)"),
        (
            "",
            "seconds API Gateway caches the authorizer's decision per `Authorization` header; `0` = \
         no cache, see [the trade-off](PROTECTING.md#the-authorizers-cache)",
        ),
    ),
    with_parameter(
        ("PERMISSIONS_BOUNDARY_ARN", "PermissionsBoundaryArn"),
        "",
        Allowed::Text,
        (NO_FUNCTION, "IAM"),
        (
            "",
            "a managed policy set as the permissions boundary of every function role; deploys from \
         GitHub Actions need the setup stack's (see [DEPLOYING.md](DEPLOYING.md)); empty = none",
        ),
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_is_declared_once_and_its_default_is_allowed() {
        for (index, setting) in SETTINGS.iter().enumerate() {
            for other in &SETTINGS[index + 1..] {
                assert_ne!(setting.var, other.var);
                assert!(setting.parameter.is_none() || setting.parameter != other.parameter);
            }
            let Some(default) = setting.default else {
                continue;
            };
            match setting.allowed {
                Allowed::Number { min, max } => {
                    let default: u64 = default.parse().unwrap();
                    assert!(
                        default >= min && max.is_none_or(|max| default <= max),
                        "{}",
                        setting.var
                    );
                }
                Allowed::OneOf(words) => assert!(words.contains(&default), "{}", setting.var),
                Allowed::Text => {}
            }
        }
    }

    #[test]
    fn the_functions_a_setting_names_are_functions() {
        for setting in SETTINGS {
            for binary in setting.functions.binaries() {
                assert!(
                    crate::manifest::Function::named(binary).is_some(),
                    "{}: {binary}",
                    setting.var
                );
            }
        }
    }
}

//! The endpoints, each described once: its path, its method, what it does, and what DRF's view
//! says about it. The handlers' pipeline, the local server's router and banner, the test kit
//! and the load generator read these descriptions; no other code spells a path.

use http::Method;

/// What an endpoint does once the checks every request goes through have passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// DRF's login (`ObtainAuthToken`): reads the body; the `Authorization` header is ignored.
    ObtainToken,
    /// djoser's login (`TokenCreateView`): reads the body; the `Authorization` header is ignored.
    CreateToken,
    /// djoser's registration (`UserViewSet.create`), when `REGISTRATION=open`: reads the body.
    Register,
    /// djoser's `reset_password`: queues a reset link for an address; reads the body.
    ResetPassword,
    /// djoser's `reset_password_confirm`: a reset link's new password; reads the body.
    ResetPasswordConfirm,
    /// djoser's `activation`: an activation link's `uid` and `token`; reads the body.
    Activate,
    /// djoser's `resend_activation`: queues an activation link for an address; reads the body.
    ResendActivation,
    /// Work for the caller that the `Authorization` header authenticates.
    ForCaller(CallerWork),
}

impl Work {
    /// Whether the work is for an authenticated caller (the pipeline answers 401 without one).
    pub fn needs_caller(self) -> bool {
        matches!(self, Work::ForCaller(_))
    }
}

/// Work done for an authenticated caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallerWork {
    /// Answer the caller's username.
    Whoami,
    /// Delete the caller's token.
    Logout,
    /// Delete every token of the caller (knox's logout-all).
    LogoutAll,
    /// Delete every token of the caller, answering 204 (djoser's token logout).
    DestroyTokens,
    /// Change the caller's password, given their current one (djoser's `set_password`).
    SetPassword,
    /// The caller's account: read it, change its email, or delete it (djoser's `me`).
    Me,
    /// Rename the caller, given their current password (djoser's `set_username`).
    SetUsername,
    /// List the caller's tokens (sessions).
    Sessions,
    /// End one token of the caller, named by its digest's prefix (the path's parameter).
    EndSession,
}

/// One endpoint of the HTTP contract (docs/API.md).
#[derive(Debug)]
pub struct Endpoint {
    /// The path without its trailing slash, as API Gateway routes it; requests may add the slash.
    /// A segment `{name}` is a parameter: any one non-empty segment.
    pub path: &'static str,
    /// The methods served besides `OPTIONS`, in the order of its `Allow` header.
    pub methods: &'static [Method],
    /// The Lambda function that serves it: its crate, binary and event-file prefix.
    pub function: &'static str,
    /// What it does.
    pub work: Work,
    /// The view's name in the `OPTIONS` answer (DRF's metadata).
    pub view_name: &'static str,
    /// The view's description there (its docstring; djoser's views have one).
    pub description: &'static str,
    /// DRF's `@api_view` endpoints also have the browsable-API renderer: they accept
    /// `text/html` (answered with JSON here) and send `Vary: Accept`.
    pub browsable: bool,
    /// Whether every answer carries `Cache-Control: no-store` (answers that may hold a key).
    pub no_store: bool,
    /// Body types listed in the `OPTIONS` answer.
    pub parses: &'static [&'static str],
}

/// The body types DRF's default parsers list.
const DEFAULT_PARSERS: &[&str] = &[
    "application/json",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
];

/// `POST /api-token-auth/`: username and password in, `{"token": ...}` out.
pub static LOGIN: Endpoint = Endpoint {
    path: "/api-token-auth",
    methods: &[Method::POST],
    function: "login",
    work: Work::ObtainToken,
    view_name: "Obtain Auth Token",
    description: "",
    browsable: false,
    no_store: true,
    parses: &[
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "application/json",
    ],
};

/// `GET /api/whoami/`: the username of the presented token.
pub static WHOAMI: Endpoint = Endpoint {
    path: "/api/whoami",
    methods: &[Method::GET],
    function: "whoami",
    work: Work::ForCaller(CallerWork::Whoami),
    view_name: "Whoami",
    description: "",
    browsable: true,
    no_store: false,
    parses: DEFAULT_PARSERS,
};

/// `POST /api/logout/`: deletes the presented token.
pub static LOGOUT: Endpoint = Endpoint {
    path: "/api/logout",
    methods: &[Method::POST],
    function: "logout",
    work: Work::ForCaller(CallerWork::Logout),
    view_name: "Logout",
    description: "",
    browsable: true,
    no_store: false,
    parses: DEFAULT_PARSERS,
};

/// `POST /api/logoutall/`: deletes every token of the presented token's user (knox's).
pub static LOGOUT_ALL: Endpoint = Endpoint {
    path: "/api/logoutall",
    methods: &[Method::POST],
    function: "logoutall",
    work: Work::ForCaller(CallerWork::LogoutAll),
    view_name: "Logout All",
    description: "",
    browsable: true,
    no_store: false,
    parses: DEFAULT_PARSERS,
};

/// `POST /auth/token/login/`: djoser's login, `{"auth_token": ...}` out.
pub static TOKEN_LOGIN: Endpoint = Endpoint {
    path: "/auth/token/login",
    methods: &[Method::POST],
    function: "tokenlogin",
    work: Work::CreateToken,
    view_name: "Token Create",
    description: "Use this endpoint to obtain user authentication token.",
    browsable: true,
    no_store: true,
    parses: DEFAULT_PARSERS,
};

/// `POST /auth/token/logout/`: djoser's logout, deleting every token of the caller; 204.
pub static TOKEN_LOGOUT: Endpoint = Endpoint {
    path: "/auth/token/logout",
    methods: &[Method::POST],
    function: "tokenlogout",
    work: Work::ForCaller(CallerWork::DestroyTokens),
    view_name: "Token Destroy",
    description: "Use this endpoint to logout user (remove user authentication token).",
    browsable: true,
    no_store: false,
    parses: DEFAULT_PARSERS,
};

/// `POST /auth/users/set_password/`: the caller's new password, given their current one
/// (djoser's); 204.
pub static SET_PASSWORD: Endpoint = Endpoint {
    path: "/auth/users/set_password",
    methods: &[Method::POST],
    function: "setpassword",
    work: Work::ForCaller(CallerWork::SetPassword),
    view_name: "Set password",
    description: "",
    browsable: true,
    no_store: false,
    parses: DEFAULT_PARSERS,
};

/// `GET`/`PUT`/`PATCH`/`DELETE /auth/users/me/`: the caller's account (djoser's).
pub static ME: Endpoint = Endpoint {
    path: "/auth/users/me",
    methods: &[
        Method::GET,
        Method::PUT,
        Method::PATCH,
        Method::DELETE,
        Method::HEAD,
    ],
    function: "me",
    work: Work::ForCaller(CallerWork::Me),
    view_name: "Me",
    description: "",
    browsable: true,
    no_store: true,
    parses: DEFAULT_PARSERS,
};

/// `POST /auth/users/`: registration (djoser's), when `REGISTRATION=open`.
pub static REGISTER: Endpoint = Endpoint {
    path: "/auth/users",
    methods: &[Method::POST],
    function: "register",
    work: Work::Register,
    view_name: "User List",
    description: "",
    browsable: true,
    no_store: true,
    parses: DEFAULT_PARSERS,
};

/// `POST /auth/users/set_username/`: the caller's new name, given their current password
/// (djoser's); 204.
pub static SET_USERNAME: Endpoint = Endpoint {
    path: "/auth/users/set_username",
    methods: &[Method::POST],
    function: "setusername",
    work: Work::ForCaller(CallerWork::SetUsername),
    view_name: "Set username",
    description: "",
    browsable: true,
    no_store: false,
    parses: DEFAULT_PARSERS,
};

/// `GET /auth/tokens/`: the caller's tokens, by digest prefix, never a key.
pub static SESSIONS: Endpoint = Endpoint {
    path: "/auth/tokens",
    methods: &[Method::GET],
    function: "sessions",
    work: Work::ForCaller(CallerWork::Sessions),
    view_name: "Sessions",
    description: "",
    browsable: true,
    no_store: true,
    parses: DEFAULT_PARSERS,
};

/// `DELETE /auth/tokens/{prefix}/`: ends the caller's token whose digest starts with `prefix`.
pub static END_SESSION: Endpoint = Endpoint {
    path: "/auth/tokens/{prefix}",
    methods: &[Method::DELETE],
    function: "endsession",
    work: Work::ForCaller(CallerWork::EndSession),
    view_name: "Session",
    description: "",
    browsable: true,
    no_store: false,
    parses: DEFAULT_PARSERS,
};

/// `POST /auth/users/reset_password/`: a reset link emailed to each active user with the
/// address (djoser's); 204 whoever has it.
pub static RESET_PASSWORD: Endpoint = Endpoint {
    path: "/auth/users/reset_password",
    methods: &[Method::POST],
    function: "resetpassword",
    work: Work::ResetPassword,
    view_name: "Reset password",
    description: "",
    browsable: true,
    no_store: false,
    parses: DEFAULT_PARSERS,
};

/// `POST /auth/users/reset_password_confirm/`: a reset link's `uid` and `token` with the new
/// password (djoser's); 204.
pub static RESET_PASSWORD_CONFIRM: Endpoint = Endpoint {
    path: "/auth/users/reset_password_confirm",
    methods: &[Method::POST],
    function: "resetconfirm",
    work: Work::ResetPasswordConfirm,
    view_name: "Reset password confirm",
    description: "",
    browsable: true,
    no_store: false,
    parses: DEFAULT_PARSERS,
};

/// `POST /auth/users/activation/`: an activation link's `uid` and `token` activate its user.
pub static ACTIVATION: Endpoint = Endpoint {
    path: "/auth/users/activation",
    methods: &[Method::POST],
    function: "activation",
    work: Work::Activate,
    view_name: "Activation",
    description: "",
    browsable: true,
    no_store: false,
    parses: DEFAULT_PARSERS,
};

/// `POST /auth/users/resend_activation/`: an activation link to each inactive user with the
/// address (queued; 204 whoever has it).
pub static RESEND_ACTIVATION: Endpoint = Endpoint {
    path: "/auth/users/resend_activation",
    methods: &[Method::POST],
    function: "resendactivation",
    work: Work::ResendActivation,
    view_name: "Resend activation",
    description: "",
    browsable: true,
    no_store: false,
    parses: DEFAULT_PARSERS,
};

/// Every endpoint.
pub static ALL: [&Endpoint; 16] = [
    &LOGIN,
    &WHOAMI,
    &LOGOUT,
    &LOGOUT_ALL,
    &TOKEN_LOGIN,
    &TOKEN_LOGOUT,
    &SET_PASSWORD,
    &ME,
    &REGISTER,
    &SET_USERNAME,
    &SESSIONS,
    &END_SESSION,
    &RESET_PASSWORD,
    &RESET_PASSWORD_CONFIRM,
    &ACTIVATION,
    &RESEND_ACTIVATION,
];

impl Endpoint {
    /// Whether a request for `path` is for this endpoint (with or without the trailing slash).
    pub fn serves(&self, path: &str) -> bool {
        self.parameter_in(path).is_some()
    }

    /// The value of the path's parameter in a request for `path` (`""` for an endpoint without
    /// one), or `None` if the request is not for this endpoint.
    pub fn parameter_in<'a>(&self, path: &'a str) -> Option<&'a str> {
        let path = path.strip_suffix('/').unwrap_or(path);
        let mut requested = path.split('/');
        let mut value = "";
        for pattern in self.path.split('/') {
            let segment = requested.next()?;
            if pattern.starts_with('{') && pattern.ends_with('}') {
                if segment.is_empty() {
                    return None;
                }
                value = segment;
            } else if pattern != segment {
                return None;
            }
        }
        requested.next().is_none().then_some(value)
    }

    /// The endpoint a request for `path` is for, if any.
    pub fn for_path(path: &str) -> Option<&'static Endpoint> {
        ALL.into_iter().find(|endpoint| endpoint.serves(path))
    }

    /// The endpoint the Lambda function `function` serves, if any.
    pub fn for_function(function: &str) -> Option<&'static Endpoint> {
        ALL.into_iter()
            .find(|endpoint| endpoint.function == function)
    }

    /// The path as DRF clients write it, with the trailing slash.
    pub fn slashed_path(&self) -> String {
        format!("{}/", self.path)
    }

    /// The `Allow` header every answer carries (DRF's `default_response_headers`).
    pub fn allow(&self) -> String {
        let mut allowed: Vec<&str> = self.methods.iter().map(Method::as_str).collect();
        allowed.push("OPTIONS");
        allowed.join(", ")
    }

    /// Whether the endpoint serves `method` (`OPTIONS` aside).
    pub fn serves_method(&self, method: &Method) -> bool {
        self.methods.contains(method)
    }

    /// How a client calls it, for people: `GET/PUT/PATCH/DELETE /auth/users/me/` (`HEAD`, which
    /// answers as `GET` does, left out).
    pub fn requests(&self) -> String {
        let methods: Vec<&str> = self
            .methods
            .iter()
            .filter(|method| **method != Method::HEAD)
            .map(Method::as_str)
            .collect();
        format!("{} {}", methods.join("/"), self.slashed_path())
    }

    /// Renderers, for content negotiation and the `OPTIONS` answer.
    pub fn renders(&self) -> &'static [&'static str] {
        if self.browsable {
            &["application/json", "text/html"]
        } else {
            &["application/json"]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_is_served_with_or_without_its_trailing_slash() {
        assert!(WHOAMI.serves("/api/whoami"));
        assert!(WHOAMI.serves("/api/whoami/"));
        assert!(!WHOAMI.serves("/api/whoami//"));
        assert!(!WHOAMI.serves("/api/whoamix"));
        assert_eq!(
            Endpoint::for_path("/api-token-auth/").map(|e| e.function),
            Some("login")
        );
        assert!(Endpoint::for_path("/").is_none());
        assert_eq!(
            END_SESSION.parameter_in("/auth/tokens/9f86d0/"),
            Some("9f86d0")
        );
        assert_eq!(
            END_SESSION.parameter_in("/auth/tokens/9f86d0"),
            Some("9f86d0")
        );
        for other in [
            "/auth/tokens",
            "/auth/tokens//",
            "/auth/tokens/a/b",
            "/auth/tokensx/a",
        ] {
            assert_eq!(END_SESSION.parameter_in(other), None, "{other}");
        }
        assert_eq!(
            Endpoint::for_path("/auth/tokens/").map(|e| e.function),
            Some("sessions")
        );
    }

    #[test]
    fn paths_and_functions_are_unique() {
        for (i, a) in ALL.iter().enumerate() {
            for b in &ALL[i + 1..] {
                assert_ne!(a.path, b.path);
                assert_ne!(a.function, b.function);
            }
            assert!(!a.path.ends_with('/'), "routes cannot end in '/'");
            assert_eq!(
                Endpoint::for_function(a.function).map(|e| e.path),
                Some(a.path)
            );
        }
    }

    #[test]
    fn allow_lists_the_method_and_options() {
        assert_eq!(LOGIN.allow(), "POST, OPTIONS");
        assert_eq!(WHOAMI.allow(), "GET, OPTIONS");
        assert_eq!(ME.allow(), "GET, PUT, PATCH, DELETE, HEAD, OPTIONS");
        assert_eq!(ME.requests(), "GET/PUT/PATCH/DELETE /auth/users/me/");
        assert_eq!(LOGIN.requests(), "POST /api-token-auth/");
    }
}

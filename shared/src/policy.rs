//! The two token policies, chosen by configuration, on the same endpoints:
//!
//! - **per-user** (DRF's `authtoken`, the default): one token per user, handed back by every
//!   login until a logout deletes it; its key is kept on the user item for that purpose.
//! - **per-login** (django-rest-knox's): every login issues a new token, whose key is returned
//!   once and stored nowhere, only its digest; a logout deletes the presented token only, and
//!   logout-all every token of the user. Optionally at most a number of live tokens per user.
//!
//! Tokens issued under either policy stay valid under the other: authentication only ever
//! looks a token up by its digest.

/// Most tokens a user can hold under the per-login policy, whatever the configured limit: the
/// digests are listed on the user item (see `crate::store`), which DynamoDB caps at 400 KB.
pub const MAX_TOKENS_PER_USER: usize = 1000;

/// How logins hand out tokens.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TokenPolicy {
    /// One token per user (DRF).
    #[default]
    PerUser,
    /// A new token per login (knox).
    PerLogin {
        /// The most live tokens a user may hold (knox's `TOKEN_LIMIT_PER_USER`); `None` = no
        /// limit but the store's own, [`MAX_TOKENS_PER_USER`].
        limit: Option<u32>,
    },
}

impl TokenPolicy {
    /// The most live tokens a login may leave a user with under the per-login policy.
    pub fn tokens_allowed(&self) -> usize {
        match self {
            Self::PerLogin { limit: Some(limit) } => usize::try_from(*limit)
                .map_or(MAX_TOKENS_PER_USER, |limit| limit.min(MAX_TOKENS_PER_USER)),
            Self::PerUser | Self::PerLogin { limit: None } => MAX_TOKENS_PER_USER,
        }
    }

    /// Whether every login issues a new token.
    pub fn is_per_login(&self) -> bool {
        matches!(self, Self::PerLogin { .. })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_never_exceeds_what_the_store_can_list() {
        assert_eq!(TokenPolicy::PerLogin { limit: Some(3) }.tokens_allowed(), 3);
        assert_eq!(
            TokenPolicy::PerLogin { limit: None }.tokens_allowed(),
            MAX_TOKENS_PER_USER
        );
        assert_eq!(
            TokenPolicy::PerLogin {
                limit: Some(u32::MAX)
            }
            .tokens_allowed(),
            MAX_TOKENS_PER_USER
        );
    }
}

//! Sliding expiry (django-rest-knox's `AUTO_REFRESH`): each successful authentication moves the
//! token's expiry to now + the token lifetime, so that a token in use stays valid and an idle
//! one runs out. To bound the writes, the new expiry is written only when it moves by more than
//! a minimum interval; it never goes past a maximum lifetime from the token's creation, if one
//! is set (knox's `AUTO_REFRESH_MAX_TTL`). Tokens that never expire are left alone.

/// How expiries slide. Present in [`crate::config::Settings`] only when it is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SlidingExpiry {
    /// The lifetime each authentication renews, in seconds (`TOKEN_TTL_SECONDS`).
    pub ttl_seconds: u64,
    /// The expiry is written only when it moves by more than this many seconds.
    pub min_refresh_seconds: u64,
    /// No token lives longer than this from its creation; `None` = no bound.
    pub max_ttl_seconds: Option<u64>,
}

impl SlidingExpiry {
    /// The expiry a token created at `created` and expiring at `expires` gets when it
    /// authenticates at `now`, if that is a write due: later than the current expiry by more
    /// than the minimum interval. `None` for a token that never expires.
    pub fn renewed(&self, created: u64, expires: Option<u64>, now: u64) -> Option<u64> {
        let current = expires?;
        let mut renewed = now.saturating_add(self.ttl_seconds);
        if let Some(max) = self.max_ttl_seconds {
            renewed = renewed.min(created.saturating_add(max));
        }
        (renewed.saturating_sub(current) > self.min_refresh_seconds).then_some(renewed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: SlidingExpiry = SlidingExpiry {
        ttl_seconds: 3600,
        min_refresh_seconds: 60,
        max_ttl_seconds: None,
    };

    #[test]
    fn an_expiry_is_written_once_it_moves_by_more_than_the_interval() {
        // PerLoginToken at 1000, expiring at 4600.
        assert_eq!(HOUR.renewed(1000, Some(4600), 1000), None);
        assert_eq!(
            HOUR.renewed(1000, Some(4600), 1060),
            None,
            "moves by 60: not more"
        );
        assert_eq!(HOUR.renewed(1000, Some(4600), 1061), Some(4661));
    }

    #[test]
    fn the_maximum_lifetime_bounds_every_renewal() {
        let bounded = SlidingExpiry {
            max_ttl_seconds: Some(7200),
            ..HOUR
        };
        assert_eq!(bounded.renewed(1000, Some(4600), 5000), Some(8200));
        assert_eq!(
            bounded.renewed(1000, Some(8200), 8000),
            None,
            "at the bound"
        );
    }

    #[test]
    fn tokens_that_never_expire_are_left_alone() {
        assert_eq!(HOUR.renewed(1000, None, 5000), None);
    }
}

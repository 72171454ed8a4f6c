//! Login lockout per username: after a number of consecutive failed logins, every login for that
//! name is refused for a while, right password or wrong, before any password hashing.
//!
//! Failures are counted per submitted username (after the contract's trimming), whether or not a
//! user of that name exists, so that a lockout tells nothing about which accounts exist. After
//! [`LockoutPolicy::threshold`] consecutive failures the name is locked for
//! `base × 2^(failures − threshold)` seconds, at most [`LockoutPolicy::max_seconds`]; a success
//! forgets the failures. The lock's end is computed in the request from the stored time of the
//! last failure, never from the record's disappearance: DynamoDB's TTL only cleans up, a day
//! after the longest lock, and may lag.

/// When and how long usernames (and sources) are locked. `threshold` 0 turns lockout off.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    /// Consecutive failures that lock a username for the sources they came from; 0 = never.
    pub threshold: u32,
    /// Seconds of the first lock; each further failure doubles it.
    pub base_seconds: u64,
    /// The longest lock, in seconds.
    pub max_seconds: u64,
    /// Consecutive failures, from any sources, that lock a username for every source: below
    /// it, a source that has not failed on the name may still log in while the name is locked
    /// for the others (at least `threshold`).
    pub account_threshold: u32,
    /// Login attempts one source may make per window, whatever the names (password spraying);
    /// a success gives its attempt back. 0 = no limit.
    pub source_threshold: u32,
    /// The window of `source_threshold`, in seconds.
    pub source_window_seconds: u64,
}

impl Default for LockoutPolicy {
    /// OWASP's guidance with Cognito's behaviour as the reference: 5 failures, then 1 s,
    /// doubling, at most 15 minutes; 20 from any sources lock the name for all; 100 attempts
    /// per source an hour.
    fn default() -> Self {
        Self {
            threshold: 5,
            base_seconds: 1,
            max_seconds: 900,
            account_threshold: 20,
            source_threshold: 100,
            source_window_seconds: 3600,
        }
    }
}

/// How long the failure count of a username is kept after its last failure, beyond the longest
/// lock: a day.
const FORGET_AFTER_SECONDS: u64 = 24 * 3600;

/// A username's consecutive failed logins, as stored.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Failures {
    /// How many logins failed since the last success (or since the record was cleaned up).
    pub count: u32,
    /// When the last of them failed, in seconds since the epoch.
    pub last: u64,
    /// The sources (client addresses) they came from, while fewer than the account-wide
    /// threshold had failed.
    pub sources: Vec<String>,
}

impl LockoutPolicy {
    /// A policy that never locks.
    pub const OFF: Self = Self {
        threshold: 0,
        base_seconds: 1,
        max_seconds: 900,
        account_threshold: 0,
        source_threshold: 0,
        source_window_seconds: 3600,
    };

    /// Whether failures are counted at all.
    pub fn is_on(&self) -> bool {
        self.threshold > 0
    }

    /// How long `count` consecutive failures lock a username: nothing below the threshold,
    /// then `base × 2^(count − threshold)` seconds, at most the maximum.
    pub fn lock_seconds(&self, count: u32) -> u64 {
        if !self.is_on() || count < self.threshold {
            return 0;
        }
        let doublings = count - self.threshold;
        let factor = 1u64.checked_shl(doublings).unwrap_or(u64::MAX);
        self.base_seconds
            .saturating_mul(factor)
            .min(self.max_seconds)
    }

    /// Whole seconds (rounded up, at least 1) until `failures` stop locking their username at
    /// `now`; `None` if it is not locked.
    pub fn remaining(&self, failures: &Failures, now: u64) -> Option<u64> {
        let ends = failures
            .last
            .saturating_add(self.lock_seconds(failures.count));
        (now < ends).then(|| ends - now)
    }

    /// [`remaining`](Self::remaining) for an attempt from `source` (`None`: unknown): a lock set
    /// off by other sources' failures does not stop a source that has not failed on the name,
    /// until the account-wide threshold is reached.
    pub fn remaining_for(
        &self,
        failures: &Failures,
        source: Option<&str>,
        now: u64,
    ) -> Option<u64> {
        let clean = source.is_some_and(|source| !failures.sources.iter().any(|s| s == source));
        if clean && failures.count < self.account_threshold() {
            return None;
        }
        self.remaining(failures, now)
    }

    /// Failures from any sources that lock the name for every source (never below the
    /// threshold).
    pub fn account_threshold(&self) -> u32 {
        self.account_threshold.max(self.threshold)
    }

    /// Whether attempts are limited per source.
    pub fn limits_sources(&self) -> bool {
        self.is_on() && self.source_threshold > 0
    }

    /// When a failure count recorded at `now` may be cleaned up (the TTL attribute's value).
    pub fn forget_at(&self, now: u64) -> u64 {
        now.saturating_add(self.max_seconds)
            .saturating_add(FORGET_AFTER_SECONDS)
    }
}

/// DRF's `Throttled` detail for a wait of `seconds`: "Request was throttled. Expected available
/// in N seconds." ("second" when N is 1).
pub fn throttled_detail(seconds: u64) -> String {
    let unit = if seconds == 1 { "second" } else { "seconds" };
    format!("Request was throttled. Expected available in {seconds} {unit}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The default policy: 5 failures, 1 s doubling up to 900 s.
    fn policy() -> LockoutPolicy {
        LockoutPolicy::default()
    }

    #[test]
    fn locks_double_from_the_threshold_up_to_the_maximum() {
        let seconds: Vec<u64> = (0..=20).map(|count| policy().lock_seconds(count)).collect();
        assert_eq!(&seconds[..5], [0, 0, 0, 0, 0]);
        assert_eq!(&seconds[5..15], [1, 2, 4, 8, 16, 32, 64, 128, 256, 512]);
        assert_eq!(&seconds[15..], [900; 6]);
        assert_eq!(policy().lock_seconds(u32::MAX), 900, "no overflow");
        let slow = LockoutPolicy {
            base_seconds: 30,
            ..policy()
        };
        assert_eq!(slow.lock_seconds(6), 60);
        assert_eq!(LockoutPolicy::OFF.lock_seconds(1000), 0);
    }

    #[test]
    fn the_wait_counts_from_the_last_failure() {
        let failures = Failures {
            count: 7,
            last: 1000,
            sources: Vec::new(),
        };
        assert_eq!(policy().remaining(&failures, 1000), Some(4));
        assert_eq!(policy().remaining(&failures, 1003), Some(1));
        assert_eq!(policy().remaining(&failures, 1004), None);
        let below = Failures {
            count: 4,
            last: 1000,
            sources: Vec::new(),
        };
        assert_eq!(policy().remaining(&below, 1000), None);
    }

    #[test]
    fn the_detail_is_drfs() {
        assert_eq!(
            throttled_detail(1),
            "Request was throttled. Expected available in 1 second."
        );
        assert_eq!(
            throttled_detail(900),
            "Request was throttled. Expected available in 900 seconds."
        );
    }
}

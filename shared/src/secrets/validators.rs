//! Django's default password validators (`AUTH_PASSWORD_VALIDATORS` of a new Django project), on
//! every password a user or an operator sets, with Django's own messages, all of them at once
//! and in Django's order:
//!
//! 1. user-attribute similarity: the password, lowercased, against the username and the email
//!    address and each of their parts between non-word characters, by `difflib`'s
//!    `quick_ratio` (a multiset bound), refused from 0.7, with Django's length shortcut;
//! 2. minimum length (8 characters by default, `PASSWORD_MIN_LENGTH`);
//! 3. Django's list of 19,640 common passwords (`shared/data/common-passwords.txt`), compared
//!    lowercased and stripped of whitespace;
//! 4. entirely numeric.
//!
//! Lengths count characters (Unicode scalar values), as Python's `len` does. Python's `isdigit`,
//! `\w` and `lower` are followed by Rust's nearest: `char::is_numeric`, alphanumerics and `_`,
//! and `str::to_lowercase`; they differ only on rare characters (a digit-like `½` counts as
//! numeric here, not in Django).

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use crate::audit;
use crate::secrets::breaches::{BREACHED, BreachCheck, Verdict};
use crate::secrets::password::Password;
use crate::username::is_python_whitespace;

/// The similarity from which a password is refused as too close to an attribute (Django's
/// default `max_similarity`).
const MAX_SIMILARITY: f64 = 0.7;

/// Django's common-password list, one lowercased password per line.
const COMMON_PASSWORDS: &str = include_str!("../../data/common-passwords.txt");

/// Which rules apply to a new password. The default is the declared settings' defaults
/// (`crate::config`): Django's four validators, at least 8 characters, no breach check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordRules {
    /// Whether Django's validators apply at all (`PASSWORD_VALIDATORS`); off, any non-empty
    /// password is accepted, as in a Django project without validators.
    pub enabled: bool,
    /// The fewest characters a password may have (`PASSWORD_MIN_LENGTH`; Django's 8).
    pub min_length: usize,
    /// Where to check that the password is not a known breached one (`PASSWORD_BREACH_CHECK`),
    /// if anywhere.
    pub breaches: Option<BreachCheck>,
}

/// What a new password is compared with: the account's own attributes.
#[derive(Debug, Clone, Copy)]
pub struct Attributes<'a> {
    /// The username (as stored).
    pub username: &'a str,
    /// The email address, if the account has one.
    pub email: Option<&'a str>,
}

impl PasswordRules {
    /// Every rule's message for `password`: Django's validators' ([`PasswordRules::problems`]),
    /// then, when they pass and the breach check is on, the breach check's. The breach check
    /// fails open: without an answer it adds nothing, and logs `breach_check_failed`.
    pub async fn check(&self, password: &Password, user: Attributes<'_>) -> Vec<String> {
        let problems = self.problems(password, user);
        let Some(breaches) = self.breaches.as_ref().filter(|_| problems.is_empty()) else {
            return problems;
        };
        match breaches.verdict(password).await {
            Verdict::Breached(_) => vec![BREACHED.to_owned()],
            Verdict::Unlisted => problems,
            Verdict::Unknown(reason) => {
                audit::breach_check_failed(&reason);
                problems
            }
        }
    }

    /// Django's message for each rule `password` breaks, in Django's order; empty when it
    /// breaks none.
    pub fn problems(&self, password: &Password, user: Attributes<'_>) -> Vec<String> {
        if !self.enabled {
            return Vec::new();
        }
        let password = password.expose();
        let mut problems = Vec::new();
        if let Some(attribute) = too_similar(password, user) {
            problems.push(format!("The password is too similar to the {attribute}."));
        }
        if password.chars().count() < self.min_length {
            let unit = if self.min_length == 1 {
                "character"
            } else {
                "characters"
            };
            problems.push(format!(
                "This password is too short. It must contain at least {} {unit}.",
                self.min_length
            ));
        }
        if is_common(password) {
            problems.push("This password is too common.".to_owned());
        }
        if !password.is_empty() && password.chars().all(char::is_numeric) {
            problems.push("This password is entirely numeric.".to_owned());
        }
        problems
    }
}

/// The name Django gives the first attribute `password` is too similar to: `username`, or
/// `email address` (the verbose name of Django's `email` field).
fn too_similar(password: &str, user: Attributes<'_>) -> Option<&'static str> {
    let password: Vec<char> = password.to_lowercase().chars().collect();
    let attributes = [
        ("username", Some(user.username)),
        ("email address", user.email),
    ];
    attributes.into_iter().find_map(|(name, value)| {
        let value = value.filter(|value| !value.is_empty())?.to_lowercase();
        // Python's re.split(r"\W+", value) keeps empty parts at either end.
        let mut parts: Vec<&str> = value.split(|ch| !is_word_character(ch)).collect();
        parts.dedup_by(|part, previous| part.is_empty() && previous.is_empty());
        parts.push(&value);
        parts
            .iter()
            .map(|part| part.chars().collect::<Vec<char>>())
            .filter(|part| !far_longer(&password, part))
            .any(|part| quick_ratio(&password, &part) >= MAX_SIMILARITY)
            .then_some(name)
    })
}

/// Python's `\w` in a `str` pattern, near enough: alphanumerics and the underscore.
fn is_word_character(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_'
}

/// Django's `exceeds_maximum_length_ratio`: the password is so much longer than `part` that
/// they cannot reach the maximum similarity, so the comparison is skipped.
fn far_longer(password: &[char], part: &[char]) -> bool {
    let (password_len, part_len) = (password.len() as f64, part.len() as f64);
    password_len >= 10.0 * part_len && part_len < MAX_SIMILARITY / 2.0 * password_len
}

/// `difflib.SequenceMatcher(a=a, b=b).quick_ratio()`: twice the size of the multiset
/// intersection over the total length; 1.0 for two empty sequences.
fn quick_ratio(a: &[char], b: &[char]) -> f64 {
    let total = a.len() + b.len();
    if total == 0 {
        return 1.0;
    }
    let mut available: HashMap<char, usize> = HashMap::new();
    for &ch in b {
        *available.entry(ch).or_default() += 1;
    }
    let matches = a
        .iter()
        .filter(|ch| match available.get_mut(ch) {
            Some(count) if *count > 0 => {
                *count -= 1;
                true
            }
            _ => false,
        })
        .count();
    2.0 * matches as f64 / total as f64
}

/// Whether `password`, lowercased and stripped of whitespace, is on Django's list.
fn is_common(password: &str) -> bool {
    static LIST: OnceLock<HashSet<&'static str>> = OnceLock::new();
    let list = LIST.get_or_init(|| {
        COMMON_PASSWORDS
            .lines()
            .map(|line| line.trim_matches(is_python_whitespace))
            .collect()
    });
    list.contains(password.to_lowercase().trim_matches(is_python_whitespace))
}

#[cfg(test)]
mod tests {
    //! Django's own cases (tests/auth_tests/test_validators.py, Django 5.2), with its messages.

    use super::*;

    fn problems(password: &str, username: &str, email: Option<&str>) -> Vec<String> {
        PasswordRules::default().problems(&Password::new(password), Attributes { username, email })
    }

    /// An account the passwords of the tests below are nothing like.
    const USER: Attributes<'static> = Attributes {
        username: "u",
        email: None,
    };

    fn similarity(password: &str, username: &str, email: Option<&str>) -> Option<&'static str> {
        too_similar(password, Attributes { username, email })
    }

    #[test]
    fn all_problems_are_reported_together_in_djangos_order() {
        assert_eq!(
            problems("1234567", "alice", None),
            [
                "This password is too short. It must contain at least 8 characters.",
                "This password is too common.",
                "This password is entirely numeric.",
            ]
        );
        assert_eq!(
            problems("alice", "alice", None),
            [
                "The password is too similar to the username.",
                "This password is too short. It must contain at least 8 characters.",
                "This password is too common.",
            ]
        );
        assert!(problems("correct horse battery staple", "alice", None).is_empty());
    }

    #[test]
    fn minimum_length_counts_characters_and_says_character_for_one() {
        let rules = |min_length| PasswordRules {
            enabled: true,
            min_length,
            breaches: None,
        };
        assert!(
            rules(8)
                .problems(&Password::new("éééééééé"), USER)
                .is_empty()
        );
        assert_eq!(
            rules(1).problems(&Password::new(""), USER),
            ["This password is too short. It must contain at least 1 character."]
        );
        assert_eq!(
            rules(12).problems(&Password::new("kqzvmwxrtl"), USER),
            ["This password is too short. It must contain at least 12 characters."]
        );
    }

    #[test]
    fn common_passwords_are_djangos_compared_lowercased_and_stripped() {
        assert_eq!(COMMON_PASSWORDS.lines().count(), 19_640);
        assert!(is_common("password"));
        assert!(is_common("PASSWORD"));
        assert!(is_common(" password\t"));
        assert!(is_common("godzilla"));
        assert!(!is_common("godzilla, the third"));
    }

    #[test]
    fn numeric_means_every_character_a_digit() {
        let rules = PasswordRules::default();
        let numeric = |text: &str| {
            rules
                .problems(&Password::new(text), USER)
                .contains(&"This password is entirely numeric.".to_owned())
        };
        assert!(numeric("3141592653589"));
        assert!(numeric("٣١٤١٥٩٢٦٥٣٥")); // Arabic-Indic digits, as Python's isdigit
        assert!(!numeric("a3141592653589"));
        assert!(!numeric("31415 92653589"));
    }

    #[test]
    fn similarity_follows_djangos_examples() {
        // test_validate: a user "testclient" with email "testclient@example.com", first name
        // "Test", last name "Client" (the names are not attributes here).
        let email = Some("testclient@example.com");
        assert_eq!(
            similarity("testclient", "testclient", email),
            Some("username")
        );
        assert_eq!(
            similarity("example.com", "testclient", email),
            Some("email address")
        );
        assert_eq!(
            similarity("testclient@example.com", "x", email),
            Some("email address")
        );
        assert_eq!(
            similarity("Example.Com", "testclient", email),
            Some("email address")
        );
        assert_eq!(
            similarity("testclientaaa", "testclient", email),
            Some("username")
        );
        assert_eq!(similarity("xxxxxx", "testclient", email), None);
        // The first attribute that matches names the error: the username before the email.
        assert_eq!(
            similarity("testclient", "testclient", email),
            Some("username")
        );
    }

    #[test]
    fn a_far_longer_password_is_not_compared() {
        // Django's test_validate_property / length shortcut: "a" against a password of 10+
        // characters that contains it is not "similar".
        assert_eq!(similarity("aaaaaaaaaaaaaaaaaaaaaaaa", "a", None), None);
        assert_eq!(similarity("a", "a", None), Some("username"));
    }

    #[test]
    fn quick_ratio_is_difflibs() {
        // Python: SequenceMatcher(a="abcd", b="bcde").quick_ratio() == 0.75
        let chars = |text: &str| text.chars().collect::<Vec<_>>();
        assert_eq!(quick_ratio(&chars("abcd"), &chars("bcde")), 0.75);
        assert_eq!(quick_ratio(&chars("aab"), &chars("abb")), 2.0 * 2.0 / 6.0);
        assert_eq!(quick_ratio(&[], &[]), 1.0);
        assert_eq!(quick_ratio(&chars("a"), &[]), 0.0);
    }

    #[test]
    fn off_accepts_anything() {
        let off = PasswordRules {
            enabled: false,
            min_length: 8,
            breaches: None,
        };
        let user = Attributes {
            username: "alice",
            email: None,
        };
        assert!(off.problems(&Password::new("1"), user).is_empty());
    }
}

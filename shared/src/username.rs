//! Usernames: what a name must be for a user to have it, in one place. Login, user creation,
//! the DRF import and the login body's parser all read these rules here.
//!
//! A user's name is stored in Unicode NFKC, as Django's `normalize_username` stores it (so
//! `ｆｏｏ` becomes `foo`), and must be one a login could match: 1 to [`MAX_CHARS`] characters,
//! no leading or trailing whitespace (the login body's parser trims it, as DRF's `CharField`
//! does) and no control character. Login compares names exactly, without normalizing, as Django
//! does.
//!
//! With `USERNAME_CASE_INSENSITIVE=true` ([`NameCase::Insensitive`]) a name is also stored
//! case-folded, and a login's name is folded before it is looked up: one key per name, so that
//! uniqueness stays one conditional write and a login one read.

use std::borrow::Cow;

use icu_casemap::CaseMapperBorrowed;
use icu_normalizer::ComposingNormalizerBorrowed;
use icu_properties::CodePointMapData;
use icu_properties::props::{GeneralCategory, GeneralCategoryGroup};

/// Longest username, in characters: Django's `User.username` limit. Longer names cannot exist,
/// so login refuses them without a read (DynamoDB would reject keys over 2048 bytes anyway).
pub const MAX_CHARS: usize = 150;

/// A name a user can have: NFKC-normalized, and one a login could match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

/// A name no login could match: empty, longer than [`MAX_CHARS`], with surrounding whitespace or
/// a control character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "a username must be 1 to {MAX_CHARS} characters, with no leading or trailing whitespace and \
     no control characters"
)]
pub struct InvalidUsername;

/// Whether names match exactly (Django's and DRF's behaviour) or regardless of case
/// (`USERNAME_CASE_INSENSITIVE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum NameCase {
    /// `Alice` and `alice` are two names.
    #[default]
    Sensitive,
    /// `Alice` and `alice` are one name, stored as `alice`.
    Insensitive,
}

impl NameCase {
    /// The name under which `name` is stored and looked up: `name` itself when case matters;
    /// otherwise its fold ([`fold`]).
    pub fn key(self, name: &str) -> Cow<'_, str> {
        match self {
            Self::Sensitive => Cow::Borrowed(name),
            Self::Insensitive => Cow::Owned(fold(name)),
        }
    }
}

/// `name` without case: NFKC, Unicode's full case folding, then NFKC again (folding can undo a
/// composition), the caseless match of Unicode's identifier rules (UAX #31). Idempotent:
/// `fold(fold(x)) == fold(x)`. `ADMIN`, `Admin` and `ＡＤＭＩＮ` fold to `admin`, `Straße` to
/// `strasse`.
pub fn fold(name: &str) -> String {
    let nfkc = ComposingNormalizerBorrowed::new_nfkc();
    let folded = CaseMapperBorrowed::new()
        .fold_string(&nfkc.normalize(name))
        .into_owned();
    nfkc.normalize(&folded).into_owned()
}

impl Username {
    /// The name a new user gets from `name`: normalized to NFKC (and folded, when `case` is
    /// [`NameCase::Insensitive`]), then checked.
    pub fn parse(name: &str, case: NameCase) -> Result<Self, InvalidUsername> {
        let normalized = ComposingNormalizerBorrowed::new_nfkc().normalize(name);
        let normalized = case.key(&normalized).into_owned();
        if login_could_match(&normalized) {
            Ok(Self(normalized))
        } else {
            Err(InvalidUsername)
        }
    }

    /// The name.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// Whether Django's `UnicodeUsernameValidator` accepts `name` (`^[\w.@+-]+\Z`): letters, digits
/// and `_` as Python's `\w` reads them (the Unicode categories L and N), `.`, `@`, `+` and `-`.
/// Registration applies it, as Django's `User.username` field does; names created by an operator
/// or imported need not pass it. (Python reads the categories of its own Unicode version: a
/// character assigned since may be a letter here and not there.)
pub fn is_djangos(name: &str) -> bool {
    let categories = CodePointMapData::<GeneralCategory>::new();
    let word = GeneralCategoryGroup::Letter.union(GeneralCategoryGroup::Number);
    !name.is_empty()
        && name
            .chars()
            .all(|c| "_.@+-".contains(c) || word.contains(categories.get(c)))
}

/// Whether a login could ever match `name`, as it is (not normalized): 1 to [`MAX_CHARS`]
/// characters, no leading or trailing whitespace, no control character.
pub fn login_could_match(name: &str) -> bool {
    !name.is_empty()
        && !is_overlong(name)
        && name.trim_matches(is_python_whitespace) == name
        && !has_control_character(name)
}

/// Whether `name` is longer than any username can be.
pub fn is_overlong(name: &str) -> bool {
    name.chars().count() > MAX_CHARS
}

/// Whether `name` holds a control character, which no username can.
pub fn has_control_character(name: &str) -> bool {
    name.chars().any(char::is_control)
}

/// Python's `str.isspace()`: Unicode whitespace plus the ASCII separators U+001C..U+001F. The
/// login body's parser trims these from the username.
pub fn is_python_whitespace(ch: char) -> bool {
    ch.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&ch)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_is_normalized_then_checked() {
        let sensitive = NameCase::Sensitive;
        assert_eq!(
            Username::parse("ｆｏｏ", sensitive).unwrap().as_str(),
            "foo"
        );
        assert_eq!(
            Username::parse("Ａlice", sensitive).unwrap().as_str(),
            "Alice"
        );
        let longest = "a".repeat(MAX_CHARS);
        let parsed = Username::parse(&longest, sensitive).unwrap();
        assert_eq!(parsed.into_string(), longest);
        let overlong = "a".repeat(MAX_CHARS + 1);
        for name in [
            "",
            " admin",
            "admin\u{3000}",
            "\u{1f}admin",
            "ad\nmin",
            &overlong,
        ] {
            for case in [NameCase::Sensitive, NameCase::Insensitive] {
                assert_eq!(
                    Username::parse(name, case),
                    Err(InvalidUsername),
                    "{name:?}"
                );
            }
        }
    }

    #[test]
    fn an_insensitive_name_is_stored_folded() {
        let insensitive = NameCase::Insensitive;
        for (name, stored) in [
            ("Alice", "alice"),
            ("ＡＤＭＩＮ", "admin"),
            ("Straße", "strasse"),
            ("ΣΊΣΥΦΟΣ", "σίσυφοσ"),
            ("İstanbul", "i\u{307}stanbul"),
            ("already.folded@example", "already.folded@example"),
        ] {
            let parsed = Username::parse(name, insensitive).unwrap();
            assert_eq!(parsed.as_str(), stored, "{name:?}");
        }
        // Folding can lengthen a name past the limit: such a name cannot be stored.
        let long = format!("{}ß", "a".repeat(MAX_CHARS - 1));
        assert!(Username::parse(&long, NameCase::Sensitive).is_ok());
        assert_eq!(Username::parse(&long, insensitive), Err(InvalidUsername));
        assert_eq!(NameCase::Sensitive.key("Alice"), "Alice");
        assert_eq!(insensitive.key("Alice"), "alice");
    }

    #[test]
    fn folding_is_idempotent_for_every_character() {
        let changed: Vec<char> = (0..=0x10_FFFF_u32)
            .filter_map(char::from_u32)
            .filter(|&ch| {
                let once = fold(&format!("a{ch}"));
                fold(&once) != once
            })
            .collect();
        assert!(changed.is_empty(), "fold is not idempotent for {changed:?}");
    }
}

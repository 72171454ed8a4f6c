//! Usernames: what a name must be for a user to have it, in one place. Login, user creation,
//! the DRF import and the login body's parser all read these rules here.
//!
//! A user's name is stored in Unicode NFKC, as Django's `normalize_username` stores it (so
//! `ｆｏｏ` becomes `foo`), and must be one a login could match: 1 to [`MAX_CHARS`] characters,
//! no leading or trailing whitespace (the login body's parser trims it, as DRF's `CharField`
//! does) and no control character. Login compares names exactly, without normalizing, as Django
//! does.

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

impl Username {
    /// The name a new user gets from `name`: normalized to NFKC, then checked.
    pub fn parse(name: &str) -> Result<Self, InvalidUsername> {
        let normalized = ComposingNormalizerBorrowed::new_nfkc()
            .normalize(name)
            .into_owned();
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
        assert_eq!(Username::parse("ｆｏｏ").unwrap().as_str(), "foo");
        let longest = "a".repeat(MAX_CHARS);
        assert_eq!(Username::parse(&longest).unwrap().into_string(), longest);
        let overlong = "a".repeat(MAX_CHARS + 1);
        for name in [
            "",
            " admin",
            "admin\u{3000}",
            "\u{1f}admin",
            "ad\nmin",
            &overlong,
        ] {
            assert_eq!(Username::parse(name), Err(InvalidUsername), "{name:?}");
        }
    }
}

//! Email addresses as Django 5.2's `EmailValidator` accepts them (`django/core/validators.py`),
//! which DRF's `EmailField` runs: the part before the last `@` a dot-atom or a quoted string,
//! the part after it a domain name (its labels as `DomainNameValidator`'s, internationalised
//! names included, the last one a top-level domain), `localhost`, or an IP address in brackets;
//! at most 320 characters. The rules are Django's regular expressions, written out: they run
//! with `re.IGNORECASE`, under which four characters outside ASCII also match an ASCII letter.
//! `shared/tests/suite/email.rs` holds them to Django's own validator on a corpus of addresses.

use std::net::{Ipv4Addr, Ipv6Addr};

/// The longest address, in characters (RFC 3696, section 3).
const MAX_CHARS: usize = 320;
/// The longest IPv6 literal Django reads.
const MAX_IPV6_CHARS: usize = 39;
/// The longest label of a domain name (RFC 1034).
const MAX_LABEL: usize = 63;

/// Whether Django's `EmailValidator` accepts `value`.
pub fn is_valid(value: &str) -> bool {
    if value.is_empty() || value.chars().count() > MAX_CHARS {
        return false;
    }
    let Some((user, domain)) = value.rsplit_once('@') else {
        return false;
    };
    is_user_part(user) && (domain == "localhost" || is_domain(domain) || is_literal(domain))
}

/// The characters Python's `[A-Z]` matches under `re.IGNORECASE` besides ASCII letters: İ, ı,
/// ſ and the Kelvin sign, whose simple case mappings are ASCII letters.
fn is_letter(c: char) -> bool {
    c.is_ascii_alphabetic() || matches!(c, '\u{130}' | '\u{131}' | '\u{17f}' | '\u{212a}')
}

/// The dot-atom (`atext` runs joined by single dots) or the quoted string of the user part.
fn is_user_part(user: &str) -> bool {
    let is_atext =
        |c: char| is_letter(c) || c.is_ascii_digit() || "-!#$%&'*+/=?^_`{}|~".contains(c);
    let dot_atom = user
        .split('.')
        .all(|run| !run.is_empty() && run.chars().all(is_atext));
    dot_atom || is_quoted_string(user)
}

/// `"..."` of characters other than NUL, TAB, LF, CR, `"` and `\`, or `\` followed by one other
/// than NUL, LF and CR.
fn is_quoted_string(user: &str) -> bool {
    let Some(inner) = user
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    else {
        return false;
    };
    let plain = |c: char| {
        is_letter(c)
            || matches!(u32::from(c), 0x01..=0x08 | 0x0b | 0x0c | 0x0e..=0x1f | 0x21 | 0x23..=0x5b | 0x5d..=0x7f)
    };
    let escaped =
        |c: char| is_letter(c) || matches!(u32::from(c), 0x01..=0x09 | 0x0b | 0x0c | 0x0e..=0x7f);
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        let fits = if c == '\\' {
            chars.next().is_some_and(escaped)
        } else {
            plain(c)
        };
        if !fits {
            return false;
        }
    }
    true
}

/// A character of a label: an ASCII letter or digit, `-`, or any character from U+00A1 to
/// U+FFFF (Django's "Unicode letters" range).
fn is_label_char(c: char) -> bool {
    is_letter(c) || c.is_ascii_digit() || c == '-' || ('\u{a1}'..='\u{ffff}').contains(&c)
}

/// At least two labels: every one 1 to 63 label characters, not starting or ending with `-`;
/// the last, the top-level domain, of at least two characters and no ASCII digit, or an
/// `xn--` label of 1 to 59 ASCII letters and digits.
fn is_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    let Some((tld, names)) = labels.split_last() else {
        return false;
    };
    !names.is_empty() && names.iter().all(|label| is_label(label)) && is_top_level(tld)
}

/// A label of 1 to 63 label characters, not starting or ending with `-`.
fn is_label(label: &str) -> bool {
    let length = label.chars().count();
    (1..=MAX_LABEL).contains(&length)
        && !label.starts_with('-')
        && !label.ends_with('-')
        && label.chars().all(is_label_char)
}

/// Django's `tld_no_fqdn_re`: not starting or ending with `-`, and either 2 to 63 label
/// characters other than ASCII digits, or `xn--` and 1 to 59 ASCII letters and digits.
fn is_top_level(tld: &str) -> bool {
    if tld.starts_with('-') || tld.ends_with('-') {
        return false;
    }
    let length = tld.chars().count();
    let named = (2..=MAX_LABEL).contains(&length)
        && tld.chars().all(|c| is_label_char(c) && !c.is_ascii_digit());
    let punycode = tld
        .get(..4)
        .filter(|prefix| prefix.eq_ignore_ascii_case("xn--"))
        .and_then(|_| tld.get(4..))
        .is_some_and(|rest| {
            (1..=59).contains(&rest.chars().count())
                && rest.chars().all(|c| is_letter(c) || c.is_ascii_digit())
        });
    named || punycode
}

/// `[address]`: hexadecimal digits, `:` and `.` in brackets, an IPv4 address or an IPv6 one
/// (of at most 39 characters) as Python's `ipaddress` reads them.
fn is_literal(domain: &str) -> bool {
    let Some(address) = domain
        .strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
    else {
        return false;
    };
    !address.is_empty()
        && address
            .chars()
            .all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.')
        && (address.parse::<Ipv4Addr>().is_ok()
            || (address.len() <= MAX_IPV6_CHARS && address.parse::<Ipv6Addr>().is_ok()))
}

/// The address as the store looks it up, whatever its case (Django's `iexact`): lower case.
pub fn folded(address: &str) -> String {
    address.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn djangos_own_examples() {
        for valid in [
            "email@here.com",
            "weirder-email@here.and.there.com",
            "email@[127.0.0.1]",
            "email@[2001:dB8::1]",
            "email@[::fffF:127.0.0.1]",
            "example@valid-----hyphens.com",
            "example@valid-with-hyphens.com",
            "test@domain.with.idn.tld.उदाहरण.परीक्षा",
            "email@localhost",
            "\"test@test\"@example.com",
            "example@atm.xn--p1ai",
            "\"\\\t\"@here.com",
        ] {
            assert!(is_valid(valid), "{valid}");
        }
        for invalid in [
            "",
            "abc",
            "abc@",
            "abc@bar",
            "a @x.cz",
            "abc@.com",
            "something@@somewhere.com",
            "email@127.0.0.1",
            "email@[127.0.0.256]",
            "email@[2001:db8::12345]",
            "email@[2001:db8:0:0:0:0:1]",
            "email@[::ffff:127.0.0.256]",
            "example@invalid-.com",
            "example@-invalid.com",
            "example@invalid.com-",
            "example@inv-.alid-.com",
            "example@inv-.-alid.com",
            "test@example.com\n\n<script src=\"x.js\">",
            "\"\\\n\"@here.com",
            "trailingdot@shouldfail.com.",
            "a@b.com\n",
            "a\n@b.com",
            "\"test@test\"\n@example.com",
            "a@[127.0.0.1]\n",
        ] {
            assert!(!is_valid(invalid), "{invalid:?}");
        }
    }

    #[test]
    fn the_length_is_counted_in_characters() {
        let domain = "@example.com";
        let user = |length: usize| "a".repeat(length - domain.len());
        assert!(is_valid(&(user(320) + domain)));
        assert!(!is_valid(&(user(321) + domain)));
    }
}

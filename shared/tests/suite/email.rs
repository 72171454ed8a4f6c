//! `authtoken::email` against Django's own `EmailValidator`, run by the Django the test command
//! installs into `.venv`: the same verdict for every address of a corpus built from user parts
//! and domains that each rule of Django's regular expressions accepts or refuses, joined every
//! way, plus single characters (ASCII, the four that Python's case-insensitive matching counts
//! as ASCII letters, and others) put where each rule reads them.

use serde_json::{Value, json};

/// Django's verdict for each address.
const DJANGO: &str = r#"
import json, sys
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
answers = []
for address in json.load(sys.stdin):
    try:
        validate_email(address)
        answers.append(True)
    except ValidationError:
        answers.append(False)
json.dump(answers, sys.stdout)
"#;

/// User parts: dot-atoms, quoted strings, and what each refuses.
const USERS: &[&str] = &[
    "a",
    "john.doe",
    "x+tag",
    "!#$%&'*+/=?^_`{}|~-",
    "UPPER.case",
    ".lead",
    "trail.",
    "dou..ble",
    "sp ace",
    "\"quoted\"",
    "\"quo ted\"",
    "\"esc\\\"aped\"",
    "\"back\\\\slash\"",
    "\"bad\"quote\"",
    "\"\"",
    "\"un",
    "\"a@b\"",
    "\"\\\u{1}\"",
    "\"\\\n\"",
    "\"tab\tin\"",
    "é",
    "ſ",
    "ı",
    "İ",
    "\u{212a}elvin",
    "",
    "a\u{0}b",
    "(comment)",
];

/// Domains: names (labels, hyphens, lengths, top-level domains, internationalised and punycode),
/// `localhost`, address literals, and what each refuses.
fn domains() -> Vec<String> {
    let mut domains: Vec<String> = [
        "example.com",
        "sub.example.co.uk",
        "EXAMPLE.COM",
        "a.bc",
        "a.b",
        "a.b1",
        "1.com",
        "123.456",
        "localhost",
        "LOCALHOST",
        "local",
        "valid-----hyphens.com",
        "-lead.com",
        "trail-.com",
        "x.-com",
        "x.com-",
        "x.c-m",
        "x..com",
        ".x.com",
        "x.com.",
        "exämple.org",
        "müller.de",
        "例え.テスト",
        "xn--mller-kva.de",
        "atm.xn--p1ai",
        "atm.XN--P1AI",
        "atm.xn--",
        "atm.xn--p1ai-",
        "x.\u{ff0e}com",
        "x.c\u{a0}m",
        "x.c\u{a1}m",
        "x.\u{10348}com",
        "[127.0.0.1]",
        "[255.255.255.255]",
        "[256.0.0.1]",
        "[01.2.3.4]",
        "[1.2.3]",
        "[::1]",
        "[2001:dB8::1]",
        "[::ffff:127.0.0.1]",
        "[2001:db8::12345]",
        "[1:2:3:4:5:6:7:8]",
        "[1:2:3:4:5:6:7:8:9]",
        "[1::2::3]",
        "[0000:0000:0000:0000:0000:0000:0000:0001]",
        "[::ffff:1.2.3.4.5]",
        "[]",
        "[g::1]",
        "127.0.0.1",
        "x.com\n",
        "",
    ]
    .iter()
    .map(|domain| (*domain).to_owned())
    .collect();
    for length in [1, 62, 63, 64] {
        domains.push(format!("{}.com", "a".repeat(length)));
        domains.push(format!("x.{}", "b".repeat(length)));
        domains.push(format!("x.xn--{}", "c".repeat(length.saturating_sub(4))));
    }
    domains
}

/// Characters put where each rule reads them: in a dot-atom, a quoted string, a label and a
/// top-level domain.
fn single_characters() -> Vec<String> {
    let mut characters: Vec<char> = (1u8..=0x7f).map(char::from).collect();
    characters.extend([
        '\u{80}',
        '\u{a0}',
        '\u{a1}',
        'é',
        '\u{130}',
        '\u{131}',
        '\u{17f}',
        '\u{212a}',
        '\u{fffd}',
        '\u{ffff}',
        '\u{10000}',
        '😀',
    ]);
    let mut addresses = Vec::new();
    for c in characters {
        addresses.push(format!("a{c}b@example.com"));
        addresses.push(format!("\"a{c}b\"@example.com"));
        addresses.push(format!("\"\\{c}\"@example.com"));
        addresses.push(format!("user@a{c}b.com"));
        addresses.push(format!("user@example.c{c}m"));
        addresses.push(format!("user@[1{c}]"));
    }
    addresses
}

fn addresses() -> Vec<String> {
    let domains = domains();
    let mut addresses = Vec::new();
    for user in USERS {
        for domain in &domains {
            addresses.push(format!("{user}@{domain}"));
        }
    }
    addresses.extend(single_characters());
    addresses.extend(
        [
            "",
            "@",
            "no-at-sign",
            "two@at@example.com",
            "\"a@b\"@example.com",
            " lead@example.com",
            "trail@example.com ",
        ]
        .map(str::to_owned),
    );
    let long_user = "u".repeat(320 - "@example.com".len());
    addresses.push(format!("{long_user}@example.com"));
    addresses.push(format!("{long_user}u@example.com"));
    addresses.push(format!("{}@example.com", "é".repeat(10)));
    addresses
}

#[test]
fn the_verdicts_are_djangos_for_every_address() {
    let addresses = addresses();
    let answers = crate::django::run(DJANGO, &json!(addresses));
    assert_eq!(answers.len(), addresses.len());
    let mut differences = Vec::new();
    for (address, django) in addresses.iter().zip(&answers) {
        let django = django == &Value::Bool(true);
        if authtoken::email::is_valid(address) != django {
            differences.push(format!("{address:?}: Django says {django}"));
        }
    }
    let accepted = answers
        .iter()
        .filter(|answer| **answer == Value::Bool(true));
    assert!(
        accepted.count() > 100,
        "the corpus must hold many valid addresses"
    );
    assert!(
        differences.is_empty(),
        "{} of {} differ:\n{}",
        differences.len(),
        addresses.len(),
        differences.join("\n")
    );
}

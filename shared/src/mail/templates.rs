//! The emails' texts: a subject, a plain-text body and an HTML body per kind of email, read
//! from a folder (the repository's `mail/`, deployed as a Lambda layer) or, by default, the
//! copies of `mail/` built into the binary. Placeholders `{{name}}` are filled in by
//! [`Template::render`]; nothing else of a template language.

use std::path::Path;

/// The kinds of email, each with its files in `mail/`: `<kind>.subject.txt`, `<kind>.txt`,
/// `<kind>.html`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A password reset link.
    PasswordReset,
    /// An account activation link.
    Activation,
    /// The notice that an account is created and active (`SEND_CONFIRMATION_EMAIL`).
    Confirmation,
    /// The notice that a password was changed (`PASSWORD_CHANGED_EMAIL_CONFIRMATION`).
    PasswordChanged,
}

impl Kind {
    /// Every kind, in the order [`Templates`] holds them.
    pub const ALL: [Self; 4] = [
        Self::PasswordReset,
        Self::Activation,
        Self::Confirmation,
        Self::PasswordChanged,
    ];

    /// The kind's file stem.
    pub fn stem(self) -> &'static str {
        match self {
            Self::PasswordReset => "password_reset",
            Self::Activation => "activation",
            Self::Confirmation => "confirmation",
            Self::PasswordChanged => "password_changed",
        }
    }

    /// Its place in [`Kind::ALL`].
    fn index(self) -> usize {
        self as usize
    }
}

/// One kind's texts, placeholders unfilled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    subject: String,
    text: String,
    html: String,
}

/// A template with its placeholders filled in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// One line.
    pub subject: String,
    /// The plain-text body.
    pub text: String,
    /// The HTML body.
    pub html: String,
}

/// Every kind's template, in [`Kind::ALL`]'s order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Templates([Template; Kind::ALL.len()]);

/// A template folder that lacks a file or holds one that is not UTF-8.
#[derive(Debug, thiserror::Error)]
#[error("cannot read the email template {path}: {reason}")]
pub struct TemplateError {
    path: String,
    reason: String,
}

/// The three texts of the kind whose stem is `$stem`, from the repository's `mail/`, built in.
macro_rules! builtin {
    ($stem:literal) => {
        Template {
            subject: include_str!(concat!("../../../mail/", $stem, ".subject.txt")).to_owned(),
            text: include_str!(concat!("../../../mail/", $stem, ".txt")).to_owned(),
            html: include_str!(concat!("../../../mail/", $stem, ".html")).to_owned(),
        }
    };
}

impl Templates {
    /// The copies of the repository's `mail/` built into the binary.
    pub fn builtin() -> Self {
        Self([
            builtin!("password_reset"),
            builtin!("activation"),
            builtin!("confirmation"),
            builtin!("password_changed"),
        ])
    }

    /// The templates in `dir`: every kind's three files must be there.
    pub fn from_dir(dir: &Path) -> Result<Self, TemplateError> {
        let read = |name: String| {
            let path = dir.join(name);
            std::fs::read_to_string(&path).map_err(|error| TemplateError {
                path: path.display().to_string(),
                reason: error.to_string(),
            })
        };
        let template = |kind: Kind| {
            let stem = kind.stem();
            Ok::<_, TemplateError>(Template {
                subject: read(format!("{stem}.subject.txt"))?,
                text: read(format!("{stem}.txt"))?,
                html: read(format!("{stem}.html"))?,
            })
        };
        let [reset, activation, confirmation, changed] = Kind::ALL.map(template);
        Ok(Self([reset?, activation?, confirmation?, changed?]))
    }

    /// The template of `kind`.
    pub fn get(&self, kind: Kind) -> &Template {
        &self.0[kind.index()]
    }
}

impl Template {
    /// The texts with each `{{name}}` of `values` replaced by its value (HTML-escaped in the
    /// HTML body); the subject on one line, trimmed.
    pub fn render(&self, values: &[(&str, &str)]) -> Rendered {
        let fill = |text: &str, escape: fn(&str) -> String| {
            values.iter().fold(text.to_owned(), |text, (name, value)| {
                text.replace(&format!("{{{{{name}}}}}"), &escape(value))
            })
        };
        let subject = fill(&self.subject, str::to_owned);
        Rendered {
            subject: subject.split_whitespace().collect::<Vec<_>>().join(" "),
            text: fill(&self.text, str::to_owned),
            html: fill(&self.html, escape_html),
        }
    }
}

/// `text` safe inside HTML text and attribute values.
fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#x27;"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_in_their_order_and_the_builtin_templates_are_the_folders() {
        for (index, kind) in Kind::ALL.into_iter().enumerate() {
            assert_eq!(kind.index(), index);
        }
        let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../mail");
        assert_eq!(Templates::from_dir(&folder).unwrap(), Templates::builtin());
        let missing = Templates::from_dir(Path::new("/nonexistent")).unwrap_err();
        assert!(
            missing.to_string().contains("password_reset.subject.txt"),
            "{missing}"
        );
    }

    #[test]
    fn placeholders_are_filled_and_escaped_in_html_only() {
        let template = Template {
            subject: "Reset on {{site_name}}\n".into(),
            text: "{{url}} for {{username}} {{unknown}}".into(),
            html: "<a href=\"{{url}}\">{{username}}</a>".into(),
        };
        let rendered = template.render(&[
            ("site_name", "Example"),
            ("url", "https://example.com/#/r/MQ/x?a=1&b=2"),
            ("username", "<bob>"),
        ]);
        assert_eq!(rendered.subject, "Reset on Example");
        assert_eq!(
            rendered.text,
            "https://example.com/#/r/MQ/x?a=1&b=2 for <bob> {{unknown}}"
        );
        assert_eq!(
            rendered.html,
            "<a href=\"https://example.com/#/r/MQ/x?a=1&amp;b=2\">&lt;bob&gt;</a>"
        );
    }
}

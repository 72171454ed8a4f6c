//! Media types as DRF compares them (`rest_framework/utils/mediatypes.py`), for choosing a body
//! parser from `Content-Type` and a renderer from `Accept`.

/// A parsed media type: lower-cased type and subtype, and its parameters.
#[derive(Debug, PartialEq, Eq)]
pub struct MediaType {
    main_type: String,
    sub_type: String,
    params: Vec<(String, String)>,
}

impl MediaType {
    /// Parses a header value like Django's `parse_header_parameters`: the part before the first
    /// `;` is the type (trimmed, lower-cased); `name=value` parameters follow, quotes removed.
    pub fn parse(value: &str) -> Self {
        let mut parts = split_outside_quotes(value).into_iter();
        let full_type = parts.next().unwrap_or_default().to_lowercase();
        let (main_type, sub_type) = match full_type.split_once('/') {
            Some((main, sub)) => (main.to_owned(), sub.to_owned()),
            None => (full_type.clone(), String::new()),
        };
        let params = parts
            .filter_map(|part| {
                let (name, value) = part.split_once('=')?;
                Some((name.trim().to_lowercase(), unquote(value.trim())))
            })
            .collect();
        Self {
            main_type,
            sub_type,
            params,
        }
    }

    /// True if this type (what a parser or renderer handles, without wildcards) is matched by
    /// `other` (what the request names), where `*` on either side matches anything.
    pub fn is_matched_by(&self, other: &MediaType) -> bool {
        let part_matches =
            |ours: &str, theirs: &str| ours == "*" || theirs == "*" || ours == theirs;
        part_matches(&self.sub_type, &other.sub_type)
            && part_matches(&self.main_type, &other.main_type)
    }

    /// The value of parameter `name` (lower-case), if present.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .rev()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value.as_str())
    }
}

/// True if an `Accept` header value lets the server answer with `offered` (a concrete type such as
/// `application/json`). No header means anything is accepted; DRF ignores `q` values.
pub fn accepts(accept: Option<&str>, offered: &str) -> bool {
    let Some(accept) = accept else {
        return true;
    };
    let offered = MediaType::parse(offered);
    accept
        .split(',')
        .any(|range| offered.is_matched_by(&MediaType::parse(range.trim())))
}

/// Splits on `;` outside double quotes, trimming each part (Django's `_parseparam`).
fn split_outside_quotes(value: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut start = 0;
    let mut in_quotes = false;
    let mut escaped = false;
    for (index, ch) in value.char_indices() {
        match ch {
            _ if escaped => escaped = false,
            '\\' if in_quotes => escaped = true,
            '"' => in_quotes = !in_quotes,
            ';' if !in_quotes => {
                parts.push(value[start..index].trim());
                start = index + 1;
            }
            _ => {}
        }
    }
    parts.push(value[start..].trim());
    parts
}

fn unquote(value: &str) -> String {
    match value
        .strip_prefix('"')
        .and_then(|inner| inner.strip_suffix('"'))
    {
        Some(inner) => inner.replace("\\\\", "\\").replace("\\\"", "\""),
        None => value.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_is_trimmed_and_lower_cased_and_parameters_are_read() {
        let media = MediaType::parse(" Multipart/Form-Data ; Boundary=\"a;b\" ; charset=utf-8");
        assert_eq!(media.main_type, "multipart");
        assert_eq!(media.sub_type, "form-data");
        assert_eq!(media.param("boundary"), Some("a;b"));
        assert_eq!(media.param("charset"), Some("utf-8"));
        assert_eq!(media.param("missing"), None);
    }

    #[test]
    fn matching_ignores_parameters_and_honours_wildcards() {
        let json = MediaType::parse("application/json");
        for matching in [
            "application/json; charset=utf-8",
            "APPLICATION/JSON",
            "*/*",
            "application/*",
            "*/json",
        ] {
            assert!(
                json.is_matched_by(&MediaType::parse(matching)),
                "{matching}"
            );
        }
        for other in ["text/plain", "application/vnd.api+json", "application", ""] {
            assert!(!json.is_matched_by(&MediaType::parse(other)), "{other}");
        }
    }

    #[test]
    fn accept_lists_are_searched_for_any_match() {
        assert!(accepts(None, "application/json"));
        assert!(accepts(
            Some("text/html, application/json;q=0.9"),
            "application/json"
        ));
        assert!(accepts(Some("*/*"), "application/json"));
        assert!(!accepts(Some("text/html"), "application/json"));
        assert!(!accepts(Some(""), "application/json"));
    }
}

//! The manifest's derived forms: `manifest.json` (for the scripts) and the Markdown tables of
//! the docs, each between markers that name it:
//!
//! ```text
//! <!-- generated: NAME (from shared/src/manifest; cargo test -p authtoken --test suite generated) -->
//! ...
//! <!-- end of generated: NAME -->
//! ```

use std::collections::BTreeMap;

use http::Method;
use serde::Serialize;

use super::functions::{FUNCTIONS, Function, Grant, Kind};
use super::settings::{Allowed, SETTINGS, Setting};

/// The manifest as JSON: `{"functions": [...], "settings": [...]}`, pretty-printed, with a
/// final newline (the file `manifest.json`). Serialised from structs and sorted maps, so that
/// the text is the same whatever features serde_json is built with.
pub fn manifest_json() -> String {
    let manifest = ManifestJson {
        comment: "Generated from shared/src/manifest: do not edit. \
                  Regenerate with: cargo test -p authtoken --test suite generated",
        functions: FUNCTIONS.iter().map(FunctionJson::from).collect(),
        settings: SETTINGS.iter().map(SettingJson::from).collect(),
    };
    let mut text = serde_json::to_string_pretty(&manifest).unwrap_or_default();
    text.push('\n');
    text
}

/// `manifest.json`.
#[derive(Serialize)]
struct ManifestJson {
    comment: &'static str,
    functions: Vec<FunctionJson>,
    settings: Vec<SettingJson>,
}

/// A function in `manifest.json`.
#[derive(Serialize)]
struct FunctionJson {
    binary: &'static str,
    resource: String,
    /// `contract`, `authorizer` or `behind-authorizer`.
    kind: &'static str,
    routes: Vec<String>,
    /// The methods a contract endpoint serves besides `OPTIONS` (empty for the others): what
    /// docs/openapi.yaml must describe under its path.
    methods: Vec<&'static str>,
    /// Table resource -> actions.
    grants: BTreeMap<&'static str, &'static [&'static str]>,
    refresh_grants: BTreeMap<&'static str, &'static [&'static str]>,
    mail_grants: BTreeMap<&'static str, &'static [&'static str]>,
    reads_seal_secret: bool,
    bench_event: &'static str,
    /// The template condition it is deployed under, if any.
    condition: Option<&'static str>,
}

impl From<&Function> for FunctionJson {
    fn from(function: &Function) -> Self {
        let grants = |grants: &'static [Grant]| {
            grants
                .iter()
                .map(|grant| (grant.on.resource(), grant.actions))
                .collect()
        };
        Self {
            binary: function.binary,
            resource: function.resource(),
            kind: match function.kind {
                Kind::Contract(_) => "contract",
                Kind::Authorizer => "authorizer",
                Kind::BehindAuthorizer { .. } => "behind-authorizer",
                Kind::Mailer => "mailer",
            },
            routes: function.routes(),
            methods: match function.kind {
                Kind::Contract(endpoint) => endpoint.methods.iter().map(Method::as_str).collect(),
                Kind::Authorizer | Kind::BehindAuthorizer { .. } | Kind::Mailer => Vec::new(),
            },
            grants: grants(function.grants),
            refresh_grants: grants(function.refresh_grants),
            mail_grants: grants(function.mail_grants),
            reads_seal_secret: function.reads_seal_secret,
            bench_event: function.bench_event,
            condition: function.deployed_when,
        }
    }
}

/// A setting in `manifest.json`.
#[derive(Serialize)]
struct SettingJson {
    var: &'static str,
    parameter: Option<&'static str>,
    default: Option<&'static str>,
    allowed: AllowedJson,
    functions: Vec<&'static str>,
    also_read_by: &'static str,
    doc: &'static str,
}

/// `{"min": 0, "max": 10}`, `{"one_of": [...]}` or `"text"`.
#[derive(Serialize)]
#[serde(untagged)]
enum AllowedJson {
    Number { min: u64, max: Option<u64> },
    OneOf { one_of: &'static [&'static str] },
    Text(&'static str),
}

impl From<&Setting> for SettingJson {
    fn from(setting: &Setting) -> Self {
        Self {
            var: setting.var,
            parameter: setting.parameter,
            default: setting.default,
            allowed: match setting.allowed {
                Allowed::Number { min, max } => AllowedJson::Number { min, max },
                Allowed::OneOf(one_of) => AllowedJson::OneOf { one_of },
                Allowed::Text => AllowedJson::Text("text"),
            },
            functions: setting.functions.binaries(),
            also_read_by: setting.also_read_by,
            doc: setting.doc,
        }
    }
}

/// The generated blocks, by name: each is a Markdown table.
pub fn blocks() -> [(&'static str, String); 3] {
    [
        ("variables", variables_table()),
        ("parameters", parameters_table()),
        ("routes", routes_table()),
    ]
}

/// Who reads a setting: its functions, then the others.
fn used_by(setting: &Setting) -> String {
    let mut readers: Vec<String> = setting
        .functions
        .binaries()
        .into_iter()
        .map(str::to_owned)
        .collect();
    if !setting.also_read_by.is_empty() {
        readers.push(setting.also_read_by.to_owned());
    }
    readers.join(", ")
}

/// What values a setting may take, in words.
fn values(setting: &Setting) -> String {
    match setting.allowed {
        Allowed::Number {
            min,
            max: Some(max),
        } => format!("{min} to {max}"),
        Allowed::Number { min, max: None } => format!("at least {min}"),
        Allowed::OneOf(words) => words
            .iter()
            .map(|word| format!("`{word}`"))
            .collect::<Vec<_>>()
            .join(", "),
        Allowed::Text => "text".to_owned(),
    }
}

fn default(setting: &Setting) -> String {
    match setting.default {
        None => "none".to_owned(),
        Some("") => "empty".to_owned(),
        Some(value) => format!("`{value}`"),
    }
}

/// The variables processes read: every setting some function or the CLI reads.
fn variables_table() -> String {
    let mut table = String::from(
        "| Variable | Used by | Default | Values | Meaning |\n|---|---|---|---|---|\n",
    );
    for setting in SETTINGS.iter().filter(|s| !is_stack_only(s)) {
        table += &format!(
            "| `{}` | {} | {} | {} | {} |\n",
            setting.var,
            used_by(setting),
            default(setting),
            values(setting),
            setting.doc
        );
    }
    table
}

/// The stack's parameters, with the variable `scripts/deploy.sh` takes each from.
fn parameters_table() -> String {
    let mut table = String::from(
        "| Parameter | Deploy variable | Default | Values | Sets | Meaning |\n\
         |---|---|---|---|---|---|\n",
    );
    for setting in SETTINGS {
        let Some(parameter) = setting.parameter else {
            continue;
        };
        let (sets, meaning) = if is_stack_only(setting) {
            (setting.also_read_by.to_owned(), setting.doc.to_owned())
        } else {
            (
                setting.functions.binaries().join(", "),
                format!("see [`{}`](#variables)", setting.var),
            )
        };
        table += &format!(
            "| `{parameter}` | `{}` | {} | {} | {sets} | {meaning} |\n",
            setting.var,
            default(setting),
            values(setting),
        );
    }
    table
}

/// A parameter of the stack that no process reads.
fn is_stack_only(setting: &Setting) -> bool {
    setting.functions.binaries().is_empty() && setting.parameter.is_some()
}

/// The routes of the HTTP API, per function.
fn routes_table() -> String {
    let mut table = String::from("| Function | Route | Requests |\n|---|---|---|\n");
    for function in FUNCTIONS {
        let requests = match function.kind {
            Kind::Contract(endpoint) => {
                format!("`{}` (or without the slash)", endpoint.requests())
            }
            Kind::Authorizer => "none: API Gateway calls it for the routes behind it".to_owned(),
            Kind::Mailer => "none: SQS delivers it the mail queue's requests".to_owned(),
            Kind::BehindAuthorizer { method, path } => format!(
                "`{method} {path}/` with `Authorization: Token <key>`, behind the authorizer"
            ),
        };
        let routes = function.routes();
        let routes = if routes.is_empty() {
            "none".to_owned()
        } else {
            routes
                .iter()
                .map(|route| format!("`{route}`"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        table += &format!("| `{}` | {routes} | {requests} |\n", function.resource());
    }
    table
}

/// `text` with the block `name` replaced by `content`; `None` when `text` has no such block.
pub fn replace_block(text: &str, name: &str, content: &str) -> Option<String> {
    let start_marker = format!("<!-- generated: {name} ");
    let end_marker = format!("<!-- end of generated: {name} -->");
    let start = text.find(&start_marker)?;
    let body = start + text[start..].find("-->")? + "-->".len();
    let end = body + text[body..].find(&end_marker)?;
    Some(format!("{}\n{content}{}", &text[..body], &text[end..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_block_is_replaced_between_its_markers_only() {
        let text = "intro\n<!-- generated: routes (how) -->\nold\n<!-- end of generated: routes -->\nafter\n";
        let replaced = replace_block(text, "routes", "| new |\n").unwrap();
        assert_eq!(
            replaced,
            "intro\n<!-- generated: routes (how) -->\n| new |\n<!-- end of generated: routes -->\nafter\n"
        );
        assert_eq!(replace_block(text, "variables", "x"), None);
    }

    use serde_json::{Value, json};

    #[test]
    fn the_json_names_every_function_and_setting() {
        let manifest: Value = serde_json::from_str(&manifest_json()).unwrap();
        assert_eq!(
            manifest["functions"].as_array().unwrap().len(),
            FUNCTIONS.len()
        );
        assert_eq!(
            manifest["settings"].as_array().unwrap().len(),
            SETTINGS.len()
        );
        assert_eq!(manifest["functions"][0]["routes"][0], "ANY /api-token-auth");
        assert_eq!(
            manifest["functions"][0]["grants"]["TokensTable"],
            json!(["dynamodb:PutItem", "dynamodb:DeleteItem"])
        );
    }
}

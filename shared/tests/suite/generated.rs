//! The files generated from the manifest (`shared/src/manifest`) are current: `manifest.json`
//! and the generated tables of the docs. A stale file is rewritten and the test fails, naming
//! it, so that running this test is the command that regenerates them
//! (`cargo test -p authtoken --test suite generated`) and CI fails on a stale file.

use std::path::{Path, PathBuf};

use authtoken::manifest::render;

/// The repository's root.
fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The docs pages holding each generated block.
const BLOCKS: [(&str, &str); 3] = [
    ("variables", "docs/CONFIGURATION.md"),
    ("parameters", "docs/CONFIGURATION.md"),
    ("routes", "docs/DEPLOYING.md"),
];

/// Writes `wanted` to `path` if it differs; returns whether it was stale.
fn refresh(path: &Path, wanted: &str) -> bool {
    let current = std::fs::read_to_string(path).unwrap_or_default();
    if current == wanted {
        return false;
    }
    std::fs::write(path, wanted).unwrap();
    true
}

#[test]
fn files_generated_from_the_manifest_are_current() {
    let mut stale = Vec::new();
    if refresh(&root().join("manifest.json"), &render::manifest_json()) {
        stale.push("manifest.json".to_owned());
    }
    for (name, content) in render::blocks() {
        let page = BLOCKS.iter().find(|(block, _)| *block == name).unwrap().1;
        let path = root().join(page);
        let text = std::fs::read_to_string(&path).unwrap();
        let replaced = render::replace_block(&text, name, &content)
            .unwrap_or_else(|| panic!("{page} has no block {name:?} (see render.rs's markers)"));
        if refresh(&path, &replaced) {
            stale.push(format!("{page} ({name})"));
        }
    }
    assert!(
        stale.is_empty(),
        "stale, now regenerated from shared/src/manifest (review and commit them): {}",
        stale.join(", ")
    );
}

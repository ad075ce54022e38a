//! Embeds the built-in chart knowledge: every `charts/*.yaml`, listed in `$OUT_DIR/builtin_charts.rs` with its
//! sha256 (the digest proofs are made with) and its content as JSON, so adding a chart file needs no Rust change
//! and a run parses JSON instead of YAML (BENCHMARKS.md: the YAML parser was a tenth of `generate --check`). The
//! proofs hagen ships (`catalog/`, `examples/kubernetes/` and `tests/catalogs/` `hagen.lock`) are embedded as JSON the same way. A
//! unit test checks that the JSON forms read as the YAML texts do.

#[path = "src/catalog/annotations.rs"]
mod annotations;

use sha2::{Digest, Sha256};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// A YAML file's content as JSON text (hagen's own files: a broken one fails the build with its name).
fn json_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let value: serde_json::Value =
        serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: not valid YAML: {e}", path.display()));
    serde_json::to_string(&value).expect("a JSON value serialises")
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let dir = root.join("charts");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("charts/ exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut code = String::from(
        "/// The built-in chart knowledge files: (file name, text, sha256 of the text, the content as JSON).\npub const BUILTIN: &[(&str, &str, &str, &str)] = &[\n",
    );
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().expect("a file").to_string_lossy();
        let bytes = std::fs::read(f).expect("a chart file is readable");
        let sha: String = Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
        writeln!(
            code,
            "    ({name:?}, include_str!({:?}), {sha:?}, {:?}),",
            f.display().to_string(),
            json_of(f)
        )
        .expect("writing to a String");
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it"));
    std::fs::write(out.join("builtin_charts.rs"), code).expect("OUT_DIR is writable");
    let mut locks = String::from(
        "/// The lock files hagen ships, as JSON: catalog/, examples/kubernetes/ and tests/catalogs/ hagen.lock.\nconst SHIPPED: &[&str] = &[\n",
    );
    for lock in [
        "catalog/hagen.lock",
        "examples/kubernetes/hagen.lock",
        "tests/catalogs/hagen.lock",
    ] {
        let path = root.join(lock);
        println!("cargo:rerun-if-changed={}", path.display());
        writeln!(locks, "    {:?},", json_of(&path)).expect("writing to a String");
    }
    locks.push_str("];\n");
    std::fs::write(out.join("shipped_locks.rs"), locks).expect("OUT_DIR is writable");
    // The catalogue schema as the validator reads it: compact, without annotations.
    let schema = root.join("catalog/cluster.schema.json");
    println!("cargo:rerun-if-changed={}", schema.display());
    let text = std::fs::read_to_string(&schema).expect("catalog/cluster.schema.json is readable");
    let value: serde_json::Value = serde_json::from_str(&text).expect("catalog/cluster.schema.json is JSON");
    let stripped = serde_json::to_string(&annotations::without_annotations(&value)).expect("JSON serialises");
    std::fs::write(out.join("catalogue_schema.json"), stripped).expect("OUT_DIR is writable");
}

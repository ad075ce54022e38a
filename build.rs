//! Embeds the built-in chart knowledge: every `charts/*.yaml`, listed in `$OUT_DIR/builtin_charts.rs`, so adding a
//! chart file needs no Rust change.

use std::fmt::Write as _;
use std::path::PathBuf;

fn main() {
    let dir = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets it")).join("charts");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("charts/ exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut code = String::from(
        "/// The built-in chart knowledge files: (file name, text).\npub const BUILTIN: &[(&str, &str)] = &[\n",
    );
    for f in &files {
        println!("cargo:rerun-if-changed={}", f.display());
        let name = f.file_name().expect("a file").to_string_lossy();
        writeln!(code, "    ({name:?}, include_str!({:?})),", f.display().to_string()).expect("writing to a String");
    }
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets it")).join("builtin_charts.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}

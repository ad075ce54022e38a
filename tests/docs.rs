//! The command examples of docs/charts.md, run as written: each block after a `<!-- tested: PATH -->` line is
//! written to PATH in a fresh workspace, and each line of a block after `<!-- tested: run -->` is run there by
//! `sh`, with hagen and helm on PATH. A line whose comment starts with `fails` must fail; every other must pass.

mod common;
use common::*;
use std::path::Path;

/// The tested blocks of a Markdown text: (what the marker names, the block's lines).
fn tested_blocks(text: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(l) = lines.next() {
        let Some(name) = l.strip_prefix("<!-- tested: ").and_then(|r| r.strip_suffix(" -->")) else {
            continue;
        };
        let fence = lines.next().unwrap_or_default();
        assert!(
            fence.starts_with("```"),
            "a tested block starts right after its marker: {fence}"
        );
        let body: Vec<String> = lines.by_ref().take_while(|l| *l != "```").map(String::from).collect();
        out.push((name.to_string(), body));
    }
    out
}

#[test]
fn the_chart_docs_commands_run_as_written() {
    let doc = std::fs::read_to_string(root().join("docs/charts.md")).unwrap();
    let blocks = tested_blocks(&doc);
    assert!(
        blocks.iter().any(|(n, _)| n == "run"),
        "no tested commands in docs/charts.md"
    );
    let ws = tempfile::tempdir().unwrap();
    copy_dir(
        &root().join("tests/fixtures/beacon"),
        &ws.path().join("tests/fixtures/beacon"),
    );
    let helm = tool("HAGEN_HELM");
    let binary = Path::new(env!("CARGO_BIN_EXE_hagen"));
    let path = std::env::join_paths(
        [binary.parent().unwrap(), helm.parent().unwrap()]
            .into_iter()
            .map(Path::to_path_buf)
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .unwrap();
    // helm is on PATH as `helm` only when its binary has that name.
    assert_eq!(helm.file_name().unwrap(), "helm", "{}", helm.display());
    for (name, body) in blocks {
        if name != "run" {
            let file = ws.path().join(&name);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(file, body.join("\n") + "\n").unwrap();
            continue;
        }
        for line in body {
            let (command, comment) = line
                .split_once("  #")
                .map_or((line.as_str(), ""), |(c, m)| (c, m.trim()));
            let o = std::process::Command::new("sh")
                .args(["-c", command])
                .current_dir(ws.path())
                .env("PATH", &path)
                .output()
                .unwrap();
            let fails = comment.starts_with("fails");
            assert_eq!(
                !o.status.success(),
                fails,
                "`{command}`:\n{}\n{}",
                text(&o.stdout),
                text(&o.stderr)
            );
        }
    }
    let v = hagen(ws.path(), &["verify", "--charts", "charts"], None);
    assert!(v.status.success(), "{}", text(&v.stdout));
}

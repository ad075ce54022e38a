//! The command examples of docs/charts.md, run as written: each block after a `<!-- tested: PATH -->` line is
//! written to PATH in a fresh workspace, and each line of a block after `<!-- tested: run -->` is run there by
//! `sh`, with hagen and helm on PATH. A line whose comment starts with `fails` must fail; every other must pass.
//! A block after `<!-- output: FILE -->` quotes FILE (an expected output the tests bless): its lines, but `…`, in
//! order.

mod common;
use common::*;
use std::path::Path;

/// The blocks of a Markdown text after a `<!-- MARKER: NAME -->` line: (NAME, the block's lines, unindented as its
/// fence is).
fn blocks(text: &str, marker: &str) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    let open = format!("<!-- {marker}: ");
    while let Some(l) = lines.next() {
        let Some(name) = l.trim_start().strip_prefix(&open).and_then(|r| r.strip_suffix(" -->")) else {
            continue;
        };
        let fence = lines.next().unwrap_or_default();
        let indent = fence.len() - fence.trim_start().len();
        assert!(
            fence.trim_start().starts_with("```"),
            "a block starts right after its marker: {fence}"
        );
        let body: Vec<String> = lines
            .by_ref()
            .take_while(|l| l.trim_start() != "```")
            .map(|l| l.get(indent..).unwrap_or_default().to_string())
            .collect();
        out.push((name.to_string(), body));
    }
    out
}

fn tested_blocks(text: &str) -> Vec<(String, Vec<String>)> {
    blocks(text, "tested")
}

#[test]
fn the_chart_docs_quote_real_outputs() {
    let doc = std::fs::read_to_string(root().join("docs/charts.md")).unwrap();
    let quoted = blocks(&doc, "output");
    assert!(quoted.len() >= 2, "{quoted:?}");
    for (file, lines) in quoted {
        let expected = std::fs::read_to_string(root().join(&file)).unwrap();
        let mut rest = expected.lines();
        for want in lines.iter().filter(|l| l.trim() != "…") {
            assert!(
                rest.any(|l| l == want),
                "docs/charts.md quotes {want:?}, which is not in {file} (in this order)"
            );
        }
    }
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

//! The docs cannot drift from what hagen prints: every `console` block of README.md and docs/*.md is run, every
//! example in every command's `--help` is parsed by hagen's own argument parser, and docs/charts.md's workflow runs
//! as written in a fresh workspace.
//!
//! A `console` block holds one or more commands, each a line `$ hagen …` followed by what it prints (stdout, then
//! stderr) and, when it exits non-zero, a last line `(exit status N)`. A line `…` stands for any number of lines, so
//! a block may show an excerpt; every other line must match exactly. Commands run in the repository's top folder,
//! with `NO_COLOR=1`, and may only read: `generate` needs `--check`, and `init` and `verify` (which write) are shown as
//! `sh` blocks instead. `HAGEN_BLESS=1` rewrites a block that holds no `…` with what hagen printed.

mod common;

use common::*;
use std::path::{Path, PathBuf};

/// One `$ …` command of a console block, with the lines the docs say it prints.
struct Example {
    /// The line of the `$` in its file (1-based), for messages.
    line: usize,
    args: Vec<String>,
    expected: Vec<String>,
}

/// The Markdown files whose console blocks are run.
fn doc_files() -> Vec<PathBuf> {
    let mut files = vec![root().join("README.md")];
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root().join("docs"))
        .expect("docs/ exists")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    docs.sort();
    files.extend(docs);
    files
}

/// Splits a command line into words: whitespace separates, single quotes group (as a shell reads them).
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut any = false;
    for c in line.chars() {
        match c {
            '\'' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any {
                    out.push(std::mem::take(&mut cur));
                    any = false;
                }
            }
            c => {
                cur.push(c);
                any = true;
            }
        }
    }
    if any {
        out.push(cur);
    }
    out
}

/// The console blocks of a Markdown text: (line of the opening fence, the block's lines).
fn console_blocks(md: &str) -> Vec<(usize, Vec<String>)> {
    let mut blocks = Vec::new();
    let mut current: Option<(usize, Vec<String>)> = None;
    for (i, line) in md.lines().enumerate() {
        match &mut current {
            None if line.trim_start() == "```console" => current = Some((i + 1, Vec::new())),
            Some(_) if line.trim_start().starts_with("```") => blocks.extend(current.take()),
            Some((_, lines)) => lines.push(line.to_string()),
            None => {}
        }
    }
    blocks
}

/// The examples of one block, starting at the fence on line `fence`.
fn examples(fence: usize, lines: &[String]) -> Vec<Example> {
    let mut out: Vec<Example> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if let Some(cmd) = line.strip_prefix("$ ") {
            out.push(Example {
                line: fence + i + 1,
                args: words(cmd),
                expected: Vec::new(),
            });
        } else if let Some(ex) = out.last_mut() {
            ex.expected.push(line.clone());
        } else {
            panic!("line {}: a console block starts with `$ hagen …`", fence + i + 1);
        }
    }
    out
}

/// Does `actual` match `expected`, where a `…` line stands for any number of lines?
fn matches(expected: &[String], actual: &[String]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first == "…" => (0..=actual.len()).any(|skip| matches(rest, &actual[skip..])),
        Some((first, rest)) => actual
            .split_first()
            .is_some_and(|(a, more)| a.trim_end() == first.trim_end() && matches(rest, more)),
    }
}

/// Commands that would write into the repository are not run from the docs.
fn read_only(args: &[String]) -> bool {
    match args.get(1).map(String::as_str) {
        Some("generate") => args.iter().any(|a| a == "--check"),
        Some("init" | "verify") => false,
        _ => true,
    }
}

/// Runs one example; its output as lines (stdout, stderr, then the exit status when it is not 0).
fn run(ex: &Example) -> Vec<String> {
    let args: Vec<&str> = ex.args[1..].iter().map(String::as_str).collect();
    let out = hagen(&root(), &args, None);
    let mut lines: Vec<String> = text(&out.stdout).lines().map(str::to_string).collect();
    lines.extend(text(&out.stderr).lines().map(str::to_string));
    match out.status.code() {
        Some(0) => {}
        Some(n) => lines.push(format!("(exit status {n})")),
        None => lines.push("(killed by a signal)".to_string()),
    }
    lines
}

/// Replaces the lines of the examples in `file` whose output differs, for `HAGEN_BLESS=1`.
fn bless(file: &Path, fixes: &[(usize, usize, Vec<String>)]) {
    let md = std::fs::read_to_string(file).unwrap();
    let mut lines: Vec<String> = md.lines().map(str::to_string).collect();
    // Last first, so earlier line numbers stay right.
    for (start, len, actual) in fixes.iter().rev() {
        lines.splice(*start..*start + *len, actual.iter().cloned());
    }
    std::fs::write(file, lines.join("\n") + "\n").unwrap();
}

#[test]
fn every_console_block_in_the_docs_prints_what_hagen_prints() {
    let mut failures = Vec::new();
    let mut ran = 0;
    for file in doc_files() {
        let md = std::fs::read_to_string(&file).unwrap();
        let name = file.strip_prefix(root()).unwrap().display().to_string();
        let mut fixes = Vec::new();
        for (fence, lines) in console_blocks(&md) {
            for ex in examples(fence, &lines) {
                let at = format!("{name}:{}", ex.line);
                assert_eq!(
                    ex.args.first().map(String::as_str),
                    Some("hagen"),
                    "{at}: only hagen runs here"
                );
                assert!(
                    read_only(&ex.args),
                    "{at}: `{}` would write; show it as `sh`",
                    ex.args.join(" ")
                );
                let actual = run(&ex);
                ran += 1;
                if matches(&ex.expected, &actual) {
                    continue;
                }
                if blessing() && !ex.expected.iter().any(|l| l == "…") {
                    // The output lines start right after the `$` line (0-based index ex.line).
                    fixes.push((ex.line, ex.expected.len(), actual));
                    continue;
                }
                failures.push(format!(
                    "{at}: `{}` printed:\n{}\n(the docs show:\n{})",
                    ex.args.join(" "),
                    actual.join("\n"),
                    ex.expected.join("\n")
                ));
            }
        }
        if !fixes.is_empty() {
            bless(&file, &fixes);
        }
    }
    assert!(ran >= 5, "only {ran} console examples found in the docs");
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The hagen command in a shell line: `hagen …` at its start or after `| ` or `&& `, up to a comment (`#`, or a run of
/// spaces before a description), a redirection or a pipe.
fn hagen_command(line: &str) -> Option<Vec<String>> {
    let line = line.trim();
    let start = line
        .match_indices("hagen ")
        .map(|(i, _)| i)
        .find(|&i| i == 0 || line[..i].ends_with("| ") || line[..i].ends_with("&& "))?;
    let cmd = &line[start..];
    let cmd = cmd.split(" # ").next()?;
    let cmd = cmd.split("   ").next()?;
    let cmd = cmd.split(" > ").next()?;
    let cmd = cmd.split(" | ").next()?;
    Some(words(cmd))
}

/// The hagen command lines of a `--help`'s examples.
fn help_examples(help: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut in_examples = false;
    for line in help.lines() {
        if line.starts_with("Examples") {
            in_examples = true;
            continue;
        }
        if !line.starts_with("  ") {
            in_examples = false;
        }
        if in_examples {
            out.extend(hagen_command(line));
        }
    }
    out
}

/// The hagen command lines of the `sh` blocks of a Markdown text (the commands the docs show but cannot run here:
/// those that write, or need a cluster), with their line numbers.
fn sh_commands(md: &str) -> Vec<(usize, Vec<String>)> {
    let mut out = Vec::new();
    let mut in_sh = false;
    for (i, line) in md.lines().enumerate() {
        let fence = line.trim_start();
        if fence.starts_with("```") {
            in_sh = fence == "```sh";
            continue;
        }
        if in_sh {
            out.extend(hagen_command(line).map(|c| (i + 1, c)));
        }
    }
    out
}

#[test]
fn every_hagen_command_in_the_docs_sh_blocks_parses() {
    let mut checked = 0;
    for file in doc_files() {
        let md = std::fs::read_to_string(&file).unwrap();
        for (line, cmd) in sh_commands(&md) {
            if let Err(e) = hagen::cli::parse(&cmd[1..]) {
                panic!("{}:{line}: `{}` does not parse: {e}", file.display(), cmd.join(" "));
            }
            checked += 1;
        }
    }
    assert!(checked >= 8, "only {checked} hagen commands in sh blocks");
}

#[test]
fn every_help_example_parses() {
    let top = text(&hagen(&root(), &["--help"], None).stdout);
    let subcommands: Vec<String> = top
        .split("Commands:")
        .nth(1)
        .expect("hagen --help lists its commands")
        .lines()
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .filter(|c| c != "help")
        .collect();
    assert!(subcommands.len() >= 8, "{subcommands:?}");
    let mut checked = 0;
    for help in std::iter::once(top.clone()).chain(
        subcommands
            .iter()
            .map(|c| text(&hagen(&root(), &[c, "--help"], None).stdout)),
    ) {
        for ex in help_examples(&help) {
            let args: Vec<String> = ex[1..].to_vec();
            if let Err(e) = hagen::cli::parse(&args) {
                panic!("the --help example `{}` does not parse: {e}", ex.join(" "));
            }
            checked += 1;
        }
    }
    assert!(checked >= 15, "only {checked} examples in --help");
}

#[test]
fn the_block_matcher_reads_excerpts() {
    let l = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    struct Case {
        expected: Vec<String>,
        actual: Vec<String>,
        want: bool,
    }
    let cases = [
        Case {
            expected: l(&["a", "b"]),
            actual: l(&["a", "b"]),
            want: true,
        },
        Case {
            expected: l(&["a", "…", "d"]),
            actual: l(&["a", "b", "c", "d"]),
            want: true,
        },
        Case {
            expected: l(&["…"]),
            actual: l(&[]),
            want: true,
        },
        Case {
            expected: l(&["a", "…"]),
            actual: l(&["b"]),
            want: false,
        },
        Case {
            expected: l(&["a"]),
            actual: l(&["a", "b"]),
            want: false,
        },
        Case {
            expected: l(&["a  "]),
            actual: l(&["a"]),
            want: true,
        },
    ];
    for c in cases {
        assert_eq!(
            matches(&c.expected, &c.actual),
            c.want,
            "{:?} vs {:?}",
            c.expected,
            c.actual
        );
    }
    assert_eq!(words("plan --catalog 'a b' x"), l(&["plan", "--catalog", "a b", "x"]));
}

// docs/charts.md's workflow, which writes files: each block after a `<!-- tested: PATH -->` line is written to PATH
// in a fresh workspace, and each line of a block after `<!-- tested: run -->` is run there by `sh`, with hagen and
// helm on PATH. A line whose comment starts with `fails` must fail; every other must pass. A block after
// `<!-- output: FILE -->` quotes FILE (an expected output the tests bless): its lines, but `…`, in order.

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

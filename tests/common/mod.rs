//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod apiserver;
pub mod helmstore;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Runs the hagen binary in `dir` with `args` and `stdin`.
pub fn hagen(dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hagen"));
    cmd.current_dir(dir).args(args);
    cmd.stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().expect("hagen runs");
    let input = stdin.unwrap_or("").to_string();
    let mut pipe = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(input.as_bytes());
    });
    let out = child.wait_with_output().expect("hagen finishes");
    writer.join().expect("stdin written");
    out
}

pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A tool the test setup installs (`scripts/install-tools.sh`), from the environment variable `var`.
/// Fails (never skips) with the way to get it when it is missing.
pub fn tool(var: &str) -> PathBuf {
    match std::env::var_os(var) {
        Some(p) if Path::new(&p).exists() => PathBuf::from(p),
        _ => panic!(
            "{var} is not set to an existing binary: run the tests with `scripts/test`, which installs helm and kubectl (scripts/install-tools.sh) and sets it"
        ),
    }
}

/// The folder of pinned upstream charts (`<chart>-<version>.tgz`). Fails with how to provide it when missing.
pub fn charts() -> PathBuf {
    let p = std::env::var_os("HAGEN_CHARTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/charts"));
    if !p.join("coredns-1.46.2.tgz").exists() {
        panic!(
            "no chart archives in {}: set HAGEN_CHARTS to a folder of <chart>-<version>.tgz (as `helm pull` writes them) for the catalogue's pinned versions",
            p.display()
        );
    }
    p
}

/// Copies the repository's catalog/ and out/ into a fresh temporary folder.
pub fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    copy_dir(&root().join("catalog"), &dir.path().join("catalog"));
    copy_dir(&root().join("out"), &dir.path().join("out"));
    dir
}

/// The plain-Kubernetes example (examples/kubernetes: every component a chart release, CoreDNS and Traefik
/// included) laid out as catalog/ (catalogue, values files, lock) of a fresh temporary folder, with out/ generated.
pub fn plain_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let example = root().join("examples/kubernetes");
    let catalog = dir.path().join("catalog");
    copy_dir(&example.join("values"), &catalog.join("values"));
    for f in ["cluster.yaml", "hagen.lock"] {
        std::fs::copy(example.join(f), catalog.join(f)).expect("copy");
    }
    let g = hagen(dir.path(), &["generate"], None);
    assert!(g.status.success(), "{}", text(&g.stderr));
    dir
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("readdir").flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).expect("copy");
        }
    }
}

/// Every file under `dir` with its bytes, sorted by path.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().display().to_string();
                out.push((rel, std::fs::read(&p).unwrap()));
            }
        }
    }
    out.sort();
    out
}

/// Runs `hagen generate` for the repository's catalogue `catalog` (a path under the root) into `dir/out`, asserting
/// success; the catalogue's folder is copied into `dir` first (with the values files it names) and named by a
/// relative path, as from a repository's top. Returns the copied catalogue's path.
pub fn generate_into(dir: &Path, catalog: &str, out: &str) -> PathBuf {
    let folder = Path::new(catalog).parent().expect("a catalogue inside a folder");
    copy_dir(&root().join(folder), &dir.join(folder));
    let mut args = vec!["generate", "--catalog", catalog, "--out", out];
    // The tricky catalogue tortures names and text, not charts: a release named `null` meets a real chart bug
    // (kube-state-metrics renders its instance label unquoted, so `null` reads as no value and verify says ✗),
    // so it is never proven; it is generated as unproven.
    if catalog.ends_with("tricky.yaml") {
        args.push("--allow-unproven");
    }
    let g = hagen(dir, &args, None);
    assert!(g.status.success(), "{}", text(&g.stderr));
    dir.join(catalog)
}

/// Runs `hagen verify` in `dir` with the helm binary named by `helm_var` and the chart folder `charts`:
/// (success, stdout, stderr).
pub fn verify(dir: &Path, catalog: &str, out: &str, helm_var: &str, charts: &Path) -> (bool, String, String) {
    let o = verify_run(dir, catalog, out, helm_var, charts);
    (o.status.success(), text(&o.stdout), text(&o.stderr))
}

/// Runs `hagen verify` as [`verify`] does, returning the whole run (for [`expect_run`]).
pub fn verify_run(dir: &Path, catalog: &str, out: &str, helm_var: &str, charts: &Path) -> Output {
    let helm = tool(helm_var);
    hagen(
        dir,
        &[
            "verify",
            "--catalog",
            catalog,
            "--out",
            out,
            "--charts",
            charts.to_str().expect("utf-8 path"),
            "--helm",
            helm.to_str().expect("utf-8 path"),
        ],
        None,
    )
}

/// The pinned charts and ../shared/charts-more (traefik 39.0.7, the previous releases of three charts,
/// external-dns) in one folder, for verify's `--charts`.
pub fn all_charts() -> tempfile::TempDir {
    let more = charts().join("../charts-more");
    assert!(
        more.join("traefik-39.0.7.tgz").exists() && more.join("external-dns-1.21.1.tgz").exists(),
        "no ../shared/charts-more beside {}",
        charts().display()
    );
    let dir = tempfile::tempdir().expect("tempdir");
    for d in [charts(), more] {
        for e in std::fs::read_dir(&d).expect("readdir").flatten() {
            if e.path().extension().is_some_and(|x| x == "tgz") {
                std::fs::copy(e.path(), dir.path().join(e.file_name())).expect("copy");
            }
        }
    }
    dir
}

/// Whether this run rewrites the expected files (`HAGEN_BLESS` set) instead of comparing with them.
pub fn blessing() -> bool {
    std::env::var_os("HAGEN_BLESS").is_some()
}

/// Compares `actual` with the expected file at `path` (rewriting the file first when [`blessing`]): `None` when
/// they are equal, else a message naming the file and the first line that differs, with a few lines around it.
pub fn file_differs(path: &Path, actual: &str) -> Option<String> {
    if blessing() {
        std::fs::create_dir_all(path.parent().expect("a file inside a folder")).expect("mkdir");
        std::fs::write(path, actual).expect("write the expected file");
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    (actual != expected).then(|| difference(path, &expected, actual))
}

/// Asserts that `actual` is what the expected file at `path` holds; `HAGEN_BLESS=1` rewrites the file instead.
pub fn expect_file(path: &Path, actual: &str) {
    if let Some(message) = file_differs(path, actual) {
        panic!("{message}");
    }
}

/// What one run of hagen printed and how it ended, as one text for a golden file: stdout; then a line `--- stderr`
/// and stderr, when it wrote any; then `--- exit status N` when N is not 0. Passed through [`normalise`].
pub fn transcript(out: &Output) -> String {
    let mut s = text(&out.stdout);
    let stderr = text(&out.stderr);
    if !stderr.is_empty() {
        s.push_str("--- stderr\n");
        s.push_str(&stderr);
    }
    match out.status.code() {
        Some(0) => {}
        Some(n) => s.push_str(&format!("--- exit status {n}\n")),
        None => s.push_str("--- killed by a signal\n"),
    }
    normalise(&s)
}

/// `text` with what differs from run to run replaced, the one place that does it: a temporary folder of the tests
/// (`tempfile::tempdir()`) reads `$TMP`, hagen's version after `hagen ` reads `$VERSION`, and the helm binary's
/// full version (`helm v4.1.4+g05fa379`, as verify's summary names it) reads `helm $HELM_VERSION`.
pub fn normalise(text: &str) -> String {
    let tmp = std::env::temp_dir();
    let dirs = regex::Regex::new(&format!(
        r"{}/\.tmp[A-Za-z0-9]+",
        regex::escape(tmp.to_str().expect("a UTF-8 temporary folder").trim_end_matches('/'))
    ))
    .expect("a regex");
    let version =
        regex::Regex::new(&format!(r"\b(hagen v?){}\b", regex::escape(env!("CARGO_PKG_VERSION")))).expect("a regex");
    let helm = regex::Regex::new(r"\bhelm v\d+\.\d+\.\d+(\+g[0-9a-f]+)?").expect("a regex");
    let text = dirs.replace_all(text, "$$TMP");
    let text = helm.replace_all(&text, "helm $$HELM_VERSION");
    version.replace_all(&text, "${1}$$VERSION").into_owned()
}

/// Asserts that a run's [`transcript`] is what `tests/fixtures/cli/<name>.txt` holds; `HAGEN_BLESS=1` rewrites it.
/// The one way CLI tests compare what hagen prints.
pub fn expect_run(name: &str, out: &Output) {
    expect_file(&root().join(format!("tests/fixtures/cli/{name}.txt")), &transcript(out));
}

/// Where `actual` leaves `expected` (the file at `path`): up to three equal lines, then four lines from the first
/// that differs, expected ones marked `-`, actual ones `+`.
fn difference(path: &Path, expected: &str, actual: &str) -> String {
    let (e, a): (Vec<&str>, Vec<&str>) = (expected.lines().collect(), actual.lines().collect());
    let first = e
        .iter()
        .zip(&a)
        .position(|(x, y)| x != y)
        .unwrap_or(e.len().min(a.len()));
    let from = first.saturating_sub(3);
    let mut message = format!(
        "output differs from {} at line {} (expected {} lines, got {}; HAGEN_BLESS=1 to accept):\n",
        path.display(),
        first + 1,
        e.len(),
        a.len()
    );
    for l in &a[from..first] {
        message.push_str(&format!("  {l}\n"));
    }
    for (mark, lines) in [('-', &e), ('+', &a)] {
        for l in lines.iter().skip(first).take(4) {
            message.push_str(&format!("{mark} {l}\n"));
        }
    }
    if e.len() == a.len() && first == e.len() {
        message.push_str("(the lines are equal: the files differ in line endings or a final newline)\n");
    }
    message
}

/// The catalogue at `path` as plain data, read with serde_yaml rather than through hagen: what the tests expect
/// is derived from the file itself.
pub fn catalogue(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// How much a catalogue lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub releases: usize,
    pub components: usize,
    /// Releases marked `k3sBundled` (k3s installs them; the GitOps routes leave some of them out).
    pub k3s_bundled: usize,
}

/// The releases and components of the catalogue at `path`, counted from its YAML.
pub fn counts(path: &Path) -> Counts {
    let cat = catalogue(path);
    let releases = cat["releases"].as_array().map(Vec::as_slice).unwrap_or_default();
    Counts {
        releases: releases.len(),
        components: releases
            .iter()
            .map(|r| r["components"].as_array().map_or(0, Vec::len))
            .sum(),
        k3s_bundled: releases.iter().filter(|r| r["k3sBundled"] == true).count(),
    }
}

/// The summary line of a verify that passed every component of the catalogue at `path`.
pub fn all_verified(path: &Path) -> String {
    let Counts {
        releases, components, ..
    } = counts(path);
    let (c, r) = (components, releases);
    let plural = |n: usize, noun: &str| {
        if n == 1 {
            format!("1 {noun}")
        } else {
            format!("{n} {noun}s")
        }
    };
    format!(
        "verify: {} in {}, {c} ✓ / 0 ✗",
        plural(c, "component"),
        plural(r, "release")
    )
}

/// Strings of up to `pieces` pieces made of YAML's indicator characters, digits, letters and the 1.1 words: what a
/// YAML 1.1 reader and a Rust emitter may disagree on.
pub fn tricky_text(pieces: usize) -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let piece = prop_oneof![
        prop::sample::select(vec![
            "on",
            "Off",
            "off",
            "y",
            "N",
            "n",
            "yes",
            "NO",
            "true",
            "null",
            "~",
            "0x",
            "0o",
            "0b",
            "1_0",
            "1e3",
            ".inf",
            ".nan",
            "12:30",
            "2001-12-14",
            "<<",
            "=",
            "{{",
            "}}",
            "- ",
            ": ",
            " #",
            "---",
            "...",
            "\n",
            "\t",
            "\u{85}",
            "\u{2028}",
            "\u{feff}",
            "é",
            "😀",
            "\\",
            "\"",
            "'",
        ])
        .prop_map(String::from),
        prop::char::range(' ', '~').prop_map(String::from),
        any::<char>().prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..pieces).prop_map(|v| v.concat())
}

/// The Kubernetes version objects are validated for.
pub const KUBERNETES_VERSION: &str = "1.35.0";

/// `kubernetes-validate --strict -k 1.35.0 FILE` (PyPI, installed by scripts/install-tools.sh;
/// `$HAGEN_KUBERNETES_VALIDATE`): whether it passed, and what it said. Fails, never skips, when the tool is missing.
pub fn kubernetes_validate(file: &Path) -> (bool, String) {
    let tool = std::env::var_os("HAGEN_KUBERNETES_VALIDATE").unwrap_or_else(|| "kubernetes-validate".into());
    let o = Command::new(&tool)
        .args(["--strict", "--quiet", "-k", KUBERNETES_VERSION])
        .arg(file)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "{} does not run ({e}): `python3 -m pip install kubernetes-validate==1.37.0` (scripts/install-tools.sh) or set HAGEN_KUBERNETES_VALIDATE",
                tool.to_string_lossy()
            )
        });
    let said = format!("{}{}", text(&o.stdout), text(&o.stderr));
    (o.status.success() && !said.contains("ERROR"), said)
}

//! Chart knowledge as data: real chart bumps, a ninth chart brought by the user, and no chart named in Rust.
//! Real charts from ../shared/charts and ../shared/charts-more; the real helm binary.

mod common;
use common::*;
use std::path::{Path, PathBuf};

fn run(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let o = hagen(dir, args, None);
    (o.status.success(), text(&o.stdout), text(&o.stderr))
}

/// cert-manager v1.21.1 → v1.20.3, coredns 1.46.2 → 1.45.2, metrics-server 3.13.1 → 3.12.2: change the version
/// lines, verify (proves and records), generate, verify again: green, without touching hagen.
#[test]
fn three_real_bumps_need_no_rust_change() {
    // The plain-Kubernetes example: CoreDNS is a chart release there (the shipped catalogue keeps k3s's own).
    let ws = plain_workspace();
    let charts = all_charts();
    let cat = ws.path().join("catalog/cluster.yaml");
    let mut text = std::fs::read_to_string(&cat).unwrap();
    struct Case {
        from: &'static str,
        to: &'static str,
    }
    let cases = [
        Case {
            from: "v1.21.1",
            to: "v1.20.3",
        },
        Case {
            from: "1.46.2",
            to: "1.45.2",
        },
        Case {
            from: "3.13.1",
            to: "3.12.2",
        },
    ];
    for c in cases {
        let line = format!("version: {}\n", c.from);
        assert!(text.contains(&line), "{line}");
        text = text.replacen(&line, &format!("version: {}\n", c.to), 1);
    }
    std::fs::write(&cat, text).unwrap();
    let check = || verify(ws.path(), "catalog/cluster.yaml", "out", "HAGEN_HELM", charts.path());
    // No proof of cert-manager v1.20.3 (proven: v1.21.1): generate refuses.
    let out = hagen(ws.path(), &["generate"], None);
    assert!(!out.status.success());
    expect_run("bump-three-generate-unproven", &out);
    // verify proves the three (no ✗) and records them, and fails: out/ is stale until generate runs.
    let out = verify_run(ws.path(), "catalog/cluster.yaml", "out", "HAGEN_HELM", charts.path());
    assert!(!out.status.success(), "out/ is stale until generate runs");
    assert!(
        !common::text(&out.stdout)
            .lines()
            .any(|l| l.trim_start().starts_with('✗'))
    );
    expect_run("bump-three-verify-stale", &out);
    assert!(run(ws.path(), &["generate"]).0);
    let (ok, stdout, err) = check();
    assert!(ok, "{stdout}\n{err}");
    assert!(run(ws.path(), &["generate", "--check"]).0);
    let lock = std::fs::read_to_string(ws.path().join("catalog/hagen.lock")).unwrap();
    assert!(lock.contains("chart: coredns\n  version: 1.45.2"), "{lock}");
}

/// The worked example: a ninth chart described by the user, proven on the real chart, and its bump.
#[test]
fn bring_your_own_chart_example_is_proven_and_bumps() {
    let charts = all_charts();
    let ws = tempfile::tempdir().unwrap();
    let example = ws.path().join("examples/byo-chart");
    copy_dir(&root().join("examples/byo-chart"), &example);
    let (cat, out) = ("examples/byo-chart/cluster.yaml", "examples/byo-chart/out");
    // The committed example is current and proven.
    let (ok, _, err) = run(ws.path(), &["generate", "--catalog", cat, "--out", out, "--check"]);
    assert!(ok, "{err}");
    let check = || verify(ws.path(), cat, out, "HAGEN_HELM", charts.path());
    let run_check = || verify_run(ws.path(), cat, out, "HAGEN_HELM", charts.path());
    let o = run_check();
    assert!(o.status.success());
    assert!(text(&o.stdout).contains(&all_verified(&ws.path().join(cat))));
    expect_run("bump-byo-verify", &o);
    // The committed lock is what verify records.
    expect_file(
        &root().join("examples/byo-chart/hagen.lock"),
        &std::fs::read_to_string(example.join("hagen.lock")).unwrap(),
    );
    // Bump to 1.20.0: refused until proven, then green.
    let file = example.join("cluster.yaml");
    let text = std::fs::read_to_string(&file)
        .unwrap()
        .replacen("version: 1.21.1", "version: 1.20.0", 1);
    std::fs::write(&file, text).unwrap();
    let o = hagen(ws.path(), &["generate", "--catalog", cat, "--out", out], None);
    assert!(!o.status.success());
    expect_run("bump-byo-generate-unproven", &o);
    // verify proves 1.20.0 (and fails: out/ is stale until generate runs).
    expect_run("bump-byo-verify-bumped", &run_check());
    assert!(run(ws.path(), &["generate", "--catalog", cat, "--out", out]).0);
    let (ok, stdout, err) = check();
    assert!(ok, "{stdout}\n{err}");
}

/// A broken user chart file is refused with its path, line and column, and nothing is written.
#[test]
fn a_broken_user_chart_file_names_its_place() {
    let ws = workspace();
    std::fs::create_dir_all(ws.path().join("catalog/charts")).unwrap();
    let text = std::fs::read_to_string(root().join("charts/coredns.yaml"))
        .unwrap()
        .replacen(
            "strategy: {rollingUpdateParams: rollingUpdate}",
            "strategy: {rollingParams: rollingUpdate}",
            1,
        );
    std::fs::write(ws.path().join("catalog/charts/coredns.yaml"), text).unwrap();
    let before = snapshot(&ws.path().join("out"));
    let out = hagen(ws.path(), &["generate"], None);
    assert!(!out.status.success());
    expect_run("bump-broken-chart-file", &out);
    assert_eq!(snapshot(&ws.path().join("out")), before);
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// Chart knowledge lives in charts/*.yaml only: no string literal in hagen's code (tests aside) names a chart or a
/// component of one.
#[test]
fn no_chart_or_component_is_named_in_rust() {
    let mut names: Vec<String> = vec!["external-dns".into()];
    for e in std::fs::read_dir(root().join("charts")).unwrap().flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "yaml") {
            let text = std::fs::read_to_string(&p).unwrap();
            names.push(p.file_stem().unwrap().to_string_lossy().into());
            names.extend(
                text.lines()
                    .filter_map(|l| {
                        l.trim_start()
                            .strip_prefix("- id: ")
                            .or_else(|| l.trim_start().strip_prefix("id: "))
                    })
                    .map(|s| s.trim().to_string()),
            );
        }
    }
    // Component ids that are also everyday Kubernetes words (an ownerReference's `controller` field) are not
    // knowledge by themselves.
    names.retain(|n| !["controller", "webhook"].contains(&n.as_str()));
    assert!(names.len() > 20, "{names:?}");
    let mut files = Vec::new();
    rust_files(&root().join("src"), &mut files);
    files.push(root().join("build.rs"));
    let mut found = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let code = text.split("#[cfg(test)]").next().unwrap_or("");
        for (n, line) in code.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for name in &names {
                if line.contains(&format!("\"{name}\"")) {
                    found.push(format!("{}:{}: \"{name}\"", f.display(), n + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "chart knowledge in Rust:\n{}", found.join("\n"));
}

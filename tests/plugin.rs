//! The Helm plugin in helm-plugin/, with the real Helm 3 and Helm 4 binaries, isolated in temporary Helm homes
//! (no network): one post-renderer command line for both majors, a fresh log per run naming the time and the
//! release, the plugin's own failures logged, and installation from the folder or a packaged tarball.

mod common;
use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn isolated(helm: &Path, home: &Path) -> Command {
    let mut c = Command::new(helm);
    c.env("HELM_DATA_HOME", home.join("data"))
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env_remove("HELM_PLUGINS")
        .env_remove("HAGEN_BIN");
    c
}

fn ok(out: Output, what: &str) -> Output {
    assert!(out.status.success(), "{what}: {}", text(&out.stderr));
    out
}

/// The one command line out/README.md shows, as `helm template` (Helm 3 form: `post-render` first).
fn template(helm: &Path, home: &Path, log: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = isolated(helm, home);
    c.args(["template", "web"])
        .arg(root().join("tests/fixtures/hardcoded"))
        .args(["--post-renderer", "hagen"])
        .args(args.iter().map(|a| format!("--post-renderer-args={a}")))
        .env("HAGEN_ERROR_LOG", log);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

const PATCHES: &str = "tests/fixtures/hardcoded/patches.yaml";

fn patches() -> String {
    root().join(PATCHES).display().to_string()
}

fn missing_target() -> String {
    root()
        .join("tests/fixtures/hardcoded/missing-target.yaml")
        .display()
        .to_string()
}

fn install_from_folder(helm: &Path, home: &Path) {
    ok(
        isolated(helm, home)
            .args(["plugin", "install"])
            .arg(root().join("helm-plugin"))
            .output()
            .unwrap(),
        "plugin install",
    );
}

fn assert_patched(out: &Output) {
    let s = text(&out.stdout);
    assert!(s.contains("replicas: 2") && s.contains("type: Recreate"), "{s}");
}

#[test]
fn helm4_plugin_takes_the_helm3_argument_form_and_logs_each_run_afresh() {
    let helm = tool("HAGEN_HELM");
    let home = tempfile::tempdir().unwrap();
    let log = home.path().join("logs/post-render.log");
    install_from_folder(&helm, home.path());
    let bin = env!("CARGO_BIN_EXE_hagen");

    // A failing run, then a good one: the log shows only the last run, with its time and release.
    let bad = template(
        &helm,
        home.path(),
        &log,
        &["post-render", &missing_target()],
        &[("HAGEN_BIN", bin)],
    );
    assert!(!bad.status.success());
    let first = std::fs::read_to_string(&log).unwrap();
    assert!(first.contains("is not in the rendered manifests"), "{first}");
    let good = ok(
        template(
            &helm,
            home.path(),
            &log,
            &["post-render", &patches()],
            &[("HAGEN_BIN", bin)],
        ),
        "Helm 3 argument form on Helm 4",
    );
    assert_patched(&good);
    let second = std::fs::read_to_string(&log).unwrap();
    let head = second.lines().next().unwrap();
    assert!(
        head.len() > 20 && head.as_bytes()[4] == b'-' && head.contains("T") && head.contains("Z hagen post-render"),
        "starts with a UTC timestamp: {head}"
    );
    assert!(head.contains("release hardcoded"), "{head}");
    assert!(
        !second.contains("not in the rendered manifests"),
        "a stale reason: {second}"
    );
    assert!(second.ends_with("ok\n"), "{second}");

    // The Helm 4-only form (no `post-render`) keeps working.
    assert_patched(&ok(
        template(&helm, home.path(), &log, &[&patches()], &[("HAGEN_BIN", bin)]),
        "Helm 4 form",
    ));
}

#[test]
fn helm4_plugin_logs_its_own_failures() {
    let helm = tool("HAGEN_HELM");
    let home = tempfile::tempdir().unwrap();
    let log = home.path().join("post-render.log");
    install_from_folder(&helm, home.path());

    let missing = template(
        &helm,
        home.path(),
        &log,
        &["post-render", &patches()],
        &[("HAGEN_BIN", "hagen-is-not-installed-here")],
    );
    assert!(!missing.status.success());
    let reason = std::fs::read_to_string(&log).unwrap();
    assert!(
        reason.contains("error: cannot run hagen-is-not-installed-here: not found on PATH"),
        "{reason}"
    );

    let bin = env!("CARGO_BIN_EXE_hagen");
    let no_args = template(&helm, home.path(), &log, &["post-render"], &[("HAGEN_BIN", bin)]);
    assert!(!no_args.status.success());
    let reason = std::fs::read_to_string(&log).unwrap();
    assert!(reason.contains("error: no arguments"), "{reason}");

    let option = template(&helm, home.path(), &log, &["--bogus"], &[("HAGEN_BIN", bin)]);
    assert!(!option.status.success());
    let reason = std::fs::read_to_string(&log).unwrap();
    assert!(reason.contains("not the option --bogus"), "{reason}");
}

#[test]
fn helm4_installs_the_plugin_from_a_packaged_tarball() {
    let helm = tool("HAGEN_HELM");
    let home = tempfile::tempdir().unwrap();
    let dist = home.path().join("dist");
    std::fs::create_dir_all(&dist).unwrap();
    ok(
        isolated(&helm, home.path())
            .args(["plugin", "package", "--sign=false"])
            .arg(root().join("helm-plugin"))
            .arg("-d")
            .arg(&dist)
            .output()
            .unwrap(),
        "plugin package",
    );
    let tgz: PathBuf = dist.join("hagen-0.1.0.tgz");
    assert!(tgz.exists());
    ok(
        isolated(&helm, home.path())
            .args(["plugin", "install", "--verify=false"])
            .arg(&tgz)
            .output()
            .unwrap(),
        "plugin install from the tarball",
    );
    let log = home.path().join("post-render.log");
    assert_patched(&ok(
        template(
            &helm,
            home.path(),
            &log,
            &["post-render", &patches()],
            &[("HAGEN_BIN", env!("CARGO_BIN_EXE_hagen"))],
        ),
        "installed from the tarball",
    ));
}

#[test]
fn helm3_runs_the_same_command_line_with_hagen_on_path() {
    let helm = tool("HAGEN_HELM3");
    let home = tempfile::tempdir().unwrap();
    let bin = home.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    std::os::unix::fs::symlink(env!("CARGO_BIN_EXE_hagen"), bin.join("hagen")).unwrap();
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let log = home.path().join("post-render.log");
    assert_patched(&ok(
        template(
            &helm,
            home.path(),
            &log,
            &["post-render", &patches()],
            &[("PATH", &path)],
        ),
        "Helm 3",
    ));
    // Helm 3 shows hagen's reason itself.
    let bad = template(
        &helm,
        home.path(),
        &log,
        &["post-render", &missing_target()],
        &[("PATH", &path)],
    );
    assert!(!bad.status.success());
    assert!(
        text(&bad.stderr).contains("is not in the rendered manifests"),
        "{}",
        text(&bad.stderr)
    );
}

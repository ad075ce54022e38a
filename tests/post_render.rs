//! `hagen post-render` as Helm runs it: the real helm binary (installed by scripts/install-tools.sh) renders a
//! fixture chart of ours that hardcodes replicas and strategy, and hagen patches the stream.

mod common;
use common::*;
use std::process::Command;

fn helm_template(helm: &std::path::Path, extra: &[&str]) -> std::process::Output {
    let chart = root().join("tests/fixtures/hardcoded");
    let home = tempfile::tempdir().unwrap();
    Command::new(helm)
        .args(["template", "web"])
        .arg(&chart)
        .args(["-n", "apps"])
        .args(extra)
        .env("HELM_DATA_HOME", home.path().join("data"))
        .env("HELM_CONFIG_HOME", home.path().join("config"))
        .env("HELM_CACHE_HOME", home.path().join("cache"))
        .output()
        .expect("helm runs")
}

#[test]
fn helm3_runs_hagen_as_its_post_renderer() {
    let helm = tool("HAGEN_HELM3");
    let patches = root().join("tests/fixtures/hardcoded/patches.yaml");
    let out = helm_template(
        &helm,
        &[
            "--post-renderer",
            env!("CARGO_BIN_EXE_hagen"),
            "--post-renderer-args",
            "post-render",
            "--post-renderer-args",
            patches.to_str().unwrap(),
        ],
    );
    let stdout = text(&out.stdout);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(stdout.contains("replicas: 2"), "{stdout}");
    assert!(
        stdout.contains("type: Recreate") && !stdout.contains("maxSurge"),
        "{stdout}"
    );
    assert!(stdout.contains("kind: Service"), "{stdout}");
}

#[test]
fn a_missing_patch_target_fails_the_helm_render_with_the_reason() {
    let helm = tool("HAGEN_HELM3");
    let patches = root().join("tests/fixtures/hardcoded/missing-target.yaml");
    let out = helm_template(
        &helm,
        &[
            "--post-renderer",
            env!("CARGO_BIN_EXE_hagen"),
            "--post-renderer-args",
            "post-render",
            "--post-renderer-args",
            patches.to_str().unwrap(),
        ],
    );
    assert!(!out.status.success());
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("the patch target Deployment not-rendered (apps/v1) is not in the rendered manifests"),
        "{stderr}"
    );
}

#[test]
fn post_render_of_a_helm4_stream_matches_helm3() {
    let helm = tool("HAGEN_HELM");
    let rendered = helm_template(&helm, &[]);
    assert!(rendered.status.success(), "{}", text(&rendered.stderr));
    let patches = root().join("tests/fixtures/hardcoded/patches.yaml");
    let out = hagen(
        &root(),
        &["post-render", patches.to_str().unwrap()],
        Some(&text(&rendered.stdout)),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("replicas: 2") && stdout.contains("type: Recreate"),
        "{stdout}"
    );
}

#[test]
fn post_render_rejects_what_is_not_a_manifest_stream() {
    let patches = root().join("tests/fixtures/hardcoded/patches.yaml");
    let p = patches.to_str().unwrap();
    let out = hagen(&root(), &["post-render", p], Some("kind: [unclosed\n"));
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).starts_with("hagen post-render: input document 1 is not YAML"),
        "{}",
        text(&out.stderr)
    );
    let out = hagen(&root(), &["post-render", p], Some("- a\n- b\n"));
    assert!(
        text(&out.stderr).contains("input document 1 is not a Kubernetes object"),
        "{}",
        text(&out.stderr)
    );
    let out = hagen(&root(), &["post-render", "no-such-file.yaml"], Some(""));
    assert!(
        text(&out.stderr).starts_with("cannot read no-such-file.yaml"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn post_render_handles_a_large_stream_and_streams_it_back() {
    let patches = root().join("tests/fixtures/hardcoded/patches.yaml");
    let mut stream = String::new();
    for i in 0..20_000 {
        let name = if i == 12_345 {
            "web".to_string()
        } else {
            format!("app-{i}")
        };
        stream.push_str(&format!(
            "---\n# Source: big/templates/d.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: 1\n  template:\n    metadata:\n      labels: {{app: {name}}}\n"
        ));
    }
    assert!(stream.len() > 3_000_000, "{}", stream.len());
    let out = hagen(&root(), &["post-render", patches.to_str().unwrap()], Some(&stream));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_eq!(stdout.matches("---\n").count(), 20_000);
    assert_eq!(stdout.matches("replicas: 2").count(), 1);
    assert!(
        stdout.contains(
            "# Source: big/templates/d.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app-0\n"
        )
    );
}

#[test]
fn post_render_reads_list_kinds_and_multi_document_streams_with_comments() {
    let patches = root().join("tests/fixtures/hardcoded/patches.yaml");
    let list = r#"{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": {"replicas": 1}}]}"#;
    let out = hagen(&root(), &["post-render", patches.to_str().unwrap()], Some(list));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("replicas: 2"));
    let multi = "---\n# Source: a.yaml\n---\n\n--- # comment\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\nspec: {replicas: 1}\n---\n";
    let out = hagen(&root(), &["post-render", patches.to_str().unwrap()], Some(multi));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(text(&out.stdout).matches("---\n").count(), 1);
}

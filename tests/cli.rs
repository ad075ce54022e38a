//! The CLI's conventions: `hagen init` from kubectl's JSON, shell completions, JSON with a schema version, no
//! colour codes in a pipe, help with examples, and what `generate` says it changed.

mod common;
use common::*;

#[test]
fn init_writes_a_catalogue_that_generates_from_kubectl_nodes_and_deployments() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = root().join("tests/fixtures/init/nodes-and-deployments.json");
    let out = hagen(dir.path(), &["init", fixture.to_str().unwrap(), "--name", "lab"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(dir.path().join("catalog/cluster.yaml")).unwrap();
    assert!(written.starts_with("# yaml-language-server: $schema=./cluster.schema.json\n"));
    assert!(dir.path().join("catalog/cluster.schema.json").exists());
    let cat: serde_json::Value = serde_yaml::from_str(&written).unwrap();
    assert_eq!(cat["cluster"]["name"], "lab");
    let nodes: Vec<&str> = cat["cluster"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert_eq!(nodes, ["homelab-02", "homelab-03", "homelab-04"]);
    // The user's own label is kept; the ones Kubernetes and k3s set are not.
    assert_eq!(
        cat["cluster"]["nodes"][2]["labels"],
        serde_json::json!({"node-role": "database"})
    );
    assert!(cat["cluster"]["nodes"][0].get("labels").is_none());
    assert_eq!(cat["defaults"]["avoidNodes"]["labels"]["node-role"], "database");
    // The oldest kubelet's version (v1.33.4+k3s1), quoted so that YAML reads a string.
    assert_eq!(cat["cluster"]["kubernetesVersion"], "1.33");
    assert!(written.contains("kubernetesVersion: \"1.33\""), "{written}");
    // k3s (kubeletVersion …+k3s1): the bundled Deployments found become k3s-bundled releases.
    let releases: Vec<(&str, bool)> = cat["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["name"].as_str().unwrap(), r["k3sBundled"] == true))
        .collect();
    assert_eq!(
        releases,
        [("coredns", true), ("metrics-server", true), ("traefik", true)]
    );
    let g = hagen(dir.path(), &["generate"], None);
    assert!(g.status.success(), "{}", text(&g.stderr));
    assert!(dir.path().join("out/k3s/traefik-helmchartconfig.yaml").exists());

    // Never overwrites: a second run compares, and the same cluster matches.
    let again = hagen(dir.path(), &["init", fixture.to_str().unwrap()], None);
    expect_run("init-again-unchanged", &again);
}

#[test]
fn init_reads_nodes_on_stdin_and_refuses_what_is_not_nodes() {
    let dir = tempfile::tempdir().unwrap();
    let nodes = std::fs::read_to_string(root().join("tests/fixtures/init/nodes.json")).unwrap();
    let out = hagen(dir.path(), &["init", "-", "--catalog", "c/cluster.yaml"], Some(&nodes));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let written = std::fs::read_to_string(dir.path().join("c/cluster.yaml")).unwrap();
    assert!(written.contains("from stdin"));
    // Without Deployments in the input, the components k3s bundles by default.
    for r in ["name: coredns", "name: traefik", "name: metrics-server"] {
        assert!(written.contains(r), "{r}");
    }
    let bad = hagen(
        dir.path(),
        &["init", "-", "--catalog", "d/cluster.yaml"],
        Some("{\"kind\": \"List\", \"items\": []}"),
    );
    expect_run("init-no-nodes", &bad);
    let garbage = hagen(
        dir.path(),
        &["init", "-", "--catalog", "d/cluster.yaml"],
        Some("nodes:\n"),
    );
    expect_run("init-not-json", &garbage);
    assert!(!dir.path().join("d").exists());
}

#[test]
fn completions_for_bash_zsh_and_fish() {
    let dir = tempfile::tempdir().unwrap();
    struct Case {
        shell: &'static str,
        marker: &'static str,
    }
    let cases = [
        Case {
            shell: "bash",
            marker: "complete -F",
        },
        Case {
            shell: "zsh",
            marker: "#compdef hagen",
        },
        Case {
            shell: "fish",
            marker: "complete -c hagen",
        },
    ];
    for c in cases {
        let out = hagen(dir.path(), &["completions", c.shell], None);
        assert!(out.status.success());
        let s = text(&out.stdout);
        // One fact per shell, not the whole script: clap_complete writes thousands of lines that change with it.
        assert!(s.contains(c.marker), "{}: {s}", c.shell);
        assert!(s.contains("generate") && s.contains("post-render"), "{}", c.shell);
    }
}

#[test]
fn completions_survive_a_reader_that_stops_early() {
    let out = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "'{}' completions fish | head -c 10",
            env!("CARGO_BIN_EXE_hagen")
        ))
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(text(&out.stderr), "", "nothing said, no panic");
}

#[test]
fn json_outputs_carry_a_schema_version_and_tables_in_a_pipe_are_plain() {
    let out = hagen(&root(), &["plan", "--output", "json"], None);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_object().unwrap().keys().next().unwrap(), "schemaVersion");
    assert_eq!(v["schemaVersion"], 1);
    let table = hagen(&root(), &["plan"], None);
    // One fact of an output compared whole in tests/plan_audit.rs: no escape code reaches a pipe.
    assert!(!text(&table.stdout).contains('\u{1b}'), "colour codes in a pipe");
}

#[test]
fn help_shows_examples_and_describes_every_flag() {
    let dir = tempfile::tempdir().unwrap();
    expect_run("help", &hagen(dir.path(), &["--help"], None));
    for cmd in [
        "generate",
        "verify",
        "plan",
        "audit",
        "init",
        "diff",
        "completions",
        "post-render",
        "chart scaffold",
    ] {
        let mut args: Vec<&str> = cmd.split(' ').collect();
        args.push("--help");
        let run = hagen(dir.path(), &args, None);
        expect_run(&format!("help-{}", cmd.replace(' ', "-")), &run);
        let help = text(&run.stdout);
        // clap prints an option without a description as the bare flag at the line's end.
        // In long help (a long description), clap puts each description on the line after the flag.
        let lines: Vec<&str> = help.lines().collect();
        for (n, line) in lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.trim_start().starts_with('-'))
        {
            let l = line.trim();
            let next = lines.get(n + 1).map_or("", |x| x.trim());
            let described = l.contains("  ")
                || l.starts_with("-h")
                || l.starts_with("-V")
                || (!next.is_empty() && !next.starts_with('-'));
            assert!(described, "{cmd}: `{l}` has no description");
        }
        assert!(help.contains("\nExamples"), "{cmd} --help has no examples");
    }
}

#[test]
fn generate_says_how_many_files_changed() {
    let ws = workspace();
    // The chart archives named, so that what generate says does not hang on $HAGEN_CHARTS (own values checked).
    let charts = charts();
    let generate = ["generate", "--charts", charts.to_str().unwrap()];
    expect_run("generate-unchanged", &hagen(ws.path(), &generate, None));
    std::fs::write(ws.path().join("out/README.md"), "# Generated by hagen\nstale\n").unwrap();
    expect_run("generate-one-changed", &hagen(ws.path(), &generate, None));
}

/// verify finds the helm 4 that the test command installs into `target/tools/` of the folder it runs in, and says in
/// one line how to provide helm when there is none.
#[test]
fn verify_finds_the_installed_helm_or_says_how_to_get_one() {
    let ws = workspace();
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_hagen"))
            .current_dir(ws.path())
            .args(["verify", "--charts", "/nonexistent"])
            .env_remove("HAGEN_HELM")
            .env("PATH", "/nonexistent")
            .output()
            .unwrap()
    };
    let out = run();
    assert!(!out.status.success());
    assert_eq!(
        text(&out.stderr),
        "helm not found: pass --helm PATH, set HAGEN_HELM, put helm (3 or 4) on PATH, or run scripts/install-tools.sh (it installs helm 4 as target/tools/helm4/helm)\n"
    );
    // A stand-in at the installed place is found: verify goes on to look for the charts.
    let helm = ws.path().join("target/tools/helm4/helm");
    std::fs::create_dir_all(helm.parent().unwrap()).unwrap();
    std::fs::write(&helm, "#!/bin/sh\necho v4.9.9+stand-in\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&helm, std::fs::Permissions::from_mode(0o755)).unwrap();
    expect_run("verify-finds-installed-helm", &run());
}

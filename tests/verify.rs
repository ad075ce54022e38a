//! `hagen verify` on the real pinned charts (../shared/charts or $HAGEN_CHARTS, with ../shared/charts-more for the
//! Traefik chart k3s bundles, which the shipped catalogue configures) with the real helm binaries that
//! scripts/install-tools.sh installs. These tests fail, never skip, when helm or the charts are missing.

mod common;
use common::*;
use std::path::Path;

fn last_line(s: &str) -> &str {
    s.lines().last().unwrap_or("")
}

#[test]
fn shipped_catalogue_verifies_on_the_real_charts_with_helm4_and_helm3() {
    let charts = all_charts();
    for helm in ["HAGEN_HELM", "HAGEN_HELM3"] {
        // In a copy: verify records its proofs in the lock beside the catalogue.
        let ws = workspace();
        let (ok, stdout, stderr) = verify(ws.path(), "catalog/cluster.yaml", "out", helm, charts.path());
        assert!(ok, "{helm}:\n{stdout}\n{stderr}");
        // The committed catalog/hagen.lock is what verify records.
        expect_file(
            &root().join("catalog/hagen.lock"),
            &std::fs::read_to_string(ws.path().join("catalog/hagen.lock")).unwrap(),
        );
        assert!(
            last_line(&stdout).starts_with(&all_verified(&root().join("catalog/cluster.yaml"))),
            "{helm}: {}",
            last_line(&stdout)
        );
        assert!(!stdout.lines().any(|l| l.trim_start().starts_with('✗')), "{stdout}");
        // Kubernetes 1.35 (k3s v1.35.3): the six components at 2 replicas whose strategy a chart controls surge,
        // with the required term scoped to their own revision (and selecting their own pods only). k3s's CoreDNS
        // keeps its manifest's strategy and spread, with hagen's PDB beside it; k3s's Traefik's PDB cannot get the
        // eviction policy (its template writes none, and k3s's HelmChart has no post-renderer).
        assert_rollouts_at_1_35(&stdout, 6, 6);
    }
}

/// At Kubernetes 1.35: `surging` components with RollingUpdate maxSurge 1 / maxUnavailable 0 and a revision-scoped
/// term on their own pods, `always_allow` PDBs with `unhealthyPodEvictionPolicy: AlwaysAllow`, and no maxSurge 0.
fn assert_rollouts_at_1_35(stdout: &str, surging: usize, always_allow: usize) {
    let count = |needle: &str| stdout.matches(needle).count();
    assert_eq!(
        count("rendered: RollingUpdate (maxSurge 1, maxUnavailable 0)"),
        surging,
        "{stdout}"
    );
    assert_eq!(
        count(", matchLabelKeys pod-template-hash (own pods only)"),
        surging,
        "{stdout}"
    );
    assert_eq!(
        count(", unhealthyPodEvictionPolicy AlwaysAllow   ["),
        always_allow,
        "{stdout}"
    );
    assert_eq!(count("maxSurge 0"), 0, "{stdout}");
}

/// The plain-Kubernetes example (every component a chart release) verifies as the shipped catalogue does, and
/// its committed lock is what verify records.
#[test]
fn the_kubernetes_example_verifies_like_the_shipped_one() {
    const PLAIN: &str = "examples/kubernetes/cluster.yaml";
    let ws = tempfile::tempdir().unwrap();
    copy_dir(
        &root().join("examples/kubernetes"),
        &ws.path().join("examples/kubernetes"),
    );
    let (ok, stdout, stderr) = verify(ws.path(), PLAIN, "examples/kubernetes/out", "HAGEN_HELM", &charts());
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        last_line(&stdout).starts_with(&all_verified(&root().join(PLAIN))),
        "{stdout}"
    );
    assert!(!stdout.lines().any(|l| l.trim_start().starts_with('✗')), "{stdout}");
    // Every component a chart release: the seven at 2 replicas whose strategy the chart controls surge.
    assert_rollouts_at_1_35(&stdout, 7, 7);
    expect_file(
        &root().join("examples/kubernetes/hagen.lock"),
        &std::fs::read_to_string(ws.path().join("examples/kubernetes/hagen.lock")).unwrap(),
    );
}

#[test]
fn at_kubernetes_1_30_rollouts_keep_max_surge_0_and_no_match_label_keys() {
    let ws = plain_workspace();
    let file = ws.path().join("catalog/cluster.yaml");
    let text_of = std::fs::read_to_string(&file).unwrap();
    assert!(text_of.contains("kubernetesVersion: \"1.35\""));
    std::fs::write(
        &file,
        text_of.replacen("kubernetesVersion: \"1.35\"", "kubernetesVersion: \"1.30\"", 1),
    )
    .unwrap();
    let g = hagen(ws.path(), &["generate", "--allow-unproven"], None);
    assert!(g.status.success(), "{}", text(&g.stderr));
    for e in std::fs::read_dir(ws.path().join("out")).unwrap().flatten() {
        for f in ["values.yaml", "patches.yaml"] {
            let written = std::fs::read_to_string(e.path().join(f)).unwrap_or_default();
            assert!(!written.contains("matchLabelKeys"), "{}/{f}", e.path().display());
            assert!(!written.contains("maxSurge: 1"), "{}/{f}", e.path().display());
        }
    }
    let (ok, stdout, stderr) = verify(ws.path(), "catalog/cluster.yaml", "out", "HAGEN_HELM", &charts());
    assert!(ok, "{stdout}\n{stderr}");
    let count = |needle: &str| stdout.matches(needle).count();
    assert_eq!(
        count("rendered: RollingUpdate (maxSurge 0, maxUnavailable 1)"),
        7,
        "{stdout}"
    );
    assert_eq!(count("matchLabelKeys"), 0, "{stdout}");
    // The eviction policy is GA since 1.31 and on by default since 1.27: 1.30 keeps it.
    assert_eq!(count(", unhealthyPodEvictionPolicy AlwaysAllow   ["), 7, "{stdout}");
    // metrics-server writes it only from 1.27 (templates/pdb.yaml:16): verify renders for the catalogue's version.
    std::fs::write(
        &file,
        text_of.replacen("kubernetesVersion: \"1.35\"", "kubernetesVersion: \"1.26\"", 1),
    )
    .unwrap();
    let g = hagen(ws.path(), &["generate", "--allow-unproven"], None);
    assert!(g.status.success(), "{}", text(&g.stderr));
    let (ok, stdout, stderr) = verify(ws.path(), "catalog/cluster.yaml", "out", "HAGEN_HELM", &charts());
    assert!(ok, "{stdout}\n{stderr}");
    assert_eq!(stdout.matches("unhealthyPodEvictionPolicy").count(), 0, "{stdout}");
}

#[test]
fn verify_json_output_carries_every_check() {
    let helm = tool("HAGEN_HELM");
    let ws = workspace();
    let charts = all_charts();
    let o = hagen(
        ws.path(),
        &[
            "verify",
            "--charts",
            charts.path().to_str().unwrap(),
            "--helm",
            helm.to_str().unwrap(),
            "--output",
            "json",
        ],
        None,
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let comps: Vec<&serde_json::Value> = v["releases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["components"].as_array().unwrap())
        .collect();
    let catalogue = std::fs::read_to_string(root().join("catalog/cluster.yaml")).unwrap();
    assert_eq!(comps.len(), catalogue.matches("\n      - name: ").count());
    let ksm = comps.iter().find(|c| c["component"] == "kube-state-metrics").unwrap();
    let aa = ksm["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["setting"] == "anti-affinity")
        .unwrap();
    assert_eq!(aa["ok"], true);
    assert!(
        aa["found"]
            .as_str()
            .unwrap()
            .contains("app.kubernetes.io/name=kube-state-metrics")
    );
}

#[test]
fn the_alternatives_catalogue_verifies_too() {
    let ws = workspace();
    for f in ["alternatives.yaml", "hagen.lock"] {
        std::fs::copy(root().join("tests/catalogs").join(f), ws.path().join("catalog").join(f)).unwrap();
    }
    let cat = ws.path().join("catalog/alternatives.yaml");
    let g = hagen(
        ws.path(),
        &["generate", "--catalog", "catalog/alternatives.yaml", "--out", "alt"],
        None,
    );
    assert!(g.status.success(), "{}", text(&g.stderr));
    // Single-instance override: the MetalLB controller's replicas by patch and its PDB as an extra manifest.
    assert!(ws.path().join("alt/metallb/resources.yaml").exists());
    // Among the lines: kube-state-metrics' strategy by patch (a string-only key), Grafana's preferred term, the
    // MetalLB controller's PDB by patch, Longhorn's CSI replica count, longhorn-ui's strategy by patch and its PDB
    // as an extra manifest (the chart renders none).
    let out = verify_run(ws.path(), "catalog/alternatives.yaml", "alt", "HAGEN_HELM", &charts());
    assert!(out.status.success(), "{}\n{}", text(&out.stdout), text(&out.stderr));
    assert!(last_line(&text(&out.stdout)).starts_with(&all_verified(&cat)));
    expect_run("verify-alternatives", &out);
}

/// Copies the built-in knowledge of one chart (`charts/<file>`) beside a fresh copy of the catalogue, with one edit
/// (a user's chart file replaces the built-in one), and returns verify's run: verify generates from it and judges
/// the real chart, so a wrong key path in the knowledge shows as a ✗ (and its note names the replaced knowledge).
fn verify_with_edited_knowledge(ws: &Path, file: &str, from: &str, to: &str) -> std::process::Output {
    let text = std::fs::read_to_string(root().join("charts").join(file)).unwrap();
    assert!(text.contains(from), "{file} has no `{from}`");
    std::fs::create_dir_all(ws.join("catalog/charts")).unwrap();
    std::fs::write(ws.join("catalog/charts").join(file), text.replacen(from, to, 1)).unwrap();
    let charts = all_charts();
    verify_run(ws, "catalog/cluster.yaml", "out", "HAGEN_HELM", charts.path())
}

/// [`verify_with_edited_knowledge`] in a fresh workspace, then generate, which refuses the unproven knowledge: the
/// two runs are compared whole with `tests/fixtures/cli/verify-<name>.txt` and `verify-<name>-generate.txt`.
fn verify_edited(name: &str, file: &str, from: &str, to: &str) -> std::process::Output {
    let ws = workspace();
    let r = verify_with_edited_knowledge(ws.path(), file, from, to);
    expect_run(&format!("verify-{name}"), &r);
    // Nothing proves the edited knowledge: generate refuses it.
    let g = hagen(ws.path(), &["generate"], None);
    assert!(!g.status.success(), "generate accepted unproven knowledge");
    expect_run(&format!("verify-{name}-generate"), &g);
    r
}

#[test]
fn a_misspelt_values_key_is_caught() {
    // metrics-server's replicas ✗ (asked 2, rendered 1), with the hint that `replica` is not in values.yaml.
    let out = verify_edited(
        "misspelt-values-key",
        "metrics-server.yaml",
        "{values: replicas}",
        "{values: replica}",
    );
    assert!(!out.status.success());
}

#[test]
fn kube_state_metrics_strategy_as_an_object_is_caught() {
    // Recreate is kube-state-metrics' one strategy key (a string); the catalogue asks for it, accepting the outage.
    let ws = workspace();
    let cat = ws.path().join("catalog/cluster.yaml");
    let text = std::fs::read_to_string(&cat).unwrap();
    let anchor = "        acknowledge:\n          duplicate-series:";
    assert!(text.contains(anchor));
    let text = text.replacen(
        anchor,
        "        strategy: Recreate\n        acknowledge:\n          recreate-stops-all: a test of the string key\n          duplicate-series:",
        1,
    );
    std::fs::write(&cat, text).unwrap();
    // The knowledge says the chart reads a whole strategy object there: it reads only a type string, so the
    // strategy is ✗ (rendered: invalid type "map[type:Recreate]").
    let out = verify_with_edited_knowledge(
        ws.path(),
        "kube-prometheus-stack.yaml",
        "{typeString: kube-state-metrics.updateStrategy}",
        "{object: kube-state-metrics.updateStrategy}",
    );
    assert!(!out.status.success());
    expect_run("verify-strategy-as-an-object", &out);
}

#[test]
fn a_selector_that_also_matches_a_neighbour_is_caught() {
    // kube-state-metrics' term without its name label selects every pod of the release: Grafana, the operator,
    // the node exporter's DaemonSet…
    let out = verify_edited(
        "selector-matches-a-neighbour",
        "kube-prometheus-stack.yaml",
        "      app.kubernetes.io/name: kube-state-metrics\n",
        "",
    );
    assert!(!out.status.success());
}

#[test]
fn a_patch_whose_target_is_missing_is_caught() {
    // The post-renderer names the patch target Deployment sealed-secrets that the render lacks.
    let out = verify_edited(
        "patch-target-missing",
        "sealed-secrets.yaml",
        "workload: \"{fullname}\"",
        "workload: sealed-secrets",
    );
    assert!(!out.status.success());
}

#[test]
fn missing_charts_say_how_to_provide_them() {
    let empty = tempfile::tempdir().unwrap();
    let out = verify_run(
        &root(),
        "examples/kubernetes/cluster.yaml",
        "examples/kubernetes/out",
        "HAGEN_HELM",
        empty.path(),
    );
    assert!(!out.status.success());
    expect_run("verify-charts-missing", &out);
}

/// A bump where a key moved: generate refuses until verify proves the version; verify shows the ✗ and where the
/// key went; a `changes:` entry in the user's chart knowledge fixes it for both versions. Each run is compared
/// whole with `tests/fixtures/cli/bump-<step>.txt`.
#[test]
fn a_chart_bump_shows_what_no_longer_takes_effect_and_where_it_moved() {
    let fixtures = root().join("tests/fixtures/bump");
    let ws = tempfile::tempdir().unwrap();
    for v in ["3.13.1", "3.99.0"] {
        let f = format!("catalog-{v}.yaml");
        std::fs::copy(fixtures.join(&f), ws.path().join(&f)).unwrap();
    }
    let generate = |v: &str| {
        hagen(
            ws.path(),
            &[
                "generate",
                "--catalog",
                &format!("catalog-{v}.yaml"),
                "--out",
                &format!("out-{v}"),
            ],
            None,
        )
    };
    let check = |v: &str| {
        verify_run(
            ws.path(),
            &format!("catalog-{v}.yaml"),
            &format!("out-{v}"),
            "HAGEN_HELM",
            &fixtures,
        )
    };

    // 3.13.1 is proven by the proofs hagen ships for its built-in knowledge: generate and verify pass (verify
    // records the proof in the lock beside this catalogue too: `proven: metrics-server 3.13.1`).
    assert!(generate("3.13.1").status.success());
    let out = check("3.13.1");
    assert!(out.status.success());
    expect_run("bump-3.13.1-verify", &out);

    // 3.99.0 moved `replicas` to `deployment.replicas`: generate has no proof of it (proven: 3.13.1) and writes
    // nothing; verify shows the replicas ✗ and the hint where the key went, and records no proof.
    let out = generate("3.99.0");
    assert!(!out.status.success());
    expect_run("bump-3.99.0-generate-unproven", &out);
    assert!(!ws.path().join("out-3.99.0").exists(), "nothing is written");
    let out = check("3.99.0");
    assert!(!out.status.success());
    expect_run("bump-3.99.0-verify-moved-key", &out);

    // The fix: the user's knowledge reads the new key, and the old one below 3.99.0.
    let builtin = std::fs::read_to_string(root().join("charts/metrics-server.yaml")).unwrap();
    std::fs::create_dir_all(ws.path().join("charts")).unwrap();
    std::fs::write(
        ws.path().join("charts/metrics-server.yaml"),
        builtin
            .replacen("{values: replicas}", "{values: deployment.replicas}", 1)
            .replacen(
                "changes:\n",
                "changes:\n  - before: \"3.99.0\"\n    component: metrics-server\n    replicas: {values: replicas}\n",
                1,
            ),
    )
    .unwrap();
    // A knowledge change invalidates the proof (made with other chart knowledge).
    let out = generate("3.13.1");
    assert!(!out.status.success());
    expect_run("bump-3.13.1-generate-other-knowledge", &out);
    for v in ["3.99.0", "3.13.1"] {
        let out = check(v);
        expect_run(&format!("bump-{v}-verify-fixed"), &out);
        assert!(generate(v).status.success(), "{v}");
        let out = check(v);
        assert!(
            out.status.success(),
            "{v}: {}\n{}",
            text(&out.stdout),
            text(&out.stderr)
        );
    }
}

#[test]
fn a_missing_prometheus_rule_fails_verify() {
    // A release-level check (the alert rules) that is ✗ makes verify exit non-zero like any component check:
    // `1 release check failed`.
    let out = verify_edited(
        "prometheus-rule-missing",
        "kube-prometheus-stack.yaml",
        "alertRules: additionalPrometheusRulesMap",
        "alertRules: notReadByTheChart",
    );
    assert!(!out.status.success(), "{}", text(&out.stdout));
}

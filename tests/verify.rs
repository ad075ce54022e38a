//! `hagen verify` on the real pinned charts (../shared/charts or $HAGEN_CHARTS) with the real helm binaries that
//! scripts/install-tools.sh installs. These tests fail, never skip, when helm or the charts are missing.

mod common;
use common::*;
use std::path::Path;

fn verify(dir: &Path, catalog: &str, out: &str, helm_var: &str, charts: &Path) -> (bool, String, String) {
    let helm = tool(helm_var);
    let o = hagen(
        dir,
        &[
            "verify",
            "--catalog",
            catalog,
            "--out",
            out,
            "--charts",
            charts.to_str().unwrap(),
            "--helm",
            helm.to_str().unwrap(),
        ],
        None,
    );
    (o.status.success(), text(&o.stdout), text(&o.stderr))
}

/// The summary line of a verify that passed every component of the catalogue at `catalog` (counted from the file).
fn all_passed(catalog: &Path) -> String {
    let text = std::fs::read_to_string(catalog).unwrap();
    let components = text.matches("\n      - name: ").count();
    let releases = text.matches("\n  - name: ").count();
    format!("verify: {components} components in {releases} releases, {components} ✓ / 0 ✗")
}

fn last_line(s: &str) -> &str {
    s.lines().last().unwrap_or("")
}

#[test]
fn shipped_catalogue_verifies_on_the_real_charts_with_helm4_and_helm3() {
    for helm in ["HAGEN_HELM", "HAGEN_HELM3"] {
        let (ok, stdout, stderr) = verify(&root(), "catalog/cluster.yaml", "out", helm, &charts());
        assert!(ok, "{helm}:\n{stdout}\n{stderr}");
        assert!(
            last_line(&stdout).starts_with(&all_passed(&root().join("catalog/cluster.yaml"))),
            "{helm}: {}",
            last_line(&stdout)
        );
        assert!(!stdout.lines().any(|l| l.trim_start().starts_with('✗')), "{stdout}");
    }
}

#[test]
fn verify_json_output_carries_every_check() {
    let helm = tool("HAGEN_HELM");
    let o = hagen(
        &root(),
        &[
            "verify",
            "--charts",
            charts().to_str().unwrap(),
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
    let cat = generate_into(ws.path(), "tests/catalogs/alternatives.yaml", "alt");
    // Single-instance override: the MetalLB controller's replicas by patch and its PDB as an extra manifest.
    assert!(ws.path().join("alt/metallb/resources.yaml").exists());
    let (ok, stdout, stderr) = verify(ws.path(), cat.to_str().unwrap(), "alt", "HAGEN_HELM", &charts());
    assert!(ok, "{stdout}\n{stderr}");
    assert!(last_line(&stdout).starts_with(&all_passed(&cat)), "{stdout}");
    for expected in [
        "rendered: RollingUpdate (maxSurge 0, maxUnavailable 1)   [patch]", // kube-state-metrics: string-only key
        "rendered: preferred on hostname, app.kubernetes.io/instance=kube-prometheus-stack,app.kubernetes.io/name=grafana (own pods only)",
        "rendered: metallb-controller: maxUnavailable 1   [patch]",
        "CSI_PROVISIONER_REPLICA_COUNT=3",
        // longhorn-ui: its strategy by patch and its PDB as an extra manifest (the chart renders none).
        "rendered: longhorn-ui: maxUnavailable 1   [patch]",
        "rendered: required on hostname, app=longhorn-ui (own pods only)",
    ] {
        assert!(stdout.contains(expected), "missing `{expected}` in\n{stdout}");
    }
}

/// Edits one generated file of a fresh copy of out/ and returns verify's result on it.
fn verify_edited(file: &str, from: &str, to: &str) -> (bool, String, String) {
    let ws = workspace();
    let path = ws.path().join("out").join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains(from), "{file} has no `{from}`");
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    verify(ws.path(), "catalog/cluster.yaml", "out", "HAGEN_HELM", &charts())
}

#[test]
fn a_misspelt_values_key_is_caught() {
    let (ok, stdout, _) = verify_edited("metrics-server/values.yaml", "replicas: 2", "replica: 2");
    assert!(!ok);
    assert!(
        stdout.contains("  metrics-server (Deployment metrics-server)\n    ✗ replicas      asked: 2\n                    rendered: 1"),
        "{stdout}"
    );
    assert!(
        stdout.contains("hint: `replica` is not in the chart's values.yaml"),
        "{stdout}"
    );
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
    assert!(hagen(ws.path(), &["generate"], None).status.success());
    let values = ws.path().join("out/kube-prometheus-stack/values.yaml");
    let text = std::fs::read_to_string(&values).unwrap();
    assert!(text.contains("  updateStrategy: Recreate"), "{text}");
    std::fs::write(
        &values,
        text.replacen("  updateStrategy: Recreate", "  updateStrategy:\n    type: Recreate", 1),
    )
    .unwrap();
    let (ok, stdout, _) = verify(ws.path(), "catalog/cluster.yaml", "out", "HAGEN_HELM", &charts());
    assert!(!ok);
    assert!(
        stdout.contains(
            "✗ strategy      asked: Recreate\n                    rendered: invalid type \"map[type:Recreate]\""
        ),
        "{stdout}"
    );
}

#[test]
fn a_selector_that_also_matches_a_neighbour_is_caught() {
    // kube-state-metrics' term without its name label selects every pod of the release: Grafana, the operator…
    let (ok, stdout, _) = verify_edited(
        "kube-prometheus-stack/values.yaml",
        "            app.kubernetes.io/name: kube-state-metrics\n",
        "",
    );
    assert!(!ok);
    let line = stdout
        .lines()
        .skip_while(|l| !l.contains("kube-state-metrics (Deployment"))
        .find(|l| l.contains("rendered: selector"))
        .unwrap_or("");
    assert!(
        line.contains("selector app.kubernetes.io/instance=kube-prometheus-stack also matches"),
        "{stdout}"
    );
    assert!(line.contains("Deployment/kube-prometheus-stack-grafana"), "{line}");
    assert!(
        line.contains("DaemonSet/kube-prometheus-stack-prometheus-node-exporter"),
        "{line}"
    );
}

#[test]
fn a_patch_whose_target_is_missing_is_caught() {
    let (ok, _, stderr) = verify_edited(
        "sealed-secrets-controller/patches.yaml",
        "name: sealed-secrets-controller",
        "name: sealed-secrets",
    );
    assert!(!ok);
    assert!(
        stderr.contains("release sealed-secrets-controller: hagen post-render: the patch target Deployment sealed-secrets (apps/v1) is not in the rendered manifests"),
        "{stderr}"
    );
}

#[test]
fn missing_charts_say_how_to_provide_them() {
    let empty = tempfile::tempdir().unwrap();
    let (ok, _, stderr) = verify(&root(), "catalog/cluster.yaml", "out", "HAGEN_HELM", empty.path());
    assert!(!ok);
    assert!(
        stderr.contains("chart coredns 1.46.2 not found: looked for coredns-1.46.2.tgz in"),
        "{stderr}"
    );
    assert!(
        stderr.contains("point --charts / HAGEN_CHARTS at a folder that has it"),
        "{stderr}"
    );
}

#[test]
fn a_chart_bump_shows_what_no_longer_takes_effect_and_where_it_moved() {
    let fixtures = root().join("tests/fixtures/bump");
    let ws = tempfile::tempdir().unwrap();
    for (version, proven) in [("3.13.1", true), ("3.99.0", false)] {
        let cat = fixtures.join(format!("catalog-{version}.yaml"));
        let cat = cat.to_str().unwrap();
        let out = format!("out-{version}");
        let g = hagen(ws.path(), &["generate", "--catalog", cat, "--out", &out], None);
        assert_eq!(g.status.success(), proven, "{}", text(&g.stderr));
        if !proven {
            assert!(text(&g.stderr).contains(
                "chart metrics-server version 3.99.0 is not one hagen's chart knowledge was proven on (3.13.1)"
            ));
            assert!(!ws.path().join(&out).exists(), "nothing is written");
            let g = hagen(
                ws.path(),
                &["generate", "--catalog", cat, "--out", &out, "--allow-unproven"],
                None,
            );
            assert!(g.status.success(), "{}", text(&g.stderr));
        }
        let (ok, stdout, _) = verify(ws.path(), cat, &out, "HAGEN_HELM", &fixtures);
        assert_eq!(ok, proven, "{stdout}");
        if !proven {
            assert!(
                stdout.contains("✗ replicas      asked: 2\n                    rendered: 1   [values]"),
                "{stdout}"
            );
            assert!(
                stdout.contains(
                    "hint: `replicas` is not in the chart's values.yaml; it now appears as `deployment.replicas`"
                ),
                "{stdout}"
            );
        }
    }
}

#[test]
fn a_missing_prometheus_rule_fails_verify() {
    // A release-level check (the alert rules) that is ✗ makes verify exit non-zero like any component check.
    let (ok, stdout, stderr) = verify_edited(
        "kube-prometheus-stack/values.yaml",
        "additionalPrometheusRulesMap:",
        "notReadByTheChart:",
    );
    assert!(!ok, "{stdout}");
    assert!(stdout.contains("  ✗ "), "{stdout}");
    assert!(last_line(&stdout).contains("release check(s) failed"), "{stdout}");
    assert!(stderr.contains("hagen verify:"), "{stderr}");
}

//! Bringing a chart hagen has never described: `hagen chart scaffold` on a fixture chart of hagen's own
//! (tests/fixtures/beacon: a controller whose `--leader-elect` follows `leaderElect`, off by default, and a webhook
//! under `webhook.`), then verify and generate with the file it wrote. The real helm binary; no network.

mod common;
use common::*;
use std::path::{Path, PathBuf};

fn run(dir: &Path, args: &[&str]) -> (bool, String, String) {
    let o = hagen(dir, args, None);
    (o.status.success(), text(&o.stdout), text(&o.stderr))
}

/// The expected outputs of this file's tests.
fn expected(name: &str) -> PathBuf {
    root().join("tests/fixtures/scaffold").join(name)
}

/// A catalogue of three nodes with one release of the fixture chart at 2 replicas per component, and `own` as the
/// release's inline values.
fn catalogue(own: &str) -> String {
    format!(
        "cluster:\n  name: lab\n  nodes:\n    - name: n1\n    - name: n2\n    - name: n3\ndefaults:\n  replicas: 2\n  antiAffinity: required\n  pdb:\n    maxUnavailable: 1\nalerts:\n  enabled: false\nreleases:\n  - name: beacon\n    chart: beacon\n    repository: https://example.com/charts\n    version: 0.1.0\n    namespace: beacon\n{own}    components:\n      - name: controller\n        tier: 2\n        purpose: Reconciles the beacons.\n        impact: Changes wait.\n      - name: webhook\n        tier: 2\n        purpose: Admits beacons.\n        impact: Beacons cannot be changed.\n"
    )
}

const LEADER_ON: &str = "    values: {leaderElect: true}\n";

/// A workspace with the fixture chart as `charts/beacon-0.1.0` (what verify's `--charts` finds), the scaffold's
/// file as `catalog/charts/beacon.yaml` and a catalogue with `own` values.
fn workspace_with_scaffold(own: &str) -> (tempfile::TempDir, String) {
    let ws = tempfile::tempdir().unwrap();
    copy_dir(
        &root().join("tests/fixtures/beacon"),
        &ws.path().join("charts/beacon-0.1.0"),
    );
    let helm = tool("HAGEN_HELM");
    let (ok, stdout, stderr) = run(
        ws.path(),
        &[
            "chart",
            "scaffold",
            "charts/beacon-0.1.0",
            "--repository",
            "https://example.com/charts",
            "--helm",
            helm.to_str().unwrap(),
        ],
    );
    assert!(ok, "{stderr}");
    std::fs::create_dir_all(ws.path().join("catalog/charts")).unwrap();
    std::fs::write(ws.path().join("catalog/charts/beacon.yaml"), &stdout).unwrap();
    std::fs::write(ws.path().join("catalog/cluster.yaml"), catalogue(own)).unwrap();
    (ws, stdout)
}

/// verify's output without the helm version its last line names (the snapshots hold for any helm).
fn verify_beacon(ws: &Path, extra: &[&str]) -> (bool, String, String) {
    let (ok, stdout, stderr) = verify_beacon_raw(ws, extra);
    let stdout = match stdout.rsplit_once(" with helm ") {
        Some((head, _)) => format!("{head} with helm …\n"),
        None => stdout,
    };
    (ok, stdout, stderr)
}

fn verify_beacon_raw(ws: &Path, extra: &[&str]) -> (bool, String, String) {
    let helm = tool("HAGEN_HELM");
    let mut args = vec!["verify", "--charts", "charts", "--helm", helm.to_str().unwrap()];
    args.extend(extra);
    run(ws, &args)
}

#[test]
fn the_scaffold_describes_an_unknown_chart_and_passes_the_schema() {
    let (ws, file) = workspace_with_scaffold(LEADER_ON);
    expect_file(&expected("beacon.yaml"), &file);
    // What `hagen schema --chart` prints accepts it.
    let (ok, schema, _) = run(ws.path(), &["schema", "--chart"]);
    assert!(ok);
    let schema: serde_json::Value = serde_json::from_str(&schema).unwrap();
    let doc: serde_json::Value = serde_yaml::from_str(&file).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    // It says what it guessed and what it could not find.
    assert!(file.contains("# Guessed:\n") && file.contains("# TODO:\n"), "{file}");
}

/// The whole workflow: verify (no out/ yet: one line), generate, verify ✓ with an HA render; the same release with
/// leader election off fails verify naming it, with no hint on a key the templates read.
#[test]
fn a_scaffolded_chart_is_proven_and_unsafe_leader_election_fails() {
    let (ws, _) = workspace_with_scaffold(LEADER_ON);
    let (ok, stdout, stderr) = verify_beacon(ws.path(), &[]);
    assert!(!ok, "out/ is missing");
    expect_file(&expected("verify-missing-out.stdout"), &stdout);
    expect_file(&expected("verify-missing-out.stderr"), &stderr);
    assert!(stderr.lines().count() <= 4, "{stderr}");

    let (ok, _, stderr) = run(ws.path(), &["generate"]);
    assert!(ok, "{stderr}");
    let (ok, stdout, stderr) = verify_beacon(ws.path(), &[]);
    assert!(ok, "{stdout}\n{stderr}");
    expect_file(&expected("verify-ok.stdout"), &stdout);

    // The HA render, as Helm and the post-renderer give it to the cluster.
    let helm = tool("HAGEN_HELM");
    let rendered = std::process::Command::new(&helm)
        .current_dir(ws.path())
        .args([
            "template",
            "beacon",
            "charts/beacon-0.1.0",
            "-n",
            "beacon",
            "-f",
            "out/beacon/own-values.yaml",
            "-f",
            "out/beacon/values.yaml",
        ])
        .output()
        .unwrap();
    assert!(rendered.status.success());
    let ha = run_post_render(ws.path(), &text(&rendered.stdout));
    for want in [
        "--leader-elect=true",
        "requiredDuringSchedulingIgnoredDuringExecution",
        "kind: PodDisruptionBudget",
        "maxSurge: 0",
    ] {
        assert!(ha.contains(want), "{want} missing in\n{ha}");
    }
    assert_eq!(ha.matches("replicas: 2").count(), 2, "{ha}");

    // Leader election off: verify fails, naming the component, the flag (✗ requirement --leader-elect=true) and how
    // to set it (`leaderElect: true` in the release's values). The PDB's maxUnavailable is commented out in
    // values.yaml, but the templates read it: no hint names podDisruptionBudget.
    std::fs::write(ws.path().join("catalog/cluster.yaml"), catalogue("")).unwrap();
    let (ok, stdout, stderr) = verify_beacon(ws.path(), &[]);
    assert!(!ok);
    expect_file(&expected("verify-leader-off.stdout"), &stdout);
    expect_file(&expected("verify-leader-off.stderr"), &normalise(&stderr));
}

/// Helm 4 runs hagen as a plugin; here the post-renderer is hagen itself on the rendered stream.
fn run_post_render(ws: &Path, stream: &str) -> String {
    let o = hagen(ws, &["post-render", "out/beacon"], Some(stream));
    assert!(o.status.success(), "{}", text(&o.stderr));
    text(&o.stdout)
}

/// A stale out/: which files differ, in a few lines; the full diff with `--diff`.
#[test]
fn a_stale_out_is_summed_up_and_diffed_on_request() {
    let (ws, _) = workspace_with_scaffold(LEADER_ON);
    verify_beacon(ws.path(), &[]);
    assert!(run(ws.path(), &["generate"]).0);
    let cat = ws.path().join("catalog/cluster.yaml");
    let text = std::fs::read_to_string(&cat).unwrap();
    std::fs::write(
        &cat,
        text.replace(
            LEADER_ON,
            "    values: {leaderElect: true, podAnnotations: {team: dns}}\n",
        ),
    )
    .unwrap();
    let (ok, _, stderr) = verify_beacon(ws.path(), &[]);
    assert!(!ok);
    // Which files differ, no diff hunks.
    expect_file(&expected("verify-stale.stderr"), &stderr);
    let (ok, _, stderr) = verify_beacon(ws.path(), &["--diff"]);
    assert!(!ok);
    // The full difference: `+podAnnotations:`.
    expect_file(&expected("verify-stale-diff.stderr"), &normalise(&stderr));
}

/// A wrong workload name: the ✗ lists the Deployments the render has, and the chart's PDB is not a second ✗.
#[test]
fn a_missing_workload_lists_what_was_rendered() {
    let (ws, file) = workspace_with_scaffold(LEADER_ON);
    std::fs::write(
        ws.path().join("catalog/charts/beacon.yaml"),
        file.replacen("workload: \"{fullname}\"", "workload: \"{fullname}-controller\"", 1),
    )
    .unwrap();
    let (ok, stdout, _) = verify_beacon(ws.path(), &[]);
    assert!(!ok);
    // rendered: not found; rendered in beacon: Deployment beacon, beacon-webhook
    expect_file(&expected("verify-missing-workload.stdout"), &stdout);
    let crosses = stdout.lines().filter(|l| l.trim_start().starts_with('✗')).count();
    assert_eq!(crosses, 1, "{stdout}");
}

/// On the charts hagen describes by hand, the scaffold finds the same values keys for every setting the built-in
/// file delivers through a values key (and the same workload patterns): what it guesses is what people found.
#[test]
fn the_scaffold_agrees_with_the_built_in_knowledge() {
    let helm = tool("HAGEN_HELM");
    let mut compared = 0;
    for e in std::fs::read_dir(root().join("charts")).unwrap().flatten() {
        let path = e.path();
        if path.extension().is_none_or(|x| x != "yaml") {
            continue;
        }
        let built_in: serde_json::Value = serde_yaml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let archive = charts().join(format!(
            "{}-{}.tgz",
            built_in["name"].as_str().unwrap(),
            built_in["version"].as_str().unwrap()
        ));
        let (ok, file, stderr) = run(
            &root(),
            &[
                "chart",
                "scaffold",
                archive.to_str().unwrap(),
                "--helm",
                helm.to_str().unwrap(),
            ],
        );
        assert!(ok, "{}: {stderr}", archive.display());
        let scaffold: serde_json::Value = serde_yaml::from_str(&file).unwrap();
        for c in built_in["components"].as_array().unwrap() {
            let Some(s) = scaffold["components"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["workload"] == c["workload"])
            else {
                // Created at runtime (Longhorn's CSI sidecars): not in any render.
                assert!(
                    c["replicas"].get("runtime").is_some(),
                    "{}: no component for {}",
                    path.display(),
                    c["workload"]
                );
                continue;
            };
            for setting in ["replicas", "affinity", "tolerations"] {
                if c[setting].get("values").is_some() {
                    assert_eq!(s[setting], c[setting], "{} {} {setting}", path.display(), c["id"]);
                    compared += 1;
                }
            }
            if c["strategy"].get("object").is_some() || c["strategy"].get("rollingUpdateParams").is_some() {
                assert_eq!(s["strategy"], c["strategy"], "{} {} strategy", path.display(), c["id"]);
                compared += 1;
            }
            if let Some(key) = c["pdb"].pointer("/values/key") {
                assert_eq!(
                    s["pdb"].pointer("/values/key"),
                    Some(key),
                    "{} {} pdb",
                    path.display(),
                    c["id"]
                );
                compared += 1;
            }
        }
    }
    assert!(compared > 30, "{compared}");
}

/// Hints name keys the chart neither has nor reads, never one its templates read: the controller's PDB
/// `maxUnavailable` is only commented out in values.yaml (and read), the webhook has no PDB block at all.
#[test]
fn hints_name_only_keys_the_templates_do_not_read() {
    let (ws, file) = workspace_with_scaffold(LEADER_ON);
    let webhook_pdb = "  pdb: manifest\n";
    assert!(file.contains(webhook_pdb), "{file}");
    std::fs::write(
        ws.path().join("catalog/charts/beacon.yaml"),
        file.replacen(
            webhook_pdb,
            "  pdb:\n    values:\n      key: webhook.podDisruptionBudget\n      with:\n        enabled: true\n      unhealthyPodEvictionPolicy: {values: unhealthyPodEvictionPolicy}\n",
            1,
        ),
    )
    .unwrap();
    let (ok, stdout, _) = verify_beacon(ws.path(), &[]);
    assert!(!ok);
    let hints: Vec<&str> = stdout.lines().filter(|l| l.trim_start().starts_with("hint:")).collect();
    assert_eq!(
        hints,
        [
            "  hint: `webhook.podDisruptionBudget` is not in the chart's values.yaml; it now appears as `podDisruptionBudget`"
        ],
        "{stdout}"
    );
}

/// A requirement on a chart value is judged on the values as Helm merges them: the chart's default (`false`), the
/// release's own values, hagen's overlay.
#[test]
fn a_value_requirement_reads_the_merged_values() {
    struct Case {
        /// The expected output: `tests/fixtures/scaffold/verify-value-requirement-<name>.stdout`.
        name: &'static str,
        own: &'static str,
    }
    let cases = [
        // ✓ requirement, rendered: leaderElect = true   [chart]
        Case {
            name: "on",
            own: LEADER_ON,
        },
        // ✗ requirement, rendered: leaderElect = false; to set it: `leaderElect: true` in the release's values
        Case { name: "off", own: "" },
    ];
    for c in cases {
        let (ws, file) = workspace_with_scaffold(c.own);
        let arg = "    check:\n      arg:\n        flag: \"--leader-elect\"\n        equals: \"true\"\n";
        assert!(file.contains(arg), "{file}");
        std::fs::write(
            ws.path().join("catalog/charts/beacon.yaml"),
            file.replacen(
                arg,
                "    check:\n      value:\n        key: leaderElect\n        equals: true\n",
                1,
            ),
        )
        .unwrap();
        let (_, stdout, _) = verify_beacon(ws.path(), &[]);
        expect_file(
            &expected(&format!("verify-value-requirement-{}.stdout", c.name)),
            &stdout,
        );
    }
}

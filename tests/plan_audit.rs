//! `hagen plan` (catalogue alone) and `hagen audit` (live dumps written as fixtures under tests/fixtures/audit/).
//! Expected outputs sit beside the inputs; `HAGEN_BLESS=1` rewrites them.

mod common;
use common::*;

#[test]
fn plan_of_the_shipped_catalogue() {
    let out = hagen(&root(), &["plan"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    expect_file(&root().join("tests/fixtures/plan/shipped.txt"), &text(&out.stdout));
    let wide = hagen(&root(), &["plan", "-o", "wide"], None);
    assert!(wide.status.success(), "{}", text(&wide.stderr));
    expect_file(
        &root().join("tests/fixtures/plan/shipped-wide.txt"),
        &text(&wide.stdout),
    );
    let json = hagen(&root(), &["plan", "--output", "json"], None);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(
        v["components"].as_array().unwrap().len(),
        counts(&root().join("catalog/cluster.yaml")).components
    );
    let coredns = v["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["component"] == "coredns")
        .unwrap();
    assert_eq!(coredns["node_failure"], "full");
    assert_eq!(coredns["placeable"], true);
}

/// The columns of `hagen plan -o wide`, in order.
const WIDE_COLUMNS: [&str; 12] = [
    "TIER",
    "COMPONENT",
    "REPLICAS",
    "ANTI-AFFINITY",
    "STRATEGY",
    "PDB",
    "ELIGIBLE",
    "PLACEABLE",
    "DURING ROLLOUT",
    "ONE NODE FAILS",
    "ROLLOUT ONE NODE DOWN",
    "DRAIN",
];

/// Issue 24: every line of the default report fits 100 columns (table and notes), for the shipped catalogue and the
/// plain-Kubernetes example; `-o wide` has every column, each cell as JSON words it.
#[test]
fn plan_fits_100_columns_and_wide_has_every_column() {
    for catalog in ["catalog/cluster.yaml", "examples/kubernetes/cluster.yaml"] {
        let out = hagen(&root(), &["plan", "--catalog", catalog], None);
        assert!(out.status.success(), "{catalog}: {}", text(&out.stderr));
        let stdout = text(&out.stdout);
        for (n, line) in stdout.lines().enumerate() {
            let width = line.chars().count();
            assert!(width <= 100, "{catalog}: line {} is {width} columns:\n{line}", n + 1);
        }
        let wide = text(&hagen(&root(), &["plan", "--catalog", catalog, "-o", "wide"], None).stdout);
        let mut rows = wide.lines();
        let header: Vec<&str> = rows
            .next()
            .unwrap()
            .split("  ")
            .filter(|c| !c.is_empty())
            .map(str::trim)
            .collect();
        assert_eq!(header, WIDE_COLUMNS, "{catalog}");
        let json = hagen(&root(), &["plan", "--catalog", catalog, "--output", "json"], None);
        let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        for (c, row) in v["components"].as_array().unwrap().iter().zip(rows) {
            for field in [
                "anti_affinity",
                "strategy",
                "serving_during_rollout",
                "node_failure_text",
                "rollout_one_down",
                "drain",
            ] {
                let cell = c[field].as_str().unwrap();
                assert!(
                    row.contains(cell),
                    "{catalog}: {field} `{cell}` not in the wide row:\n{row}"
                );
            }
        }
        // The commands the default report shortens are whole in -o wide.
        assert!(!stdout.contains("kubectl delete pod"), "{catalog}");
        assert!(wide.contains("\n    kubectl delete pod -n "), "{catalog}");
    }
}

/// A catalogue of one CoreDNS release at `replicas` with required anti-affinity, on nodes n1…n`nodes`.
fn coredns_on(nodes: usize, replicas: u32) -> String {
    let nodes: Vec<String> = (1..=nodes).map(|n| format!("{{name: n{n}}}")).collect();
    format!(
        r#"cluster: {{name: lab, nodes: [{}]}}
defaults: {{replicas: {replicas}, antiAffinity: required, strategy: RollingUpdate, pdb: {{maxUnavailable: 1}}}}
releases:
  - name: coredns
    chart: coredns
    repository: https://coredns.github.io/helm
    version: 1.46.2
    namespace: kube-system
    components: [{{name: coredns, tier: 1, purpose: DNS., impact: No DNS.}}]
"#,
        nodes.join(", ")
    )
}

/// Issue 24: a component whose required anti-affinity the eligible nodes cannot satisfy (4 replicas, 3 nodes) is not
/// refused by plan: the whole report, PLACEABLE NO, exit 1. `hagen generate` still refuses the catalogue.
#[test]
fn plan_of_an_unplaceable_catalogue_shows_the_table_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.yaml"), coredns_on(3, 4)).unwrap();
    expect_run(
        "plan-unplaceable",
        &hagen(dir.path(), &["plan", "--catalog", "c.yaml"], None),
    );
    let json = hagen(dir.path(), &["plan", "--catalog", "c.yaml", "--output", "json"], None);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["components"][0]["placeable"], false);
    assert_eq!(json.status.code(), Some(1));
    expect_run(
        "generate-unplaceable",
        &hagen(dir.path(), &["generate", "--catalog", "c.yaml"], None),
    );
}

#[test]
fn plan_fails_when_a_component_cannot_survive_one_node_failure() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("c.yaml"), coredns_on(2, 2)).unwrap();
    // 2 replicas on 2 nodes: reduced but alive after one failure; a rollout with one node down stalls (-o wide).
    expect_run(
        "plan-reduced-wide",
        &hagen(dir.path(), &["plan", "--catalog", "c.yaml", "-o", "wide"], None),
    );
    // One node, one replica: down until the node returns.
    std::fs::write(dir.path().join("c.yaml"), coredns_on(1, 1)).unwrap();
    expect_run("plan-down", &hagen(dir.path(), &["plan", "--catalog", "c.yaml"], None));
}

#[test]
fn audit_fixtures() {
    let dir = root().join("tests/fixtures/audit");
    struct Case {
        file: &'static str,
        healthy: bool,
    }
    let cases = [
        Case {
            file: "healthy.json",
            healthy: true,
        },
        Case {
            file: "node-down.yaml",
            healthy: false,
        },
        // 5/1/5 pods is below the catalogue's 25 pods per node: advice, exit 0.
        Case {
            file: "node-recovered-uneven.yaml",
            healthy: true,
        },
        Case {
            file: "selector-matches-nothing.yaml",
            healthy: false,
        },
        Case {
            file: "selector-matches-neighbour.yaml",
            healthy: false,
        },
        Case {
            file: "pdb-allows-zero.yaml",
            healthy: false,
        },
        Case {
            file: "overlay-dropped-by-upgrade.yaml",
            healthy: false,
        },
    ];
    for c in cases {
        let input = std::fs::read_to_string(dir.join(c.file)).unwrap();
        // Both ways in: a file argument and stdin (`kubectl … | hagen audit -`).
        let by_file = hagen(
            &root(),
            &[
                "audit",
                "--catalog",
                "tests/catalogs/audit.yaml",
                &format!("tests/fixtures/audit/{}", c.file),
            ],
            None,
        );
        let by_stdin = hagen(
            &root(),
            &["audit", "--catalog", "tests/catalogs/audit.yaml", "-"],
            Some(&input),
        );
        assert_eq!(by_file.stdout, by_stdin.stdout, "{}", c.file);
        assert_eq!(
            by_file.status.success(),
            c.healthy,
            "{}: {}",
            c.file,
            text(&by_file.stdout)
        );
        let stem = c.file.rsplit_once('.').unwrap().0;
        expect_file(&dir.join(format!("expected/{stem}.txt")), &text(&by_file.stdout));
    }
}

/// What audit says to do, and the JSON beside the table. The tables of these dumps are compared whole in
/// [`audit_fixtures`] (tests/fixtures/audit/expected/): the uneven placement within the catalogue's pods per node with
/// the `kubectl delete pod` of each move, grid cells as counts, a selector that matches none of its own pods or also
/// a neighbour's Deployment, a PDB that allows no disruption, and an overlay an upgrade dropped.
#[test]
fn audit_says_what_to_do() {
    let json = hagen(
        &root(),
        &[
            "audit",
            "--catalog",
            "tests/catalogs/audit.yaml",
            "--output",
            "json",
            "tests/fixtures/audit/node-down.yaml",
        ],
        None,
    );
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["nodes"]["homelab-03"]["ready"], "Unknown");
    assert_eq!(v["grid"]["coredns"]["homelab-03"], 1);
}

#[test]
fn audit_of_a_rendered_stream_reuses_the_verify_checks() {
    // `helm template … | hagen audit -`: the overlay dropped means the chart defaults, caught as drift. The stream
    // names its release (app.kubernetes.io/instance: coredns): only coredns is judged.
    let stream = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: coredns, namespace: kube-system}\nspec:\n  replicas: 1\n  selector: {matchLabels: {app.kubernetes.io/name: coredns, app.kubernetes.io/instance: coredns}}\n  template:\n    metadata: {labels: {app.kubernetes.io/name: coredns, app.kubernetes.io/instance: coredns}}\n    spec: {containers: [{name: c, image: x}]}\n";
    let audit = |args: &[&str], stream: &str| {
        let mut all = vec!["audit", "--catalog", "tests/catalogs/audit.yaml"];
        all.extend(args);
        all.push("-");
        hagen(&root(), &all, Some(stream))
    };
    expect_run("audit-stream", &audit(&[], stream));
    // Another release named explicitly: its Deployments are not in the stream.
    expect_run(
        "audit-stream-other-release",
        &audit(&["--release", "kube-prometheus-stack"], stream),
    );
    // A stream that names no release of the catalogue needs --release.
    let anonymous = stream.replace(
        "app.kubernetes.io/instance: coredns",
        "app.kubernetes.io/instance: other",
    );
    expect_run("audit-stream-anonymous", &audit(&[], &anonymous));
}

//! k3s as the platform (issue 15), on the k3s catalogue (tests/catalogs/k3s.yaml: CoreDNS, Traefik and
//! metrics-server bundled): verify ✓ on the real charts including the Traefik chart k3s bundles (39.0.7), the
//! cut-over runbook as a golden file and its install line run through the real helm, a misspelt Traefik key caught
//! by the upstream chart's schema (k3s's repackaged chart has none), the bundled version hagen knows per k3s
//! release, `plan`'s k3s windows and `audit` recognising k3s's own objects. The routes' objects are validated
//! against the real CRDs in tests/gitops.rs.

mod common;
use common::*;
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;

const CATALOG: &str = "tests/catalogs/k3s.yaml";

/// `hagen verify` of `catalog` into the output folder `k3s`, with helm 4.
fn verify(dir: &Path, catalog: &str, charts: &Path) -> (bool, String, String) {
    common::verify(dir, catalog, "k3s", "HAGEN_HELM", charts)
}

#[test]
fn the_k3s_catalogue_verifies_on_the_charts_k3s_runs_and_the_take_over_matches_k3s() {
    let ws = tempfile::tempdir().unwrap();
    let charts = all_charts();
    generate_into(ws.path(), CATALOG, "k3s");
    let (ok, out, err) = verify(ws.path(), CATALOG, charts.path());
    assert!(ok, "{out}{err}");
    assert!(out.contains("traefik (traefik 39.0.7, namespace kube-system)"), "{out}");
    assert!(out.contains(&all_verified(&root().join(CATALOG))), "{out}");
    for want in [
        "✓ k3s take-over: asked Service kube-dns on the cluster DNS IP: 10.43.0.10; rendered Service kube-dns: 10.43.0.10",
        "rendered ConfigMap coredns: the same 22 lines",
        "✓ k3s take-over: asked the APIService points at this release's Service: kube-system",
    ] {
        assert!(out.contains(want), "{want}\n{out}");
    }
}

#[test]
fn a_corefile_that_differs_from_k3s_fails_verify() {
    let ws = tempfile::tempdir().unwrap();
    let charts = all_charts();
    let cat = generate_into(ws.path(), CATALOG, "k3s");
    // The user's own values replace the server block: the cache and forwarders differ from k3s's.
    let text = std::fs::read_to_string(&cat).unwrap().replace(
        "    version: 1.46.2\n    namespace: kube-system\n    k3sBundled: true\n",
        "    version: 1.46.2\n    namespace: kube-system\n    k3sBundled: true\n    values: {servers: [{zones: [{zone: .}], port: 53, plugins: [{name: errors}, {name: forward, parameters: . 1.1.1.1}]}]}\n",
    );
    std::fs::write(&cat, text).unwrap();
    let g = hagen(ws.path(), &["generate", "--catalog", CATALOG, "--out", "k3s"], None);
    assert!(g.status.success(), "{}", common::text(&g.stderr));
    let (ok, out, _) = verify(ws.path(), CATALOG, charts.path());
    assert!(!ok);
    assert!(
        out.contains("✗ k3s take-over: asked the Corefile k3s writes (NodeHosts, coredns-custom imports, forwarders, cache): 22 lines as k3s writes them; rendered ConfigMap coredns: line 4 is `forward . 1.1.1.1`, k3s's is `health`"),
        "{out}"
    );
}

#[test]
fn a_misspelt_traefik_key_is_caught_by_the_upstream_schema() {
    let ws = tempfile::tempdir().unwrap();
    let charts = all_charts();
    let cat = generate_into(ws.path(), CATALOG, "k3s");
    // k3s's repackaged traefik-39.0.701+up39.0.7 has no values.schema.json and would accept this silently.
    let text = std::fs::read_to_string(&cat).unwrap().replace(
        "    version: 39.0.7\n    namespace: kube-system\n    k3sBundled: true\n",
        "    version: 39.0.7\n    namespace: kube-system\n    k3sBundled: true\n    values: {replicaCount: 2}\n",
    );
    std::fs::write(&cat, text).unwrap();
    let (ok, out, err) = verify(ws.path(), CATALOG, charts.path());
    assert!(!ok, "{out}");
    // hagen checks own values against the upstream chart (its values and schema) before helm renders it.
    assert!(
        err.contains("release `traefik`: chart traefik 39.0.7 has no value `replicaCount`"),
        "{err}"
    );
}

#[test]
fn the_runbook_is_golden_and_its_install_lines_render_what_k3s_had() {
    let ws = tempfile::tempdir().unwrap();
    generate_into(ws.path(), CATALOG, "k3s");
    let readme = std::fs::read_to_string(ws.path().join("k3s/README.md")).unwrap();
    let start = readme.find("## k3s cut-over").expect("a k3s section");
    let end = readme.find("## Checking the live cluster").unwrap();
    expect_file(&root().join("tests/fixtures/k3s/runbook.md"), &readme[start..end]);
    // No second Traefik anywhere: no helm line, no HelmRelease, no Application, no helmfile release.
    assert!(!readme.contains("helm upgrade --install traefik"));
    assert!(readme.contains("kubectl apply -f k3s/k3s/traefik-helmchartconfig.yaml"));
    let helmfile = std::fs::read_to_string(ws.path().join("k3s/helmfile.yaml")).unwrap();
    for name in ["name: traefik", "name: coredns", "name: metrics-server"] {
        assert!(!helmfile.contains(name), "{name}");
    }
    assert!(!ws.path().join("k3s/flux/traefik.yaml").exists());
    assert!(!ws.path().join("k3s/argocd/traefik.yaml").exists());
    assert!(ws.path().join("k3s/flux/traefik-helmchartconfig.yaml").exists());
    let config: Value =
        serde_yaml::from_str(&std::fs::read_to_string(ws.path().join("k3s/k3s-server-config.yaml")).unwrap()).unwrap();
    assert_eq!(config, json!({"disable": ["coredns", "metrics-server"]}));

    // The runbook's CoreDNS install line, run as `helm template` on the real chart, after its first step saved
    // k3s's NodeHosts: the Service keeps the DNS IP and the ConfigMap carries the saved hosts.
    // Every install line of the runbook, run as `helm template` on the real chart (after the CoreDNS step saved
    // k3s's NodeHosts): CoreDNS keeps the DNS IP and carries the saved hosts; metrics-server creates the
    // APIService k3s's deleted, with the pod label k3s's NetworkPolicy admits.
    std::fs::write(ws.path().join("k3s-NodeHosts"), "192.168.1.2 homelab-02\n").unwrap();
    let mut rendered_charts = Vec::new();
    for (at, _) in readme.match_indices("Install the chart") {
        let block = &readme[at..];
        let code = block.find("```sh\n").unwrap() + 6;
        let install = block[code..code + block[code..].find("```").unwrap()].trim();
        let words: Vec<&str> = install.split_whitespace().collect();
        assert_eq!(words[..3], ["helm", "upgrade", "--install"], "{install}");
        let (release, chart) = (words[3], words[4]);
        let version = words[words.iter().position(|w| *w == "--version").unwrap() + 1];
        let mut args: Vec<String> = vec!["template".into(), release.into()];
        args.push(charts().join(format!("{chart}-{version}.tgz")).display().to_string());
        let mut i = 5;
        while i < words.len() {
            match words[i] {
                "--repo" | "--version" | "--timeout" => i += 2,
                "--create-namespace" | "--wait" => i += 1,
                w => {
                    // What the shell does with the quoted `--set 'zoneFiles[0]…'` words.
                    args.push(w.replace('\'', ""));
                    i += 1;
                }
            }
        }
        let out = Command::new(tool("HAGEN_HELM"))
            .current_dir(ws.path())
            .args(&args)
            .output()
            .unwrap();
        assert!(out.status.success(), "{args:?}: {}", common::text(&out.stderr));
        let objects: Vec<Value> = common::text(&out.stdout)
            .split("\n---")
            .filter_map(|d| serde_yaml::from_str::<Value>(d).ok())
            .filter(|v| v.is_object())
            .collect();
        let find = |kind: &str| objects.iter().find(|o| o["kind"] == kind).unwrap();
        let deploy = find("Deployment");
        match chart {
            "coredns" => {
                let svc = find("Service");
                assert_eq!(svc["metadata"]["name"], "kube-dns");
                assert_eq!(svc["spec"]["clusterIP"], "10.43.0.10");
                assert_eq!(
                    find("ConfigMap")["data"]["NodeHosts"].as_str().unwrap().trim(),
                    "192.168.1.2 homelab-02"
                );
                let volumes = deploy["spec"]["template"]["spec"]["volumes"].to_string();
                assert!(
                    volumes.contains("\"NodeHosts\"") && volumes.contains("coredns-custom"),
                    "{volumes}"
                );
            }
            "metrics-server" => {
                assert_eq!(find("APIService")["metadata"]["name"], "v1beta1.metrics.k8s.io");
                assert_eq!(
                    deploy["spec"]["template"]["metadata"]["labels"]["k8s-app"],
                    "metrics-server"
                );
            }
            other => panic!("an install line for {other}"),
        }
        rendered_charts.push(chart.to_string());
    }
    assert_eq!(rendered_charts, ["coredns", "metrics-server"]);
}

#[test]
fn the_bundled_traefik_version_follows_the_k3s_release() {
    let ws = tempfile::tempdir().unwrap();
    let cat = generate_into(ws.path(), CATALOG, "k3s");
    let text = std::fs::read_to_string(&cat)
        .unwrap()
        .replace("    charts: {traefik: 39.0.7}\n", "    version: v1.35.3+k3s1\n");
    std::fs::write(&cat, text).unwrap();
    let g = hagen(ws.path(), &["generate", "--catalog", CATALOG, "--out", "k3s"], None);
    assert!(!g.status.success());
    let err = common::text(&g.stderr);
    assert!(
        err.contains("release `traefik` is k3s's own traefik, which runs chart traefik 39.0.5 (k3s v1.35.3 bundles it (k3s-io/docs release-notes/v1.35.X.md)), not 39.0.7: set `version: 39.0.5`"),
        "{err}"
    );
    assert!(err.contains("tests/catalogs/k3s.yaml:"), "{err}");
}

#[test]
fn plan_shows_what_k3s_owns_and_the_cut_over_windows() {
    let ws = tempfile::tempdir().unwrap();
    generate_into(ws.path(), CATALOG, "k3s");
    let o = hagen(ws.path(), &["plan", "--catalog", CATALOG], None);
    let out = common::text(&o.stdout);
    assert!(
        out.contains("k3s owns: traefik (a HelmChart; hagen writes only its HelmChartConfig)"),
        "{out}"
    );
    assert!(out.contains("k3s cut-over coredns (`disable: [coredns]`"), "{out}");
    assert!(
        out.contains("k3s cut-over metrics-server (`disable: [metrics-server]`"),
        "{out}"
    );
    let o = hagen(ws.path(), &["plan", "--catalog", CATALOG, "--output", "json"], None);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["k3s"]["owned"], json!(["traefik"]));
    assert_eq!(v["k3s"]["cut_overs"][0]["disable"], "coredns");
}

/// A live dump as the API server returns it: k3s's packaged CoreDNS still running (wrangler's hash label), a
/// ServiceLB DaemonSet and a helm-install Job pod.
#[test]
fn audit_recognises_k3s_s_own_objects() {
    let ws = tempfile::tempdir().unwrap();
    generate_into(ws.path(), CATALOG, "k3s");
    let meta = |name: &str, labels: Value| json!({"name": name, "namespace": "kube-system", "uid": format!("uid-{name}"), "creationTimestamp": "2026-11-01T00:00:00Z", "labels": labels});
    let dump = json!({"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": meta("coredns", json!({"k8s-app": "kube-dns", "objectset.rio.cattle.io/hash": "bce283298811743a0386ab510f2f67ef74240c57"})),
         "spec": {"replicas": 1, "selector": {"matchLabels": {"k8s-app": "kube-dns"}},
                  "template": {"metadata": {"labels": {"k8s-app": "kube-dns"}}, "spec": {"containers": [{"name": "coredns", "image": "rancher/mirrored-coredns-coredns:1.12.3"}]}}},
         "status": {"replicas": 1, "readyReplicas": 1, "availableReplicas": 1}},
        {"apiVersion": "apps/v1", "kind": "DaemonSet",
         "metadata": meta("svclb-traefik-5d4c1f2a", json!({"svccontroller.k3s.cattle.io/svcname": "traefik"})),
         "spec": {"selector": {"matchLabels": {"app": "svclb-traefik-5d4c1f2a"}},
                  "template": {"metadata": {"labels": {"app": "svclb-traefik-5d4c1f2a", "svccontroller.k3s.cattle.io/svcname": "traefik", "svccontroller.k3s.cattle.io/svcnamespace": "kube-system"}}, "spec": {"containers": [{"name": "lb-tcp-80", "image": "rancher/klipper-lb:v0.4.13"}]}}},
         "status": {"desiredNumberScheduled": 3, "numberReady": 3}},
        {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": "helm-install-traefik-x7k2p", "namespace": "kube-system", "uid": "uid-job-pod", "creationTimestamp": "2026-11-01T00:00:00Z",
                      "labels": {"helmcharts.helm.cattle.io/chart": "traefik", "batch.kubernetes.io/job-name": "helm-install-traefik"},
                      "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": "helm-install-traefik", "controller": true, "uid": "uid-job"}]},
         "spec": {"nodeName": "homelab-02", "containers": [{"name": "helm", "image": "rancher/klipper-helm:v0.9.8"}]},
         "status": {"phase": "Succeeded"}}
    ]});
    let o = hagen(
        ws.path(),
        &["audit", "--catalog", CATALOG, "-"],
        Some(&serde_json::to_string(&dump).unwrap()),
    );
    let out = common::text(&o.stdout);
    assert!(!o.status.success(), "{out}");
    for want in [
        "k3s: DaemonSet kube-system/svclb-traefik-5d4c1f2a: k3s ServiceLB for Service traefik (one hostPort pod per node), not a replica of any component",
        "k3s: k3s helm-controller Job pods (helm-install/helm-delete of its HelmCharts), not judged: kube-system/helm-install-traefik-x7k2p",
        "✗ Deployment kube-system/coredns is k3s's packaged one (label objectset.rio.cattle.io/hash), still running although release coredns takes it over: finish the k3s cut-over in out/README.md (`disable:` on every server)",
    ] {
        assert!(out.contains(want), "{want}\n{out}");
    }
}

//! Adopting a running k3s cluster, as the seed describes it: a `v1.35.3+k3s1` cluster of three nodes with
//! five releases installed long ago with values of their own (one of a chart hagen does not know), k3s's Traefik
//! tuned through a HelmChartConfig, k3s's packaged CoreDNS and metrics-server. The live state is built from real
//! renders of the pinned charts (`helm install --dry-run=client -o json`, helm v4), stored as Helm 3 and 4 store
//! releases, and printed as kubectl prints it. Then: init → review (a secret supplied from a Secret) → generate →
//! verify → diff, and init's second run.

mod common;
use common::apiserver::{NodeSpec, list_json, node, store, stored};
use common::helmstore::{Major, Revision, manifest_objects, record, secret};
use common::*;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};

const GRAFANA_PASSWORD: &str = "Gr4fana-adm1n!";
const K3S_VERSION: &str = "v1.35.3+k3s1";
const TRAEFIK_K3S_CHART: &str = "39.0.701+up39.0.7";

/// k3s's own values for its Traefik HelmChart (k3s manifests/traefik.yaml, abridged) and the `set` it passes.
fn k3s_traefik_values() -> Value {
    json!({
        "deployment": {"podAnnotations": {"prometheus.io/port": "8082", "prometheus.io/scrape": "true"}},
        "providers": {"kubernetesIngress": {"publishedService": {"enabled": true}}},
        "priorityClassName": "system-cluster-critical",
        "image": {"repository": "rancher/mirrored-library-traefik", "tag": "3.6.2"},
        "service": {"ipFamilyPolicy": "PreferDualStack"}
    })
}

/// The user's HelmChartConfig valuesContent: ports, a redirect to HTTPS, the dashboard, debug logs.
const TRAEFIK_CONFIG: &str = "ports:\n  web:\n    http:\n      redirections:\n        entryPoint:\n          to: websecure\n          scheme: https\n          permanent: true\n  websecure:\n    http3:\n      enabled: true\ningressRoute:\n  dashboard:\n    enabled: true\nlogs:\n  general:\n    level: DEBUG\n";

/// Each release the user installed: (name, namespace, archive, values, Helm major).
fn installed() -> Vec<(&'static str, &'static str, &'static str, Value, Major)> {
    vec![
        (
            "cert-manager",
            "cert-manager",
            "cert-manager-v1.21.1.tgz",
            json!({"crds": {"enabled": true}, "prometheus": {"enabled": true, "servicemonitor": {"enabled": true}}}),
            Major::Helm3,
        ),
        (
            "metallb",
            "metallb-system",
            "metallb-0.16.1.tgz",
            json!({"controller": {"logLevel": "warn"}, "speaker": {"logLevel": "warn"}}),
            Major::Helm3,
        ),
        (
            "longhorn",
            "longhorn-system",
            "longhorn-1.12.1.tgz",
            json!({"persistence": {"defaultClassReplicaCount": 2}, "defaultSettings": {"defaultDataPath": "/var/lib/longhorn"}}),
            Major::Helm4,
        ),
        (
            "kube-prometheus-stack",
            "monitoring",
            "kube-prometheus-stack-88.5.3.tgz",
            json!({"grafana": {"adminPassword": GRAFANA_PASSWORD, "defaultDashboardsTimezone": "Europe/Berlin"},
                   "prometheus": {"prometheusSpec": {"retention": "15d"}}}),
            Major::Helm4,
        ),
        (
            "sealed-secrets-controller",
            "kube-system",
            "sealed-secrets-2.18.5.tgz",
            json!({}),
            Major::Helm4,
        ),
        (
            "external-dns",
            "external-dns",
            "external-dns-1.21.1.tgz",
            json!({"provider": {"name": "cloudflare"}, "domainFilters": ["example.com"]}),
            Major::Helm4,
        ),
    ]
}

/// A Deployment of a release as the API server returns it, with the status of a healthy rollout.
fn live_deployment(d: Value, namespace: &str, release: Option<(&str, &str)>) -> Value {
    let mut d = store(d, namespace, release);
    let n = d["spec"]["replicas"].as_u64().unwrap_or(1);
    d["status"] = json!({"availableReplicas": n, "observedGeneration": 1, "readyReplicas": n, "replicas": n, "updatedReplicas": n,
        "conditions": [
            {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable", "message": "Deployment has minimum availability.",
             "lastTransitionTime": "2026-11-20T08:01:00Z", "lastUpdateTime": "2026-11-20T08:01:00Z"},
            {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable", "message": "ReplicaSet has successfully progressed.",
             "lastTransitionTime": "2026-11-20T08:00:00Z", "lastUpdateTime": "2026-11-20T08:01:00Z"}]});
    d
}

/// k3s's packaged Deployments, as the old `kubectl patch` script left them (replicas raised, Recreate).
fn k3s_packaged() -> Vec<Value> {
    ["coredns", "local-path-provisioner", "metrics-server"]
        .iter()
        .map(|name| {
            let replicas = if *name == "coredns" { 2 } else { 1 };
            let d = json!({"apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": {"name": name, "namespace": "kube-system", "labels": {"k8s-app": name},
                    "annotations": {"objectset.rio.cattle.io/id": "", "objectset.rio.cattle.io/owner-kind": "Addon"}},
                "spec": {"replicas": replicas, "selector": {"matchLabels": {"k8s-app": name}}, "strategy": {"type": "Recreate"},
                    "template": {"metadata": {"labels": {"k8s-app": name}},
                        "spec": {"containers": [{"name": name, "image": format!("rancher/mirrored-{name}:1.0")}]}}}});
            live_deployment(d, "kube-system", None)
        })
        .collect()
}

/// The seed cluster's live state: the two kubectl outputs the docs name, one after the other.
struct Seed {
    live: String,
    /// (name, namespace, chart, version) of every release Helm has a deployed revision of.
    records: Vec<(String, String, String, String)>,
    /// The user-supplied values of each deployed revision.
    configs: Vec<(String, Value)>,
}

fn seed(charts: &Path) -> Seed {
    let helm = tool("HAGEN_HELM");
    let mut nodes = Vec::new();
    for name in ["homelab-02", "homelab-03", "homelab-04"] {
        let mut spec = NodeSpec::new(name);
        if name == "homelab-04" {
            spec.labels.push(("node-role".into(), "database".into()));
        }
        let mut n = node(&spec);
        n["status"]["nodeInfo"]["kubeletVersion"] = K3S_VERSION.into();
        n["status"]["nodeInfo"]["kubeProxyVersion"] = K3S_VERSION.into();
        nodes.push(n);
    }
    let mut secrets = Vec::new();
    let mut deployments = k3s_packaged();
    let (mut records, mut configs) = (Vec::new(), Vec::new());
    let mut keep = |rec: &Value, modified: bool, secrets: &mut Vec<Value>, deployments: &mut Vec<Value>| {
        secrets.push(secret(rec, modified));
        if rec["info"]["status"] != "deployed" {
            return;
        }
        let (name, ns) = (rec["name"].as_str().unwrap(), rec["namespace"].as_str().unwrap());
        records.push((
            name.to_string(),
            ns.to_string(),
            rec["chart"]["metadata"]["name"].as_str().unwrap().to_string(),
            rec["chart"]["metadata"]["version"].as_str().unwrap().to_string(),
        ));
        configs.push((name.to_string(), rec["config"].clone()));
        for o in manifest_objects(rec).into_iter().filter(|o| o["kind"] == "Deployment") {
            deployments.push(live_deployment(o, ns, Some((name, ns))));
        }
    };
    for (name, ns, archive, values, major) in installed() {
        let chart = charts.join(archive);
        // cert-manager was upgraded once: revision 1 is superseded, with other values.
        let first = if name == "cert-manager" { 2 } else { 1 };
        if first == 2 {
            let rec = record(
                &helm,
                &rev(
                    name,
                    ns,
                    &chart,
                    json!({"crds": {"enabled": true}}),
                    1,
                    "superseded",
                    major,
                ),
            );
            keep(&rec, true, &mut secrets, &mut deployments);
        }
        let rec = record(&helm, &rev(name, ns, &chart, values, first, "deployed", major));
        keep(&rec, false, &mut secrets, &mut deployments);
    }
    // k3s's helm-controller (Helm 3's library) installed Traefik, then upgraded it for the HelmChartConfig.
    let mut traefik_values = k3s_traefik_values();
    traefik_values["global"] = json!({"systemDefaultRegistry": ""});
    let user: Value = serde_yaml::from_str(TRAEFIK_CONFIG).unwrap();
    let merged = merge(traefik_values.clone(), &user);
    let chart = charts.join("traefik-39.0.7.tgz");
    for (n, values, status) in [(1, traefik_values, "superseded"), (2, merged, "deployed")] {
        let mut r = rev("traefik", "kube-system", &chart, values, n, status, Major::Helm3);
        r.chart_version = Some(TRAEFIK_K3S_CHART);
        let rec = record(&helm, &r);
        keep(&rec, n == 1, &mut secrets, &mut deployments);
    }
    // traefik-crd: a chart of CRDs only (in crds/, so its manifest is empty); hand-written.
    let crd = json!({"name": "traefik-crd", "namespace": "kube-system", "version": 1,
        "info": {"first_deployed": "2026-03-02T10:00:00Z", "last_deployed": "2026-03-02T10:00:00Z", "status": "deployed", "description": "Install complete"},
        "chart": {"metadata": {"apiVersion": "v2", "name": "traefik-crd", "version": TRAEFIK_K3S_CHART}, "templates": [], "values": {}},
        "config": {"global": {"systemDefaultRegistry": ""}}, "manifest": ""});
    keep(&crd, false, &mut secrets, &mut deployments);
    let helm_charts = ["traefik", "traefik-crd"].map(|name| {
        let mut spec = json!({"chart": format!("https://%{{KUBERNETES_API}}%/static/charts/{name}-{TRAEFIK_K3S_CHART}.tgz"),
            "set": {"global.systemDefaultRegistry": ""}});
        if name == "traefik" {
            spec["valuesContent"] = serde_yaml::to_string(&k3s_traefik_values()).unwrap().into();
        }
        stored(json!({"apiVersion": "helm.cattle.io/v1", "kind": "HelmChart",
            "metadata": {"name": name, "namespace": "kube-system", "annotations": {"objectset.rio.cattle.io/id": "", "objectset.rio.cattle.io/owner-kind": "Addon"},
                "finalizers": ["wrangler.cattle.io/on-helm-chart-remove"]},
            "spec": spec, "status": {"jobName": format!("helm-install-{name}")}}))
    });
    let config = stored(json!({"apiVersion": "helm.cattle.io/v1", "kind": "HelmChartConfig",
        "metadata": {"name": "traefik", "namespace": "kube-system"}, "spec": {"valuesContent": TRAEFIK_CONFIG}}));
    let key = |v: &Value| {
        (
            v["metadata"]["namespace"].as_str().unwrap_or("").to_string(),
            v["metadata"]["name"].as_str().unwrap_or("").to_string(),
        )
    };
    deployments.sort_by_key(key);
    secrets.sort_by_key(key);
    let mut items = nodes;
    items.extend(deployments);
    items.extend(helm_charts);
    items.push(config);
    Seed {
        live: format!("{}{}", list_json(items), list_json(secrets)),
        records,
        configs,
    }
}

fn rev<'a>(
    name: &'a str,
    ns: &'a str,
    chart: &'a Path,
    values: Value,
    revision: u64,
    status: &'a str,
    major: Major,
) -> Revision<'a> {
    Revision {
        name,
        namespace: ns,
        chart,
        values,
        revision,
        status,
        major,
        chart_version: None,
        deployed: if revision == 1 {
            "2026-03-02T10:00:00.000000000Z"
        } else {
            "2026-09-14T18:30:00.000000000Z"
        },
    }
}

fn merge(mut base: Value, over: &Value) -> Value {
    if let (Value::Object(b), Value::Object(o)) = (&mut base, over) {
        for (k, v) in o {
            let merged = match b.shift_remove(k) {
                Some(old) if old.is_object() && v.is_object() => merge(old, v),
                _ => v.clone(),
            };
            b.insert(k.clone(), merged);
        }
        return base;
    }
    over.clone()
}

fn expected(name: &str) -> PathBuf {
    root().join("tests/fixtures/adopt").join(name)
}

fn values_file(dir: &Path, release: &str) -> Value {
    let text = std::fs::read_to_string(dir.join(format!("catalog/values/{release}.yaml"))).unwrap();
    serde_yaml::from_str(&text).unwrap()
}

/// Every file under `dir`, as text.
fn all_text(dir: &Path) -> String {
    let mut out = String::new();
    for (_, bytes) in snapshot(dir) {
        out.push_str(&String::from_utf8_lossy(&bytes));
    }
    out
}

#[test]
fn a_k3s_cluster_is_adopted_without_losing_a_value() {
    let charts = all_charts();
    let seed = seed(charts.path());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("live.json"), &seed.live).unwrap();

    // init: the catalogue, its values files, and what to review.
    let init = hagen(dir.path(), &["init", "live.json", "--name", "homelab"], None);
    assert!(init.status.success(), "{}", text(&init.stderr));
    expect_file(&expected("init.stderr"), &text(&init.stderr));
    let written = std::fs::read_to_string(dir.path().join("catalog/cluster.yaml")).unwrap();
    expect_file(&expected("cluster.yaml"), &written);
    let cat = catalogue(&dir.path().join("catalog/cluster.yaml"));
    assert_eq!(cat["cluster"]["k3s"]["version"], K3S_VERSION);
    assert_eq!(cat["cluster"]["k3s"]["charts"]["traefik"], "39.0.7");
    // Releases, names, namespaces and versions as Helm recorded them (k3s's Traefik at the upstream version).
    let releases: Vec<(String, String, String, String)> = cat["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap().to_string();
            (s("name"), s("namespace"), s("chart"), s("version"))
        })
        .collect();
    for (name, ns, chart, version) in &seed.records {
        let version = version
            .split_once("+up")
            .map_or(version.as_str(), |(_, up)| up)
            .to_string();
        let r = (name.clone(), ns.clone(), chart.clone(), version);
        let known = name != "external-dns" && name != "traefik-crd";
        assert_eq!(releases.contains(&r), known, "{r:?} in {releases:?}");
    }
    // Own values equal the live user-supplied values (Traefik's: its HelmChartConfig's), the secret aside.
    for (name, config) in &seed.configs {
        match name.as_str() {
            "external-dns" | "traefik-crd" | "sealed-secrets-controller" => continue,
            "traefik" => assert_eq!(
                values_file(dir.path(), name),
                serde_yaml::from_str::<Value>(TRAEFIK_CONFIG).unwrap()
            ),
            "kube-prometheus-stack" => {
                let mut want = config.clone();
                want["grafana"]["adminPassword"] = hagen::catalog::secrets::PLACEHOLDER.into();
                assert_eq!(values_file(dir.path(), name), want);
            }
            _ => assert_eq!(&values_file(dir.path(), name), config, "{name}"),
        }
    }
    assert!(
        !all_text(&dir.path().join("catalog")).contains(GRAFANA_PASSWORD),
        "a secret in plain text"
    );

    // generate refuses while the placeholder is left, saying where and how to supply it.
    let refused = hagen(dir.path(), &["generate", "--allow-unproven"], None);
    assert!(!refused.status.success());
    expect_file(&expected("generate-placeholder.stderr"), &text(&refused.stderr));

    // Review: the password comes from a Secret (the chart's existingSecret), and the placeholder goes.
    let kps = dir.path().join("catalog/values/kube-prometheus-stack.yaml");
    let reviewed = std::fs::read_to_string(&kps).unwrap().replace(
        &format!(
            "  adminPassword: {}\n",
            serde_json::to_string(hagen::catalog::secrets::PLACEHOLDER).unwrap()
        ),
        "  admin:\n    existingSecret: grafana-admin\n",
    );
    assert!(!reviewed.contains(hagen::catalog::secrets::PLACEHOLDER), "{reviewed}");
    std::fs::write(&kps, reviewed).unwrap();

    // generate and verify pass on the imported catalogue (verify proves it on the real charts, k3s's Traefik on
    // upstream 39.0.7), and generate then needs no flag.
    let g = hagen(dir.path(), &["generate", "--allow-unproven"], None);
    assert!(g.status.success(), "{}", text(&g.stderr));
    let (ok, stdout, stderr) = verify(dir.path(), "catalog/cluster.yaml", "out", "HAGEN_HELM", charts.path());
    assert!(ok, "{stdout}\n{stderr}");
    let g = hagen(
        dir.path(),
        &["generate", "--charts", charts.path().to_str().unwrap()],
        None,
    );
    assert!(g.status.success(), "{}", text(&g.stderr));
    // The generated HelmChartConfig carries the user's valuesContent plus the overlay.
    let hcc: Value = serde_yaml::from_str(
        &std::fs::read_to_string(dir.path().join("out/k3s/traefik-helmchartconfig.yaml")).unwrap(),
    )
    .unwrap();
    let content: Value = serde_yaml::from_str(hcc["spec"]["valuesContent"].as_str().unwrap()).unwrap();
    for (path, v) in hagen::catalog::values::leaves(&serde_yaml::from_str(TRAEFIK_CONFIG).unwrap()) {
        assert_eq!(hagen::catalog::values::at_path(&content, &path), Some(&v), "{path:?}");
    }
    assert_eq!(content["deployment"]["replicas"], 2);

    // diff: the HA changes, per component and setting, and nothing the user set dropped.
    let helm = tool("HAGEN_HELM");
    let args = [
        "diff",
        "live.json",
        "--charts",
        charts.path().to_str().unwrap(),
        "--helm",
        helm.to_str().unwrap(),
    ];
    let d = hagen(dir.path(), &args, None);
    assert_eq!(d.status.code(), Some(2), "{}", text(&d.stderr));
    expect_file(&expected("diff.txt"), &text(&d.stdout));
    let mut json_args = args.to_vec();
    json_args.extend(["--output", "json"]);
    let j: Value = serde_json::from_slice(&hagen(dir.path(), &json_args, None).stdout).unwrap();
    assert_eq!(j["schemaVersion"], 1);
    assert_eq!(j["dropped"], 0, "{j:#}");
    let settings: Vec<String> = j["releases"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| {
            r["settings"].as_array().unwrap().iter().map(|s| {
                format!(
                    "{} {} {} → {}",
                    r["release"].as_str().unwrap(),
                    s["setting"].as_str().unwrap(),
                    s["from"].as_str().unwrap(),
                    s["to"].as_str().unwrap()
                )
            })
        })
        .collect();
    assert!(settings.iter().any(|s| s == "traefik replicas 1 → 2"), "{settings:#?}");
    assert!(
        settings.iter().any(|s| s.starts_with("traefik PDB none → ")),
        "{settings:#?}"
    );

    // A value the catalogue loses is flagged as dropped.
    let cm = dir.path().join("catalog/values/cert-manager.yaml");
    let before = std::fs::read_to_string(&cm).unwrap();
    std::fs::write(&cm, before.replace("prometheus:\n  enabled: true\n", "prometheus:\n")).unwrap();
    let j: Value = serde_json::from_slice(&hagen(dir.path(), &json_args, None).stdout).unwrap();
    assert_eq!(j["dropped"], 1, "{j:#}");
    std::fs::write(&cm, before).unwrap();

    // A second init never overwrites: it says what changed (here: the secret now comes from a Secret).
    let again = hagen(dir.path(), &["init", "live.json"], None);
    assert_eq!(again.status.code(), Some(1));
    expect_file(&expected("init-again.stderr"), &text(&again.stderr));

    // A typo in own values is refused with a did-you-mean.
    let mlb = dir.path().join("catalog/values/metallb.yaml");
    let typo = std::fs::read_to_string(&mlb)
        .unwrap()
        .replace("controller:", "controler:");
    std::fs::write(&mlb, typo).unwrap();
    let refused = hagen(
        dir.path(),
        &["generate", "--charts", charts.path().to_str().unwrap()],
        None,
    );
    assert!(!refused.status.success());
    expect_file(&expected("generate-typo.stderr"), &text(&refused.stderr));
}

/// A hand-written release record (no manifest): what init reads of it.
fn small_record(name: &str, ns: &str, chart: &str, version: &str, config: Value, status: &str) -> Value {
    json!({"name": name, "namespace": ns, "version": 1,
        "info": {"first_deployed": "2026-03-02T10:00:00.000000000Z", "last_deployed": "2026-03-02T10:00:00.000000000Z", "status": status, "description": "Install complete"},
        "chart": {"metadata": {"apiVersion": "v2", "name": chart, "version": version}, "templates": [], "values": {}},
        "config": config, "manifest": ""})
}

#[test]
fn init_reports_values_hagen_writes_and_releases_never_deployed() {
    let dir = tempfile::tempdir().unwrap();
    let nodes: Vec<Value> = ["a", "b", "c"]
        .iter()
        .map(|n| {
            let mut n = node(&NodeSpec::new(n));
            n["status"]["nodeInfo"]["kubeletVersion"] = "v1.35.3".into();
            n
        })
        .collect();
    let secrets = vec![
        secret(
            &small_record(
                "cert-manager",
                "cert-manager",
                "cert-manager",
                "v1.21.1",
                json!({"crds": {"enabled": true}, "replicaCount": 1}),
                "deployed",
            ),
            false,
        ),
        secret(
            &small_record("half", "apps", "cert-manager", "v1.21.1", json!({}), "failed"),
            false,
        ),
    ];
    std::fs::write(dir.path().join("nodes.json"), list_json(nodes)).unwrap();
    std::fs::write(dir.path().join("releases.json"), list_json(secrets)).unwrap();
    let out = hagen(dir.path(), &["init", "nodes.json", "releases.json"], None);
    assert!(out.status.success(), "{}", text(&out.stderr));
    expect_file(&expected("init-conflict.stderr"), &text(&out.stderr));
    // Not a k3s cluster: no k3s releases, and the release as Helm recorded it.
    let cat = catalogue(&dir.path().join("catalog/cluster.yaml"));
    assert_eq!(cat["releases"].as_array().unwrap().len(), 1);
    assert_eq!(cat["releases"][0]["valuesFiles"], json!(["values/cert-manager.yaml"]));
}

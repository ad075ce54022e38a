//! k3s as the platform (issues 15 and 22), on the k3s catalogue (tests/catalogs/k3s.yaml: CoreDNS, Traefik and
//! metrics-server bundled). CoreDNS stays k3s's, made HA in place: hagen's HPA and PDB beside it on every route,
//! valid against Kubernetes' own schema and selecting k3s's CoreDNS pods and nothing else in kube-system, no
//! `disable:` and no outage step; verify, plan and audit (a live dump where k3s's CoreDNS runs two spread pods) judge
//! it HA. The take-over (opt-in, `k3sTakeOver: true`; the only route for metrics-server, whose packaged manifest
//! does not spread its pods) keeps its runbook as a golden file, with a preflight that fails before anything is
//! disabled, and its install lines run through the real helm. Also: verify ✓ on the Traefik chart k3s bundles
//! (39.0.7), a misspelt Traefik key caught by the upstream schema, the bundled version per k3s release. The routes'
//! objects are validated against the real CRDs in tests/gitops.rs.

mod common;
use common::*;
use serde_json::{Value, json};
use std::path::Path;
use std::process::Command;

const CATALOG: &str = "tests/catalogs/k3s.yaml";

/// The k3s catalogue in `ws` with release `coredns` taking k3s's CoreDNS over (`k3sTakeOver: true`) instead of
/// keeping it in place.
fn take_over_coredns(cat: &Path) {
    let text = std::fs::read_to_string(cat).unwrap().replace(
        "    version: 1.46.2\n    namespace: kube-system\n    k3sBundled: true\n",
        "    version: 1.46.2\n    namespace: kube-system\n    k3sBundled: true\n    k3sTakeOver: true\n",
    );
    std::fs::write(cat, text).unwrap();
}

/// `hagen generate` of the k3s catalogue in `ws`, asserting success: the whole run (for [`expect_run`]).
fn regenerate(ws: &Path) -> std::process::Output {
    let g = hagen(ws, &["generate", "--catalog", CATALOG, "--out", "k3s"], None);
    assert!(g.status.success(), "{}", common::text(&g.stderr));
    g
}

/// `hagen verify` of `catalog` into the output folder `k3s`, with helm 4: the whole run (for [`expect_run`]).
fn verify(dir: &Path, catalog: &str, charts: &Path) -> std::process::Output {
    common::verify_run(dir, catalog, "k3s", "HAGEN_HELM", charts)
}

#[test]
fn the_k3s_catalogue_verifies_on_the_charts_k3s_runs_and_the_take_over_matches_k3s() {
    let ws = tempfile::tempdir().unwrap();
    let charts = all_charts();
    generate_into(ws.path(), CATALOG, "k3s");
    let run = verify(ws.path(), CATALOG, charts.path());
    assert!(run.status.success(), "{}", transcript(&run));
    // Traefik on the chart k3s runs (39.0.7), every component ✓; k3s's CoreDNS in place: its spread is the
    // placement, hagen's HPA holds the replicas, its PDB selects k3s's pods only (k3s's other pods in kube-system
    // and every release's are the neighbours); hagen's objects carry none of k3s's labels.
    expect_run("k3s-verify-in-place", &run);
    // Taken over instead, CoreDNS is the chart on k3s's DNS IP with k3s's Corefile.
    take_over_coredns(&root_of(ws.path()));
    std::fs::write(
        ws.path().join("tests/catalogs/k3s-NodeHosts"),
        "192.168.1.2 homelab-02\n",
    )
    .unwrap();
    regenerate(ws.path());
    let run = verify(ws.path(), CATALOG, charts.path());
    assert!(run.status.success(), "{}", transcript(&run));
    // kube-dns on k3s's cluster DNS IP, k3s's 22-line Corefile, the saved NodeHosts passed to the chart.
    expect_run("k3s-verify-take-over", &run);
}

/// The catalogue's path in the workspace `ws`.
fn root_of(ws: &Path) -> std::path::PathBuf {
    ws.join(CATALOG)
}

/// k3s's CoreDNS pods, as k3s's packaged Deployment labels them (charts/coredns.yaml `k3sInPlace`), and every
/// other pod in kube-system: k3s's own (the same knowledge) and the seed's releases there, as the live cluster
/// shows them (tests/fixtures/audit/live/healthy.json).
fn kube_system_pods() -> (Value, Vec<(String, Value)>) {
    let knowledge: Value =
        serde_yaml::from_str(&std::fs::read_to_string(root().join("charts/coredns.yaml")).unwrap()).unwrap();
    let p = &knowledge["k3sInPlace"];
    let coredns = p["deployment"]["spec"]["template"]["metadata"]["labels"].clone();
    let mut others: Vec<(String, Value)> = p["neighbours"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["owner"].as_str().unwrap().to_string(), n["labels"].clone()))
        .collect();
    let live: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("tests/fixtures/audit/live/healthy.json")).unwrap())
            .unwrap();
    for o in live["items"].as_array().unwrap() {
        if o["metadata"]["namespace"] == "kube-system"
            && ["Deployment", "DaemonSet", "StatefulSet"].contains(&o["kind"].as_str().unwrap())
        {
            others.push((
                format!(
                    "{}/{}",
                    o["kind"].as_str().unwrap(),
                    o["metadata"]["name"].as_str().unwrap()
                ),
                o["spec"]["template"]["metadata"]["labels"].clone(),
            ));
        }
    }
    (coredns, others)
}

/// Whether `matchLabels` selects the pod labels `labels`.
fn selects(match_labels: &Value, labels: &Value) -> bool {
    match_labels
        .as_object()
        .unwrap()
        .iter()
        .all(|(k, v)| labels.get(k) == Some(v))
}

#[test]
fn coredns_stays_k3s_s_with_an_hpa_and_a_pdb_beside_it_on_every_route() {
    let ws = tempfile::tempdir().unwrap();
    generate_into(ws.path(), CATALOG, "k3s");
    let out = ws.path().join("k3s");
    // No `disable:` of coredns anywhere in out/: the config fragment names metrics-server (taken over) only.
    let config: Value =
        serde_yaml::from_str(&std::fs::read_to_string(out.join("k3s-server-config.yaml")).unwrap()).unwrap();
    assert_eq!(config, json!({"disable": ["metrics-server"]}));
    for (path, bytes) in snapshot(&out) {
        let text = String::from_utf8_lossy(&bytes);
        for bad in [
            "disable: [coredns",
            "- coredns\n",
            "--disable coredns",
            "--disable=coredns",
        ] {
            assert!(!text.contains(bad), "{path}: {bad}");
        }
    }
    assert!(!out.join("coredns").exists(), "no chart release, so no values for one");

    // hagen's objects: an HPA (min ≥ 2) on Deployment kube-system/coredns and a PDB on k3s's pods only.
    let file = out.join("k3s/coredns-in-place.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let docs: Vec<Value> = text
        .split("\n---")
        .filter_map(|d| serde_yaml::from_str::<Value>(d).ok())
        .filter(Value::is_object)
        .collect();
    let find = |kind: &str| {
        docs.iter()
            .find(|o| o["kind"] == kind)
            .unwrap_or_else(|| panic!("a {kind}"))
    };
    let (hpa, pdb) = (find("HorizontalPodAutoscaler"), find("PodDisruptionBudget"));
    assert_eq!(
        hpa["spec"]["scaleTargetRef"],
        json!({"apiVersion": "apps/v1", "kind": "Deployment", "name": "coredns"})
    );
    assert!(hpa["spec"]["minReplicas"].as_u64().unwrap() >= 2, "{hpa}");
    assert_eq!(pdb["spec"]["unhealthyPodEvictionPolicy"], "AlwaysAllow");
    for o in [hpa, pdb] {
        assert_eq!(o["metadata"]["namespace"], "kube-system");
        let labels = o["metadata"]["labels"].as_object().unwrap();
        assert!(labels.keys().all(|k| !k.starts_with("objectset.rio.cattle.io/")), "{o}");
    }
    let sel = &pdb["spec"]["selector"]["matchLabels"];
    assert_eq!(
        pdb["spec"]["selector"].as_object().unwrap().len(),
        1,
        "matchLabels only"
    );
    let (coredns, others) = kube_system_pods();
    assert!(selects(sel, &coredns), "{sel} selects k3s's CoreDNS pods {coredns}");
    assert!(others.len() >= 8, "{others:?}");
    for (owner, labels) in &others {
        assert!(!selects(sel, labels), "{sel} also selects {owner} ({labels})");
    }

    // Kubernetes' own schema, strictly (PyPI kubernetes-validate, installed by scripts/install-tools.sh).
    let (ok, said) = common::kubernetes_validate(&file);
    assert!(ok, "{said}");

    // Every route carries the same objects: out/k3s/'s kustomization, Flux, Argo CD's out/k3s Application, and a
    // `kubectl apply -f` line for the Helm route; no HelmRelease, Application, helmfile release or helm line.
    let listed = |p: &str| std::fs::read_to_string(out.join(p)).unwrap();
    assert!(listed("k3s/kustomization.yaml").contains("- coredns-in-place.yaml"));
    assert!(listed("flux/kustomization.yaml").contains("- coredns-in-place.yaml"));
    assert_eq!(
        listed("flux/coredns-in-place.yaml")
            .split("\n---")
            .skip(1)
            .collect::<Vec<_>>(),
        text.split("\n---").skip(1).collect::<Vec<_>>()
    );
    assert!(listed("argocd/k3s-helmchartconfigs.yaml").contains("path: k3s/k3s"));
    assert!(!out.join("flux/coredns.yaml").exists() && !out.join("argocd/coredns.yaml").exists());
    assert!(!listed("helmfile.yaml").contains("name: coredns"));
    let readme = listed("README.md");
    assert!(
        readme.contains("kubectl apply -f k3s/k3s/coredns-in-place.yaml"),
        "{readme}"
    );
    assert!(!readme.contains("helm upgrade --install coredns"));

    // The default route of out/README.md's k3s section has no DNS-outage step: nothing disabled, no restart.
    let start = readme.find("## k3s\n").expect("a k3s section");
    let default_route = &readme[start..readme.find("### Taking over").unwrap()];
    assert!(default_route.contains("### In place"), "{default_route}");
    for bad in [
        "disable:",
        "systemctl restart",
        "Down during",
        "kubectl wait --for=delete",
    ] {
        assert!(!default_route.contains(bad), "{bad}\n{default_route}");
    }
}

#[test]
fn a_corefile_that_differs_from_k3s_fails_verify() {
    let ws = tempfile::tempdir().unwrap();
    let charts = all_charts();
    let cat = generate_into(ws.path(), CATALOG, "k3s");
    take_over_coredns(&cat);
    std::fs::write(
        ws.path().join("tests/catalogs/k3s-NodeHosts"),
        "192.168.1.2 homelab-02\n",
    )
    .unwrap();
    // The user's own values replace the server block: the cache and forwarders differ from k3s's.
    let text = std::fs::read_to_string(&cat).unwrap().replace(
        "    k3sBundled: true\n    k3sTakeOver: true\n",
        "    k3sBundled: true\n    k3sTakeOver: true\n    values: {servers: [{zones: [{zone: .}], port: 53, plugins: [{name: errors}, {name: forward, parameters: . 1.1.1.1}]}]}\n",
    );
    std::fs::write(&cat, text).unwrap();
    let g = hagen(ws.path(), &["generate", "--catalog", CATALOG, "--out", "k3s"], None);
    assert!(g.status.success(), "{}", common::text(&g.stderr));
    let run = verify(ws.path(), CATALOG, charts.path());
    assert!(!run.status.success());
    // ✗ on the Corefile: line 4 is the user's forwarder where k3s's reads `health`.
    expect_run("k3s-verify-corefile-differs", &run);
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
    let run = verify(ws.path(), CATALOG, charts.path());
    assert!(!run.status.success(), "{}", transcript(&run));
    // hagen checks own values against the upstream chart (its values and schema) before helm renders it: chart
    // traefik 39.0.7 has no value `replicaCount`.
    expect_run("k3s-verify-misspelt-traefik-key", &run);
}

#[test]
fn the_runbook_is_golden_and_its_install_lines_render_what_k3s_had() {
    let ws = tempfile::tempdir().unwrap();
    let cat = generate_into(ws.path(), CATALOG, "k3s");
    take_over_coredns(&cat);
    // Before the preflight saved k3s's NodeHosts beside the catalogue, generate says so.
    expect_run("k3s-generate-before-node-hosts", &regenerate(ws.path()));
    // The preflight's first step saves it there (committed beside the catalogue).
    std::fs::write(
        ws.path().join("tests/catalogs/k3s-NodeHosts"),
        "192.168.1.2 homelab-02\n",
    )
    .unwrap();
    // Saved, generate no longer warns about it.
    expect_run("k3s-generate-with-node-hosts", &regenerate(ws.path()));
    let readme = std::fs::read_to_string(ws.path().join("k3s/README.md")).unwrap();
    let start = readme.find("## k3s\n").expect("a k3s section");
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

    // Every install line of the runbook, run as `helm template` on the real chart (with the NodeHosts the
    // preflight saved): CoreDNS keeps the DNS IP and carries the saved hosts; metrics-server creates the
    // APIService k3s's deleted, with the pod label k3s's NetworkPolicy admits.
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
                "--set-file" => {
                    args.push("--set-file".into());
                    args.push(words[i + 1].replace('\'', ""));
                    i += 2;
                }
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

/// The commands of the first ```sh block after `marker` in `text`.
fn block_after<'a>(text: &'a str, marker: &str) -> &'a str {
    let at = text.find(marker).unwrap_or_else(|| panic!("{marker}"));
    let code = at + text[at..].find("```sh\n").unwrap() + 6;
    text[code..code + text[code..].find("```").unwrap()].trim()
}

/// `helm template …` as the runbook writes it, run with the real helm on the pinned archives (the words `--repo
/// URL` name the repository; the test reads the archive instead): its exit status and stderr.
fn run_template(ws: &Path, line: &str, charts: &Path) -> (bool, String) {
    let line = line.trim_end_matches("> /dev/null").trim();
    let words: Vec<String> = line.split_whitespace().map(|w| w.replace('\'', "")).collect();
    assert_eq!(words[..2], ["helm", "template"], "{line}");
    let (release, chart) = (&words[2], &words[3]);
    let version = &words[words.iter().position(|w| w == "--version").unwrap() + 1];
    let mut args: Vec<String> = vec!["template".into(), release.clone()];
    args.push(charts.join(format!("{chart}-{version}.tgz")).display().to_string());
    let mut i = 4;
    while i < words.len() {
        match words[i].as_str() {
            "--repo" | "--version" => i += 2,
            w => {
                args.push(w.to_string());
                i += 1;
            }
        }
    }
    let o = Command::new(tool("HAGEN_HELM"))
        .current_dir(ws)
        .args(&args)
        .output()
        .unwrap();
    (o.status.success(), common::text(&o.stderr))
}

#[test]
fn the_take_over_preflight_fails_before_anything_is_disabled_when_the_chart_cannot_be_rendered() {
    let ws = tempfile::tempdir().unwrap();
    let cat = generate_into(ws.path(), CATALOG, "k3s");
    take_over_coredns(&cat);
    std::fs::write(
        ws.path().join("tests/catalogs/k3s-NodeHosts"),
        "192.168.1.2 homelab-02\n",
    )
    .unwrap();
    regenerate(ws.path());
    let readme = std::fs::read_to_string(ws.path().join("k3s/README.md")).unwrap();
    let runbook = &readme[readme.find("#### coredns → release coredns").unwrap()..];
    let preflight = runbook
        .find("Preflight, before anything is disabled")
        .expect("a preflight");
    let disable = runbook.find("add `coredns` to `disable:`").expect("a disable step");
    assert!(preflight < disable, "the preflight comes first");
    let render = block_after(runbook, "Render the exact install line");
    let dry_run = block_after(runbook, "Dry-run it against the cluster");
    let install = block_after(runbook, "Install the chart");
    // The preflight renders the very line the install step runs, and dry-runs it against the cluster.
    assert_eq!(
        render.trim_end_matches(" > /dev/null"),
        install
            .trim_end_matches(" --wait --timeout 5m")
            .replacen("helm upgrade --install", "helm template", 1)
            .replace(" --create-namespace", "")
    );
    assert!(dry_run.contains("--dry-run=server"), "{dry_run}");
    assert!(
        dry_run.starts_with(install.trim_end_matches(" --wait --timeout 5m")),
        "{dry_run}"
    );
    let charts = all_charts();
    let (ok, err) = run_template(ws.path(), render, charts.path());
    assert!(ok, "{err}");

    // A chart that cannot be rendered (own values the chart's templates reject): the preflight fails, and the
    // runbook has not disabled anything yet.
    let text = std::fs::read_to_string(&cat).unwrap().replace(
        "    k3sBundled: true\n    k3sTakeOver: true\n",
        "    k3sBundled: true\n    k3sTakeOver: true\n    values: {servers: not-a-list}\n",
    );
    std::fs::write(&cat, text).unwrap();
    regenerate(ws.path());
    let readme = std::fs::read_to_string(ws.path().join("k3s/README.md")).unwrap();
    let runbook = &readme[readme.find("#### coredns → release coredns").unwrap()..];
    let (ok, err) = run_template(
        ws.path(),
        block_after(runbook, "Render the exact install line"),
        charts.path(),
    );
    assert!(!ok, "the preflight must fail");
    // helm's own error (not hagen's output), worded by helm: only the value it names is checked.
    assert!(err.contains("servers"), "{err}");
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
    // k3s v1.35.3 runs traefik 39.0.5, not 39.0.7, said at its place in tests/catalogs/k3s.yaml.
    expect_run("k3s-generate-bundled-traefik-version", &g);
}

#[test]
fn plan_shows_what_k3s_owns_and_the_cut_over_windows() {
    let ws = tempfile::tempdir().unwrap();
    generate_into(ws.path(), CATALOG, "k3s");
    // What k3s owns (traefik), keeps in place (coredns, no cut-over; its own topology spread in -o wide) and the
    // cut-over of metrics-server: the whole report.
    expect_run("plan-k3s", &hagen(ws.path(), &["plan", "--catalog", CATALOG], None));
    expect_run(
        "plan-k3s-wide",
        &hagen(ws.path(), &["plan", "--catalog", CATALOG, "-o", "wide"], None),
    );
    let o = hagen(ws.path(), &["plan", "--catalog", CATALOG, "--output", "json"], None);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["k3s"]["owned"], json!(["traefik"]));
    assert_eq!(v["k3s"]["in_place"], json!(["coredns"]));
    assert_eq!(v["k3s"]["cut_overs"][0]["disable"], "metrics-server");
}

/// A live k3s cluster as the API server returns it: three Ready nodes; k3s's packaged CoreDNS (wrangler's hash
/// label, k3s's strategy and spread, no replicas in its manifest, so the API server's default filled in and the HPA
/// raised it) running 2 pods on two nodes with hagen's HPA and PDB beside it; k3s's packaged metrics-server still
/// running although the catalogue takes it over; a ServiceLB DaemonSet and a helm-install Job pod. `strategy` and
/// `affinity` are what the Deployment carries (an earlier script may have left its own).
fn k3s_live(strategy: Value, affinity: Option<Value>) -> Value {
    let meta = |name: &str, labels: Value| json!({"name": name, "namespace": "kube-system", "uid": format!("uid-{name}"), "creationTimestamp": "2026-11-01T00:00:00Z", "labels": labels});
    let hash = "bce283298811743a0386ab510f2f67ef74240c57";
    let node = |name: &str| {
        json!({"apiVersion": "v1", "kind": "Node",
        "metadata": {"name": name, "uid": format!("uid-{name}"), "creationTimestamp": "2026-11-01T00:00:00Z",
                     "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "node-role.kubernetes.io/control-plane": "true"}},
        "spec": {}, "status": {"conditions": [{"type": "Ready", "status": "True"}], "nodeInfo": {"kubeletVersion": "v1.35.3+k3s1"}}})
    };
    let pod = |name: &str, at: &str| {
        json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": "kube-system", "uid": format!("uid-{name}"), "creationTimestamp": "2026-11-01T00:00:00Z",
                     "labels": {"k8s-app": "kube-dns", "pod-template-hash": "7d8645499d"},
                     "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "coredns-7d8645499d", "controller": true, "uid": "uid-rs"}]},
        "spec": {"nodeName": at, "containers": [{"name": "coredns", "image": "rancher/mirrored-coredns-coredns:1.14.4"}]},
        "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}})
    };
    let mut template_spec = json!({
        "priorityClassName": "system-cluster-critical",
        "topologySpreadConstraints": [
            {"maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "DoNotSchedule", "labelSelector": {"matchLabels": {"k8s-app": "kube-dns"}}},
            {"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": "ScheduleAnyway", "labelSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
        "containers": [{"name": "coredns", "image": "rancher/mirrored-coredns-coredns:1.14.4"}]});
    if let Some(a) = affinity {
        template_spec["affinity"] = a;
    }
    json!({"apiVersion": "v1", "kind": "List", "items": [
        node("homelab-02"), node("homelab-03"), node("homelab-04"),
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": meta("coredns", json!({"k8s-app": "kube-dns", "kubernetes.io/name": "CoreDNS", "objectset.rio.cattle.io/hash": hash})),
         "spec": {"replicas": 2, "revisionHistoryLimit": 0, "strategy": strategy, "selector": {"matchLabels": {"k8s-app": "kube-dns"}},
                  "template": {"metadata": {"labels": {"k8s-app": "kube-dns"}}, "spec": template_spec}},
         "status": {"replicas": 2, "readyReplicas": 2, "availableReplicas": 2, "updatedReplicas": 2}},
        pod("coredns-7d8645499d-a1b2c", "homelab-02"), pod("coredns-7d8645499d-d3e4f", "homelab-03"),
        {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
         "metadata": meta("coredns", json!({"app.kubernetes.io/managed-by": "hagen"})),
         "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "coredns"}, "minReplicas": 2, "maxReplicas": 3,
                  "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]},
         "status": {"currentReplicas": 2, "desiredReplicas": 2, "conditions": [{"type": "AbleToScale", "status": "True"}, {"type": "ScalingActive", "status": "True"}]}},
        {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget",
         "metadata": meta("coredns", json!({"app.kubernetes.io/managed-by": "hagen"})),
         "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"k8s-app": "kube-dns"}}, "unhealthyPodEvictionPolicy": "AlwaysAllow"},
         "status": {"currentHealthy": 2, "desiredHealthy": 1, "disruptionsAllowed": 1, "expectedPods": 2}},
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": meta("metrics-server", json!({"k8s-app": "metrics-server", "objectset.rio.cattle.io/hash": hash})),
         "spec": {"replicas": 1, "selector": {"matchLabels": {"k8s-app": "metrics-server"}},
                  "template": {"metadata": {"labels": {"k8s-app": "metrics-server"}}, "spec": {"containers": [{"name": "metrics-server", "image": "rancher/mirrored-metrics-server:v0.8.1"}]}}},
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
    ]})
}

/// `hagen audit` of the k3s catalogue on `dump`, with extra arguments: the whole run (for [`expect_run`]).
fn audit(ws: &Path, dump: &Value, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["audit", "--catalog", CATALOG];
    args.extend(extra);
    args.push("-");
    hagen(ws, &args, Some(&serde_json::to_string(dump).unwrap()))
}

#[test]
fn audit_judges_k3s_s_coredns_in_place_ha_and_names_k3s_s_own_objects() {
    let ws = tempfile::tempdir().unwrap();
    generate_into(ws.path(), CATALOG, "k3s");
    let k3s_strategy = json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": "25%"}});
    // CoreDNS alone: HA as k3s runs it, with hagen's HPA and PDB.
    let healthy = k3s_live(k3s_strategy.clone(), None);
    // Kept as files to read: the dump (as `kubectl get … -o json` prints it) and what audit answers.
    expect_file(
        &root().join("tests/fixtures/k3s/live-in-place.json"),
        &format!("{}\n", serde_json::to_string_pretty(&healthy).unwrap()),
    );
    let run = audit(ws.path(), &healthy, &["--release", "coredns"]);
    let out = text(&run.stdout);
    assert!(run.status.success(), "{out}");
    // stdout alone stays in tests/fixtures/k3s/audit-in-place.txt (docs/k3s.md points readers there); the whole
    // run: ✓ coredns/coredns, k3s's Deployment named as kept in place by release coredns, no ✗.
    expect_file(&root().join("tests/fixtures/k3s/audit-in-place.txt"), &out);
    expect_run("k3s-audit-in-place", &run);
    let json = text(&audit(ws.path(), &healthy, &["--release", "coredns", "--output", "json"]).stdout);
    let v: Value = serde_json::from_str(&json).unwrap();
    let found: Vec<String> = v["components"][0]["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {}: {}",
                if c["ok"] == true { "✓" } else { "?" },
                c["setting"].as_str().unwrap(),
                c["found"].as_str().unwrap()
            )
        })
        .collect();
    for want in [
        "✓ replicas: HPA coredns 2–3, now 2",
        "✓ anti-affinity: topology spread on hostname (maxSkew 1, DoNotSchedule), k8s-app=kube-dns (own pods only)",
        "✓ strategy: RollingUpdate (maxSurge 25%, maxUnavailable 1)",
        "✓ PDB: coredns: maxUnavailable 1, unhealthyPodEvictionPolicy AlwaysAllow",
    ] {
        assert!(found.iter().any(|f| f == want), "{want}\n{found:#?}");
    }

    // The whole catalogue: k3s's other objects are named, and metrics-server's unfinished take-over is a finding.
    let run = audit(ws.path(), &k3s_live(k3s_strategy, None), &[]);
    assert!(!run.status.success(), "{}", transcript(&run));
    // svclb and helm-install pods named as k3s's, ✗ on k3s's metrics-server still running, none on its CoreDNS.
    expect_run("k3s-audit-whole-catalogue", &run);

    // What the old take-over script left on k3s's objects: Recreate, and anti-affinity on the chart's labels,
    // which k3s's pods never carry.
    let leftover_affinity = json!({"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": {"app.kubernetes.io/name": "coredns"}}}]}});
    let run = audit(
        ws.path(),
        &k3s_live(json!({"type": "Recreate"}), Some(leftover_affinity)),
        &["--release", "coredns"],
    );
    assert!(!run.status.success(), "{}", transcript(&run));
    // ✗ strategy (Recreate is not k3s's), and the anti-affinity on the chart's labels named a leftover.
    expect_run("k3s-audit-leftovers", &run);
}

/// The shipped catalogue is the seed's cluster as it runs (catalog/cluster.yaml: k3s v1.34.2, its own CoreDNS
/// kept in place and its Traefik configured, metrics-server and the rest as chart releases): nothing in the
/// committed out/ disables or replaces k3s's CoreDNS, and hagen's objects beside it pass Kubernetes' own schema.
/// (tests/verify.rs verifies it on the real charts; tests/generate.rs checks out/ is current.)
#[test]
fn the_shipped_catalogue_keeps_k3s_s_coredns() {
    let out = root().join("out");
    assert!(!out.join("k3s-server-config.yaml").exists(), "nothing to disable");
    assert!(!out.join("coredns").exists() && !out.join("flux/coredns.yaml").exists());
    assert!(!out.join("traefik/k3s-values.yaml").exists() && !out.join("flux/traefik.yaml").exists());
    let readme = std::fs::read_to_string(out.join("README.md")).unwrap();
    assert!(
        readme.contains("### In place") && !readme.contains("### Taking over"),
        "{readme}"
    );
    assert!(readme.contains("kubectl apply -f out/k3s/coredns-in-place.yaml"));
    assert!(!readme.contains("helm upgrade --install coredns") && !readme.contains("helm upgrade --install traefik"));
    let in_place = out.join("k3s/coredns-in-place.yaml");
    let (ok, said) = common::kubernetes_validate(&in_place);
    assert!(ok, "{said}");
    let plan = hagen(&root(), &["plan"], None);
    assert!(plan.status.success(), "{}", transcript(&plan));
    // `k3s keeps in place: coredns`: the shipped plan, the golden tests/plan_audit.rs keeps too.
    common::expect_file(&root().join("tests/fixtures/plan/shipped.txt"), &text(&plan.stdout));
}

/// `hagen init` on k3s (kubelet `…+k3s1`, k3s's CoreDNS Deployment in kube-system) writes a catalogue whose
/// CoreDNS takes the in-place route: hagen's objects beside k3s's, nothing disabled for it.
#[test]
fn init_on_k3s_picks_the_in_place_route_for_coredns() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = root().join("tests/fixtures/init/nodes-and-deployments.json");
    let o = hagen(dir.path(), &["init", fixture.to_str().unwrap()], None);
    assert!(o.status.success(), "{}", common::text(&o.stderr));
    let g = hagen(dir.path(), &["generate"], None);
    assert!(g.status.success(), "{}", common::text(&g.stderr));
    assert!(dir.path().join("out/k3s/coredns-in-place.yaml").exists());
    assert!(!dir.path().join("out/coredns").exists());
    let config = std::fs::read_to_string(dir.path().join("out/k3s-server-config.yaml")).unwrap_or_default();
    assert!(!config.contains("coredns"), "{config}");
}

//! The user's own values on every route, proven with the real chart (cert-manager with `crds.enabled: true`
//! delivers its CRDs and hagen's HA keys through the helm command line, Flux and Argo CD); every emitted Flux,
//! Argo CD and k3s object validated strictly against the controllers' real CRDs (../shared/crds); the folders
//! built by the real kustomize; and the order in which they would apply on an empty cluster.

mod common;
use common::*;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("runs");
    assert!(out.status.success(), "{cmd:?}: {}", text(&out.stderr));
    text(&out.stdout)
}

/// The documents of a YAML stream, as JSON (empty documents dropped).
fn docs(stream: &str) -> Vec<Value> {
    use serde::Deserialize;
    serde_yaml::Deserializer::from_str(stream)
        .filter_map(|d| {
            let v = serde_yaml::Value::deserialize(d).expect("valid YAML");
            (!v.is_null()).then(|| serde_json::to_value(v).expect("JSON-compatible"))
        })
        .collect()
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn crds_dir() -> PathBuf {
    let p = std::env::var_os("HAGEN_CRDS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/crds"));
    assert!(
        p.join("helm.toolkit.fluxcd.io_helmreleases.yaml").exists(),
        "no CRDs in {}: set HAGEN_CRDS to the folder of the controllers' CRDs",
        p.display()
    );
    p
}

/// Kubernetes' structural-schema rules in JSON Schema terms: an object with `properties` that does not preserve
/// unknown fields rejects others (the API server prunes them, so they would be silently lost).
fn strict(v: &mut Value) {
    if let Value::Object(m) = v {
        let preserve = m.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
        if m.contains_key("properties") && !preserve && !m.contains_key("additionalProperties") {
            m.insert("additionalProperties".into(), Value::Bool(false));
        }
        if m.get("nullable") == Some(&Value::Bool(true)) {
            m.remove("type");
        }
        for (k, child) in m.iter_mut() {
            if k != "enum" && k != "default" && k != "example" {
                strict(child);
            }
        }
    } else if let Value::Array(a) = v {
        a.iter_mut().for_each(strict);
    }
}

/// A validator per `apiVersion` + `kind` of the real CRDs.
fn crd_validators() -> BTreeMap<(String, String), jsonschema::Validator> {
    let mut out = BTreeMap::new();
    for e in std::fs::read_dir(crds_dir()).unwrap().flatten() {
        if e.path().extension().is_none_or(|x| x != "yaml") {
            continue;
        }
        for crd in docs(&read(&e.path())) {
            let group = crd["spec"]["group"].as_str().unwrap().to_string();
            let kind = crd["spec"]["names"]["kind"].as_str().unwrap().to_string();
            for v in crd["spec"]["versions"].as_array().unwrap() {
                let mut schema = v["schema"]["openAPIV3Schema"].clone();
                strict(&mut schema);
                let validator = jsonschema::validator_for(&schema).expect("the CRD's schema compiles");
                out.insert(
                    (format!("{group}/{}", v["name"].as_str().unwrap()), kind.clone()),
                    validator,
                );
            }
        }
    }
    out
}

/// Validates every object: custom resources against their CRD, the core kinds hagen emits by their shape.
fn validate_all(objects: &[Value], what: &str) -> usize {
    let validators = crd_validators();
    let mut problems = Vec::new();
    for o in objects {
        let api = o["apiVersion"].as_str().unwrap_or("");
        let kind = o["kind"].as_str().unwrap_or("");
        let id = format!("{what}: {kind}/{}", o["metadata"]["name"].as_str().unwrap_or("?"));
        match (api, kind) {
            // Core kinds: their shape here; tests/k3s.rs validates hagen's HPA and PDB with Kubernetes' own schema.
            ("v1", "Namespace")
            | ("v1", "ConfigMap")
            | ("policy/v1", "PodDisruptionBudget")
            | ("autoscaling/v2", "HorizontalPodAutoscaler") => {
                let allowed: &[&str] = match kind {
                    "ConfigMap" => &["apiVersion", "kind", "metadata", "data"],
                    _ => &["apiVersion", "kind", "metadata", "spec"],
                };
                for k in o.as_object().unwrap().keys() {
                    if !allowed.contains(&k.as_str()) {
                        problems.push(format!("{id}: unknown field {k}"));
                    }
                }
                if kind == "ConfigMap" {
                    for (k, v) in o["data"].as_object().unwrap() {
                        let ok = !k.is_empty()
                            && k.chars().all(|c| c.is_ascii_alphanumeric() || "-._".contains(c))
                            && v.is_string();
                        if !ok {
                            problems.push(format!("{id}: data key {k} is not a valid ConfigMap key with a string"));
                        }
                    }
                }
            }
            _ => match validators.get(&(api.to_string(), kind.to_string())) {
                Some(v) => {
                    for e in v.iter_errors(o) {
                        problems.push(format!("{id}: {} at {}", e, e.instance_path()));
                    }
                }
                None => problems.push(format!("{id}: no CRD for {api} {kind}")),
            },
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    objects.len()
}

/// Every Kubernetes object in the YAML files under `dir` (not kustomization.yaml, not values files); a
/// `.helmrelease-patch.yaml` snippet merged into a minimal HelmRelease, as a user merges it into theirs.
fn objects_under(dir: &Path) -> Vec<Value> {
    let mut out = Vec::new();
    for (rel, bytes) in snapshot(dir) {
        if !rel.ends_with(".yaml") || rel.ends_with("kustomization.yaml") {
            continue;
        }
        for mut d in docs(&String::from_utf8(bytes).unwrap()) {
            if rel.ends_with(".helmrelease-patch.yaml") {
                d["spec"]["interval"] = "10m".into();
                d["spec"]["chart"] =
                    serde_json::json!({"spec": {"chart": "c", "sourceRef": {"kind": "HelmRepository", "name": "r"}}});
            }
            if d.get("apiVersion").is_some() && d.get("kind").is_some() {
                out.push(d);
            } else {
                assert!(rel.ends_with("values.yaml"), "{rel}: a document that is no object");
            }
        }
    }
    out
}

/// Replaces `from` (which must be there) with `to` in the workspace's catalogue.
fn edit_catalogue(ws: &Path, from: &str, to: &str) {
    let cat = ws.join("catalog/cluster.yaml");
    let text = read(&cat);
    assert!(text.contains(from), "the catalogue has no {from:?}");
    std::fs::write(&cat, text.replace(from, to)).unwrap();
}

fn generate(ws: &Path, args: &[&str]) {
    let mut argv = vec!["generate"];
    argv.extend_from_slice(args);
    let g = hagen(ws, &argv, None);
    assert!(g.status.success(), "{}", text(&g.stderr));
}

/// `helm template` of the real chart with values files in order: CRDs and the HA keys of cert-manager.
fn assert_crds_and_ha(ws: &Path, values: &[PathBuf], route: &str) {
    let helm = tool("HAGEN_HELM");
    let tgz = charts().join("cert-manager-v1.21.1.tgz");
    let mut cmd = Command::new(&helm);
    cmd.current_dir(ws)
        .args(["template", "cert-manager"])
        .arg(&tgz)
        .args(["-n", "cert-manager"]);
    for v in values {
        cmd.arg("-f").arg(v);
    }
    let objects = docs(&run(&mut cmd));
    let crds = objects
        .iter()
        .filter(|o| o["kind"] == "CustomResourceDefinition")
        .count();
    assert!(
        crds >= 6,
        "{route}: {crds} CRDs rendered; the user's crds.enabled did not arrive"
    );
    let webhook = objects
        .iter()
        .find(|o| o["kind"] == "Deployment" && o["metadata"]["name"] == "cert-manager-webhook")
        .unwrap_or_else(|| panic!("{route}: no webhook Deployment"));
    assert_eq!(webhook["spec"]["replicas"], 2, "{route}");
    assert_eq!(webhook["spec"]["strategy"]["rollingUpdate"]["maxSurge"], 1, "{route}");
    let anti = &webhook["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"];
    assert_eq!(anti[0]["topologyKey"], "kubernetes.io/hostname", "{route}");
    assert_eq!(
        anti[0]["matchLabelKeys"][0], "pod-template-hash",
        "{route}: revision-scoped at 1.35"
    );
    assert!(
        objects
            .iter()
            .any(|o| o["kind"] == "PodDisruptionBudget" && o["metadata"]["name"] == "cert-manager-webhook"),
        "{route}: no webhook PDB"
    );
}

fn write_values(dir: &Path, name: &str, v: &Value) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, serde_yaml::to_string(v).unwrap()).unwrap();
    p
}

#[test]
fn own_values_and_the_overlay_reach_the_chart_on_every_route() {
    let ws = workspace();
    let w = ws.path();
    generate(w, &[]);
    let tmp = tempfile::tempdir().unwrap();

    // helm: the command line written at the top of values.yaml (and in out/README.md), its -f files in order.
    let header = read(&w.join("out/cert-manager/values.yaml"));
    let command = header
        .lines()
        .find(|l| l.starts_with("#   helm upgrade"))
        .unwrap()
        .trim_start_matches("#   ");
    let readme = read(&w.join("out/README.md"));
    assert!(readme.contains(command), "out/README.md shows another command");
    let words: Vec<&str> = command.split_whitespace().collect();
    let files: Vec<PathBuf> = words
        .windows(2)
        .filter(|p| p[0] == "-f")
        .map(|p| PathBuf::from(p[1]))
        .collect();
    assert_eq!(
        files,
        [
            PathBuf::from("catalog/values/cert-manager.yaml"),
            PathBuf::from("out/cert-manager/values.yaml")
        ]
    );
    assert_crds_and_ha(w, &files, "helm command");

    // Flux: the ConfigMap keys valuesFrom names, in order, then `values` last (how helm-controller merges).
    let flux = docs(&read(&w.join("out/flux/cert-manager.yaml")));
    let hr = flux.iter().find(|o| o["kind"] == "HelmRelease").unwrap();
    let mut files = Vec::new();
    for (n, from) in hr["spec"]["valuesFrom"].as_array().unwrap().iter().enumerate() {
        let cm = flux
            .iter()
            .find(|o| o["kind"] == "ConfigMap" && o["metadata"]["name"] == from["name"])
            .expect("the ConfigMap valuesFrom names is in the same file");
        assert_eq!(cm["metadata"]["namespace"], hr["metadata"]["namespace"]);
        let text = cm["data"][from["valuesKey"].as_str().unwrap()].as_str().unwrap();
        let p = tmp.path().join(format!("flux-{n}.yaml"));
        std::fs::write(&p, text).unwrap();
        files.push(p);
    }
    files.push(write_values(tmp.path(), "flux-values.yaml", &hr["spec"]["values"]));
    assert_crds_and_ha(w, &files, "Flux");

    // Argo CD: multi-source, the chart's valueFiles from this repository ($values), valuesObject on top.
    let app = &docs(&read(&w.join("out/argocd/cert-manager.yaml")))[0];
    let sources = app["spec"]["sources"].as_array().unwrap();
    assert_eq!(sources[1]["ref"], "values");
    assert_eq!(sources[1]["repoURL"], "https://git.example.com/homelab/cluster.git");
    let mut files: Vec<PathBuf> = sources[0]["helm"]["valueFiles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| w.join(f.as_str().unwrap().strip_prefix("$values/").expect("a $values path")))
        .collect();
    files.push(write_values(
        tmp.path(),
        "argo-values.yaml",
        &sources[0]["helm"]["valuesObject"],
    ));
    assert_crds_and_ha(w, &files, "Argo CD");

    // helmfile: paths relative to out/helmfile.yaml, the user's first.
    let helmfile: Value = serde_yaml::from_str(&read(&w.join("out/helmfile.yaml"))).unwrap();
    let release = helmfile["releases"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "cert-manager")
        .unwrap();
    let files: Vec<PathBuf> = release["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| w.join("out").join(f.as_str().unwrap()))
        .collect();
    assert_eq!(files.len(), 2);
    assert_crds_and_ha(w, &files, "helmfile");
}

#[test]
fn inline_values_go_through_a_generated_file_and_k3s_merges_them() {
    // The plain-Kubernetes example, its Traefik turned k3s's own.
    let ws = plain_workspace();
    let w = ws.path();
    let cat = w.join("catalog/cluster.yaml");
    let edited = read(&cat)
        .replace(
            "    valuesFiles: [values/cert-manager.yaml]   # your own chart values, before hagen's overlay\n",
            "    values: {crds: {enabled: true}}\n",
        )
        .replace(
            "    version: 41.3.0\n",
            "    version: 41.3.0\n    k3sBundled: true\n    values: {ports: {web: {exposedPort: 8080}}}\n",
        );
    std::fs::write(&cat, edited).unwrap();
    generate(w, &[]);
    let own = w.join("out/cert-manager/own-values.yaml");
    assert!(read(&own).contains("crds:\n  enabled: true\n"), "{}", read(&own));
    assert_crds_and_ha(
        w,
        &[own.clone(), w.join("out/cert-manager/values.yaml")],
        "helm with inline values",
    );
    let hcc = &docs(&read(&w.join("out/k3s/traefik-helmchartconfig.yaml")))[0];
    let content: Value = serde_yaml::from_str(hcc["spec"]["valuesContent"].as_str().unwrap()).unwrap();
    assert_eq!(content["ports"]["web"]["exposedPort"], 8080);
    let overlay: Value = serde_yaml::from_str(&read(&w.join("out/traefik/values.yaml"))).unwrap();
    for (k, v) in overlay.as_object().unwrap() {
        assert_eq!(&content[k], v, "the overlay's {k} is in valuesContent");
    }
    validate_all(std::slice::from_ref(hcc), "k3s");
}

#[test]
fn argocd_kustomize_folder_layers_own_values_before_the_overlay() {
    let helm3 = tool("HAGEN_HELM3"); // kustomize 5.7 calls `helm version -c`, which helm 4 refuses
    let kubectl = tool("HAGEN_KUBECTL");
    let ws = workspace();
    let w = ws.path();
    let cat = w.join("catalog/cluster.yaml");
    let edited = read(&cat).replace(
        "    version: 2.18.5\n",
        "    version: 2.18.5\n    values: {commonLabels: {team: infra}}\n",
    );
    std::fs::write(&cat, edited).unwrap();
    generate(w, &[]);
    let dir = w.join("out/argocd/sealed-secrets-controller");
    let k: Value = serde_yaml::from_str(&read(&dir.join("kustomization.yaml"))).unwrap();
    assert_eq!(k["helmCharts"][0]["valuesFile"], "own-values-1.yaml");
    let copy = read(&dir.join("own-values-1.yaml"));
    assert!(
        copy.contains("A copy of catalog/cluster.yaml (releases[5].values)"),
        "{copy}"
    );
    assert_eq!(
        k["helmCharts"][0]["additionalValuesFiles"],
        serde_json::json!(["values.yaml"])
    );
    let home = dir.join("charts/sealed-secrets-2.18.5");
    std::fs::create_dir_all(&home).unwrap();
    run(Command::new("tar")
        .arg("-xzf")
        .arg(charts().join("sealed-secrets-2.18.5.tgz"))
        .arg("-C")
        .arg(&home));
    let built = docs(&run(Command::new(&kubectl)
        .args(["kustomize", "--enable-helm", "--helm-command"])
        .arg(&helm3)
        .arg(&dir)));
    let deploy = built
        .iter()
        .find(|o| o["kind"] == "Deployment" && o["metadata"]["name"] == "sealed-secrets-controller")
        .unwrap();
    assert_eq!(deploy["metadata"]["labels"]["team"], "infra", "the user's value");
    assert_eq!(
        deploy["spec"]["strategy"]["type"], "Recreate",
        "hagen's patch (1 replica, single instance)"
    );
    assert!(
        deploy["spec"]["template"]["spec"]["tolerations"].is_array(),
        "hagen's overlay"
    );
}

/// Every object of every route for the shipped catalogue, the alternatives and the k3s catalogue, validated against the real CRDs;
/// the Flux and Argo CD folders built by the real kustomize (every kustomization.yaml lists files that exist).
#[test]
fn every_emitted_object_validates_against_the_real_crds() {
    let kubectl = tool("HAGEN_KUBECTL");
    let mut total = 0;
    for catalog in [
        "catalog/cluster.yaml",
        "tests/catalogs/alternatives.yaml",
        "tests/catalogs/k3s.yaml",
    ] {
        let ws = workspace();
        let w = ws.path();
        let cat = w.join("c.yaml");
        std::fs::copy(root().join(catalog), &cat).unwrap();
        let with_parts = read(&cat).replace("  flux: true\n", "  flux: true\n  fluxParts: true\n");
        for (name, text, out) in [("whole", read(&cat), "o"), ("parts", with_parts, "p")] {
            std::fs::write(w.join("catalog/c.yaml"), text).unwrap();
            generate(w, &["--catalog", "catalog/c.yaml", "--out", out]);
            for route in ["flux", "argocd", "k3s"] {
                let dir = w.join(out).join(route);
                if dir.exists() {
                    total += validate_all(&objects_under(&dir), &format!("{catalog} {name} {route}"));
                }
            }
            for route in ["flux", "argocd", "k3s"] {
                if !w.join(out).join(route).exists() {
                    continue;
                }
                let built = docs(&run(Command::new(&kubectl)
                    .arg("kustomize")
                    .arg(w.join(out).join(route))));
                assert!(!built.is_empty(), "{route}");
            }
        }
    }
    assert!(total > 40, "{total} objects validated");
}

#[test]
fn flux_and_argocd_apply_in_order_on_an_empty_cluster() {
    let kubectl = tool("HAGEN_KUBECTL");
    let ws = workspace();
    let w = ws.path();
    generate(w, &["--out", "gitops/ha"]);
    // Flux: kustomize-controller applies Namespaces (and CRDs) before everything else; every namespaced object is
    // in flux-system (Flux's own) or in a namespace the same build creates.
    let built = docs(&run(Command::new(&kubectl)
        .arg("kustomize")
        .arg(w.join("gitops/ha/flux"))));
    let namespaces: BTreeSet<&str> = built
        .iter()
        .filter(|o| o["kind"] == "Namespace")
        .map(|o| o["metadata"]["name"].as_str().unwrap())
        .collect();
    assert!(namespaces.contains("cert-manager") && namespaces.contains("monitoring"));
    let first_other = built.iter().position(|o| o["kind"] != "Namespace").unwrap();
    assert!(
        built[first_other..].iter().all(|o| o["kind"] != "Namespace"),
        "Namespaces first"
    );
    for o in &built {
        if o["kind"] == "Namespace" {
            assert_eq!(
                o["metadata"]["annotations"]["kustomize.toolkit.fluxcd.io/prune"],
                "disabled"
            );
            continue;
        }
        let ns = o["metadata"]["namespace"].as_str().expect("namespaced");
        assert!(
            ns == "flux-system" || namespaces.contains(ns),
            "{} in {ns}",
            o["metadata"]["name"]
        );
        if o["kind"] == "HelmRelease" {
            assert_eq!(ns, "flux-system");
            assert!(namespaces.contains(o["spec"]["targetNamespace"].as_str().unwrap()));
            assert_eq!(o["spec"]["install"]["createNamespace"], true);
        }
    }
    // Argo CD: Applications in argocd, each creating its destination namespace before syncing; paths follow --out;
    // extra manifests after the chart's objects (sync wave 1); ServerSideApply where the chart's CRDs need it.
    let apps = docs(&run(Command::new(&kubectl)
        .arg("kustomize")
        .arg(w.join("gitops/ha/argocd"))));
    // One Application per chart release of the shipped catalogue, and one for out/k3s/ (k3s's own CoreDNS and
    // Traefik: hagen's objects beside them and the HelmChartConfig).
    let releases = catalogue(&root().join("catalog/cluster.yaml"))["releases"]
        .as_array()
        .unwrap()
        .clone();
    let bundled = releases.iter().filter(|r| r["k3sBundled"] == true).count();
    assert!(bundled > 0);
    assert_eq!(apps.len(), releases.len() - bundled + 1);
    for app in &apps {
        assert_eq!(app["metadata"]["namespace"], "argocd");
        if app["metadata"]["name"] == "k3s-helmchartconfigs" {
            // Into kube-system, which k3s made.
            assert_eq!(app["spec"]["source"]["path"], "gitops/ha/k3s");
            assert_eq!(app["spec"]["destination"]["namespace"], "kube-system");
            continue;
        }
        let opts = app["spec"]["syncPolicy"]["syncOptions"].as_array().unwrap();
        assert!(opts.contains(&Value::from("CreateNamespace=true")));
        let name = app["metadata"]["name"].as_str().unwrap();
        assert_eq!(
            opts.contains(&Value::from("ServerSideApply=true")),
            name == "kube-prometheus-stack",
            "{name}"
        );
        if let Some(path) = app["spec"]["source"]["path"].as_str() {
            assert_eq!(path, format!("gitops/ha/argocd/{name}"));
            let res = w.join(path).join("resources.yaml");
            if res.exists() {
                for o in docs(&read(&res)) {
                    assert_eq!(o["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"], "1");
                    assert_eq!(o["metadata"]["namespace"], app["spec"]["destination"]["namespace"]);
                }
            }
        }
        if let Some(sources) = app["spec"]["sources"].as_array() {
            for f in sources[0]["helm"]["valueFiles"].as_array().unwrap() {
                let f = f.as_str().unwrap().strip_prefix("$values/").unwrap();
                assert!(w.join(f).exists(), "{f} is in the repository");
            }
        }
    }
}

#[test]
fn flux_parts_are_a_values_configmap_and_a_snippet_for_the_users_helmrelease() {
    let ws = workspace();
    let w = ws.path();
    let cat = w.join("catalog/cluster.yaml");
    std::fs::write(
        &cat,
        read(&cat).replace("  flux: true\n", "  flux: true\n  fluxParts: true\n"),
    )
    .unwrap();
    generate(w, &[]);
    assert!(!w.join("out/flux/sources.yaml").exists());
    let parts = docs(&read(&w.join("out/flux/kube-prometheus-stack.yaml")));
    let cm = parts.iter().find(|o| o["kind"] == "ConfigMap").unwrap();
    let values: Value = serde_yaml::from_str(cm["data"]["values.yaml"].as_str().unwrap()).unwrap();
    let overlay: Value = serde_yaml::from_str(&read(&w.join("out/kube-prometheus-stack/values.yaml"))).unwrap();
    assert_eq!(values, overlay);
    assert!(!parts.iter().any(|o| o["kind"] == "HelmRelease"));
    let snippet = &docs(&read(&w.join("out/flux/kube-prometheus-stack.helmrelease-patch.yaml")))[0];
    assert_eq!(snippet["spec"]["valuesFrom"][0]["name"], cm["metadata"]["name"]);
    let patches: Value = serde_yaml::from_str(&read(&w.join("out/kube-prometheus-stack/patches.yaml"))).unwrap();
    assert_eq!(snippet["spec"]["postRenderers"][0]["kustomize"]["patches"], patches);
}

#[test]
fn the_strict_crd_check_catches_an_unknown_field() {
    let validators = crd_validators();
    let v = &validators[&("helm.toolkit.fluxcd.io/v2".to_string(), "HelmRelease".to_string())];
    let mut hr = serde_json::json!({
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": "x", "namespace": "flux-system"},
        "spec": {"interval": "1m", "chart": {"spec": {"chart": "c", "sourceRef": {"kind": "HelmRepository", "name": "r"}}}},
    });
    assert!(v.is_valid(&hr));
    hr["spec"]["valuez"] = serde_json::json!({});
    assert!(!v.is_valid(&hr), "an unknown field must fail");
    hr["spec"].as_object_mut().unwrap().remove("valuez");
    hr["spec"]["values"] = serde_json::json!({"anything": {"goes": null}});
    assert!(v.is_valid(&hr), "values preserve unknown fields");
}

#[test]
fn a_conflicting_own_value_names_hagens_setting_and_nothing_is_written() {
    let ws = workspace();
    let w = ws.path();
    edit_catalogue(
        w,
        "    version: 88.5.3\n",
        "    version: 88.5.3\n    values:\n      grafana: {replicas: 2, adminUser: me}\n      additionalPrometheusRulesMap: {mine: {groups: []}, hagen-ha: {groups: []}}\n      prometheusOperator: {tolerations: []}\n",
    );
    let before = snapshot(&w.join("out"));
    let g = hagen(w, &["generate"], None);
    assert!(!g.status.success());
    let err = text(&g.stderr);
    assert!(
        err.contains("values.grafana.replicas: release `kube-prometheus-stack`: hagen's overlay out/kube-prometheus-stack/values.yaml writes `grafana.replicas: 1` here, for component `grafana` (1 replica,"),
        "{err}"
    );
    assert!(!err.contains("adminUser"), "{err}");
    // A rule group of one's own next to hagen's merges; one in hagen's place does not.
    assert!(!err.contains("additionalPrometheusRulesMap.mine"), "{err}");
    assert!(
        err.contains("writes `additionalPrometheusRulesMap.hagen-ha.groups: [{")
            && err.contains("here, for hagen's alert rules;"),
        "{err}"
    );
    assert!(err.contains("values.prometheusOperator.tolerations: "), "{err}");
    assert!(err.contains("for component `prometheus-operator`"), "{err}");
    assert!(
        err.ends_with("3 errors in the catalogue; nothing was written\n"),
        "{err}"
    );
    assert_eq!(before, snapshot(&w.join("out")));
}

/// Inline values reach Flux (a ConfigMap's text) and Argo CD as YAML that Helm, a YAML 1.1 reader, types as the
/// catalogue did: the string `yes` stays a string, not the boolean YAML 1.1 makes of a plain `yes`.
#[test]
fn inline_string_values_stay_strings_for_helm() {
    let ws = workspace();
    let w = ws.path();
    edit_catalogue(
        w,
        "    valuesFiles: [values/cert-manager.yaml]   # your own chart values, before hagen's overlay\n",
        "    values: {mode: 'yes', switch: 'on', port: '0777', count: 2}\n",
    );
    // Keys of the fixture chart `kinds`, not cert-manager's: no archive, so generate leaves them unchecked.
    generate(w, &["--charts", "no-charts"]);
    let flux = docs(&read(&w.join("out/flux/cert-manager.yaml")));
    let own = flux
        .iter()
        .find(|d| d["kind"] == "ConfigMap" && d["metadata"]["name"] == "cert-manager-own-values")
        .expect("the own-values ConfigMap");
    let texts: Vec<&str> = own["data"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(texts.len(), 1, "{own}");
    let file = w.join("flux-own-values.yaml");
    std::fs::write(&file, texts[0]).unwrap();
    let rendered = run(Command::new(tool("HAGEN_HELM"))
        .args(["template", "kinds"])
        .arg(root().join("tests/fixtures/kinds"))
        .arg("-f")
        .arg(&file));
    let kinds = &docs(&rendered)[0]["data"];
    struct Case {
        key: &'static str,
        kind: &'static str,
    }
    let cases = [
        Case {
            key: "mode",
            kind: "string",
        },
        Case {
            key: "switch",
            kind: "string",
        },
        Case {
            key: "port",
            kind: "string",
        },
        Case {
            key: "count",
            kind: "float64",
        },
    ];
    for c in cases {
        assert_eq!(kinds[c.key], c.kind, "{} as Helm reads it from:\n{}", c.key, texts[0]);
    }
}

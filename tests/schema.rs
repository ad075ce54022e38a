//! Every object hagen emits or patches validates against the Kubernetes schema of the cluster's version:
//! `kubernetes-validate --strict -k 1.35.0` (PyPI, installed by scripts/install-tools.sh; `$HAGEN_KUBERNETES_VALIDATE`)
//! on the real charts rendered as the cluster sees them (helm 4, `--kube-version` of the catalogue, hagen's overlay,
//! then `hagen post-render`) and on out/'s own manifests. It rejects unknown fields and wrong types; custom
//! resources it has no schema for are only warned about (tests/gitops.rs checks those against their CRDs).

mod common;
use common::*;
use serde_json::Value;
use std::path::Path;
use std::process::Command;

/// The Kubernetes version the shipped catalogue names, and the one the schemas are read for.
const VERSION: &str = common::KUBERNETES_VERSION;

fn validate(file: &Path) -> (bool, String) {
    kubernetes_validate(file)
}

/// One release of a catalogue: name, chart, version, namespace and its own values files.
struct Release {
    name: String,
    chart: String,
    version: String,
    namespace: String,
    values_files: Vec<String>,
}

fn releases(catalogue: &Path) -> Vec<Release> {
    let v: Value = serde_yaml::from_str(&std::fs::read_to_string(catalogue).unwrap()).unwrap();
    let s = |r: &Value, k: &str| r[k].as_str().unwrap().to_string();
    v["releases"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| Release {
            name: s(r, "name"),
            chart: s(r, "chart"),
            version: s(r, "version"),
            namespace: s(r, "namespace"),
            values_files: r["valuesFiles"]
                .as_array()
                .map(|a| a.iter().filter_map(Value::as_str).map(String::from).collect())
                .unwrap_or_default(),
        })
        .collect()
}

/// The release as the cluster gets it: helm 4 renders the pinned chart for Kubernetes 1.35 with the user's values
/// and hagen's overlay, then `hagen post-render` applies the patches and adds the extra manifests.
fn render(dir: &Path, r: &Release) -> String {
    let helm = tool("HAGEN_HELM");
    let home = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(helm);
    cmd.current_dir(dir)
        .args(["template", &r.name])
        .arg(charts().join(format!("{}-{}.tgz", r.chart, r.version)))
        .args(["-n", &r.namespace, "--kube-version", VERSION])
        .args(["--api-versions", "policy/v1/PodDisruptionBudget"])
        .env("HELM_DATA_HOME", home.path().join("data"))
        .env("HELM_CONFIG_HOME", home.path().join("config"))
        .env("HELM_CACHE_HOME", home.path().join("cache"));
    for f in &r.values_files {
        cmd.arg("-f").arg(Path::new("catalog").join(f));
    }
    cmd.arg("-f").arg(format!("out/{}/values.yaml", r.name));
    let o = cmd.output().expect("helm runs");
    assert!(o.status.success(), "helm template {}: {}", r.name, text(&o.stderr));
    let folder = dir.join("out").join(&r.name);
    if !folder.join("patches.yaml").exists() && !folder.join("resources.yaml").exists() {
        return text(&o.stdout);
    }
    let p = hagen(dir, &["post-render", folder.to_str().unwrap()], Some(&text(&o.stdout)));
    assert!(p.status.success(), "post-render {}: {}", r.name, text(&p.stderr));
    text(&p.stdout)
}

/// The objects of a manifest stream.
fn objects(stream: &str) -> Vec<Value> {
    hagen::k8s::objects_from_stream(stream, "default")
        .unwrap()
        .into_iter()
        .map(|o| o.value)
        .collect()
}

#[test]
fn every_rendered_and_patched_object_validates_against_kubernetes_1_35() {
    // Every component a chart release (the plain-Kubernetes example): each chart rendered as the cluster gets it.
    let ws = plain_workspace();
    let catalogue = ws.path().join("catalog/cluster.yaml");
    assert!(
        std::fs::read_to_string(&catalogue)
            .unwrap()
            .contains("kubernetesVersion: \"1.35\""),
        "the example names Kubernetes 1.35"
    );
    let mut scoped = 0;
    for r in releases(&catalogue) {
        let stream = render(ws.path(), &r);
        let file = ws.path().join(format!("{}.rendered.yaml", r.name));
        std::fs::write(&file, &stream).unwrap();
        let (ok, said) = validate(&file);
        assert!(
            ok,
            "release {} does not validate against Kubernetes {VERSION}:\n{said}",
            r.name
        );
        // The API's rules kubernetes-validate does not check: matchLabelKeys needs a labelSelector without its keys.
        for d in objects(&stream).iter().filter(|o| o["kind"] == "Deployment") {
            let terms = d
                .pointer("/spec/template/spec/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            for t in terms.iter().filter(|t| t.get("matchLabelKeys").is_some()) {
                scoped += 1;
                let sel = &t["labelSelector"];
                assert!(
                    sel.is_object(),
                    "{}: matchLabelKeys without a labelSelector",
                    d["metadata"]["name"]
                );
                assert!(
                    sel["matchLabels"].get("pod-template-hash").is_none()
                        && !sel["matchExpressions"].to_string().contains("pod-template-hash"),
                    "{}: pod-template-hash both in matchLabelKeys and the selector",
                    d["metadata"]["name"]
                );
            }
        }
    }
    assert_eq!(
        scoped, 7,
        "the seven components at 2 replicas with required anti-affinity that Helm renders"
    );
}

#[test]
fn out_manifests_validate_against_kubernetes_1_35() {
    let ws = workspace();
    let mut files = Vec::new();
    for dir in ["out/flux", "out/argocd"] {
        for e in std::fs::read_dir(ws.path().join(dir)).unwrap().flatten() {
            let p = e.path();
            if p.extension().is_some_and(|x| x == "yaml") {
                files.push(p);
            }
        }
    }
    assert!(files.len() > 10, "{files:?}");
    for f in files {
        let (ok, said) = validate(&f);
        assert!(
            ok,
            "{} does not validate against Kubernetes {VERSION}:\n{said}",
            f.display()
        );
    }
}

#[test]
fn extra_manifests_and_patches_of_the_alternatives_validate() {
    // The alternatives catalogue adds PodDisruptionBudget manifests (metallb, longhorn-ui) and patches Deployments.
    let ws = workspace();
    std::fs::copy(
        root().join("tests/catalogs/alternatives.yaml"),
        ws.path().join("catalog/alternatives.yaml"),
    )
    .unwrap();
    std::fs::copy(
        root().join("tests/catalogs/hagen.lock"),
        ws.path().join("catalog/hagen.lock"),
    )
    .unwrap();
    let text_of = std::fs::read_to_string(ws.path().join("catalog/alternatives.yaml")).unwrap();
    // At Kubernetes 1.35: the PDB manifests carry the eviction policy.
    let at_135 = text_of.replacen(
        "  name: homelab\n",
        "  name: homelab\n  kubernetesVersion: \"1.35\"\n",
        1,
    );
    std::fs::write(ws.path().join("catalog/alternatives.yaml"), at_135).unwrap();
    let g = hagen(
        ws.path(),
        &[
            "generate",
            "--catalog",
            "catalog/alternatives.yaml",
            "--out",
            "out",
            "--allow-unproven",
        ],
        None,
    );
    assert!(g.status.success(), "{}", text(&g.stderr));
    let metallb = std::fs::read_to_string(ws.path().join("out/metallb/resources.yaml")).unwrap();
    assert!(metallb.contains("unhealthyPodEvictionPolicy: AlwaysAllow"), "{metallb}");
    for r in releases(&ws.path().join("catalog/alternatives.yaml")) {
        let file = ws.path().join(format!("{}.rendered.yaml", r.name));
        std::fs::write(&file, render(ws.path(), &r)).unwrap();
        let (ok, said) = validate(&file);
        assert!(
            ok,
            "release {} does not validate against Kubernetes {VERSION}:\n{said}",
            r.name
        );
    }
}

//! Every delivery route, proven with real tools: the Helm 4 plugin, kubectl kustomize on every emitted patch set
//! and Argo CD kustomize folder (compared object by object with `hagen post-render`), and the Flux, Argo CD,
//! helmfile and k3s objects checked for their fields.

mod common;
use common::*;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

/// Objects by `Kind/name`, with null values and empty annotations dropped (both mean absent to Kubernetes, and
/// kustomize drops them).
fn objects(stream: &str) -> BTreeMap<String, Value> {
    fn strip(v: &mut Value) {
        match v {
            Value::Object(m) => {
                m.retain(|k, v| {
                    !v.is_null() && !((k == "annotations" || k == "labels") && v == &Value::Object(Default::default()))
                });
                m.values_mut().for_each(strip);
            }
            Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    hagen::k8s::objects_from_stream(stream, "")
        .unwrap()
        .into_iter()
        .map(|mut o| {
            strip(&mut o.value);
            (format!("{}/{}", o.kind, o.name), o.value)
        })
        .collect()
}

/// Asserts two object sets are equal, naming the objects that differ (not dumping them all).
fn assert_same(a: &BTreeMap<String, Value>, b: &BTreeMap<String, Value>, what: &str) {
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "{what}: different objects"
    );
    let differ: Vec<String> = a
        .iter()
        .filter(|(id, v)| b.get(*id) != Some(v))
        .map(|(id, v)| format!("{id}:\n  {v}\n  {}", b[id]))
        .collect();
    assert!(differ.is_empty(), "{what}: objects differ:\n{}", differ.join("\n"));
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().expect("runs");
    assert!(out.status.success(), "{cmd:?}: {}", text(&out.stderr));
    text(&out.stdout)
}

fn isolated_helm(helm: &Path, home: &Path) -> Command {
    let mut c = Command::new(helm);
    c.env("HELM_DATA_HOME", home.join("data"))
        .env("HELM_CONFIG_HOME", home.join("config"))
        .env("HELM_CACHE_HOME", home.join("cache"))
        .env_remove("HELM_PLUGINS");
    c
}

#[test]
fn helm4_plugin_runs_hagen_as_post_renderer_and_logs_failures() {
    let helm = tool("HAGEN_HELM");
    let home = tempfile::tempdir().unwrap();
    let install = isolated_helm(&helm, home.path())
        .args(["plugin", "install"])
        .arg(root().join("helm-plugin"))
        .output()
        .unwrap();
    assert!(install.status.success(), "{}", text(&install.stderr));
    let chart = root().join("tests/fixtures/hardcoded");
    let log = home.path().join("post-render.log");
    let template = |patches: &str| {
        isolated_helm(&helm, home.path())
            .args(["template", "web"])
            .arg(&chart)
            .args(["--post-renderer", "hagen", "--post-renderer-args"])
            .arg(root().join(patches))
            .env("HAGEN_BIN", env!("CARGO_BIN_EXE_hagen"))
            .env("HAGEN_ERROR_LOG", &log)
            .output()
            .unwrap()
    };
    let ok = template("tests/fixtures/hardcoded/patches.yaml");
    assert!(ok.status.success(), "{}", text(&ok.stderr));
    let objs = objects(&text(&ok.stdout));
    assert_eq!(objs["Deployment/web"]["spec"]["replicas"], 2);
    assert_eq!(objs["Deployment/web"]["spec"]["strategy"]["type"], "Recreate");
    let ok_log = std::fs::read_to_string(&log).unwrap();
    assert!(ok_log.contains(" hagen post-render, release hardcoded: "), "{ok_log}");
    assert!(ok_log.ends_with("\nok\n"), "{ok_log}");

    // Helm 4 hides the post-renderer's stderr: the upgrade fails and the reason is in the log.
    let bad = template("tests/fixtures/hardcoded/missing-target.yaml");
    assert!(!bad.status.success());
    assert!(
        !text(&bad.stderr).contains("not-rendered"),
        "helm 4 started showing stderr: update the README"
    );
    let reason = std::fs::read_to_string(&log).unwrap();
    assert!(
        reason.contains("the patch target Deployment not-rendered (apps/v1) is not in the rendered manifests"),
        "{reason}"
    );
}

/// For each release of `catalog` with patches: the real chart rendered with the overlay, then patched by
/// `kubectl kustomize` (the patches file verbatim as `patches:`) and by `hagen post-render`: the same objects.
fn kustomize_equals_post_render(catalog: &str) {
    let helm = tool("HAGEN_HELM");
    let kubectl = tool("HAGEN_KUBECTL");
    let ws = tempfile::tempdir().unwrap();
    let cat = generate_into(ws.path(), catalog, "out");
    let plan = hagen::resolve::load_and_resolve(&cat, Default::default(), false)
        .unwrap()
        .plan;
    let mut checked = 0;
    for rp in &plan.releases {
        let rel = &rp.release;
        let patches = ws.path().join("out").join(&rel.name).join("patches.yaml");
        if !patches.exists() {
            continue;
        }
        let chart = charts().join(format!("{}-{}.tgz", rel.chart, rel.version));
        let values = ws.path().join("out").join(&rel.name).join("values.yaml");
        let rendered = run(Command::new(&helm)
            .args(["template", &rel.name])
            .arg(&chart)
            .args(["-n", &rel.namespace, "-f"])
            .arg(&values));
        let dir = ws.path().join("k").join(&rel.name);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("rendered.yaml"), &rendered).unwrap();
        let entries = std::fs::read_to_string(&patches).unwrap();
        let indented: String = entries
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| format!("  {l}\n"))
            .collect();
        std::fs::write(
            dir.join("kustomization.yaml"),
            format!("resources:\n- rendered.yaml\npatches:\n{indented}"),
        )
        .unwrap();
        let by_kustomize = objects(&run(Command::new(&kubectl).arg("kustomize").arg(&dir)));
        let by_hagen = hagen(ws.path(), &["post-render", patches.to_str().unwrap()], Some(&rendered));
        assert!(by_hagen.status.success(), "{}", text(&by_hagen.stderr));
        assert_same(
            &by_kustomize,
            &objects(&text(&by_hagen.stdout)),
            &format!("release {}", rel.name),
        );
        checked += 1;
    }
    assert!(checked >= 2, "only {checked} releases had patches");
}

#[test]
fn kustomize_applies_the_shipped_patches_exactly_as_hagen_post_render() {
    kustomize_equals_post_render("catalog/cluster.yaml");
}

#[test]
fn kustomize_applies_the_alternatives_patches_exactly_as_hagen_post_render() {
    kustomize_equals_post_render("tests/catalogs/alternatives.yaml");
}

/// Argo CD's route: each emitted kustomize folder, built by `kubectl kustomize --enable-helm` with the real chart
/// in its chart home, gives the same objects as helm template + hagen post-render (+ resources).
#[test]
fn argocd_kustomize_folders_build_to_the_same_objects() {
    let helm3 = tool("HAGEN_HELM3"); // kustomize 5.7 calls `helm version -c`, which helm 4 refuses
    let helm = tool("HAGEN_HELM");
    let kubectl = tool("HAGEN_KUBECTL");
    let ws = tempfile::tempdir().unwrap();
    let cat = generate_into(ws.path(), "tests/catalogs/alternatives.yaml", "alt");
    let plan = hagen::resolve::load_and_resolve(&cat, Default::default(), false)
        .unwrap()
        .plan;
    let mut folders = 0;
    for rp in &plan.releases {
        let rel = &rp.release;
        let dir = ws.path().join("alt/argocd").join(&rel.name);
        if rel.k3s_bundled {
            // k3s's own: no Application of a second release, only out/k3s/ through one Application.
            assert!(!ws.path().join(format!("alt/argocd/{}.yaml", rel.name)).exists());
            continue;
        }
        let app = std::fs::read_to_string(ws.path().join(format!("alt/argocd/{}.yaml", rel.name))).unwrap();
        let app = objects(&app).remove(&format!("Application/{}", rel.name)).unwrap();
        assert_eq!(app["spec"]["destination"]["namespace"], rel.namespace.as_str());
        if !dir.exists() {
            assert_eq!(app["spec"]["source"]["chart"], rel.chart.as_str());
            assert_eq!(app["spec"]["source"]["targetRevision"], rel.version.as_str());
            assert!(app["spec"]["source"]["helm"]["valuesObject"].is_object());
            continue;
        }
        assert_eq!(app["spec"]["source"]["path"], format!("alt/argocd/{}", rel.name));
        let home = dir.join("charts").join(format!("{}-{}", rel.chart, rel.version));
        std::fs::create_dir_all(&home).unwrap();
        let tgz = charts().join(format!("{}-{}.tgz", rel.chart, rel.version));
        run(Command::new("tar").arg("-xzf").arg(&tgz).arg("-C").arg(&home));
        let built = objects(&run(Command::new(&kubectl)
            .args(["kustomize", "--enable-helm", "--helm-command"])
            .arg(&helm3)
            .arg(&dir)));
        let out = ws.path().join("alt").join(&rel.name);
        let rendered = run(Command::new(&helm)
            .args(["template", &rel.name])
            .arg(&tgz)
            .args(["-n", &rel.namespace, "--include-crds", "-f"])
            .arg(out.join("values.yaml")));
        let by_hagen = hagen(ws.path(), &["post-render", out.to_str().unwrap()], Some(&rendered));
        assert!(by_hagen.status.success(), "{}", text(&by_hagen.stderr));
        let expected = objects(&text(&by_hagen.stdout));
        assert_eq!(
            built.keys().collect::<Vec<_>>(),
            expected.keys().collect::<Vec<_>>(),
            "release {}",
            rel.name
        );
        // What HA depends on must be identical; the rest of a Deployment may differ between two renders (Grafana's
        // checksum of a randomly generated admin password).
        for (id, obj) in &expected {
            let parts: &[&str] = match id.split('/').next() {
                Some("Deployment") => &[
                    "/spec/replicas",
                    "/spec/strategy",
                    "/spec/template/spec/affinity",
                    "/spec/template/spec/tolerations",
                    "/spec/template/metadata/labels",
                ],
                Some("PodDisruptionBudget") => &["/spec"],
                _ => &[],
            };
            for p in parts {
                assert_eq!(built[id].pointer(p), obj.pointer(p), "release {} {id} {p}", rel.name);
            }
        }
        folders += 1;
    }
    assert_eq!(
        folders, 4,
        "longhorn (longhorn-ui), kube-prometheus-stack, metallb and sealed-secrets need patches"
    );
}

#[test]
fn flux_helmfile_and_k3s_objects_carry_the_overlay_and_patches() {
    let ws = tempfile::tempdir().unwrap();
    generate_into(ws.path(), "tests/catalogs/alternatives.yaml", "alt");
    let read = |p: &str| std::fs::read_to_string(ws.path().join("alt").join(p)).unwrap();
    let values = |rel: &str| -> Value { serde_yaml::from_str(&read(&format!("{rel}/values.yaml"))).unwrap() };
    let patches = |rel: &str| -> Value { serde_yaml::from_str(&read(&format!("{rel}/patches.yaml"))).unwrap() };

    let sources = objects(&read("flux/sources.yaml"));
    assert_eq!(
        sources["HelmRepository/metallb"]["spec"]["url"],
        "https://metallb.github.io/metallb"
    );
    let flux = objects(&read("flux/metallb.yaml"));
    let hr = &flux["HelmRelease/metallb"];
    assert_eq!(hr["metadata"]["namespace"], "flux-system");
    assert_eq!(hr["spec"]["targetNamespace"], "metallb-system");
    assert_eq!(hr["spec"]["storageNamespace"], "metallb-system");
    assert_eq!(hr["spec"]["chart"]["spec"]["version"], "0.16.1");
    assert_eq!(hr["spec"]["chart"]["spec"]["sourceRef"]["name"], "metallb");
    assert_eq!(hr["spec"]["values"], values("metallb"));
    assert_eq!(
        hr["spec"]["postRenderers"][0]["kustomize"]["patches"],
        patches("metallb")
    );
    assert_eq!(
        flux["PodDisruptionBudget/metallb-controller"]["spec"]["maxUnavailable"],
        1
    );
    let cm = objects(&read("flux/cert-manager.yaml"));
    assert!(cm["HelmRelease/cert-manager"]["spec"].get("postRenderers").is_none());

    let helmfile: Value = serde_yaml::from_str(&read("helmfile.yaml")).unwrap();
    let releases = helmfile["releases"].as_array().unwrap();
    // k3s's own Traefik is no helmfile release: k3s installs it.
    let listed = counts(&root().join("tests/catalogs/alternatives.yaml"));
    assert_eq!(releases.len(), listed.releases - listed.k3s_bundled);
    assert!(releases.iter().all(|r| r["name"] != "traefik"));
    assert!(!ws.path().join("alt/flux/traefik.yaml").exists());
    let ss = releases
        .iter()
        .find(|r| r["name"] == "sealed-secrets-controller")
        .unwrap();
    assert_eq!(ss["chart"], "sealed-secrets/sealed-secrets");
    assert_eq!(ss["version"], "2.18.5");
    assert_eq!(ss["namespace"], "kube-system");
    assert_eq!(ss["values"][0], "sealed-secrets-controller/values.yaml");
    assert_eq!(ss["jsonPatches"][0]["target"]["name"], "sealed-secrets-controller");
    assert_eq!(ss["jsonPatches"][0]["patch"][0]["path"], "/spec/replicas");
    assert!(
        helmfile["repositories"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["url"] == "https://charts.jetstack.io")
    );

    let k3s = objects(&read("k3s/traefik-helmchartconfig.yaml"));
    let hcc = &k3s["HelmChartConfig/traefik"];
    assert_eq!(hcc["metadata"]["namespace"], "kube-system");
    let content: Value = serde_yaml::from_str(hcc["spec"]["valuesContent"].as_str().unwrap()).unwrap();
    assert_eq!(content, values("traefik"));
    // Flux applies the same HelmChartConfig (a Kustomization on out/flux alone must carry it).
    let flux_hcc = objects(&read("flux/traefik-helmchartconfig.yaml"));
    assert_eq!(flux_hcc["HelmChartConfig/traefik"], *hcc);
    assert!(read("flux/kustomization.yaml").contains("traefik-helmchartconfig.yaml"));
}

#[test]
fn k3s_bundled_coredns_is_taken_over_on_the_cluster_dns_ip() {
    // The plain-Kubernetes example turned k3s, its CoreDNS taken over.
    let ws = plain_workspace();
    let cat = ws.path().join("catalog/cluster.yaml");
    let text0 = std::fs::read_to_string(&cat).unwrap();
    let edited = text0
        .replace(
            "    version: 1.46.2\n    namespace: kube-system\n",
            "    version: 1.46.2\n    namespace: kube-system\n    k3sBundled: true\n    k3sTakeOver: true\n",
        )
        .replace(
            "  name: homelab\n",
            "  name: homelab\n  distribution: k3s\n  k3s: {clusterDNS: 10.43.0.53}\n",
        );
    std::fs::write(&cat, edited).unwrap();
    // The preflight saved k3s's NodeHosts beside the catalogue.
    std::fs::write(ws.path().join("catalog/k3s-NodeHosts"), "192.168.1.2 homelab-02\n").unwrap();
    let g = hagen(ws.path(), &["generate", "--out", "o"], None);
    assert!(g.status.success(), "{}", text(&g.stderr));
    assert!(!text(&g.stderr).contains("coredns"), "{}", text(&g.stderr));
    let read = |p: &str| std::fs::read_to_string(ws.path().join("o").join(p)).unwrap();
    let config: Value = serde_yaml::from_str(&read("k3s-server-config.yaml")).unwrap();
    assert_eq!(config, serde_json::json!({"disable": ["coredns"]}));
    let takeover: Value = serde_yaml::from_str(&read("coredns/k3s-values.yaml")).unwrap();
    assert_eq!(takeover["service"]["clusterIP"], "10.43.0.53");
    assert_eq!(takeover["service"]["name"], "kube-dns");
    // GitOps needs DNS: the take-over is installed with the Helm CLI, so no Flux or Argo CD object for it.
    assert!(!ws.path().join("o/flux/coredns.yaml").exists());
    assert!(!ws.path().join("o/argocd/coredns.yaml").exists());
    let readme = read("README.md");
    assert!(readme.contains("### Taking over k3s's coredns (opt-in)"));
    assert!(readme.contains("kubectl wait --for=delete --timeout=5m -n kube-system service/kube-dns"));
    assert!(readme.contains(
        "-f o/coredns/k3s-values.yaml -f o/coredns/values.yaml --set 'zoneFiles[0].filename=NodeHosts' --set-file 'zoneFiles[0].contents=catalog/k3s-NodeHosts' --wait --timeout 5m"
    ));
}

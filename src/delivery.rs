//! The other routes to a cluster, rendered from the same in-memory result as values.yaml and patches.yaml:
//! Flux HelmReleases, Argo CD Applications (or kustomize folders), a helmfile, and k3s HelmChartConfigs.

use crate::catalog::ArgoCd;
use crate::charts::K3s;
use crate::error::{Error, Result};
use crate::intent::{Plan, ReleasePlan};
use crate::output::{FileSet, MARKER};
use crate::render::Rendered;
use indexmap::IndexMap;
use serde_json::{Value, json};

fn yaml(v: &Value) -> Result<String> {
    crate::yaml::to_string(v).map_err(|e| Error::Tool(e.to_string()))
}

fn documents(header: &str, docs: &[Value]) -> Result<String> {
    let mut s = header.to_string();
    for d in docs {
        s.push_str("---\n");
        s.push_str(&yaml(d)?);
    }
    Ok(s)
}

fn header(catalog: &str, what: &str) -> String {
    format!(
        "{MARKER} {} from {}; do not edit.\n# {}\n",
        env!("CARGO_PKG_VERSION"),
        crate::text::comment(catalog),
        crate::text::comment(what)
    )
}

fn values_json(r: &Rendered) -> Value {
    serde_json::to_value(&r.values).unwrap_or(Value::Null)
}

fn patches_json(r: &Rendered) -> Vec<Value> {
    r.patches
        .iter()
        .map(|p| serde_json::to_value(p.entry()).unwrap_or(Value::Null))
        .collect()
}

/// The name of the Flux HelmRepository (and helmfile repository) for each repository URL: the chart name of the
/// first release that uses it.
fn repository_names(plan: &Plan) -> IndexMap<String, String> {
    let mut names: IndexMap<String, String> = IndexMap::new();
    for rp in &plan.releases {
        let url = &rp.release.repository;
        if !names.contains_key(url) {
            let mut name = rp.chart.name.to_string();
            let mut n = 2;
            while names.values().any(|v| *v == name) {
                name = format!("{}-{n}", rp.chart.name);
                n += 1;
            }
            names.insert(url.clone(), name);
        }
    }
    names
}

/// out/flux/: sources.yaml (HelmRepositories) and one HelmRelease per release, with the overlay as `values` and
/// the patches as a kustomize post-renderer. Extra manifests (PDBs) follow the HelmRelease as plain objects.
pub fn flux(plan: &Plan, rendered: &[Rendered], catalog: &str, files: &mut FileSet) -> Result<()> {
    let repos = repository_names(plan);
    let sources: Vec<Value> = repos
        .iter()
        .map(|(url, name)| {
            json!({
                "apiVersion": "source.toolkit.fluxcd.io/v1",
                "kind": "HelmRepository",
                "metadata": {"name": name, "namespace": "flux-system"},
                "spec": {"interval": "24h", "url": url},
            })
        })
        .collect();
    files.add(
        "flux/sources.yaml",
        documents(
            &header(catalog, "Flux HelmRepositories for the releases in this folder."),
            &sources,
        )?,
        "the Flux HelmRepositories",
    )?;
    for (rp, r) in plan.releases.iter().zip(rendered) {
        let rel = &rp.release;
        let mut spec = json!({
            "interval": "30m",
            "releaseName": rel.name,
            "chart": {"spec": {
                "chart": rp.chart.name,
                "version": rel.version,
                "sourceRef": {"kind": "HelmRepository", "name": repos[&rel.repository], "namespace": "flux-system"},
            }},
            "install": {"createNamespace": true},
            "values": values_json(r),
        });
        if !r.patches.is_empty() {
            spec["postRenderers"] = json!([{"kustomize": {"patches": patches_json(r)}}]);
        }
        let mut docs = vec![json!({
            "apiVersion": "helm.toolkit.fluxcd.io/v2",
            "kind": "HelmRelease",
            "metadata": {"name": rel.name, "namespace": rel.namespace},
            "spec": spec,
        })];
        docs.extend(r.resources.iter().cloned());
        files.add(
            &format!("flux/{}.yaml", rel.name),
            documents(
                &header(
                    catalog,
                    &format!("Flux HelmRelease for {} ({} {}).", rel.name, rp.chart.name, rel.version),
                ),
                &docs,
            )?,
            &format!("the Flux HelmRelease of release `{}`", rel.name),
        )?;
    }
    Ok(())
}

/// out/argocd/: an Application per release. Argo CD has no post-renderer: a release that needs patches or extra
/// manifests becomes a kustomize folder (`helmCharts` + the same patches), which Argo CD builds with
/// `kustomize.buildOptions: --enable-helm`.
pub fn argocd(plan: &Plan, rendered: &[Rendered], argo: &ArgoCd, catalog: &str, files: &mut FileSet) -> Result<()> {
    for (rp, r) in plan.releases.iter().zip(rendered) {
        let rel = &rp.release;
        let destination = json!({"server": "https://kubernetes.default.svc", "namespace": rel.namespace});
        let sync = json!({"syncOptions": ["CreateNamespace=true"]});
        let source = if r.patches.is_empty() && r.resources.is_empty() {
            json!({
                "repoURL": rel.repository,
                "chart": rp.chart.name,
                "targetRevision": rel.version,
                "helm": {"releaseName": rel.name, "valuesObject": values_json(r)},
            })
        } else {
            let dir = format!("argocd/{}", rel.name);
            let mut k = json!({
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                "helmCharts": [{
                    "name": rp.chart.name,
                    "repo": rel.repository,
                    "version": rel.version,
                    "releaseName": rel.name,
                    "namespace": rel.namespace,
                    "includeCRDs": true,
                    // A values file, not valuesInline: kustomize merges valuesInline into the chart's defaults
                    // itself and loses the `null`s that remove a default (seen: sealed-secrets' pdb.minAvailable).
                    "valuesFile": "values.yaml",
                }],
            });
            if !r.patches.is_empty() {
                k["patches"] = Value::Array(patches_json(r));
            }
            files.add(
                &format!("{dir}/values.yaml"),
                format!(
                    "{}{}",
                    header(catalog, "The values overlay, for kustomize's helmCharts."),
                    yaml(&values_json(r))?
                ),
                &format!("the Argo CD values of release `{}`", rel.name),
            )?;
            if !r.resources.is_empty() {
                k["resources"] = json!(["resources.yaml"]);
                files.add(
                    &format!("{dir}/resources.yaml"),
                    documents(&header(catalog, "Objects the chart cannot create."), &r.resources)?,
                    &format!("the Argo CD resources of release `{}`", rel.name),
                )?;
            }
            files.add(
                &format!("{dir}/kustomization.yaml"),
                format!(
                    "{}{}",
                    header(
                        catalog,
                        "Argo CD builds this with `kustomize.buildOptions: --enable-helm` (argocd-cm)."
                    ),
                    yaml(&k)?
                ),
                &format!("the Argo CD kustomization of release `{}`", rel.name),
            )?;
            json!({"repoURL": argo.repo_url, "targetRevision": argo.target_revision, "path": format!("{}/{dir}", argo.out_path)})
        };
        let app = json!({
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Application",
            "metadata": {"name": rel.name, "namespace": argo.namespace},
            "spec": {"project": "default", "source": source, "destination": destination, "syncPolicy": sync},
        });
        files.add(
            &format!("argocd/{}.yaml", rel.name),
            documents(
                &header(catalog, &format!("Argo CD Application for {}.", rel.name)),
                &[app],
            )?,
            &format!("the Argo CD Application of release `{}`", rel.name),
        )?;
    }
    Ok(())
}

/// out/helmfile.yaml: every release with its pinned version, namespace, overlay and patches (`jsonPatches`).
pub fn helmfile(plan: &Plan, rendered: &[Rendered], catalog: &str, files: &mut FileSet) -> Result<()> {
    let repos = repository_names(plan);
    let repositories: Vec<Value> = repos
        .iter()
        .map(|(url, name)| json!({"name": name, "url": url}))
        .collect();
    let releases: Vec<Value> = plan
        .releases
        .iter()
        .zip(rendered)
        .map(|(rp, r)| {
            let rel = &rp.release;
            let mut v = json!({
                "name": rel.name,
                "namespace": rel.namespace,
                "createNamespace": true,
                "chart": format!("{}/{}", repos[&rel.repository], rp.chart.name),
                "version": rel.version,
                "values": [crate::generate::values_path(&rel.name)],
            });
            if !r.patches.is_empty() {
                let patches: Vec<Value> = r
                    .patches
                    .iter()
                    .map(|p| {
                        json!({
                            "target": {"group": p.target.group, "version": p.target.version, "kind": p.target.kind, "name": p.target.name},
                            "patch": p.ops,
                        })
                    })
                    .collect();
                v["jsonPatches"] = Value::Array(patches);
            }
            if !r.resources.is_empty() {
                v["hooks"] = json!([{
                    "events": ["postsync"],
                    "showlogs": true,
                    "command": "kubectl",
                    "args": ["apply", "-f", crate::generate::resources_path(&rel.name)],
                }]);
            }
            v
        })
        .collect();
    let doc = json!({"repositories": repositories, "releases": releases});
    files.add(
        "helmfile.yaml",
        format!(
            "{}{}",
            header(
                catalog,
                "helmfile for every release; run `helmfile apply` in this folder."
            ),
            yaml(&doc)?
        ),
        "the helmfile",
    )
}

/// out/k3s/: a HelmChartConfig for each k3s-bundled release whose chart k3s installs as a HelmChart.
pub fn k3s(plan: &Plan, rendered: &[Rendered], catalog: &str, files: &mut FileSet) -> Result<()> {
    for (rp, r) in plan.releases.iter().zip(rendered) {
        if !rp.release.k3s_bundled {
            continue;
        }
        if let K3s::HelmChart(name) = rp.chart.k3s {
            let values = yaml(&values_json(r))?;
            let doc = json!({
                "apiVersion": "helm.cattle.io/v1",
                "kind": "HelmChartConfig",
                "metadata": {"name": name, "namespace": "kube-system"},
                "spec": {"valuesContent": values},
            });
            files.add(
                &format!("k3s/{name}-helmchartconfig.yaml"),
                documents(
                    &header(catalog, &format!("k3s passes valuesContent to its own {name} HelmChart; copy to /var/lib/rancher/k3s/server/manifests/ or apply.")),
                    &[doc],
                )?,
                &format!("the k3s HelmChartConfig of release `{}`", rp.release.name),
            )?;
        }
    }
    Ok(())
}

/// What out/README.md says about a k3s-bundled release.
pub fn k3s_explanation(rp: &ReleasePlan, has_patches: bool) -> Option<String> {
    if !rp.release.k3s_bundled {
        return None;
    }
    Some(match rp.chart.k3s {
        K3s::HelmChart(name) if has_patches => format!(
            "k3s installs {name} itself as a HelmChart, which has no post-renderer: out/k3s/{name}-helmchartconfig.yaml carries the values, but the patches in patches.yaml cannot reach the bundled {name}. Disable the packaged one (`--disable {name}`) and install the chart with Helm to get them."
        ),
        K3s::HelmChart(name) => format!(
            "k3s installs {name} itself as a HelmChart (chart version chosen by k3s, not {}): apply out/k3s/{name}-helmchartconfig.yaml (a HelmChartConfig named like the HelmChart, in kube-system).",
            rp.release.version
        ),
        K3s::PlainManifest(name) => format!(
            "k3s ships {name} as plain manifests that it rewrites at every start: any change to them is lost. Start k3s with `--disable {name}` and install the chart with Helm using out/{}/values.yaml.",
            rp.release.name
        ),
        K3s::NotBundled => String::new(),
    })
}

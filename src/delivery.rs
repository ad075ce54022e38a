//! The other routes to a cluster, rendered from the same in-memory result as values.yaml and patches.yaml:
//! Flux HelmReleases, Argo CD Applications (or kustomize folders), a helmfile, and k3s HelmChartConfigs.

use crate::catalog::ArgoCd;
use crate::charts::K3s;
use crate::error::{Error, OutputError, Result};
use crate::model::{Plan, ReleasePlan};
use crate::output::FileSet;
use crate::paths::{own_values_files, patches_path, resources_path, values_path};
use crate::render::Rendered;
use crate::text::shell_word;
use indexmap::IndexMap;
use serde_json::{Value, json};

fn yaml(v: &Value) -> Result<String> {
    crate::yaml::value_to_string(v).map_err(Error::Internal)
}

fn documents(header: &str, docs: &[Value]) -> Result<String> {
    let docs = docs.iter().map(yaml).collect::<Result<Vec<_>>>()?;
    Ok(written_documents(header, &docs))
}

/// A header, then YAML documents already written, each after `---`.
fn written_documents(header: &str, docs: &[String]) -> String {
    let mut s = header.to_string();
    for d in docs {
        s.push_str("---\n");
        s.push_str(d);
    }
    s
}

fn header(catalog: &str, what: &str) -> String {
    crate::output::header(catalog, None, &[what])
}

fn values_json(r: &Rendered) -> Value {
    r.values.clone()
}

fn patches_json(r: &Rendered) -> Vec<Value> {
    r.patches
        .iter()
        // A target's names and a patch's text: strings only, so serialising cannot fail.
        .map(|p| serde_json::to_value(p.entry()).expect("a patch entry is strings"))
        .collect()
}

/// The name of the Flux HelmRepository (and helmfile repository) for each repository URL: the chart name of the
/// first release that uses it.
fn repository_names(plan: &Plan) -> IndexMap<String, String> {
    let mut names: IndexMap<String, String> = IndexMap::new();
    for rp in plan.releases.iter().filter(|rp| !crate::k3s::outside_gitops(rp)) {
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

/// The user's own values of a release merged in Helm's order (files, then inline), as one mapping.
fn own_merged(rp: &ReleasePlan) -> Value {
    let mut merged = json!({});
    for o in &rp.own_values {
        crate::catalog::values::merge(&mut merged, &o.values);
    }
    merged
}

/// A Namespace for every target namespace, applied first on an empty cluster; never pruned (removing a release
/// from the catalogue must not delete a namespace with everything else in it).
fn namespaces(plan: &Plan) -> Vec<Value> {
    let mut seen: Vec<&str> = Vec::new();
    for rp in plan.releases.iter().filter(|rp| !crate::k3s::outside_gitops(rp)) {
        if !seen.contains(&rp.release.namespace.as_str()) {
            seen.push(&rp.release.namespace);
        }
    }
    seen.iter()
        .map(|ns| {
            json!({
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": {"name": ns, "annotations": {"kustomize.toolkit.fluxcd.io/prune": "disabled"}},
            })
        })
        .collect()
}

/// A `kustomization.yaml` listing `resources` (files of the same folder).
fn kustomization(catalog: &str, what: &str, resources: &[String]) -> Result<String> {
    let k = json!({
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": resources,
    });
    Ok(format!("{}{}", header(catalog, what), yaml(&k)?))
}

/// helm-controller reconciles a HelmRelease when a `valuesFrom` ConfigMap carrying this label changes (otherwise
/// only at its interval or when the HelmRelease itself changes).
const WATCH_LABEL: &str = "reconcile.fluxcd.io/watch";

/// The ConfigMap data keys of a release's own values, in order: `values-1.yaml`, `values-2.yaml`, ….
fn own_keys(rp: &ReleasePlan) -> Vec<String> {
    (1..=rp.own_values.len()).map(|n| format!("values-{n}.yaml")).collect()
}

/// out/flux/: namespaces.yaml, sources.yaml (HelmRepositories) and one file per release (a ConfigMap with the
/// user's own values, the HelmRelease in flux-system targeting the release's namespace, with the own values as
/// `valuesFrom`, the overlay as `values` and the patches as a kustomize post-renderer; then extra manifests), and
/// a kustomization.yaml. With `fluxParts`, only what a user merges into an existing HelmRelease.
pub fn flux(plan: &Plan, rendered: &[Rendered], catalog: &str, files: &mut FileSet) -> Result<()> {
    let parts = plan.delivery.flux_parts;
    let mut listed: Vec<String> = vec!["namespaces.yaml".into()];
    files.add(
        "flux/namespaces.yaml",
        documents(
            &header(
                catalog,
                "The releases' namespaces, applied before everything else (never pruned).",
            ),
            &namespaces(plan),
        )?,
        "the Flux namespaces",
    )?;
    let repos = repository_names(plan);
    if !parts {
        files.add(
            "flux/sources.yaml",
            documents(
                &header(catalog, "Flux HelmRepositories for the releases in this folder."),
                &helm_repositories(&repos),
            )?,
            "the Flux HelmRepositories",
        )?;
        listed.push("sources.yaml".into());
    }
    for (rp, r) in plan.releases.iter().zip(rendered) {
        if let Some((name, hcc)) = helm_chart_config(rp, r)? {
            // k3s's own HelmChart: Flux applies only its HelmChartConfig, never a second release.
            let file = format!("{name}-helmchartconfig.yaml");
            files.add(
                &format!("flux/{file}"),
                documents(
                    &header(
                        catalog,
                        &format!("The HelmChartConfig of k3s's own {name} (k3s installs the chart)."),
                    ),
                    &[hcc],
                )?,
                &format!("the k3s HelmChartConfig of release `{}` (Flux)", rp.release.name),
            )?;
            listed.push(file);
            continue;
        }
        if rp.in_place.is_some() {
            // k3s's own packaged copy, made HA in place: Flux applies hagen's objects beside it.
            let file = format!("{}-in-place.yaml", rp.release.name);
            files.add(
                &format!("flux/{file}"),
                in_place_file(rp, r, catalog)?,
                &format!("release `{}`'s objects beside k3s's (Flux)", rp.release.name),
            )?;
            listed.push(file);
            continue;
        }
        if crate::k3s::outside_gitops(rp) {
            continue;
        }
        listed.push(flux_release(rp, r, &repos, parts, catalog, files)?);
    }
    files.add(
        "flux/kustomization.yaml",
        kustomization(
            catalog,
            "Point a Flux Kustomization at this folder: it applies the Namespaces first, then the rest.",
            &listed,
        )?,
        "the Flux kustomization",
    )
}

/// A Flux HelmRepository in flux-system for each repository URL and its name.
fn helm_repositories(repos: &IndexMap<String, String>) -> Vec<Value> {
    repos
        .iter()
        .map(|(url, name)| {
            json!({
                "apiVersion": "source.toolkit.fluxcd.io/v1",
                "kind": "HelmRepository",
                "metadata": {"name": name, "namespace": "flux-system"},
                "spec": {"interval": "24h", "url": url},
            })
        })
        .collect()
}

/// A release's file of out/flux/ (and, with `parts`, its HelmRelease patch beside it); returns the file's name
/// for the kustomization.
fn flux_release(
    rp: &ReleasePlan,
    r: &Rendered,
    repos: &IndexMap<String, String>,
    parts: bool,
    catalog: &str,
    files: &mut FileSet,
) -> Result<String> {
    let rel = &rp.release;
    let mut docs = if parts {
        let (config_map, snippet) = flux_parts(&rel.name, r)?;
        files.add(
            &format!("flux/{}.helmrelease-patch.yaml", rel.name),
            documents(
                &header(
                    catalog,
                    &format!(
                        "Merge into your own HelmRelease for {}: append this valuesFrom entry after yours (the ConfigMap lives in flux-system: put it in your HelmRelease's namespace if that differs) and take postRenderers as they are.",
                        rel.name
                    ),
                ),
                &[snippet],
            )?,
            &format!("the Flux HelmRelease patch of release `{}`", rel.name),
        )?;
        vec![yaml(&config_map)?]
    } else {
        flux_helm_release(rp, r, &repos[&rel.repository])?
    };
    for resource in &r.resources {
        docs.push(yaml(resource)?);
    }
    let file = format!("{}.yaml", rel.name);
    let what = if parts {
        format!(
            "hagen's overlay for {} ({} {}) as a ConfigMap for your own HelmRelease's valuesFrom.",
            rel.name, rp.chart.name, rel.version
        )
    } else {
        format!("Flux HelmRelease for {} ({} {}).", rel.name, rp.chart.name, rel.version)
    };
    files.add(
        &format!("flux/{file}"),
        written_documents(&header(catalog, &what), &docs),
        &format!("the Flux HelmRelease of release `{}`", rel.name),
    )?;
    Ok(file)
}

/// The patches of a release as Flux's `postRenderers` (one kustomize post-renderer), when it has any.
fn flux_post_renderers(r: &Rendered) -> Option<Value> {
    (!r.patches.is_empty()).then(|| {
        let mut kustomize = json!({"kustomize": {}});
        kustomize["kustomize"]["patches"] = Value::Array(patches_json(r));
        Value::Array(vec![kustomize])
    })
}

/// With `fluxParts`: the ConfigMap carrying release `release`'s overlay, and the HelmRelease snippet (its
/// `valuesFrom` entry and post-renderers) a user merges into their own HelmRelease.
fn flux_parts(release: &str, r: &Rendered) -> Result<(Value, Value)> {
    let name = format!("{release}-hagen-values");
    let config_map = json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": "flux-system", "labels": {WATCH_LABEL: "Enabled"}},
        "data": {"values.yaml": r.values_yaml().map_err(Error::Internal)?},
    });
    let mut spec = json!({"valuesFrom": [{"kind": "ConfigMap", "name": name, "valuesKey": "values.yaml"}]});
    if let Some(p) = flux_post_renderers(r) {
        spec["postRenderers"] = p;
    }
    let mut snippet = json!({
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": release, "namespace": "flux-system"},
    });
    // Moved in, not through `json!`, which would serialise the whole tree into a copy.
    snippet["spec"] = spec;
    Ok((config_map, snippet))
}

/// A release's ConfigMap of own values (when it has any) and its HelmRelease in flux-system, whose chart comes
/// from the HelmRepository `repository`.
fn flux_helm_release(rp: &ReleasePlan, r: &Rendered, repository: &str) -> Result<Vec<String>> {
    let rel = &rp.release;
    let mut docs = Vec::new();
    let mut spec = json!({
        "interval": "30m",
        "releaseName": rel.name,
        "targetNamespace": rel.namespace,
        // Helm's release records stay with the release, where `helm upgrade -n NAMESPACE` keeps them.
        "storageNamespace": rel.namespace,
        "chart": {"spec": {
            "chart": rp.chart.name,
            "version": rel.version,
            "sourceRef": {"kind": "HelmRepository", "name": repository, "namespace": "flux-system"},
        }},
        "install": {"createNamespace": true, "crds": "CreateReplace"},
        "upgrade": {"crds": "CreateReplace"},
    });
    if let Some((config_map, values_from)) = flux_own_values(rp) {
        docs.push(yaml(&config_map)?);
        spec["valuesFrom"] = values_from;
    }
    if let Some(p) = flux_post_renderers(r) {
        spec["postRenderers"] = p;
    }
    let mut release = json!({
        "apiVersion": "helm.toolkit.fluxcd.io/v2",
        "kind": "HelmRelease",
        "metadata": {"name": rel.name, "namespace": "flux-system"},
    });
    // Moved in, not through `json!`, which would serialise it into a copy.
    release["spec"] = spec;
    // Flux merges valuesFrom in order, then `values` on top: the overlay comes last, as with `helm -f`. It is
    // the last entry of `spec`, the document's last key: the overlay's text, written once for every route, is
    // appended as that entry.
    let mut text = yaml(&release)?;
    crate::yaml::entry_written(
        &mut text,
        "values",
        &r.values,
        r.values_yaml().map_err(Error::Internal)?,
        2,
    );
    docs.push(text);
    Ok(docs)
}

/// The ConfigMap carrying a release's own values (one key per source, in Helm's order) and the HelmRelease's
/// `valuesFrom` naming them; `None` without own values.
fn flux_own_values(rp: &ReleasePlan) -> Option<(Value, Value)> {
    if rp.own_values.is_empty() {
        return None;
    }
    let name = format!("{}-own-values", rp.release.name);
    let mut data = serde_json::Map::new();
    for (key, o) in own_keys(rp).into_iter().zip(&rp.own_values) {
        data.insert(key, Value::String(o.text.clone()));
    }
    let sources: Vec<String> = rp.own_values.iter().map(|o| o.describe()).collect();
    let config_map = json!({
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {
            "name": name,
            "namespace": "flux-system",
            "labels": {WATCH_LABEL: "Enabled"},
            "annotations": {"hagen/sources": sources.join(", ")},
        },
        "data": data,
    });
    let values_from = own_keys(rp)
        .iter()
        .map(|k| json!({"kind": "ConfigMap", "name": name, "valuesKey": k}))
        .collect();
    Some((config_map, values_from))
}

/// Whether `p` (from the working folder) can name a file of the repository: relative and never climbing out.
fn in_repository(p: &str) -> bool {
    let p = std::path::Path::new(p);
    !p.is_absolute() && !p.components().any(|c| matches!(c, std::path::Component::ParentDir))
}

/// The path of `p` (as given from the working folder, which is the repository's top) in the repository.
fn repo_path(p: &str) -> String {
    p.trim_start_matches("./").to_string()
}

/// out/argocd/: an Application per release (in Argo CD's namespace, creating its destination namespace first)
/// and a kustomization.yaml listing them. A release with own values becomes a multi-source Application whose
/// chart takes them as `$values/…` files of this repository (Argo CD applies `valuesObject`, the overlay, after
/// `valueFiles`). Argo CD has no post-renderer: a release that needs patches or extra manifests becomes a
/// kustomize folder (`helmCharts` + the same patches, own values and overlay as values files), which Argo CD
/// builds with `kustomize.buildOptions: --enable-helm`.
pub fn argocd(
    plan: &Plan,
    rendered: &[Rendered],
    argo: &ArgoCd,
    catalog: &str,
    out: &str,
    files: &mut FileSet,
) -> Result<()> {
    let out_path = argo_out_path(argo, out)?;
    let mut listed = Vec::new();
    if plan
        .releases
        .iter()
        .any(|rp| crate::k3s::is_helm_chart(rp) || rp.in_place.is_some())
    {
        // k3s's own HelmCharts and packaged manifests: one Application for out/k3s/ (their HelmChartConfigs, and
        // hagen's objects beside k3s's in-place components), never a second release.
        files.add(
            "argocd/k3s-helmchartconfigs.yaml",
            documents(
                &header(
                    catalog,
                    "Argo CD Application for out/k3s/: the HelmChartConfigs of k3s's own HelmCharts and hagen's objects beside k3s's packaged components.",
                ),
                &[k3s_application(argo, &out_path)],
            )?,
            "the Argo CD Application of the k3s HelmChartConfigs",
        )?;
        listed.push("k3s-helmchartconfigs.yaml".to_string());
    }
    for (rp, r) in plan.releases.iter().zip(rendered) {
        if crate::k3s::outside_gitops(rp) {
            continue;
        }
        listed.push(argo_application(rp, r, argo, &out_path, catalog, files)?);
    }
    files.add(
        "argocd/kustomization.yaml",
        kustomization(
            catalog,
            "The Applications (`kubectl apply -k` this folder); each release folder is an Application's source.",
            &listed,
        )?,
        "the Argo CD kustomization",
    )
}

/// The path of the output folder in the repository Argo CD reads: `outPath`, else `out` as given when it is a
/// path inside the repository (hagen running from its top).
fn argo_out_path(argo: &ArgoCd, out: &str) -> Result<String> {
    match &argo.out_path {
        Some(p) => Ok(p.trim_end_matches('/').to_string()),
        None if in_repository(out) => Ok(repo_path(out.trim_end_matches('/'))),
        None => Err(Error::Output(OutputError::ArgoOutPath { out: out.to_string() })),
    }
}

/// The Application applying out/k3s/ (the HelmChartConfigs of k3s's own HelmCharts) into kube-system.
fn k3s_application(argo: &ArgoCd, out_path: &str) -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": "k3s-helmchartconfigs", "namespace": argo.namespace},
        "spec": {
            "project": "default",
            "source": {"repoURL": argo.repo_url, "targetRevision": argo.target_revision, "path": format!("{out_path}/k3s")},
            "destination": {"server": "https://kubernetes.default.svc", "namespace": crate::k3s_facts::NAMESPACE},
        },
    })
}

/// Argo CD's sync options for a release: its namespace created first, server-side apply when the chart needs it.
fn sync_policy(server_side_apply: bool) -> Value {
    let mut options = vec!["CreateNamespace=true"];
    if server_side_apply {
        options.push("ServerSideApply=true");
    }
    json!({"syncOptions": options})
}

/// A release's Application file of out/argocd/ (and its kustomize folder when it needs one); returns the file's
/// name for the kustomization.
fn argo_application(
    rp: &ReleasePlan,
    r: &Rendered,
    argo: &ArgoCd,
    out_path: &str,
    catalog: &str,
    files: &mut FileSet,
) -> Result<String> {
    let rel = &rp.release;
    let mut spec = serde_json::Map::new();
    spec.insert("project".into(), json!("default"));
    if r.patches.is_empty() && r.resources.is_empty() {
        let (key, source) = argo_helm_source(rp, r, argo, out_path)?;
        spec.insert(key.into(), source);
    } else {
        let dir = format!("argocd/{}", rel.name);
        argo_kustomize_folder(rp, r, &dir, catalog, files)?;
        spec.insert(
            "source".into(),
            json!({"repoURL": argo.repo_url, "targetRevision": argo.target_revision, "path": format!("{out_path}/{dir}")}),
        );
    }
    spec.insert(
        "destination".into(),
        json!({"server": "https://kubernetes.default.svc", "namespace": rel.namespace}),
    );
    spec.insert("syncPolicy".into(), sync_policy(rp.chart.server_side_apply));
    let mut app = json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": rel.name, "namespace": argo.namespace},
    });
    // Moved in, not through `json!`, which would serialise the whole overlay into a copy.
    app["spec"] = Value::Object(spec);
    let file = format!("{}.yaml", rel.name);
    files.add(
        &format!("argocd/{file}"),
        documents(
            &header(catalog, &format!("Argo CD Application for {}.", rel.name)),
            &[app],
        )?,
        &format!("the Argo CD Application of release `{}`", rel.name),
    )?;
    Ok(file)
}

/// The Application's chart source for a release without patches or extra manifests: `source` with the overlay as
/// `valuesObject`, or with own values `sources` (the chart taking them as `$values/…` files, and this repository
/// as the `values` ref).
fn argo_helm_source(rp: &ReleasePlan, r: &Rendered, argo: &ArgoCd, out_path: &str) -> Result<(&'static str, Value)> {
    let rel = &rp.release;
    let mut chart = json!({
        "repoURL": rel.repository,
        "chart": rp.chart.name,
        "targetRevision": rel.version,
        "helm": {"releaseName": rel.name},
    });
    chart["helm"]["valuesObject"] = values_json(r);
    let own = crate::paths::own_values_files(rp, out_path);
    if let Some(bad) = own.iter().find(|f| !in_repository(f)) {
        return Err(Error::Output(OutputError::ArgoValuesFile {
            release: rel.name.clone(),
            file: bad.to_string(),
        }));
    }
    if rp.own_values.is_empty() {
        return Ok(("source", chart));
    }
    chart["helm"]["valueFiles"] = own
        .iter()
        .map(|f| Value::String(format!("$values/{}", repo_path(f))))
        .collect();
    Ok((
        "sources",
        json!([
            chart,
            {"repoURL": argo.repo_url, "targetRevision": argo.target_revision, "ref": "values"},
        ]),
    ))
}

/// out/argocd/<release>/: copies of the own values, the overlay as values.yaml, the extra manifests (sync wave 1)
/// and the kustomization.yaml (helmCharts + patches) Argo CD builds.
fn argo_kustomize_folder(rp: &ReleasePlan, r: &Rendered, dir: &str, catalog: &str, files: &mut FileSet) -> Result<()> {
    let rel = &rp.release;
    let values_files = argo_own_values_copies(rp, dir, catalog, files)?;
    let mut k = json!({
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "helmCharts": [kustomize_helm_chart(rp.chart.name, rel, &values_files)],
    });
    if !r.patches.is_empty() {
        k["patches"] = Value::Array(patches_json(r));
    }
    files.add(
        &format!("{dir}/values.yaml"),
        format!(
            "{}{}",
            header(catalog, "The values overlay, for kustomize's helmCharts."),
            r.values_yaml().map_err(Error::Internal)?
        ),
        &format!("the Argo CD values of release `{}`", rel.name),
    )?;
    if !r.resources.is_empty() {
        k["resources"] = json!(["resources.yaml"]);
        files.add(
            &format!("{dir}/resources.yaml"),
            documents(
                &header(catalog, "Objects the chart cannot create."),
                &in_sync_wave_1(&r.resources),
            )?,
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
    )
}

/// Copies of a release's own values into its kustomize folder `dir` (kustomize reads only files inside it), each
/// verbatim under a header; returns the values files in Helm's order, the overlay `values.yaml` last.
fn argo_own_values_copies(rp: &ReleasePlan, dir: &str, catalog: &str, files: &mut FileSet) -> Result<Vec<String>> {
    let mut values_files = Vec::new();
    for (n, o) in rp.own_values.iter().enumerate() {
        let name = format!("own-values-{}.yaml", n + 1);
        let mut text = o.text.clone();
        if !text.ends_with('\n') {
            text.push('\n');
        }
        files.add(
            &format!("{dir}/{name}"),
            format!(
                "{}{text}",
                header(
                    catalog,
                    &format!(
                        "A copy of {}: your own values, applied before values.yaml.",
                        o.describe()
                    )
                )
            ),
            &format!("the Argo CD copy of release `{}`'s own values", rp.release.name),
        )?;
        values_files.push(name);
    }
    values_files.push("values.yaml".to_string());
    Ok(values_files)
}

/// kustomize's `helmCharts` entry for release `rel` of chart `chart`: the first of `values_files` as
/// `valuesFile`, the rest (the overlay last) as `additionalValuesFiles`.
fn kustomize_helm_chart(chart: &str, rel: &crate::catalog::Release, values_files: &[String]) -> Value {
    let mut entry = json!({
        "name": chart,
        "repo": rel.repository,
        "version": rel.version,
        "releaseName": rel.name,
        "namespace": rel.namespace,
        "includeCRDs": true,
        // A values file, not valuesInline: kustomize merges valuesInline into the chart's defaults
        // itself and loses the `null`s that remove a default (seen: sealed-secrets' pdb.minAvailable).
        "valuesFile": &values_files[0],
    });
    if values_files.len() > 1 {
        // kustomize passes these to helm as `-f` after valuesFile: the overlay comes last.
        entry["additionalValuesFiles"] = json!(values_files[1..]);
    }
    entry
}

/// Extra manifests in Argo CD's sync wave 1: after the chart's objects (wave 0), in the namespace Argo CD created
/// first.
fn in_sync_wave_1(resources: &[Value]) -> Vec<Value> {
    resources
        .iter()
        .map(|o| {
            let mut o = o.clone();
            o["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] = json!("1");
            o
        })
        .collect()
}

/// out/helmfile.yaml: every release with its pinned version, namespace, overlay and patches (`jsonPatches`).
pub fn helmfile(plan: &Plan, rendered: &[Rendered], catalog: &str, out: &str, files: &mut FileSet) -> Result<()> {
    let repos = repository_names(plan);
    let repositories: Vec<Value> = repos
        .iter()
        .map(|(url, name)| json!({"name": name, "url": url}))
        .collect();
    let releases: Vec<Value> = plan
        .releases
        .iter()
        .zip(rendered)
        .filter(|(rp, _)| !crate::k3s::outside_gitops(rp))
        .map(|(rp, r)| {
            let rel = &rp.release;
            // helmfile reads paths relative to the helmfile, in out/: the user's own files first, the overlay last.
            let mut values: Vec<String> = crate::paths::own_values_files(rp, out)
                .iter()
                .map(|f| relative_to(out, f))
                .collect();
            values.push(crate::paths::values_path(&rel.name));
            let mut v = json!({
                "name": rel.name,
                "namespace": rel.namespace,
                "createNamespace": true,
                "chart": format!("{}/{}", repos[&rel.repository], rp.chart.name),
                "version": rel.version,
                "values": values,
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
                    "args": ["apply", "-f", crate::paths::resources_path(&rel.name)],
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

/// The HelmChartConfig of a release k3s installs itself as a HelmChart: the user's own values merged with the
/// overlay as Helm would (overlay last), as the one `valuesContent` k3s takes.
fn helm_chart_config(rp: &ReleasePlan, r: &Rendered) -> Result<Option<(&'static str, Value)>> {
    let K3s::HelmChart(name) = rp.chart.k3s else {
        return Ok(None);
    };
    if !rp.release.k3s_bundled {
        return Ok(None);
    }
    let mut merged = own_merged(rp);
    crate::catalog::values::merge(&mut merged, &r.values);
    let values = yaml(&merged)?;
    Ok(Some((
        name,
        json!({
            "apiVersion": crate::k3s_facts::HELM_API_VERSION,
            "kind": "HelmChartConfig",
            "metadata": {"name": name, "namespace": crate::k3s_facts::NAMESPACE},
            "spec": {"valuesContent": values},
        }),
    )))
}

/// out/k3s/: a HelmChartConfig for each k3s-bundled release whose chart k3s installs as a HelmChart, and the
/// config fragment (`disable:`) for the packaged manifests hagen's releases take over.
pub fn k3s(plan: &Plan, rendered: &[Rendered], catalog: &str, files: &mut FileSet) -> Result<()> {
    let mut listed = Vec::new();
    for (rp, r) in plan.releases.iter().zip(rendered) {
        if let Some((name, doc)) = helm_chart_config(rp, r)? {
            let file = format!("{name}-helmchartconfig.yaml");
            files.add(
                &format!("k3s/{file}"),
                documents(
                    &header(catalog, &format!("k3s passes valuesContent to its own {name} HelmChart; copy to /var/lib/rancher/k3s/server/manifests/ or apply.")),
                    &[doc],
                )?,
                &format!("the k3s HelmChartConfig of release `{}`", rp.release.name),
            )?;
            listed.push(file);
        }
        if rp.in_place.is_some() {
            let path = crate::k3s::in_place_path(&rp.release.name);
            files.add(
                &path,
                in_place_file(rp, r, catalog)?,
                &format!("release `{}`'s objects beside k3s's", rp.release.name),
            )?;
            listed.push(path.trim_start_matches("k3s/").to_string());
        }
    }
    let disabled = crate::k3s::disabled(plan);
    if !disabled.is_empty() {
        files.add(
            "k3s-server-config.yaml",
            format!(
                "{}{}",
                header(
                    catalog,
                    "For /etc/rancher/k3s/config.yaml on every server (add the names to an existing `disable:` list), at the step out/README.md's k3s cut-over names; never into the manifests folder."
                ),
                yaml(&json!({"disable": disabled}))?
            ),
            "the k3s config fragment",
        )?;
    }
    if listed.is_empty() {
        return Ok(());
    }
    files.add(
        "k3s/kustomization.yaml",
        kustomization(
            catalog,
            "`kubectl apply -k` this folder (k3s keeps its own objects; these go beside them), or copy the files (not this one) into /var/lib/rancher/k3s/server/manifests/.",
            &listed,
        )?,
        "the k3s kustomization",
    )
}

/// hagen's objects beside k3s's packaged copy of a release (an HPA and a PDB), as one file: never carrying k3s's
/// `objectset.rio.cattle.io/*` labels, so k3s's pruning never selects them.
fn in_place_file(rp: &ReleasePlan, r: &Rendered, catalog: &str) -> Result<String> {
    let what = match rp.chart.k3s {
        K3s::PlainManifest(n) => n,
        _ => rp.chart.name,
    };
    documents(
        &header(
            catalog,
            &format!(
                "Beside k3s's own {what} (kept as k3s ships it): an HPA that holds its replicas and a PDB. Apply, or copy into /var/lib/rancher/k3s/server/manifests/."
            ),
        ),
        &r.resources,
    )
}

/// What out/README.md says about a k3s-bundled release.
pub fn k3s_explanation(rp: &ReleasePlan, has_patches: bool, out: &str) -> Option<String> {
    if !rp.release.k3s_bundled {
        return None;
    }
    Some(match rp.chart.k3s {
        K3s::HelmChart(name) if has_patches => format!(
            "k3s installs {name} itself as a HelmChart, which has no post-renderer: {out}/k3s/{name}-helmchartconfig.yaml carries the values, but the patches in patches.yaml cannot reach the bundled {name}. Disable the packaged one (`--disable {name}`) and install the chart with Helm to get them."
        ),
        K3s::HelmChart(name) => format!(
            "k3s installs {name} itself as a HelmChart (the chart k3s bundles; hagen proves the values on upstream {} {}, which k3s repackages without its values schema): apply {out}/k3s/{name}-helmchartconfig.yaml (a HelmChartConfig named like the HelmChart, in kube-system; Flux and Argo CD carry it too). Never install a second release: k3s's helm-install Job upgrades its own in place when the HelmChartConfig changes.",
            rp.chart.name, rp.release.version
        ),
        K3s::PlainManifest(name) if rp.in_place.is_some() => format!(
            "k3s ships {name} as plain manifests that it re-applies at every start: they stay k3s's (no `disable:`, no outage; k3s keeps upgrading them and NodeHosts stays live). hagen adds only {out}/{}: an HPA that holds the replicas k3s's manifest leaves open, and a PDB on k3s's pods; k3s's own topology spread places them. Flux and Argo CD carry the same file. See \"k3s\" below.",
            crate::k3s::in_place_path(&rp.release.name)
        ),
        K3s::PlainManifest(name) if rp.chart.k3s_take_over.is_some() => format!(
            "k3s ships {name} as plain manifests that it rewrites at every start: this release takes them over (`disable: [{name}]`, then the chart with {out}/{}/k3s-values.yaml, which renders what k3s's manifests create). Follow \"Taking over\" under \"k3s\" below; GitOps routes leave this release out.",
            rp.release.name
        ),
        K3s::PlainManifest(name) => format!(
            "k3s ships {name} as plain manifests that it rewrites at every start: any change to them is lost. Start k3s with `--disable {name}` and install the chart with Helm using {out}/{}/values.yaml.",
            rp.release.name
        ),
        K3s::NotBundled => String::new(),
    })
}

/// `path` (from the working folder) as seen from the folder `from` (also from the working folder).
fn relative_to(from: &str, path: &str) -> String {
    let from = std::path::Path::new(from);
    let p = std::path::Path::new(path);
    if from.is_absolute() || p.is_absolute() {
        let abs = |q: &std::path::Path| std::fs::canonicalize(q).unwrap_or_else(|_| q.to_path_buf());
        return abs(p).display().to_string();
    }
    if let Some(inside) = path.strip_prefix(&format!("{}/", from.display())) {
        return inside.to_string();
    }
    let depth = from
        .components()
        .filter(|c| matches!(c, std::path::Component::Normal(_)))
        .count();
    format!("{}{}", "../".repeat(depth), path.trim_start_matches("./"))
}

/// The `helm upgrade` command for a release: the user's own values first, hagen's overlay last. The same line
/// works on Helm 3 (`hagen` on PATH runs as the post-renderer executable, `post-render` its first argument) and
/// Helm 4 (`hagen` names the plugin in helm-plugin/, which accepts that leading `post-render`).
pub fn helm_command(rp: &ReleasePlan, r: &Rendered, out: &str) -> String {
    let rel = &rp.release;
    let w = shell_word;
    let mut cmd = format!(
        "helm upgrade --install {} {} --repo {} --version {} -n {} --create-namespace",
        w(&rel.name),
        w(rp.chart.name),
        w(&rel.repository),
        w(&rel.version),
        w(&rel.namespace),
    );
    if crate::k3s::take_over(rp).is_some() {
        cmd.push_str(&format!(
            " -f {}",
            w(&format!("{out}/{}", crate::k3s::values_path(&rel.name)))
        ));
    }
    for f in own_values_files(rp, out) {
        cmd.push_str(&format!(" -f {}", w(&f)));
    }
    cmd.push_str(&format!(" -f {}", w(&format!("{out}/{}", values_path(&rel.name)))));
    // A k3s take-over's live data (k3s's NodeHosts) travels with every upgrade.
    if let Some(t) = crate::k3s::take_over(rp) {
        for a in &t.helm_args {
            cmd.push(' ');
            cmd.push_str(a);
        }
        for f in &t.saved_files {
            cmd.push_str(&format!(
                " --set-file {}",
                w(&format!("{}={}{}", f.key, rp.beside, f.file))
            ));
        }
    }
    let mut args: Vec<String> = Vec::new();
    if !r.patches.is_empty() {
        args.push(w(&format!("{out}/{}", patches_path(&rel.name))));
    }
    if !r.resources.is_empty() {
        args.push("--resources".into());
        args.push(w(&format!("{out}/{}", resources_path(&rel.name))));
    }
    if !args.is_empty() {
        cmd.push_str(" --post-renderer hagen --post-renderer-args post-render");
        for a in args {
            cmd.push_str(&format!(" --post-renderer-args {a}"));
        }
    }
    cmd
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::patch::{Patch, Target};

    /// A two-node catalogue of two releases: `dns` (coredns, 2 replicas) and `lb` (metallb's controller alone).
    pub(crate) const TINY: &str = "
cluster:
  name: lab
  nodes:
    - name: a
    - name: b
defaults:
  replicas: 2
  antiAffinity: required
  pdb:
    maxUnavailable: 1
  failoverSeconds: 30
releases:
  - name: dns
    chart: coredns
    repository: https://coredns.github.io/helm
    version: 1.46.2
    namespace: kube-system
    components:
      - name: coredns
        tier: 1
        purpose: DNS.
        impact: Names fail.
  - name: lb
    chart: metallb
    repository: https://metallb.github.io/metallb
    version: 0.16.1
    namespace: metallb-system
    components:
      - name: controller
        tier: 1
        purpose: IPs.
        impact: No IPs.
        replicas: 1
";

    /// The plan of a catalogue's text, as `hagen generate` resolves it.
    pub(crate) fn plan_of(catalogue: &str) -> Plan {
        let loaded = crate::catalog::load_str(catalogue, "catalog/cluster.yaml").unwrap();
        crate::resolve::resolve(
            &loaded,
            &crate::lock::Known::builtin(),
            crate::resolve::Options::default(),
        )
        .unwrap()
    }

    /// A hand-made render: the overlay `values` (YAML), the given patches and extra manifests.
    pub(crate) fn rendered(values: &str, patches: Vec<Patch>, resources: Vec<Value>) -> Rendered {
        Rendered {
            values: serde_yaml::from_str(values).unwrap(),
            patches,
            resources,
            keys: vec![],
            writers: vec![],
            components: vec![],
            values_text: Default::default(),
        }
    }

    /// One patch of Deployment `name` removing its strategy.
    pub(crate) fn patch(name: &str) -> Patch {
        Patch {
            target: Target::deployment(name),
            ops: vec![json!({"op": "remove", "path": "/spec/strategy"})],
        }
    }

    fn argo(out_path: Option<&str>) -> ArgoCd {
        ArgoCd {
            repo_url: "https://git.example.com/lab.git".into(),
            target_revision: "HEAD".into(),
            out_path: out_path.map(String::from),
            namespace: "argocd".into(),
        }
    }

    #[test]
    fn relative_to_the_helmfile_folder() {
        struct Case {
            name: &'static str,
            from: &'static str,
            path: &'static str,
            want: &'static str,
        }
        let cases = [
            Case {
                name: "a catalogue file from out/",
                from: "out",
                path: "catalog/v.yaml",
                want: "../catalog/v.yaml",
            },
            Case {
                name: "from a deeper folder",
                from: "gitops/ha",
                path: "catalog/v.yaml",
                want: "../../catalog/v.yaml",
            },
            Case {
                name: "a file inside the folder",
                from: "out",
                path: "out/x/own-values.yaml",
                want: "x/own-values.yaml",
            },
            Case {
                name: "a ./ path",
                from: "out",
                path: "./catalog/v.yaml",
                want: "../catalog/v.yaml",
            },
        ];
        for c in cases {
            assert_eq!(relative_to(c.from, c.path), c.want, "{}", c.name);
        }
    }

    #[test]
    fn argo_cd_reads_the_output_folder_from_the_repository() {
        struct Case {
            name: &'static str,
            out_path: Option<&'static str>,
            out: &'static str,
            want: Option<&'static str>,
        }
        let cases = [
            Case {
                name: "outPath wins, without its slash",
                out_path: Some("gitops/lab/"),
                out: "/abs/out",
                want: Some("gitops/lab"),
            },
            Case {
                name: "--out as given",
                out_path: None,
                out: "out",
                want: Some("out"),
            },
            Case {
                name: "--out with ./ and a slash",
                out_path: None,
                out: "./gitops/out/",
                want: Some("gitops/out"),
            },
            Case {
                name: "an absolute --out is refused",
                out_path: None,
                out: "/tmp/out",
                want: None,
            },
            Case {
                name: "a --out climbing out is refused",
                out_path: None,
                out: "../out",
                want: None,
            },
        ];
        for c in cases {
            let got = argo_out_path(&argo(c.out_path), c.out);
            match c.want {
                Some(w) => assert_eq!(got.unwrap(), w, "{}", c.name),
                None => assert!(
                    got.unwrap_err().to_string().contains("set delivery.argocd.outPath"),
                    "{}",
                    c.name
                ),
            }
        }
    }

    #[test]
    fn sync_options_ask_for_server_side_apply_only_when_the_chart_needs_it() {
        struct Case {
            name: &'static str,
            ssa: bool,
            want: Value,
        }
        let cases = [
            Case {
                name: "client-side",
                ssa: false,
                want: json!({"syncOptions": ["CreateNamespace=true"]}),
            },
            Case {
                name: "server-side",
                ssa: true,
                want: json!({"syncOptions": ["CreateNamespace=true", "ServerSideApply=true"]}),
            },
        ];
        for c in cases {
            assert_eq!(sync_policy(c.ssa), c.want, "{}", c.name);
        }
    }

    #[test]
    fn the_k3s_application_applies_out_k3s_into_kube_system() {
        let app = k3s_application(&argo(None), "gitops/out");
        assert_eq!(
            app["metadata"],
            json!({"name": "k3s-helmchartconfigs", "namespace": "argocd"})
        );
        assert_eq!(
            app["spec"]["source"],
            json!({"repoURL": "https://git.example.com/lab.git", "targetRevision": "HEAD", "path": "gitops/out/k3s"})
        );
        assert_eq!(app["spec"]["destination"]["namespace"], "kube-system");
    }

    #[test]
    fn one_helm_repository_per_url_in_flux_system() {
        let repos: IndexMap<String, String> = [
            ("https://a.example/charts".to_string(), "a".to_string()),
            ("oci://b.example/charts".to_string(), "a-2".to_string()),
        ]
        .into_iter()
        .collect();
        let got = helm_repositories(&repos);
        struct Case {
            index: usize,
            name: &'static str,
            url: &'static str,
        }
        let cases = [
            Case {
                index: 0,
                name: "a",
                url: "https://a.example/charts",
            },
            Case {
                index: 1,
                name: "a-2",
                url: "oci://b.example/charts",
            },
        ];
        assert_eq!(got.len(), cases.len());
        for c in cases {
            assert_eq!(got[c.index]["kind"], "HelmRepository", "{}", c.name);
            assert_eq!(
                got[c.index]["metadata"],
                json!({"name": c.name, "namespace": "flux-system"}),
                "{}",
                c.name
            );
            assert_eq!(
                got[c.index]["spec"],
                json!({"interval": "24h", "url": c.url}),
                "{}",
                c.name
            );
        }
    }

    #[test]
    fn flux_parts_carry_the_overlay_and_the_patches_only_when_there_are_some() {
        struct Case {
            name: &'static str,
            rendered: Rendered,
            post_renders: bool,
        }
        let cases = [
            Case {
                name: "values only",
                rendered: rendered("replicaCount: 2", vec![], vec![]),
                post_renders: false,
            },
            Case {
                name: "with a patch",
                rendered: rendered("replicaCount: 2", vec![patch("x")], vec![]),
                post_renders: true,
            },
        ];
        for c in cases {
            let (config_map, snippet) = flux_parts("dns", &c.rendered).unwrap();
            assert_eq!(config_map["metadata"]["name"], "dns-hagen-values", "{}", c.name);
            assert_eq!(config_map["metadata"]["labels"][WATCH_LABEL], "Enabled", "{}", c.name);
            assert_eq!(config_map["data"]["values.yaml"], "replicaCount: 2\n", "{}", c.name);
            assert_eq!(
                snippet["spec"]["valuesFrom"],
                json!([{"kind": "ConfigMap", "name": "dns-hagen-values", "valuesKey": "values.yaml"}]),
                "{}",
                c.name
            );
            assert_eq!(
                snippet["spec"].get("postRenderers").is_some(),
                c.post_renders,
                "{}",
                c.name
            );
        }
        let (_, snippet) = flux_parts("dns", &rendered("{}", vec![patch("x")], vec![])).unwrap();
        assert_eq!(
            snippet["spec"]["postRenderers"][0]["kustomize"]["patches"][0]["target"],
            json!({"group": "apps", "version": "v1", "kind": "Deployment", "name": "x"})
        );
    }

    #[test]
    fn kustomize_takes_the_first_values_file_then_the_others_in_order() {
        let plan = plan_of(TINY);
        let rel = &plan.releases[0].release;
        let files = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        struct Case {
            name: &'static str,
            values_files: Vec<String>,
            additional: Value,
        }
        let cases = [
            Case {
                name: "the overlay alone",
                values_files: files(&["values.yaml"]),
                additional: json!(null),
            },
            Case {
                name: "own values first, the overlay last",
                values_files: files(&["own-values-1.yaml", "own-values-2.yaml", "values.yaml"]),
                additional: json!(["own-values-2.yaml", "values.yaml"]),
            },
        ];
        for c in cases {
            let chart = kustomize_helm_chart("coredns", rel, &c.values_files);
            assert_eq!(chart["valuesFile"], json!(c.values_files[0]), "{}", c.name);
            assert_eq!(chart["additionalValuesFiles"], c.additional, "{}", c.name);
            assert_eq!(chart["releaseName"], "dns", "{}", c.name);
            assert_eq!(chart["namespace"], "kube-system", "{}", c.name);
            assert_eq!(chart["includeCRDs"], true, "{}", c.name);
        }
    }

    #[test]
    fn extra_manifests_come_in_sync_wave_1_keeping_their_annotations() {
        let objects = [
            json!({"kind": "PodDisruptionBudget", "metadata": {"name": "p"}}),
            json!({"kind": "PodDisruptionBudget", "metadata": {"name": "q", "annotations": {"a": "b"}}}),
        ];
        let waved = in_sync_wave_1(&objects);
        struct Case {
            name: &'static str,
            index: usize,
            want: Value,
        }
        let cases = [
            Case {
                name: "no annotations before",
                index: 0,
                want: json!({"argocd.argoproj.io/sync-wave": "1"}),
            },
            Case {
                name: "its own kept",
                index: 1,
                want: json!({"a": "b", "argocd.argoproj.io/sync-wave": "1"}),
            },
        ];
        for c in cases {
            assert_eq!(waved[c.index]["metadata"]["annotations"], c.want, "{}", c.name);
        }
    }

    #[test]
    fn the_helm_command_adds_the_post_renderer_only_for_patches_or_manifests() {
        let plan = plan_of(TINY);
        let dns = &plan.releases[0];
        let base = "helm upgrade --install dns coredns --repo https://coredns.github.io/helm --version 1.46.2 -n kube-system --create-namespace -f out/dns/values.yaml";
        let pdb = json!({"kind": "PodDisruptionBudget"});
        struct Case {
            name: &'static str,
            rendered: Rendered,
            tail: String,
        }
        let cases = [
            Case { name: "values only", rendered: rendered("{}", vec![], vec![]), tail: String::new() },
            Case { name: "patches", rendered: rendered("{}", vec![patch("x")], vec![]), tail: " --post-renderer hagen --post-renderer-args post-render --post-renderer-args out/dns/patches.yaml"
                    .to_string() },
            Case { name: "extra manifests", rendered: rendered("{}", vec![], vec![pdb.clone()]), tail: " --post-renderer hagen --post-renderer-args post-render --post-renderer-args --resources --post-renderer-args out/dns/resources.yaml".to_string() },
            Case { name: "both", rendered: rendered("{}", vec![patch("x")], vec![pdb]), tail: " --post-renderer hagen --post-renderer-args post-render --post-renderer-args out/dns/patches.yaml --post-renderer-args --resources --post-renderer-args out/dns/resources.yaml".to_string() },
        ];
        for c in cases {
            assert_eq!(
                helm_command(dns, &c.rendered, "out"),
                format!("{base}{}", c.tail),
                "{}",
                c.name
            );
        }
    }

    #[test]
    fn a_release_with_only_values_is_one_helm_source() {
        let plan = plan_of(TINY);
        let r = rendered("replicaCount: 2", vec![], vec![]);
        let (key, source) = argo_helm_source(&plan.releases[0], &r, &argo(None), "out").unwrap();
        assert_eq!(key, "source");
        assert_eq!(
            source,
            json!({
                "repoURL": "https://coredns.github.io/helm",
                "chart": "coredns",
                "targetRevision": "1.46.2",
                "helm": {"releaseName": "dns", "valuesObject": {"replicaCount": 2}},
            })
        );
    }

    #[test]
    fn a_flux_helm_release_takes_its_chart_from_the_named_repository() {
        let plan = plan_of(TINY);
        let r = rendered("replicaCount: 2", vec![patch("dns-coredns")], vec![]);
        // Read back as Flux's YAML reader would: the overlay is appended to the written HelmRelease.
        let docs: Vec<Value> = flux_helm_release(&plan.releases[0], &r, "coredns")
            .unwrap()
            .iter()
            .map(|d| serde_yaml::from_str(d).unwrap())
            .collect();
        assert_eq!(docs.len(), 1, "no own values: no ConfigMap");
        let spec = &docs[0]["spec"];
        assert_eq!(spec["chart"]["spec"]["sourceRef"]["name"], "coredns");
        assert_eq!(spec["targetNamespace"], "kube-system");
        assert_eq!(spec["storageNamespace"], "kube-system");
        assert_eq!(spec["values"], json!({"replicaCount": 2}));
        assert!(spec.get("valuesFrom").is_none());
        assert_eq!(
            spec["postRenderers"][0]["kustomize"]["patches"]
                .as_array()
                .unwrap()
                .len(),
            1
        );
    }
}

//! `hagen diff`: what the upgrade to the catalogue changes on a running cluster, from the same live state
//! `hagen init` reads. Per release: its chart version, its values (the user-supplied values Helm recorded against
//! the own values plus hagen's overlay) and, with the chart archive at hand, its objects (the manifest Helm
//! applied against `helm template` with the new values), summarised per component and setting; everything else
//! is flagged, above all a value the user set that the upgrade would drop.

use crate::catalog::{secrets, values};
use crate::describe::Setting;
use crate::error::{Error, Result};
use crate::helm::{ChartSource, Helm};
use crate::k8s::Object;
use crate::live::{HelmRelease, Live};
use crate::model::{Intent, Plan, ReleasePlan};
use crate::render::Rendered;
use serde::Serialize;
use serde_json::Value;
use std::path::Path;

/// What the upgrade changes, release by release.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub releases: Vec<ReleaseDiff>,
    /// How many changes in all (settings, values, objects, versions, installs).
    pub changes: usize,
    /// How many values the user set in the cluster the upgrade would drop.
    pub dropped: usize,
    /// Releases Helm has that the catalogue does not name (`namespace/name`): the upgrade leaves them alone.
    pub unmanaged: Vec<String>,
}

/// One release's changes.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseDiff {
    pub release: String,
    pub namespace: String,
    pub chart: String,
    /// `upgrade`, `install` (Helm has no record of it), `k3s` (k3s installs it: its HelmChartConfig changes), or
    /// `k3s take-over` (k3s's packaged manifests, which out/README.md's runbook replaces).
    pub action: &'static str,
    /// The chart version Helm recorded, when it differs from the catalogue's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_from: Option<String>,
    pub version: String,
    pub settings: Vec<SettingChange>,
    pub values: Vec<ValueChange>,
    /// Objects that change in ways no setting explains, one line each.
    pub objects: Vec<String>,
    pub notes: Vec<String>,
}

/// One component's setting, before and after.
#[derive(Debug, Serialize)]
pub struct SettingChange {
    pub component: String,
    pub setting: Setting,
    pub from: String,
    pub to: String,
}

/// How a value changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ValueKind {
    /// hagen's overlay sets it.
    Hagen,
    /// The user set it in the cluster and the catalogue does not: the upgrade drops it.
    Dropped,
    /// A secret the user set in the cluster, taken out of the values by `hagen init`: it must come from a Secret.
    Secret,
    /// The own values set it to another value than the cluster has.
    Changed,
    /// The own values set it and the cluster has nothing there.
    Added,
}

/// One values key path, before and after (`None`: not set).
#[derive(Debug, Serialize)]
pub struct ValueChange {
    pub path: String,
    pub kind: ValueKind,
    pub from: Option<Value>,
    pub to: Option<Value>,
}

impl Report {
    /// Whether the upgrade changes anything.
    pub fn changed(&self) -> bool {
        self.changes > 0
    }
}

/// The diff of every release of `plan` (whose overlays `generate` rendered into `files`, `rendered`) against
/// `live`; objects compared when `charts` has the archive (and `helm` renders it).
pub fn diff(
    plan: &Plan,
    rendered: &[Rendered],
    files: &crate::output::FileSet,
    live: &Live,
    charts: Option<(&Helm, &ChartSource)>,
) -> Result<Report> {
    let scratch = files.write_scratch("hagen-diff-")?;
    let mut releases = Vec::new();
    for (rp, r) in plan.releases.iter().zip(rendered) {
        releases.push(release_diff(
            rp,
            r,
            live,
            charts,
            scratch.path(),
            plan.kubernetes_version,
        )?);
    }
    let mut changes = 0;
    let mut dropped = 0;
    for d in &releases {
        changes += d.settings.len()
            + d.values.len()
            + d.objects.len()
            + usize::from(d.version_from.is_some())
            + usize::from(d.action == "install");
        dropped += d.values.iter().filter(|v| v.kind == ValueKind::Dropped).count();
    }
    let unmanaged = live
        .releases
        .iter()
        .filter(|r| {
            !plan
                .releases
                .iter()
                .any(|rp| rp.release.name == r.name && rp.release.namespace == r.namespace)
        })
        .map(|r| format!("{}/{}", r.namespace, r.name))
        .collect();
    Ok(Report {
        releases,
        changes,
        dropped,
        unmanaged,
    })
}

/// The live record of a release: Helm's, and for a chart k3s installs, the values k3s's HelmChart gives it (as
/// files before the own values, and `--set` over everything).
fn record<'a>(rp: &ReleasePlan, live: &'a Live) -> (Option<&'a HelmRelease>, Value, Value) {
    let rel = &rp.release;
    let found = live
        .releases
        .iter()
        .find(|r| r.name == rel.name && r.namespace == rel.namespace);
    let empty = || Value::Object(Default::default());
    let chart = live
        .helm_charts
        .iter()
        .find(|h| h.name == rel.name)
        .filter(|_| crate::k3s::is_helm_chart(rp));
    match chart {
        Some(h) => (found, h.values.clone(), h.set.clone()),
        None => (found, empty(), empty()),
    }
}

fn release_diff(
    rp: &ReleasePlan,
    r: &Rendered,
    live: &Live,
    charts: Option<(&Helm, &ChartSource)>,
    out: &Path,
    kube: Option<crate::k8s::KubeVersion>,
) -> Result<ReleaseDiff> {
    let rel = &rp.release;
    let (found, base, set) = record(rp, live);
    let mut d = ReleaseDiff {
        release: rel.name.clone(),
        namespace: rel.namespace.clone(),
        chart: rel.chart.clone(),
        action: if crate::k3s::is_helm_chart(rp) {
            "k3s"
        } else if found.is_some() {
            "upgrade"
        } else {
            "install"
        },
        version_from: None,
        version: rel.version.clone(),
        settings: vec![],
        values: vec![],
        objects: vec![],
        notes: vec![],
    };
    if crate::k3s::take_over(rp).is_some() {
        d.action = "k3s take-over";
        d.notes.push(
            "k3s's packaged manifests, not a Helm release: out/README.md's runbook says how hagen takes it over".into(),
        );
        return Ok(d);
    }
    let Some(found) = found else {
        d.notes
            .push("Helm has no deployed release of this name in this namespace: the upgrade installs it".into());
        return Ok(d);
    };
    let was = crate::live::upstream_version(&found.version);
    if was.trim_start_matches('v') != rel.version.trim_start_matches('v') {
        d.version_from = Some(found.version.clone());
    }
    let mut new = base.clone();
    for own in &rp.own_values {
        values::merge(&mut new, &own.values);
    }
    values::merge(&mut new, &r.values);
    values::merge(&mut new, &set);
    d.values = value_changes(&found.config, &new, &r.values);
    match charts {
        Some((helm, source)) => match source.find_local(&rel.chart, &rel.version) {
            Some(chart) => {
                let rendered = render(rp, (&base, &set), &chart, (helm, kube), out)?;
                let before = crate::k8s::objects_from_stream(&found.manifest, &rel.namespace)?;
                objects_diff(rp, &before, &rendered, &mut d);
            }
            None => d.notes.push(format!(
                "objects not compared: no archive {}-{}.tgz in the charts folder",
                rel.chart, rel.version
            )),
        },
        None => d
            .notes
            .push("objects not compared: pass --charts (a folder of chart archives) to compare them".into()),
    }
    Ok(d)
}

/// Every key path whose value differs between the cluster's user-supplied values `was` and the new values `new`
/// (own values over k3s's, then hagen's `overlay`), with why.
fn value_changes(was: &Value, new: &Value, overlay: &Value) -> Vec<ValueChange> {
    // hagen's when its overlay has the path, or replaces a mapping above it.
    let by_hagen = |path: &[String]| {
        (1..=path.len())
            .any(|n| values::at_path(overlay, &path[..n]).is_some_and(|v| n == path.len() || !v.is_object()))
    };
    let mut out = Vec::new();
    for (path, v) in values::leaves(was) {
        let now = values::at_path(new, &path);
        if now == Some(&v) {
            continue;
        }
        let kind = if by_hagen(&path) {
            ValueKind::Hagen
        } else if now.is_none() && secret_path(&path) {
            ValueKind::Secret
        } else if now.is_none() {
            ValueKind::Dropped
        } else {
            ValueKind::Changed
        };
        out.push(change(&path, kind, Some(v), now.cloned()));
    }
    for (path, v) in values::leaves(new) {
        if values::at_path(was, &path).is_none() {
            let kind = if by_hagen(&path) {
                ValueKind::Hagen
            } else {
                ValueKind::Added
            };
            out.push(change(&path, kind, None, Some(v)));
        }
    }
    out
}

fn secret_path(path: &[String]) -> bool {
    path.iter().enumerate().any(|(i, k)| secrets::secret_key(k, &path[..i]))
}

/// A value change, with a secret's values shown as `(secret)`.
fn change(path: &[String], kind: ValueKind, from: Option<Value>, to: Option<Value>) -> ValueChange {
    let hide = |v: Option<Value>| {
        v.map(|v| {
            if secret_path(path) && !v.is_boolean() {
                Value::String("(secret)".into())
            } else {
                v
            }
        })
    };
    ValueChange {
        path: path.join("."),
        kind,
        from: hide(from),
        to: hide(to),
    }
}

/// The release's objects as the upgrade makes them: `helm template` with k3s's values files (`k3s.0`), the own
/// values and the overlay in `out`, k3s's `--set` (`k3s.1`), then hagen's patches and extra manifests.
/// `helm` renders for the cluster's Kubernetes version `kube` (`--kube-version`), as verify does.
fn render(
    rp: &ReleasePlan,
    k3s: (&Value, &Value),
    chart: &Path,
    (helm, kube): (&Helm, Option<crate::k8s::KubeVersion>),
    out: &Path,
) -> Result<Vec<Object>> {
    let rel = &rp.release;
    let write = |name: &str, v: &Value| -> Result<Option<std::path::PathBuf>> {
        if v.as_object().is_none_or(serde_json::Map::is_empty) {
            return Ok(None);
        }
        let p = out.join(format!("{}/{name}", rel.name));
        let text = crate::yaml::to_string(v).map_err(Error::Internal)?;
        std::fs::write(&p, text).map_err(|source| Error::Write {
            path: p.clone(),
            source,
        })?;
        Ok(Some(p))
    };
    let mut files: Vec<std::path::PathBuf> = write("k3s-helmchart-values.yaml", k3s.0)?.into_iter().collect();
    for o in &rp.own_values {
        files.push(
            o.file
                .clone()
                .unwrap_or_else(|| out.join(crate::paths::own_values_path(&rel.name))),
        );
    }
    files.push(out.join(crate::paths::values_path(&rel.name)));
    files.extend(write("k3s-helmchart-set.yaml", k3s.1)?);
    let stream = helm.template(&rel.name, chart, &rel.namespace, kube, &files)?;
    let text = crate::patch::post_render_files(
        stream,
        &out.join(crate::paths::patches_path(&rel.name)),
        &out.join(crate::paths::resources_path(&rel.name)),
    )?;
    // Hooks are not part of the manifest Helm records (it keeps them apart, and runs them around the upgrade).
    let objects = crate::k8s::objects_from_stream(&text, &rel.namespace)?;
    Ok(objects
        .into_iter()
        .filter(|o| o.value.pointer("/metadata/annotations/helm.sh~1hook").is_none())
        .collect())
}

/// The kinds whose object is a component's workload.
const WORKLOADS: &[&str] = &["Deployment", "StatefulSet", "DaemonSet", "Prometheus", "Alertmanager"];

/// The settings of each component that change between `before` and `after`, and every other object change.
fn objects_diff(rp: &ReleasePlan, before: &[Object], after: &[Object], d: &mut ReleaseDiff) {
    let mut explained: Vec<(String, String)> = Vec::new();
    for i in &rp.intents {
        let find = |objs: &[Object]| {
            objs.iter()
                .find(|o| o.name == i.workload && WORKLOADS.contains(&o.kind.as_str()))
                .cloned()
        };
        let (b, a) = (find(before), find(after));
        if let Some(o) = a.as_ref().or(b.as_ref()) {
            explained.push((o.kind.clone(), o.name.clone()));
        }
        for (setting, from, to) in settings_of(i, b.as_ref(), before, a.as_ref(), after) {
            if from != to {
                d.settings.push(SettingChange {
                    component: i.component.clone(),
                    setting,
                    from,
                    to,
                });
            }
        }
    }
    let key = |o: &Object| (o.kind.clone(), o.namespace.clone(), o.name.clone());
    for a in after {
        match before.iter().find(|b| key(b) == key(a)) {
            None if a.kind == "PodDisruptionBudget" => {} // a component's PDB: in its settings above
            None => d.objects.push(format!("{} {} added", a.kind, a.name)),
            Some(b) => {
                let workload = explained.contains(&(a.kind.clone(), a.name.clone()));
                let paths = differing(&normalised(&b.value, workload), &normalised(&a.value, workload));
                // A PDB's spec is a component's PDB setting, compared above.
                let pdb_setting = a.kind == "PodDisruptionBudget" && paths.iter().all(|p| p.starts_with("spec."));
                if !paths.is_empty() && !pdb_setting {
                    let mut shown: Vec<String> = paths.iter().take(4).cloned().collect();
                    if paths.len() > 4 {
                        shown.push(format!("… {} more", paths.len() - 4));
                    }
                    d.objects
                        .push(format!("{} {} changed at {}", a.kind, a.name, shown.join(", ")));
                }
            }
        }
    }
    for b in before.iter().filter(|b| !after.iter().any(|a| key(a) == key(b))) {
        d.objects.push(format!("{} {} removed", b.kind, b.name));
    }
}

/// An object without what does not say how it runs: the `helm.sh/chart` label (k3s repackages charts under
/// another version) and, for a component's workload, the settings compared on their own.
fn normalised(v: &Value, workload: bool) -> Value {
    let mut v = v.clone();
    for p in ["/metadata/labels", "/spec/template/metadata/labels"] {
        if let Some(Value::Object(l)) = v.pointer_mut(p) {
            l.shift_remove("helm.sh/chart");
        }
    }
    if workload {
        for p in ["/spec", "/spec/template/spec"] {
            if let Some(Value::Object(s)) = v.pointer_mut(p) {
                for k in ["replicas", "strategy", "updateStrategy", "affinity", "tolerations"] {
                    s.shift_remove(k);
                }
            }
        }
    }
    v
}

/// The key paths where two objects differ (dots between keys; a list is one value).
fn differing(a: &Value, b: &Value) -> Vec<String> {
    let (la, lb) = (values::leaves(a), values::leaves(b));
    let mut out: Vec<String> = Vec::new();
    for (p, v) in &la {
        if values::at_path(b, p) != Some(v) {
            out.push(p.join("."));
        }
    }
    for (p, _) in &lb {
        if values::at_path(a, p).is_none() && !out.contains(&p.join(".")) {
            out.push(p.join("."));
        }
    }
    out
}

/// (setting, before, after) in words, for the settings hagen makes true.
fn settings_of(
    i: &Intent,
    b: Option<&Object>,
    before: &[Object],
    a: Option<&Object>,
    after: &[Object],
) -> Vec<(Setting, String, String)> {
    let none = || "no workload".to_string();
    let words = |o: Option<&Object>, all: &[Object], f: fn(&Object, &[Object], &Intent) -> String| {
        o.map_or_else(none, |o| f(o, all, i))
    };
    vec![
        (Setting::Replicas, words(b, before, replicas), words(a, after, replicas)),
        (
            Setting::AntiAffinity,
            words(b, before, anti_affinity),
            words(a, after, anti_affinity),
        ),
        (Setting::Strategy, words(b, before, strategy), words(a, after, strategy)),
        (Setting::Pdb, words(b, before, pdb_words), words(a, after, pdb_words)),
        (Setting::Failover, words(b, before, failover), words(a, after, failover)),
    ]
}

fn pod_spec(o: &Object) -> Option<&Value> {
    o.value.pointer("/spec/template/spec").or_else(|| {
        o.value
            .get("spec")
            .filter(|_| !o.kind.ends_with("Set") && o.kind != "Deployment")
    })
}

fn replicas(o: &Object, _: &[Object], _: &Intent) -> String {
    if o.kind == "DaemonSet" {
        return "one per node".into();
    }
    match o.value.pointer("/spec/replicas") {
        Some(n) => n.to_string(),
        None => "1 (default)".into(),
    }
}

fn anti_affinity(o: &Object, _: &[Object], _: &Intent) -> String {
    let a = pod_spec(o).and_then(|s| s.pointer("/affinity/podAntiAffinity"));
    let has = |k: &str| {
        a.and_then(|a| a.get(k))
            .and_then(Value::as_array)
            .is_some_and(|x| !x.is_empty())
    };
    match (
        has("requiredDuringSchedulingIgnoredDuringExecution"),
        has("preferredDuringSchedulingIgnoredDuringExecution"),
    ) {
        (true, true) => "required and preferred".into(),
        (true, false) => "required".into(),
        (false, true) => "preferred".into(),
        (false, false) => "none".into(),
    }
}

fn strategy(o: &Object, _: &[Object], _: &Intent) -> String {
    let s = o
        .value
        .pointer("/spec/strategy")
        .or_else(|| o.value.pointer("/spec/updateStrategy"));
    let t = s
        .and_then(|s| s.get("type"))
        .and_then(Value::as_str)
        .unwrap_or("RollingUpdate");
    if t != "RollingUpdate" {
        return t.to_string();
    }
    let ru = s.and_then(|s| s.get("rollingUpdate"));
    let field = |k: &str| {
        ru.and_then(|r| r.get(k))
            .map(|v| v.as_str().map_or_else(|| v.to_string(), String::from))
    };
    match (field("maxSurge"), field("maxUnavailable")) {
        (None, None) => "RollingUpdate".into(),
        (s, u) => format!(
            "RollingUpdate (maxSurge {}, maxUnavailable {})",
            s.unwrap_or_else(|| "25%".into()),
            u.unwrap_or_else(|| "25%".into())
        ),
    }
}

fn pdb_words(o: &Object, all: &[Object], _: &Intent) -> String {
    let labels = crate::k8s::labels_of(
        o.value
            .pointer("/spec/template/metadata/labels")
            .or_else(|| o.value.pointer("/metadata/labels")),
    );
    let found = all.iter().filter(|p| p.kind == "PodDisruptionBudget").find(|p| {
        p.value
            .pointer("/spec/selector/matchLabels")
            .and_then(Value::as_object)
            .is_some_and(|m| m.iter().all(|(k, v)| labels.get(k).map(String::as_str) == v.as_str()))
    });
    match found {
        None => "none".into(),
        Some(p) => ["maxUnavailable", "minAvailable"]
            .iter()
            .find_map(|k| {
                p.value
                    .pointer(&format!("/spec/{k}"))
                    .map(|v| format!("{k} {}", v.as_str().map_or_else(|| v.to_string(), String::from)))
            })
            .unwrap_or_else(|| "present".into()),
    }
}

fn failover(o: &Object, _: &[Object], _: &Intent) -> String {
    let t = pod_spec(o).and_then(|s| s.get("tolerations")).and_then(Value::as_array);
    let secs = t.into_iter().flatten().find_map(|x| {
        (x.get("key").and_then(Value::as_str) == Some("node.kubernetes.io/unreachable"))
            .then(|| x.get("tolerationSeconds").and_then(Value::as_u64))
            .flatten()
    });
    match secs {
        Some(s) => format!("{s}s"),
        None => "300s (default)".into(),
    }
}

/// A value on one line of at most 60 characters (the JSON output has it whole).
fn shorten(s: &str) -> String {
    let s = crate::text::comment(s);
    if s.chars().count() <= 60 {
        return s;
    }
    s.chars().take(59).collect::<String>() + "…"
}

/// The report as a table for people.
pub fn table(r: &Report) -> String {
    let mut out = String::new();
    for d in &r.releases {
        let version = match &d.version_from {
            Some(v) => format!("{v} → {}", d.version),
            None => d.version.clone(),
        };
        out.push_str(&format!(
            "{} ({}): chart {} {version}, {}\n",
            d.release, d.namespace, d.chart, d.action
        ));
        for s in &d.settings {
            out.push_str(&format!(
                "  {:<14} {:<24} {} → {}\n",
                s.setting, s.component, s.from, s.to
            ));
        }
        for v in &d.values {
            let (mark, word) = match v.kind {
                ValueKind::Hagen => (' ', "hagen sets"),
                ValueKind::Dropped => ('!', "DROPPED"),
                ValueKind::Secret => ('!', "secret"),
                ValueKind::Changed => ('~', "changed"),
                ValueKind::Added => ('+', "added"),
            };
            let show = |x: &Option<Value>| {
                x.as_ref()
                    .map_or_else(|| "(unset)".to_string(), |v| shorten(&v.to_string()))
            };
            out.push_str(&format!(
                "{mark} {word:<12} {}: {} → {}\n",
                v.path,
                show(&v.from),
                show(&v.to)
            ));
        }
        for o in &d.objects {
            out.push_str(&format!("? object       {o}\n"));
        }
        for n in &d.notes {
            out.push_str(&format!("  note: {n}\n"));
        }
        let quiet = d.settings.is_empty() && d.values.is_empty() && d.objects.is_empty();
        if quiet && d.version_from.is_none() && (d.action == "upgrade" || d.action == "k3s") {
            out.push_str("  no change\n");
        }
    }
    if !r.unmanaged.is_empty() {
        out.push_str(&format!(
            "not in the catalogue, left alone: {}\n",
            r.unmanaged.join(", ")
        ));
    }
    out.push_str(&format!(
        "diff: {} change(s) in {} releases; {} value(s) you set would be dropped\n",
        r.changes,
        r.releases.len(),
        r.dropped
    ));
    if r.releases
        .iter()
        .any(|d| d.values.iter().any(|v| v.kind == ValueKind::Secret))
    {
        out.push_str(&format!("! secret: {}\n", secrets::HOW_TO_SUPPLY));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn value_changes_say_why() {
        let was = json!({"crds": {"enabled": true}, "replicaCount": 1, "logLevel": 2, "grafana": {"adminPassword": "x"}, "gone": "y"});
        let overlay = json!({"replicaCount": 2, "affinity": {"podAntiAffinity": {"x": 1}}});
        let new = json!({"crds": {"enabled": true}, "replicaCount": 2, "logLevel": 4, "affinity": {"podAntiAffinity": {"x": 1}}, "added": true});
        let got: Vec<(String, ValueKind, Option<Value>)> = value_changes(&was, &new, &overlay)
            .into_iter()
            .map(|c| (c.path, c.kind, c.from))
            .collect();
        assert_eq!(
            got,
            [
                ("replicaCount".into(), ValueKind::Hagen, Some(json!(1))),
                ("logLevel".into(), ValueKind::Changed, Some(json!(2))),
                (
                    "grafana.adminPassword".into(),
                    ValueKind::Secret,
                    Some(json!("(secret)"))
                ),
                ("gone".into(), ValueKind::Dropped, Some(json!("y"))),
                ("affinity.podAntiAffinity.x".into(), ValueKind::Hagen, None),
                ("added".into(), ValueKind::Added, None),
            ]
        );
    }

    #[test]
    fn settings_in_words() {
        let o = |v: Value| Object::new(v, "n").unwrap();
        let d = o(
            json!({"kind": "Deployment", "metadata": {"name": "a"}, "spec": {"replicas": 2,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}},
            "template": {"metadata": {"labels": {"app": "a"}}, "spec": {
                "affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{}]}},
                "tolerations": [{"key": "node.kubernetes.io/unreachable", "tolerationSeconds": 30}]}}}}),
        );
        let bare =
            o(json!({"kind": "Deployment", "metadata": {"name": "a"}, "spec": {"strategy": {"type": "Recreate"}}}));
        let pdb = o(
            json!({"kind": "PodDisruptionBudget", "metadata": {"name": "a"}, "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app": "a"}}}}),
        );
        let i = crate::check::fixtures::intent(2);
        let all = [d.clone(), pdb];
        let words: Vec<String> = [replicas, anti_affinity, strategy, pdb_words, failover]
            .iter()
            .flat_map(|f| [f(&d, &all, &i), f(&bare, &[], &i)])
            .collect();
        assert_eq!(
            words,
            [
                "2",
                "1 (default)",
                "required",
                "none",
                "RollingUpdate (maxSurge 0, maxUnavailable 1)",
                "Recreate",
                "maxUnavailable 1",
                "none",
                "30s",
                "300s (default)"
            ]
        );
    }
}

//! `hagen chart scaffold`: a starting chart knowledge file for a chart hagen does not know, found by rendering
//! it. One render with the chart's defaults finds the Deployments, their names, pod labels, probes and
//! leader-election flags; one probe render sets every values key that may reach replicas, affinity, tolerations,
//! strategy, a PDB or leader election to a value of its own, and the render shows which Deployment each key
//! reached. What it could not find becomes a TODO line (and a setting hagen delivers by patch); every guess is said.

use crate::charts::file::{
    ArgCheck, ChartFile, ComponentFile, EnvCheck, PdbSetting, PdbValues, ReadinessFile, RequiredCheck, RequirementFile,
    StrategySetting, WorkloadSetting,
};
use crate::error::{Error, InputError, InternalError, Result};
use crate::helm::Helm;
use crate::k8s::{Object, PodTemplate};
use indexmap::IndexMap;
use serde_json::{Value, json};
use std::path::Path;

/// The release name the chart is rendered as (`{release}` in the file).
const RELEASE: &str = "scaffold";
/// A second release name, whose render shows whether a workload pattern holds for any release.
const OTHER: &str = "hagen-other-release";
/// The label key of a probe value, so that a probe is recognised wherever the chart puts it.
const PROBE: &str = "hagen.io/scaffold-probe";

/// A starting chart knowledge file and what it rests on.
#[derive(Debug)]
pub struct Scaffold {
    /// The file, with its guesses and TODOs as comments at the top.
    pub text: String,
    /// What was guessed from the render (said in the file too).
    pub guesses: Vec<String>,
    /// What could not be found and needs a person.
    pub todos: Vec<String>,
}

/// What a probe value is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Replicas,
    Affinity,
    Tolerations,
    Strategy,
    RollingParams,
    Pdb,
    Leader,
}

/// One values key set to a value of its own in the probe render.
#[derive(Debug, Clone)]
struct Probe {
    key: String,
    kind: Kind,
    value: Value,
    /// The probe's own word in affinity and toleration values (`probe-3`).
    tag: String,
}

/// Writes a starting chart knowledge file for the chart at `chart` (an archive or a folder), published at
/// `repository` when given.
pub fn scaffold(helm: &Helm, chart: &Path, repository: Option<&str>) -> Result<Scaffold> {
    let meta: Value = parse_yaml(&helm.show_chart(chart)?, "Chart.yaml")?;
    let text = |k: &str| meta.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    let (name, version) = (text("name"), text("version"));
    if name.is_empty() || version.is_empty() {
        return Err(Error::Input(InputError::ChartUnnamed {
            chart: chart.to_path_buf(),
        }));
    }
    // The defaults with the subcharts' (their keys are probed too); the parent's values.yaml when helm cannot say.
    let mut notes = Notes::default();
    let defaults: Value = match helm.computed_values(RELEASE, chart, &name, &[]) {
        Ok(text) => parse_yaml(&text, "the chart's computed values")?,
        Err(e) => {
            notes.todo(format!(
                "subcharts' own keys were not probed ({e}): run the scaffold with helm 4 to find them"
            ));
            parse_yaml(&helm.show_values(chart)?, "the chart's values.yaml")?
        }
    };
    let bare = render(helm, chart, &name, None)?;
    let deployments: Vec<&Object> = bare.iter().filter(|o| o.kind == "Deployment").collect();
    if deployments.is_empty() {
        return Err(Error::Input(InputError::NoDeployment { chart: name, version }));
    }
    let probes = probes(&defaults);
    let (probed, failed) = probe_render(helm, chart, &name, &probes)?;
    for key in failed {
        notes.todo(format!("the probe render failed with `{key}` set, so it was not tried"));
    }
    for o in bare
        .iter()
        .filter(|o| matches!(o.kind.as_str(), "StatefulSet" | "DaemonSet"))
    {
        notes.guess(format!(
            "{} {} is not described: hagen manages Deployments",
            o.kind, o.name
        ));
    }
    let templates = crate::check::pod_templates(&bare, &[]);
    let other: Vec<String> = render_as(helm, OTHER, chart, &name, None)?
        .into_iter()
        .filter(|o| o.kind == "Deployment")
        .map(|o| o.name)
        .collect();
    let seen = Seen {
        probes: &probes,
        probed: &probed,
        templates: &templates,
        defaults: &defaults,
        other: &other,
    };
    let mut components: Vec<ComponentFile> = deployments
        .iter()
        .map(|d| component(d, &name, &seen, &mut notes))
        .collect();
    unclaimed_leader_switches(&probes, &mut notes);
    number_repeated_ids(&mut components);
    let file = ChartFile {
        name: name.clone(),
        repository: repository.unwrap_or("https://example.invalid/charts").to_string(),
        version: version.clone(),
        server_side_apply: false,
        notes: format!(
            "Written by `hagen chart scaffold` from chart {name} {version}: check every guess against the chart's templates."
        ),
        k3s: None,
        k3s_take_over: None,
        k3s_in_place: None,
        k3s_bundles: vec![],
        alert_rules: None,
        runtime: None,
        operator_pods: vec![],
        components,
        changes: vec![],
    };
    if repository.is_none() {
        notes.todo("`repository`: the chart repository it is published in (pass --repository)".into());
    }
    let text = write(&file, &notes)?;
    Ok(Scaffold {
        text,
        guesses: notes.guesses,
        todos: notes.todos,
    })
}

/// A TODO for each leader-election switch of the values that no requirement names.
fn unclaimed_leader_switches(probes: &[Probe], notes: &mut Notes) {
    for p in probes.iter().filter(|p| p.kind == Kind::Leader) {
        if !notes.leader_keys.contains(&p.key) {
            notes.todo(format!(
                "`{}` looks like a leader-election switch, but no Deployment's arguments followed it: if a component needs it above one replica, add `requires: [{{what: leader election, check: {{value: {{key: {}, equals: true}}}}, set: …, source: …}}]`",
                p.key, p.key
            ));
        }
    }
}

/// Two Deployments with the same component label: the later ones are numbered (`controller-2`).
fn number_repeated_ids(components: &mut [ComponentFile]) {
    let mut used = std::collections::HashSet::new();
    for c in components {
        let base = c.id.clone();
        let mut n = 1;
        while !used.insert(c.id.clone()) {
            n += 1;
            c.id = format!("{base}-{n}");
        }
    }
}

/// What the scaffold guessed and what it could not find, in the order found.
#[derive(Debug, Default)]
struct Notes {
    guesses: Vec<String>,
    todos: Vec<String>,
    /// The leader-election values keys a requirement names.
    leader_keys: Vec<String>,
}

impl Notes {
    fn guess(&mut self, s: String) {
        self.guesses.push(s);
    }
    fn todo(&mut self, s: String) {
        self.todos.push(s);
    }
}

/// The file: its comments (schema line, what made it, guesses, TODOs), then the knowledge, parsed back and checked
/// before it is accepted.
fn write(file: &ChartFile, notes: &Notes) -> Result<String> {
    let body = crate::yaml::emit(&serde_json::to_value(file).map_err(Error::internal)?);
    let parsed = crate::charts::file::parse(&body).map_err(|e| Error::Internal(InternalError::ChartFile(e)))?;
    crate::charts::validate(&parsed).map_err(|e| Error::Internal(InternalError::ChartInvalid(e)))?;
    let mut text = String::from("# yaml-language-server: $schema=chart.schema.json\n");
    text.push_str(&format!(
        "# Written by `hagen chart scaffold` from chart {} {}, rendered as release `{RELEASE}`: once with its\n# defaults, once with each key named below set to a probe value. `hagen schema --chart > chart.schema.json`\n# beside this file gives editors the schema named above; `hagen verify` proves the file on the chart.\n",
        crate::text::comment(&file.name),
        crate::text::comment(&file.version)
    ));
    for (title, lines) in [("Guessed", &notes.guesses), ("TODO", &notes.todos)] {
        if lines.is_empty() {
            continue;
        }
        text.push_str(&format!("# {title}:\n"));
        for l in lines {
            text.push_str(&format!("#   - {}\n", crate::text::comment(l)));
        }
    }
    text.push_str(&body);
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

/// A YAML document as JSON (an empty one is an empty map).
fn parse_yaml(text: &str, what: &str) -> Result<Value> {
    crate::yaml::check_bounds(text, crate::yaml::STREAM).map_err(|e| {
        Error::Input(InputError::OutOfBounds {
            what: Some(what.to_string()),
            reason: e.message,
        })
    })?;
    let v: Value = serde_yaml::from_str(text).map_err(|source| {
        Error::Input(InputError::NotYaml {
            what: what.to_string(),
            source,
        })
    })?;
    Ok(if v.is_null() { json!({}) } else { v })
}

/// `helm template` of the chart as [`RELEASE`], with `values` when given.
fn render(helm: &Helm, chart: &Path, namespace: &str, values: Option<&Value>) -> Result<Vec<Object>> {
    render_as(helm, RELEASE, chart, namespace, values)
}

/// `helm template` of the chart as `release`, with `values` when given.
fn render_as(helm: &Helm, release: &str, chart: &Path, namespace: &str, values: Option<&Value>) -> Result<Vec<Object>> {
    let dir = tempfile::tempdir().map_err(|source| Error::Write {
        path: std::env::temp_dir(),
        source,
    })?;
    let mut files = Vec::new();
    if let Some(v) = values {
        let f = dir.path().join("probe.yaml");
        std::fs::write(&f, crate::yaml::emit(v)).map_err(|source| Error::Write {
            path: f.clone(),
            source,
        })?;
        files.push(f);
    }
    let text = helm.template(release, chart, namespace, None, &files)?;
    Ok(crate::patch::parse_manifests(&text, "the render", crate::yaml::STREAM)?
        .into_iter()
        .filter_map(|v| Object::new(v, namespace))
        .collect())
}

/// The probe render: every probe at once; when that fails, each probe alone, leaving out those that fail (whose
/// keys are returned).
fn probe_render(helm: &Helm, chart: &Path, namespace: &str, probes: &[Probe]) -> Result<(Vec<Object>, Vec<String>)> {
    let all = values_of(probes.iter());
    if let Ok(objects) = render(helm, chart, namespace, Some(&all)) {
        return Ok((objects, vec![]));
    }
    let (mut kept, mut failed) = (Vec::new(), Vec::new());
    for p in probes {
        if render(helm, chart, namespace, Some(&values_of(std::iter::once(p)))).is_ok() {
            kept.push(p.clone());
        } else {
            failed.push(p.key.clone());
        }
    }
    Ok((render(helm, chart, namespace, Some(&values_of(kept.iter())))?, failed))
}

/// The values document that sets each probe's key.
fn values_of<'a>(probes: impl Iterator<Item = &'a Probe>) -> Value {
    let mut v = json!({});
    for p in probes {
        let mut segs: Vec<&str> = p.key.split('.').collect();
        let Some(last) = segs.pop() else { continue };
        // No probe lies inside another (see `probes`), so every node on the way is a map made here.
        let parent = segs.iter().try_fold(&mut v, |node, s| {
            node.as_object_mut()
                .map(|m| m.entry(s.to_string()).or_insert_with(|| json!({})))
        });
        if let Some(m) = parent.and_then(Value::as_object_mut) {
            m.insert(last.to_string(), p.value.clone());
        }
    }
    v
}

/// Every key of the chart's defaults that may reach a setting, each with a probe value of its own.
fn probes(defaults: &Value) -> Vec<Probe> {
    let mut keys = Vec::new();
    walk(defaults, "", &mut keys);
    let mut out = Vec::new();
    for (n, (key, v)) in keys.into_iter().enumerate() {
        let last = key.rsplit('.').next().unwrap_or(&key).to_ascii_lowercase();
        let tag = format!("probe-{n}");
        let word = tag.clone();
        let n = u64::try_from(n).unwrap_or(0);
        let (kind, value) = match v {
            Value::Number(_) if last.contains("replica") => (Kind::Replicas, json!(11 + n)),
            Value::Object(_) if last.ends_with("affinity") => (
                Kind::Affinity,
                json!({"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1, "preference": {"matchExpressions": [{"key": PROBE, "operator": "In", "values": [word]}]}}]}}),
            ),
            Value::Array(_) if last.ends_with("tolerations") => (
                Kind::Tolerations,
                json!([{"key": PROBE, "operator": "Equal", "value": word}]),
            ),
            Value::Object(_) if last.ends_with("strategy") => (
                Kind::Strategy,
                json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 101 + n}}),
            ),
            Value::Object(_) if last == "rollingupdate" => {
                (Kind::RollingParams, json!({"maxSurge": 0, "maxUnavailable": 101 + n}))
            }
            Value::Object(m) if last == "poddisruptionbudget" || last == "pdb" => {
                let mut m = m.clone();
                for switch in SWITCHES {
                    if m.get(*switch).is_some_and(Value::is_boolean) {
                        m.insert((*switch).into(), json!(true));
                    }
                }
                m.insert("maxUnavailable".into(), json!(201 + n));
                (Kind::Pdb, Value::Object(m))
            }
            Value::Bool(b) if key.to_ascii_lowercase().contains("leader") => (Kind::Leader, json!(!b)),
            _ => continue,
        };
        out.push(Probe { key, kind, value, tag });
    }
    // A key inside another probe's (`updateStrategy.rollingUpdate` in `updateStrategy`) would overwrite part of
    // that probe's value: the outer one is probed.
    let outer: Vec<String> = out.iter().map(|p| format!("{}.", p.key)).collect();
    out.retain(|p| !outer.iter().any(|o| p.key.starts_with(o.as_str())));
    out
}

/// Every key path of `v` with its value (maps are listed and walked into).
fn walk<'a>(v: &'a Value, prefix: &str, out: &mut Vec<(String, &'a Value)>) {
    if let Value::Object(m) = v {
        for (k, v) in m {
            let p = if prefix.is_empty() {
                k.clone()
            } else {
                format!("{prefix}.{k}")
            };
            out.push((p.clone(), v));
            walk(v, &p, out);
        }
    }
}

/// The probes that reached Deployment `d` of the probe render, with the setting each gives.
fn reached<'a>(d: &Value, probed: &[Object], probes: &'a [Probe], kind: Kind) -> Option<&'a Probe> {
    let spec = d.pointer("/spec/template/spec");
    let pod_text = |k: &str| spec.and_then(|s| s.get(k)).map(Value::to_string).unwrap_or_default();
    probes.iter().filter(|p| p.kind == kind).find(|p| match kind {
        Kind::Replicas => d.pointer("/spec/replicas") == Some(&p.value),
        Kind::Affinity | Kind::Tolerations => {
            let field = if kind == Kind::Affinity {
                "affinity"
            } else {
                "tolerations"
            };
            pod_text(field).contains(&format!("\"{}\"", p.tag))
        }
        Kind::Strategy => {
            d.pointer("/spec/strategy/rollingUpdate/maxUnavailable") == p.value.pointer("/rollingUpdate/maxUnavailable")
        }
        Kind::RollingParams => {
            d.pointer("/spec/strategy/rollingUpdate/maxUnavailable") == p.value.get("maxUnavailable")
        }
        Kind::Pdb => {
            let labels = crate::k8s::labels_of(d.pointer("/spec/template/metadata/labels"));
            probed.iter().any(|o| {
                o.kind == "PodDisruptionBudget"
                    && o.value.pointer("/spec/maxUnavailable") == p.value.get("maxUnavailable")
                    && o.value
                        .pointer("/spec/selector")
                        .and_then(crate::k8s::LabelSelector::from_json)
                        .is_some_and(|s| s.matches(&labels))
            })
        }
        Kind::Leader => false,
    })
}

/// What the renders showed, for every component.
struct Seen<'a> {
    probes: &'a [Probe],
    /// The probe render.
    probed: &'a [Object],
    /// The pod templates of the defaults render.
    templates: &'a [PodTemplate],
    /// The chart's computed default values.
    defaults: &'a Value,
    /// The Deployments of a render as release [`OTHER`].
    other: &'a [String],
}

/// The knowledge of one Deployment `d` of the defaults render.
fn component(d: &Object, chart: &str, seen: &Seen, notes: &mut Notes) -> ComponentFile {
    let Seen {
        probes,
        probed,
        templates,
        defaults,
        other,
    } = *seen;
    let labels = crate::k8s::labels_of(d.value.pointer("/spec/template/metadata/labels"));
    let workload = workload_pattern(&d.name, chart, other).unwrap_or_else(|| {
        notes.todo(format!(
            "{}: no pattern of the release's name gives Deployment {} for release `{RELEASE}` and a Deployment of release `{OTHER}` alike: write `workload` by hand",
            d.name, d.name
        ));
        d.name.clone()
    });
    let id = component_id(&d.name, &labels, chart);
    notes.guess(format!(
        "{id}: workload `{workload}` (Deployment {} of release `{RELEASE}`)",
        d.name
    ));
    let selector = selector(d, &labels, templates, &id, notes);
    let p = probed.iter().find(|o| o.kind == "Deployment" && o.name == d.name);
    let found = |kind| p.and_then(|p| reached(&p.value, probed, probes, kind));
    let said = |notes: &mut Notes, setting: &str, key: Option<&Probe>, fallback: &str| match key {
        Some(k) => notes.guess(format!("{id}: {setting} from `{}` (the probe render shows it)", k.key)),
        None => notes.todo(format!("{id}: no values key reached its {setting}: {fallback}")),
    };
    let replicas = found(Kind::Replicas);
    let hardcoded = d
        .value
        .pointer("/spec/replicas")
        .and_then(Value::as_u64)
        .and_then(|n| u32::try_from(n).ok());
    match (replicas, hardcoded) {
        (None, Some(n)) => notes.todo(format!(
            "{id}: no values key reached its replicas, and the chart writes {n}: a post-render patch sets others"
        )),
        (k, _) => said(notes, "replicas", k, "a post-render patch sets it"),
    }
    let affinity = found(Kind::Affinity);
    said(notes, "affinity", affinity, "a post-render patch sets it");
    let tolerations = found(Kind::Tolerations);
    said(notes, "tolerations", tolerations, "a post-render patch sets them");
    let strategy = found(Kind::Strategy)
        .map(|k| StrategySetting::Object(k.key.clone()))
        .or_else(|| found(Kind::RollingParams).map(|k| StrategySetting::RollingUpdateParams(k.key.clone())));
    match &strategy {
        Some(StrategySetting::Object(k) | StrategySetting::RollingUpdateParams(k)) => {
            notes.guess(format!("{id}: strategy from `{k}` (the probe render shows it)"));
        }
        _ => notes.todo(format!(
            "{id}: no values key reached its strategy: a post-render patch sets it"
        )),
    }
    let pdb = match found(Kind::Pdb) {
        Some(k) => {
            notes.guess(format!("{id}: PDB from `{}` (the probe render shows it)", k.key));
            notes.todo(format!(
                "{id}: `unhealthyPodEvictionPolicy` guessed to be read inside `{}`; verify at Kubernetes 1.27 or later proves it, else set `unhealthyPodEvictionPolicy: {{patch: <the PDB's name>}}`",
                k.key
            ));
            PdbSetting::Values(PdbValues {
                key: k.key.clone(),
                with: pdb_with(probed, k),
                eviction_policy: crate::charts::file::EvictionSetting::Values("unhealthyPodEvictionPolicy".into()),
            })
        }
        None => {
            notes.todo(format!(
                "{id}: no values key made a PodDisruptionBudget for it: hagen adds one"
            ));
            PdbSetting::Manifest
        }
    };
    let (readiness, requires) = readiness(d, p, probes, defaults, &id, notes);
    let values = |k: Option<&Probe>| k.map_or(WorkloadSetting::Patch, |k| WorkloadSetting::Values(k.key.clone()));
    ComponentFile {
        id,
        workload,
        selector,
        single_instance: None,
        caveat: None,
        readiness,
        replicas: match (replicas, hardcoded) {
            (None, Some(n)) => WorkloadSetting::Hardcoded(n),
            (k, _) => values(k),
        },
        autoscale: None,
        strategy: strategy.unwrap_or(StrategySetting::Patch),
        affinity: values(affinity),
        pdb,
        tolerations: values(tolerations),
        requires,
    }
}

/// The keys charts use to switch a block on (`podDisruptionBudget.enabled`, `pdb.create`).
const SWITCHES: &[&str] = &["enabled", "create", "enable"];

/// The fixed entries of a PDB block: its switch (`enabled: true`) when it has one, `minAvailable: null` when the
/// chart's PDB also carried a minAvailable (a PDB may not have both).
fn pdb_with(probed: &[Object], k: &Probe) -> IndexMap<String, Value> {
    let mut with = IndexMap::new();
    for switch in SWITCHES {
        if k.value.get(*switch) == Some(&json!(true)) {
            with.insert((*switch).to_string(), json!(true));
        }
    }
    let both = probed.iter().any(|o| {
        o.kind == "PodDisruptionBudget"
            && o.value.pointer("/spec/maxUnavailable") == k.value.get("maxUnavailable")
            && o.value.pointer("/spec/minAvailable").is_some()
    });
    if both {
        with.insert("minAvailable".to_string(), Value::Null);
    }
    with
}

/// The Deployment's name as a pattern of the release: `{fullname}…`, `{fullname:N}…` (a chart whose helpers cut
/// the fullname shorter), `{release}…` or the name as is; the first that gives `name` for [`RELEASE`] and one of
/// `other` (the Deployments of release [`OTHER`]) for the other release.
fn workload_pattern(name: &str, chart: &str, other: &[String]) -> Option<String> {
    let mut candidates = Vec::new();
    for n in (1..=63).rev() {
        let full = crate::charts::fullname_within(RELEASE, chart, n);
        if let Some(rest) = name.strip_prefix(&full).filter(|r| r.is_empty() || r.starts_with('-')) {
            candidates.push(if n == 63 {
                format!("{{fullname}}{rest}")
            } else {
                format!("{{fullname:{n}}}{rest}")
            });
        }
    }
    if let Some(rest) = name.strip_prefix(RELEASE) {
        candidates.push(format!("{{release}}{rest}"));
    }
    candidates.push(name.to_string());
    candidates.dedup();
    candidates.into_iter().find(|p| {
        crate::charts::expand_workload(p, chart, RELEASE, chart) == name
            && other.contains(&crate::charts::expand_workload(p, chart, OTHER, chart))
    })
}

/// A component id: the pod's `app.kubernetes.io/component` label, else what follows the release's name, else the
/// chart's name.
fn component_id(name: &str, labels: &IndexMap<String, String>, chart: &str) -> String {
    if let Some(c) = labels.get("app.kubernetes.io/component") {
        return c.clone();
    }
    let full = crate::charts::fullname_within(RELEASE, chart, 63);
    let rest = name
        .strip_prefix(&full)
        .or_else(|| name.strip_prefix(RELEASE))
        .unwrap_or(name)
        .trim_start_matches('-');
    if rest.is_empty() {
        chart.to_string()
    } else {
        rest.to_string()
    }
}

/// The fewest stable pod labels (the release's label always among them) that select this Deployment's pods and no
/// other pod template of the chart; all stable labels, with a TODO, when no subset does.
fn selector(
    d: &Object,
    labels: &IndexMap<String, String>,
    templates: &[PodTemplate],
    id: &str,
    notes: &mut Notes,
) -> IndexMap<String, String> {
    let stable: Vec<(&String, &String)> = labels
        .iter()
        .filter(|(k, _)| {
            !crate::k8s::VERSIONED_LABELS.contains(&k.as_str()) && k.as_str() != "app.kubernetes.io/managed-by"
        })
        .collect();
    let owner = format!("Deployment/{}", d.name);
    let others: Vec<&PodTemplate> = templates.iter().filter(|t| t.owner != owner).collect();
    let exclusive = |set: &[(&String, &String)]| {
        let sel = crate::k8s::LabelSelector::of(set.iter().map(|(k, v)| ((*k).clone(), (*v).clone())));
        !set.is_empty() && !others.iter().any(|t| sel.matches(&t.labels))
    };
    let n = stable.len().min(12);
    let mut best: Option<Vec<(&String, &String)>> = None;
    for mask in 1u32..(1 << n) {
        let set: Vec<(&String, &String)> = (0..n).filter(|i| mask & (1 << i) != 0).map(|i| stable[i]).collect();
        let has_release =
            set.iter().any(|(_, v)| v.contains(RELEASE)) || !stable.iter().any(|(_, v)| v.contains(RELEASE));
        if has_release && exclusive(&set) && best.as_ref().is_none_or(|b| set.len() < b.len()) {
            best = Some(set);
        }
    }
    let chosen = best.unwrap_or_else(|| {
        notes.todo(format!(
            "{id}: no set of its pod labels selects its pods only: write an exclusive selector"
        ));
        stable.clone()
    });
    let selector: IndexMap<String, String> = chosen
        .iter()
        .map(|(k, v)| ((*k).clone(), v.replace(RELEASE, "{release}")))
        .collect();
    let words: Vec<String> = selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
    notes.guess(format!(
        "{id}: selector {} (its own pods only, in this chart's render)",
        words.join(",")
    ));
    selector
}

/// What the probes and leader election of Deployment `d` show, and the requirement the scaffold proposes when a
/// leader-election flag is rendered (`p` is the same Deployment in the probe render).
fn readiness(
    d: &Object,
    p: Option<&Object>,
    probes: &[Probe],
    defaults: &Value,
    id: &str,
    notes: &mut Notes,
) -> (ReadinessFile, Vec<RequirementFile>) {
    let containers: Vec<&Value> = d
        .value
        .pointer("/spec/template/spec/containers")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let mut said = Vec::new();
    for c in &containers {
        let name = c.get("name").and_then(Value::as_str).unwrap_or("?");
        said.push(match c.get("readinessProbe") {
            Some(probe) => format!("container {name}: readiness {}", probe_words(probe)),
            None => format!("container {name}: no readiness probe"),
        });
    }
    let tuning: Vec<&str> = containers
        .iter()
        .flat_map(|c| {
            ["command", "args"]
                .iter()
                .filter_map(|k| c.get(*k).and_then(Value::as_array))
                .flatten()
                .filter_map(Value::as_str)
        })
        .filter(|w| w.starts_with('-') && w.to_ascii_lowercase().contains("leader"))
        .filter(|w| !w.split_once('=').is_some_and(|(_, v)| matches!(v, "true" | "false")) && w.contains('='))
        .collect();
    if !tuning.is_empty() {
        said.push(format!("leader-election arguments `{}`", tuning.join(" ")));
    }
    let mut requires = Vec::new();
    for (flag, value) in leader_flags(&containers) {
        said.push(format!("leader election `{flag}={value}` in the default render"));
        let key = leader_key(&flag, &value, p, probes, defaults);
        let set = match &key {
            Some((k, v)) => {
                notes.leader_keys.push(k.clone());
                format!("`{k}: {v}` in the release's values")
            }
            None => {
                notes.todo(format!(
                    "{id}: which value sets `{flag}` (no leader key of the values changed it)"
                ));
                format!("`{flag}=true` among the container's arguments")
            }
        };
        notes.guess(format!("{id}: requires `{flag}=true` above one replica (set by {set})"));
        notes.todo(format!(
            "{id}: `source` of the leader-election requirement, and `readiness.needsLease` (does readiness wait on the lease?) from the program's source"
        ));
        requires.push(RequirementFile {
            what: "leader election".into(),
            check: RequiredCheck::Arg(ArgCheck {
                flag,
                equals: "true".into(),
                default: None,
                container: None,
            }),
            set,
            source: "TODO: where the program's source or maintainers say two replicas need it".into(),
        });
    }
    for (name, value) in leader_env(&containers) {
        said.push(format!("leader election `{name}={value}` in the environment"));
        notes.guess(format!("{id}: requires `{name}=true` above one replica"));
        notes.todo(format!(
            "{id}: which value sets `{name}`, the `source` of the requirement, and `readiness.needsLease`"
        ));
        requires.push(RequirementFile {
            what: "leader election".into(),
            check: RequiredCheck::Env(EnvCheck {
                name: name.clone(),
                equals: "true".into(),
                default: None,
                container: None,
            }),
            set: format!("`{name}=true` in the container's environment"),
            source: "TODO: where the program's source or maintainers say two replicas need it".into(),
        });
    }
    if requires.is_empty() {
        notes.todo(format!(
            "{id}: no leader election seen in the render: if every replica acts on its own (a controller that reconciles or writes), say so with `singleInstance` (the maintainers' word) or a `caveat`; a webhook or a proxy needs neither"
        ));
    }
    let text = format!("guessed from the render: {}", said.join("; "));
    (
        ReadinessFile {
            needs_lease: false,
            text,
        },
        requires,
    )
}

/// Boolean leader-election variables in the containers' environment: (`NAME`, `true`|`false`).
fn leader_env(containers: &[&Value]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for e in containers
        .iter()
        .flat_map(|c| c.get("env").and_then(Value::as_array).into_iter().flatten())
    {
        let (Some(name), Some(value)) = (
            e.get("name").and_then(Value::as_str),
            e.get("value").and_then(Value::as_str),
        ) else {
            continue;
        };
        if name.to_ascii_uppercase().contains("LEADER")
            && matches!(value, "true" | "false")
            && !out.iter().any(|(n, _)| n == name)
        {
            out.push((name.to_string(), value.to_string()));
        }
    }
    out
}

/// A probe in a few words: `httpGet /readyz on 8081`, `tcpSocket on 53`, `exec`.
fn probe_words(p: &Value) -> String {
    if let Some(h) = p.get("httpGet") {
        let path = h.get("path").and_then(Value::as_str).unwrap_or("/");
        return format!(
            "httpGet {path} on {}",
            h.get("port")
                .map(Value::to_string)
                .unwrap_or_default()
                .trim_matches('"')
        );
    }
    for kind in ["tcpSocket", "grpc"] {
        if let Some(t) = p.get(kind) {
            return format!(
                "{kind} on {}",
                t.get("port")
                    .map(Value::to_string)
                    .unwrap_or_default()
                    .trim_matches('"')
            );
        }
    }
    if p.get("exec").is_some() {
        "exec".into()
    } else {
        "probe".into()
    }
}

/// Boolean leader-election flags among the containers' arguments: (`--flag`, `true`|`false`).
fn leader_flags(containers: &[&Value]) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for c in containers {
        for w in ["command", "args"]
            .iter()
            .filter_map(|k| c.get(*k).and_then(Value::as_array))
            .flatten()
            .filter_map(Value::as_str)
        {
            if !w.starts_with('-') || !w.to_ascii_lowercase().contains("leader") {
                continue;
            }
            let (flag, value) = w.split_once('=').map_or((w, "true"), |(f, v)| (f, v));
            if matches!(value, "true" | "false") && !out.iter().any(|(f, _): &(String, String)| f == flag) {
                out.push((flag.to_string(), value.to_string()));
            }
        }
    }
    out
}

/// The leader probe that flipped `flag` in the probe render of the same Deployment (`p`), with the value that
/// turns it on (`true` when the flag follows the key, `false` when it is inverted).
fn leader_key(flag: &str, was: &str, p: Option<&Object>, probes: &[Probe], defaults: &Value) -> Option<(String, bool)> {
    let p = p?;
    let containers: Vec<&Value> = p
        .value
        .pointer("/spec/template/spec/containers")
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let now = leader_flags(&containers).into_iter().find(|(f, _)| f == flag)?.1;
    if now == was {
        return None;
    }
    // Only one leader key may have flipped it for the guess to stand: the first whose default differs.
    probes.iter().filter(|x| x.kind == Kind::Leader).find_map(|x| {
        let default = x.key.split('.').try_fold(defaults, |n, s| n.get(s))?.as_bool()?;
        let probe = x.value.as_bool()?;
        // The flag is `true` in the probe render: the probe's value turns it on, else its default does.
        let on = if now == "true" { probe } else { default };
        (probe != default).then(|| (x.key.clone(), on))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workload_names_become_patterns_that_hold_for_another_release() {
        let other = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        struct Case {
            deployment: &'static str,
            chart: &'static str,
            other_release: Vec<String>,
            want: Option<&'static str>,
        }
        let cases = [
            Case {
                deployment: "scaffold-app",
                chart: "app",
                other_release: other(&["hagen-other-release-app"]),
                want: Some("{fullname}"),
            },
            Case {
                deployment: "scaffold-app-webhook",
                chart: "app",
                other_release: other(&["hagen-other-release-app-webhook"]),
                want: Some("{fullname}-webhook"),
            },
            Case {
                deployment: "scaffold-kube-prometheus-s-operator",
                chart: "kube-prometheus-stack",
                other_release: other(&["hagen-other-release-kube-p-operator"]),
                want: Some("{fullname:26}-operator"),
            },
            Case {
                deployment: "scaffold-ui",
                chart: "app",
                other_release: other(&["hagen-other-release-ui"]),
                want: Some("{release}-ui"),
            },
            Case {
                deployment: "fixed",
                chart: "app",
                other_release: other(&["fixed"]),
                want: Some("fixed"),
            },
            Case {
                deployment: "scaffold-app",
                chart: "app",
                other_release: other(&["something-else"]),
                want: None,
            },
        ];
        for c in cases {
            assert_eq!(
                workload_pattern(c.deployment, c.chart, &c.other_release).as_deref(),
                c.want,
                "{}",
                c.deployment
            );
        }
    }

    #[test]
    fn probes_are_keys_that_may_reach_a_setting() {
        let defaults = json!({
            "replicaCount": 1, "leaderElect": false, "affinity": {}, "tolerations": [],
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
            "pdb": {"create": false, "minAvailable": 1}, "image": {"tag": "v1"},
        });
        let got: Vec<(String, Kind)> = probes(&defaults).into_iter().map(|p| (p.key, p.kind)).collect();
        let want = [
            ("replicaCount", Kind::Replicas),
            ("leaderElect", Kind::Leader),
            ("affinity", Kind::Affinity),
            ("tolerations", Kind::Tolerations),
            // `updateStrategy.rollingUpdate` lies inside a probe already.
            ("updateStrategy", Kind::Strategy),
            ("pdb", Kind::Pdb),
        ];
        assert_eq!(got, want.map(|(k, kind)| (k.to_string(), kind)));
        let pdb = probes(&defaults).into_iter().find(|p| p.kind == Kind::Pdb).unwrap();
        assert_eq!(pdb.value["create"], json!(true), "the block's switch is turned on");
    }

    #[test]
    fn leader_election_flags_and_variables_are_found() {
        let c = json!({"args": ["--v=2", "--leader-elect", "--leader-election-namespace=x", "--enable-leader-election=false"],
                       "env": [{"name": "LEADER_ELECTION", "value": "true"}, {"name": "OTHER", "value": "true"}]});
        assert_eq!(
            leader_flags(&[&c]),
            [
                ("--leader-elect".to_string(), "true".to_string()),
                ("--enable-leader-election".to_string(), "false".to_string())
            ]
        );
        assert_eq!(leader_env(&[&c]), [("LEADER_ELECTION".to_string(), "true".to_string())]);
    }
}

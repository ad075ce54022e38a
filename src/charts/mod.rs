//! The registry of chart knowledge. Everything hagen knows about one chart is one data file: the built-in ones in
//! the top-level `charts/` folder (embedded at build time), a user's own in a `charts/` folder beside the catalogue
//! (same name: the user's replaces the built-in one). This module turns those files into the types the rest of
//! hagen reads; nothing outside it knows a chart by name.

pub mod file;

use crate::error::{ChartProblem, ComponentProblem, Error, InPlaceProblem, KnowledgeError};
use file::{ChartFile, EvictionSetting, K3sFile, PdbSetting, StrategySetting, WorkloadSetting};
use indexmap::IndexMap;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/builtin_charts.rs"));

/// What hagen knows about one chart (at the catalogue's version: `changes` applied).
#[derive(Debug)]
pub struct Chart {
    /// The chart's name, as `helm pull` and the catalogue call it.
    pub name: &'static str,
    /// The chart version this knowledge was written against (what `hagen init` starts a catalogue with).
    pub version: &'static str,
    /// The chart repository the chart is published in (what `hagen init` writes for it).
    pub repository: &'static str,
    /// The components hagen can manage in this chart.
    pub components: &'static [ChartComponent],
    /// What the chart cannot express, in one paragraph for out/README.md.
    pub notes: &'static str,
    /// How k3s ships this component, if it does.
    pub k3s: K3s,
    /// k3s's packaged workload made HA in place (hagen's HPA and PDB beside it).
    pub k3s_in_place: Option<&'static InPlace>,
    /// What it takes to replace k3s's packaged manifests with this chart.
    pub k3s_take_over: Option<&'static file::TakeOverFile>,
    /// Which chart version each k3s release bundles.
    pub k3s_bundles: &'static [file::K3sBundleFile],
    /// The values key that turns a map of rule groups into PrometheusRules: this chart carries the alert rules.
    pub alert_rules: Option<&'static str>,
    /// The workload that creates some components at runtime.
    pub runtime: Option<&'static RuntimeOwner>,
    /// Objects whose pods an operator of the chart creates.
    pub operator_pods: &'static [file::OperatorPodsFile],
    /// Where the knowledge came from and its digest (the proof in hagen.lock is tied to it).
    pub knowledge: &'static ChartKnowledge,
    /// The chart's CRDs exceed the 256 KiB `last-applied-configuration` annotation of a client-side apply, so a
    /// GitOps tool that applies manifests (Argo CD) must apply them server-side (`ServerSideApply=true`).
    pub server_side_apply: bool,
}

/// One chart knowledge file.
#[derive(Debug)]
pub struct ChartKnowledge {
    /// `built in (charts/NAME.yaml)` or the user's file path.
    pub origin: String,
    /// Whether it is a user's file.
    pub user: bool,
    /// sha256 of the file's bytes, hex.
    pub sha256: String,
    parsed: ChartFile,
}

/// k3s's packaged workload as k3s ships it, and the component hagen judges it as.
#[derive(Debug)]
pub struct InPlace {
    /// What the knowledge file records (sources, k3s lines, the packaged Deployment, the neighbours).
    pub file: &'static file::InPlaceFile,
    /// k3s's Deployment as a component: its name, its pods' labels, how each setting reaches it.
    pub component: &'static ChartComponent,
}

/// How k3s packages a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum K3s {
    /// k3s does not ship it.
    NotBundled,
    /// A k3s `HelmChart` of this name in kube-system, customised through a `HelmChartConfig` of the same name.
    HelmChart(&'static str),
    /// Plain manifests k3s rewrites at every start (`--disable NAME` turns them off).
    PlainManifest(&'static str),
}

/// The workload that creates components at runtime, outside Helm.
#[derive(Debug, PartialEq, Eq)]
pub struct RuntimeOwner {
    pub owner: &'static str,
    pub deployer: &'static str,
    pub placement: &'static str,
    /// What serves while the owner replaces a Deployment (`{replicas}` replaced), and why.
    pub rollout_serving: &'static str,
    pub rollout_why: &'static str,
}

/// What hagen knows about one workload of a chart.
#[derive(Debug)]
pub struct ChartComponent {
    /// The name the catalogue uses.
    pub id: &'static str,
    /// The chart's name (for `{fullname}`).
    pub chart: &'static str,
    /// The Deployment's name pattern (see [`ChartComponent::workload_name`]).
    pub workload: &'static str,
    /// Stable, exclusive pod labels: `{release}` and `{namespace}` are replaced. Never a versioned label.
    pub selector: &'static [(&'static str, &'static str)],
    /// When the maintainers say it must run as one instance: the reason and where they said it.
    pub single_instance: Option<&'static str>,
    /// A condition under which two replicas misbehave (warned about, an error with `--strict` unless the
    /// component acknowledges it).
    pub caveat: Option<Caveat>,
    /// What the pod's readiness depends on, from the component's source: a one-at-a-time rollout waits for each
    /// new pod to become ready, so readiness that waits on a leader lease would stall it.
    pub readiness: Readiness,
    pub replicas: Route,
    pub affinity: Route,
    pub strategy: StrategyRoute,
    pub pdb: PdbRoute,
    pub tolerations: Route,
    /// The values key of the chart's HorizontalPodAutoscaler block, when it has one.
    pub autoscale: Option<&'static str>,
    /// Who creates the Deployment at runtime, when Helm does not.
    pub runtime: Option<&'static RuntimeOwner>,
    /// What must hold above one replica (leader election, say), checked by verify on the render.
    pub requires: &'static [file::RequirementFile],
}

/// A known problem of a component at more than one replica, with a stable code a catalogue can acknowledge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caveat {
    /// The warning code (`acknowledge: {CODE: why}` in the catalogue).
    pub code: &'static str,
    /// What goes wrong, and the source that says so.
    pub text: &'static str,
}

/// What makes a component's pod ready, as its source says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Readiness {
    /// Whether the pod becomes ready only while it holds a leader lease (jumpstarter-dev/jumpstarter#1012: a
    /// maxSurge 0 rollout then never completes, because the new pod cannot win the lease the old one holds).
    pub needs_lease: bool,
    /// The probe, what it checks, and the leader election, with the source lines.
    pub text: &'static str,
}

/// How a setting reaches the workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    /// A values key path (dots separate levels).
    Values(&'static str),
    /// The chart hardcodes this value: a patch is written when the intent differs from it.
    Hardcoded(u32),
    /// The chart has no key: a patch delivers it.
    Patch,
    /// Only reaches the workload at runtime, through the chart's runtime owner.
    Runtime(&'static RuntimeSetting),
    /// hagen cannot control it (why, in words).
    NotControllable(&'static str),
}

/// A setting that travels through a values key into the runtime owner's environment.
#[derive(Debug, PartialEq, Eq)]
pub struct RuntimeSetting {
    pub key: &'static str,
    pub env: &'static str,
    pub default: &'static str,
    /// For anti-affinity: the value written for `required`, `preferred`, `none`.
    pub presets: &'static [(&'static str, &'static str)],
    pub how: &'static str,
}

/// How the Deployment strategy reaches the workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrategyRoute {
    /// The whole strategy object is a values key.
    Object(&'static str),
    /// The chart hardcodes `type: RollingUpdate` and reads only the rolling parameters: Recreate needs a patch.
    RollingParamsOnly(&'static str),
    /// The chart reads only the type (a string): RollingUpdate's `maxSurge: 0` needs a patch.
    TypeOnly(&'static str),
    /// No key at all: a patch delivers it.
    Patch,
    /// hagen cannot control it (why, in words).
    NotControllable(&'static str),
}

/// How a PodDisruptionBudget is made.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PdbRoute {
    /// The chart's PDB block at `key`, with `maxUnavailable` and the fixed entries `with`.
    Values {
        key: &'static str,
        with: &'static serde_json::Map<String, serde_json::Value>,
        eviction: EvictionRoute,
    },
    /// An extra PodDisruptionBudget manifest, added by the post-renderer.
    Manifest,
    /// hagen cannot control it (why, in words).
    NotControllable(&'static str),
}

/// How `unhealthyPodEvictionPolicy` reaches a PDB the chart makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EvictionRoute {
    /// This key inside the chart's PDB block.
    Values(&'static str),
    /// A post-render patch on the PDB named by this pattern (placeholders as for `workload`).
    Patch(&'static str),
}

impl StrategyRoute {
    /// Whether `strategy` needs a post-render patch with this chart.
    pub fn needs_patch(self, strategy: crate::catalog::Strategy) -> bool {
        use crate::catalog::Strategy;
        match self {
            StrategyRoute::Object(_) | StrategyRoute::NotControllable(_) => false,
            StrategyRoute::RollingParamsOnly(_) => strategy == Strategy::Recreate,
            StrategyRoute::TypeOnly(_) => strategy.is_rolling(),
            StrategyRoute::Patch => true,
        }
    }
}

impl ChartComponent {
    /// The selector labels for a release installed as `release` into `namespace`.
    pub fn selector_labels(&self, release: &str, namespace: &str) -> Vec<(String, String)> {
        self.selector
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    v.replace("{release}", release).replace("{namespace}", namespace),
                )
            })
            .collect()
    }

    /// The Deployment's name for a release: `{release}`, `{namespace}`, `{fullname}` and `{fullname:N}` replaced.
    pub fn workload_name(&self, release: &str, namespace: &str) -> String {
        expand_workload(self.workload, self.chart, release, namespace)
    }

    /// The name of the chart's PDB that a patch sets `unhealthyPodEvictionPolicy` on, when the chart cannot.
    pub fn pdb_patch_name(&self, release: &str, namespace: &str) -> Option<String> {
        match self.pdb {
            PdbRoute::Values {
                eviction: EvictionRoute::Patch(pattern),
                ..
            } => Some(expand_workload(pattern, self.chart, release, namespace)),
            _ => None,
        }
    }

    /// Whether the workload is created by the chart itself (false for runtime-created Deployments).
    pub fn rendered_by_helm(&self) -> bool {
        !matches!(self.replicas, Route::Runtime(_))
    }

    /// Who owns a runtime-created workload, in words ("Longhorn"); `None` when Helm renders it.
    pub fn owner(&self) -> Option<&'static str> {
        self.runtime.map(|r| r.owner)
    }

    /// Whether the chart can create a HorizontalPodAutoscaler for it.
    pub fn autoscalable(&self) -> bool {
        self.autoscale.is_some()
    }
}

/// A workload name pattern expanded for a release (see [`ChartComponent::workload_name`]).
pub fn expand_workload(pattern: &str, chart: &str, release: &str, namespace: &str) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let Some(len) = rest[start..].find('}') else {
            break;
        };
        let word = &rest[start + 1..start + len];
        match word.split_once(':') {
            _ if word == "release" => out.push_str(release),
            _ if word == "namespace" => out.push_str(namespace),
            _ if word == "fullname" => out.push_str(&fullname_within(release, chart, 63)),
            Some(("fullname", n)) => out.push_str(&fullname_within(release, chart, n.parse().unwrap_or(63))),
            _ => out.push_str(&rest[start..=start + len]),
        }
        rest = &rest[start + len + 1..];
    }
    out.push_str(rest);
    out
}

/// Helm's usual `<chart>.fullname`: the release name when it contains the chart name, else `release-chart`, cut to
/// `max` characters.
pub fn fullname_within(release: &str, chart: &str, max: usize) -> String {
    let name = if release.contains(chart) {
        release.to_string()
    } else {
        format!("{release}-{chart}")
    };
    name.chars()
        .take(max)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string()
}

/// Compares chart versions (`v1.20.3`, `3.13.1`, `39.0.701+up39.0.7`): numeric parts as numbers.
pub fn version_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    let parts = |s: &str| -> Vec<String> {
        s.trim_start_matches('v')
            .split(|c: char| !c.is_ascii_alphanumeric())
            .map(String::from)
            .collect()
    };
    // A pre-release (`2.0.0-rc.1`) comes before its release (`2.0.0`).
    let core = |s: &str| s.split('+').next().unwrap_or(s).to_string();
    let (ca, cb) = (core(a), core(b));
    let (ra, rb) = (ca.split_once('-'), cb.split_once('-'));
    if let (Some((x, _)), None) = (ra, rb)
        && version_cmp(x, &cb).is_eq()
    {
        return std::cmp::Ordering::Less;
    }
    if let (None, Some((y, _))) = (ra, rb)
        && version_cmp(&ca, y).is_eq()
    {
        return std::cmp::Ordering::Greater;
    }
    let (pa, pb) = (parts(a), parts(b));
    for (x, y) in pa.iter().zip(&pb) {
        let o = match (x.parse::<u64>(), y.parse::<u64>()) {
            (Ok(m), Ok(n)) => m.cmp(&n),
            _ => x.cmp(y),
        };
        if o.is_ne() {
            return o;
        }
    }
    pa.len().cmp(&pb.len())
}

/// The chart knowledge hagen reads: built in, then a user's files over it.
#[derive(Debug, Clone)]
pub struct Registry {
    charts: IndexMap<String, &'static ChartKnowledge>,
}

fn leak<T>(t: T) -> &'static T {
    Box::leak(Box::new(t))
}

fn s(text: &str) -> &'static str {
    Box::leak(text.to_string().into_boxed_str())
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

impl Registry {
    /// Only the knowledge built into hagen.
    pub fn builtin() -> Registry {
        static BUILT: std::sync::OnceLock<IndexMap<String, &'static ChartKnowledge>> = std::sync::OnceLock::new();
        let charts = BUILT.get_or_init(|| {
            BUILTIN
                .iter()
                .map(|(name, _, sha256, json)| {
                    // A unit test reads every built-in file in both forms: this cannot fail in a released hagen.
                    let parsed = file::parse_json(json).unwrap_or_else(|e| panic!("built-in charts/{name}: {e}"));
                    let k = leak(ChartKnowledge {
                        origin: format!("built in (charts/{name})"),
                        user: false,
                        sha256: sha256.to_string(),
                        parsed,
                    });
                    (k.parsed.name.clone(), k)
                })
                .collect()
        });
        Registry { charts: charts.clone() }
    }

    /// The built-in knowledge plus every `*.yaml` in `dir` (a `charts/` folder beside the catalogue; absent is
    /// fine). Returns the notes to print (which built-in knowledge a user file replaces).
    pub fn with_dir(dir: &Path) -> Result<(Registry, Vec<String>), Error> {
        let mut reg = Registry::builtin();
        let mut notes = Vec::new();
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((reg, notes)),
            Err(source) => {
                return Err(KnowledgeError::Folder {
                    dir: dir.to_path_buf(),
                    source,
                }
                .into());
            }
        };
        let mut files: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml") && p.is_file())
            .collect();
        files.sort();
        for path in files {
            // Regular files only (a link to one is read; a FIFO or device never), bounded before parsing.
            let text = crate::yaml::read_file(&path, crate::yaml::SMALL.size)?;
            crate::yaml::check_bounds(&text, crate::yaml::SMALL).map_err(|e| KnowledgeError::OutOfBounds {
                file: path.clone(),
                reason: e.message,
                offset: e.offset,
            })?;
            let parsed = file::parse(&text).map_err(|source| KnowledgeError::Parse {
                file: path.clone(),
                source,
            })?;
            validate(&parsed).map_err(|problem| KnowledgeError::Invalid {
                file: path.clone(),
                chart: parsed.name.clone(),
                problem,
            })?;
            let name = parsed.name.clone();
            if reg.charts.get(&name).is_some_and(|k| !k.user) {
                notes.push(format!(
                    "note: {} replaces hagen's built-in knowledge of chart {name}",
                    path.display()
                ));
            } else if let Some(k) = reg.charts.get(&name) {
                return Err(KnowledgeError::Twice {
                    file: path,
                    chart: name,
                    other: k.origin.clone(),
                }
                .into());
            }
            let k = leak(ChartKnowledge {
                origin: path.display().to_string(),
                user: true,
                sha256: sha256_hex(text.as_bytes()),
                parsed,
            });
            reg.charts.insert(name, k);
        }
        Ok((reg, notes))
    }

    /// The names of every known chart.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.charts.keys().map(String::as_str)
    }

    /// Every known chart's knowledge file.
    pub fn knowledge(&self, name: &str) -> Option<&'static ChartKnowledge> {
        self.charts.get(name).copied()
    }

    /// `chart/component` of every component whose chart can autoscale it.
    pub fn autoscalable(&self) -> Vec<String> {
        self.charts
            .values()
            .flat_map(|k| {
                k.parsed
                    .components
                    .iter()
                    .filter(|c| c.autoscale.is_some())
                    .map(|c| format!("{}/{}", k.parsed.name, c.id))
            })
            .collect()
    }

    /// The names of charts that carry alert rules.
    pub fn alert_carriers(&self) -> Vec<&str> {
        self.charts
            .values()
            .filter(|k| k.parsed.alert_rules.is_some())
            .map(|k| k.parsed.name.as_str())
            .collect()
    }

    /// Every known chart, at the version its knowledge was written against.
    pub fn all(&self) -> Vec<&'static Chart> {
        self.charts
            .values()
            .map(|k| leak(build(k, &k.parsed.version)))
            .collect()
    }

    /// The knowledge of chart `name` as it applies to `version`.
    pub fn chart(&self, name: &str, version: &str) -> Option<&'static Chart> {
        let k = self.charts.get(name)?;
        Some(leak(build(k, version)))
    }
}

/// Consistency a schema cannot express: unique component ids, Kubernetes-valid selectors and workload names,
/// non-empty key paths, complete anti-affinity presets, a runtime owner for runtime settings, changes naming real
/// components.
pub fn validate(f: &ChartFile) -> Result<(), ChartProblem> {
    let mut seen = std::collections::HashSet::new();
    let runtime_used = f.components.iter().any(|c| {
        matches!(c.replicas, WorkloadSetting::Runtime(_)) || matches!(c.affinity, WorkloadSetting::Runtime(_))
    });
    if runtime_used && f.runtime.is_none() {
        return Err(ChartProblem::RuntimeWithoutOwner);
    }
    for c in &f.components {
        if !seen.insert(c.id.as_str()) {
            return Err(ChartProblem::ComponentTwice { id: c.id.clone() });
        }
        check_component(c).map_err(|problem| ChartProblem::Component {
            id: c.id.clone(),
            problem,
        })?;
    }
    if let Some(p) = &f.k3s_in_place {
        check_in_place(f, p).map_err(ChartProblem::InPlace)?;
    }
    for ch in &f.changes {
        if !seen.contains(ch.component.as_str()) {
            return Err(ChartProblem::UnknownChange {
                component: ch.component.clone(),
            });
        }
    }
    Ok(())
}

/// Requirements above one replica: a flag that starts with `-`, a variable name, a values key path.
fn requirements_ok(requires: &[file::RequirementFile]) -> Result<(), ComponentProblem> {
    use file::RequiredCheck;
    for r in requires {
        match &r.check {
            RequiredCheck::Arg(a) if !a.flag.starts_with('-') || a.flag.contains(['=', ' ']) => {
                return Err(ComponentProblem::NotAFlag {
                    what: r.what.clone(),
                    flag: a.flag.clone(),
                });
            }
            RequiredCheck::Env(e) if e.name.is_empty() || e.name.contains(['=', ' ']) => {
                return Err(ComponentProblem::NotAVariable {
                    what: r.what.clone(),
                    name: e.name.clone(),
                });
            }
            RequiredCheck::Value(v) if !key_path_ok(&v.key) => {
                return Err(ComponentProblem::RequiredKeyPath {
                    what: r.what.clone(),
                    key: v.key.clone(),
                });
            }
            _ => {}
        }
    }
    Ok(())
}

/// One component's settings: a selector of stable label keys and values, a Deployment name, key paths.
fn check_component(c: &file::ComponentFile) -> Result<(), ComponentProblem> {
    if c.selector.is_empty() {
        return Err(ComponentProblem::NoSelector);
    }
    for (k, v) in &c.selector {
        if crate::k8s::VERSIONED_LABELS.contains(&k.as_str()) {
            return Err(ComponentProblem::VersionedLabel { key: k.clone() });
        }
        if !label_key_ok(k) {
            return Err(ComponentProblem::LabelKey { key: k.clone() });
        }
        let sample = v.replace("{release}", "r").replace("{namespace}", "n");
        if !label_value_ok(&sample) {
            return Err(ComponentProblem::LabelValue { value: v.clone() });
        }
    }
    workload_ok(&c.workload)?;
    if let PdbSetting::Values(file::PdbValues {
        eviction_policy: EvictionSetting::Patch(p),
        ..
    }) = &c.pdb
    {
        workload_ok(p)?;
    }
    requirements_ok(&c.requires)?;
    for (name, s) in [
        ("replicas", &c.replicas),
        ("affinity", &c.affinity),
        ("tolerations", &c.tolerations),
    ] {
        let key = match s {
            WorkloadSetting::Values(k) => Some(k),
            WorkloadSetting::Runtime(r) => Some(&r.values),
            _ => None,
        };
        if let Some(k) = key {
            setting_key_ok(name, k)?;
        }
        if let (WorkloadSetting::Runtime(r), "affinity") = (s, name) {
            for mode in ["required", "preferred", "none"] {
                if !r.presets.contains_key(mode) {
                    return Err(ComponentProblem::PresetMissing { mode });
                }
            }
        }
    }
    let strategy_key = match &c.strategy {
        StrategySetting::Object(k) | StrategySetting::RollingUpdateParams(k) | StrategySetting::TypeString(k) => {
            Some(k)
        }
        _ => None,
    };
    let pdb_key = match &c.pdb {
        PdbSetting::Values(v) => Some(&v.key),
        _ => None,
    };
    for (name, k) in [
        ("strategy", strategy_key),
        ("pdb", pdb_key),
        ("autoscale", c.autoscale.as_ref()),
    ] {
        if let Some(k) = k {
            setting_key_ok(name, k)?;
        }
    }
    Ok(())
}

/// k3s's packaged workload kept in place: only for plain manifests k3s ships, with a PDB hagen adds as a manifest,
/// and a selector that is k3s's Deployment's own and matches its pods.
fn check_in_place(f: &ChartFile, p: &file::InPlaceFile) -> Result<(), InPlaceProblem> {
    if !matches!(f.k3s, Some(K3sFile::PlainManifest(_))) {
        return Err(InPlaceProblem::NotPlainManifest);
    }
    check_component(&p.component).map_err(|problem| InPlaceProblem::Component {
        id: p.component.id.clone(),
        problem,
    })?;
    if p.component.pdb != PdbSetting::Manifest {
        return Err(InPlaceProblem::PdbNotManifest);
    }
    let d = &p.deployment;
    let labels = crate::k8s::labels_of(d.pointer("/spec/template/metadata/labels"));
    let selector = crate::k8s::LabelSelector::of(p.component.selector.clone());
    if d.pointer("/metadata/name").and_then(serde_json::Value::as_str) != Some(p.component.workload.as_str()) {
        return Err(InPlaceProblem::NotTheWorkload);
    }
    if !selector.matches(&labels) {
        return Err(InPlaceProblem::SelectorMissesPods);
    }
    if p.neighbours.iter().any(|n| selector.matches(&n.labels)) {
        return Err(InPlaceProblem::SelectorMatchesNeighbour);
    }
    Ok(())
}

/// Whether `k` is a values key path: dot-separated, no empty segment.
fn key_path_ok(k: &str) -> bool {
    !k.split('.').any(str::is_empty)
}

/// The key path `k` of `setting` (`replicas`), or why it is not one.
fn setting_key_ok(setting: &'static str, k: &str) -> Result<(), ComponentProblem> {
    if key_path_ok(k) {
        Ok(())
    } else {
        Err(ComponentProblem::EmptySegment {
            setting,
            key: k.to_string(),
        })
    }
}

/// A Kubernetes label key: an optional DNS-subdomain prefix and `/`, then a name of 1–63 characters.
fn label_key_ok(k: &str) -> bool {
    let (prefix, name) = k.rsplit_once('/').map_or((None, k), |(p, n)| (Some(p), n));
    let prefix_ok = prefix.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 253
            && p.split('.').all(|l| {
                !l.is_empty()
                    && l.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
                    && !l.starts_with('-')
                    && !l.ends_with('-')
            })
    });
    prefix_ok && !name.is_empty() && label_value_ok(name)
}

/// A Kubernetes label value: at most 63 letters, digits, `-`, `_`, `.`, starting and ending alphanumeric.
fn label_value_ok(v: &str) -> bool {
    v.len() <= 63
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        && v.chars().next().is_none_or(|c| c.is_ascii_alphanumeric())
        && v.chars().last().is_none_or(|c| c.is_ascii_alphanumeric())
}

/// A workload name pattern: what it expands to is a DNS-1123 name for any release.
fn workload_ok(pattern: &str) -> Result<(), ComponentProblem> {
    if pattern.contains("{fullname:0}") {
        return Err(ComponentProblem::EmptyFullname);
    }
    let sample = expand_workload(pattern, "chart", "release", "ns");
    let ok = !sample.is_empty()
        && sample.len() <= 253
        && sample
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && sample.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
    if ok {
        Ok(())
    } else {
        Err(ComponentProblem::NotAName {
            pattern: pattern.to_string(),
        })
    }
}

fn setting(s: &WorkloadSetting) -> Route {
    match s {
        WorkloadSetting::Values(k) => Route::Values(self::s(k)),
        WorkloadSetting::Hardcoded(n) => Route::Hardcoded(*n),
        WorkloadSetting::Patch => Route::Patch,
        WorkloadSetting::Runtime(r) => Route::Runtime(leak(RuntimeSetting {
            key: self::s(&r.values),
            env: self::s(&r.env),
            default: self::s(&r.default),
            presets: Box::leak(
                r.presets
                    .iter()
                    .map(|(k, v)| (self::s(k), self::s(v)))
                    .collect::<Vec<_>>()
                    .into_boxed_slice(),
            ),
            how: self::s(&r.how),
        })),
        WorkloadSetting::NotControllable(w) => Route::NotControllable(self::s(w)),
    }
}

fn strategy(x: &StrategySetting) -> StrategyRoute {
    match x {
        StrategySetting::Object(k) => StrategyRoute::Object(s(k)),
        StrategySetting::RollingUpdateParams(k) => StrategyRoute::RollingParamsOnly(s(k)),
        StrategySetting::TypeString(k) => StrategyRoute::TypeOnly(s(k)),
        StrategySetting::Patch => StrategyRoute::Patch,
        StrategySetting::NotControllable(w) => StrategyRoute::NotControllable(s(w)),
    }
}

fn pdb(x: &PdbSetting) -> PdbRoute {
    match x {
        PdbSetting::Values(v) => PdbRoute::Values {
            key: s(&v.key),
            with: leak(v.with.iter().map(|(k, v)| (k.clone(), v.clone())).collect()),
            eviction: match &v.eviction_policy {
                EvictionSetting::Values(k) => EvictionRoute::Values(s(k)),
                EvictionSetting::Patch(p) => EvictionRoute::Patch(s(p)),
            },
        },
        PdbSetting::Manifest => PdbRoute::Manifest,
        PdbSetting::NotControllable(w) => PdbRoute::NotControllable(s(w)),
    }
}

/// One component of the knowledge, as hagen reads it (`owner`: the chart's runtime owner, for runtime settings).
fn component_of(c: &file::ComponentFile, name: &'static str, owner: Option<&'static RuntimeOwner>) -> ChartComponent {
    ChartComponent {
        id: s(&c.id),
        chart: name,
        workload: s(&c.workload),
        selector: Box::leak(
            c.selector
                .iter()
                .map(|(k, v)| (s(k), s(v)))
                .collect::<Vec<_>>()
                .into_boxed_slice(),
        ),
        single_instance: c.single_instance.as_deref().map(s),
        caveat: c.caveat.as_ref().map(|x| Caveat {
            code: s(&x.code),
            text: s(&x.text),
        }),
        readiness: Readiness {
            needs_lease: c.readiness.needs_lease,
            text: s(&c.readiness.text),
        },
        replicas: setting(&c.replicas),
        affinity: setting(&c.affinity),
        strategy: strategy(&c.strategy),
        pdb: pdb(&c.pdb),
        tolerations: setting(&c.tolerations),
        autoscale: c.autoscale.as_deref().map(s),
        runtime: if matches!(c.replicas, WorkloadSetting::Runtime(_)) {
            owner
        } else {
            None
        },
        requires: Box::leak(c.requires.clone().into_boxed_slice()),
    }
}

fn build(k: &'static ChartKnowledge, version: &str) -> Chart {
    let f = &k.parsed;
    let name = s(&f.name);
    let owner: Option<&'static RuntimeOwner> = f.runtime.as_ref().map(|r| {
        leak(RuntimeOwner {
            owner: s(&r.owner),
            deployer: s(&r.deployer),
            placement: s(&r.placement),
            rollout_serving: s(&r.rollout.serving),
            rollout_why: s(&r.rollout.why),
        })
    });
    let components: Vec<ChartComponent> = f
        .components
        .iter()
        .map(|c| {
            let mut c = c.clone();
            // Older versions: every change whose `before` is above the version applies; the one with the lowest `before`
            // (the oldest range) is applied last, so it wins.
            let mut changes: Vec<_> = f
                .changes
                .iter()
                .filter(|ch| ch.component == c.id && version_cmp(version, &ch.before).is_lt())
                .collect();
            changes.sort_by(|a, b| version_cmp(&b.before, &a.before));
            for ch in changes {
                if let Some(x) = &ch.replicas {
                    c.replicas = x.clone();
                }
                if ch.autoscale.is_some() {
                    c.autoscale = ch.autoscale.clone();
                }
                if let Some(x) = &ch.strategy {
                    c.strategy = x.clone();
                }
                if let Some(x) = &ch.affinity {
                    c.affinity = x.clone();
                }
                if let Some(x) = &ch.pdb {
                    c.pdb = x.clone();
                }
                if let Some(x) = &ch.tolerations {
                    c.tolerations = x.clone();
                }
            }
            component_of(&c, name, owner)
        })
        .collect();
    let k3s_in_place = f.k3s_in_place.as_ref().map(|p| {
        let file: &'static file::InPlaceFile = leak(p.clone());
        leak(InPlace {
            file,
            component: leak(component_of(&file.component, name, None)),
        })
    });
    Chart {
        k3s_in_place,
        name,
        components: Box::leak(components.into_boxed_slice()),
        notes: s(&f.notes),
        k3s: match &f.k3s {
            None => K3s::NotBundled,
            Some(K3sFile::HelmChart(n)) => K3s::HelmChart(s(n)),
            Some(K3sFile::PlainManifest(n)) => K3s::PlainManifest(s(n)),
        },
        alert_rules: f.alert_rules.as_deref().map(s),
        k3s_take_over: f.k3s_take_over.clone().map(|t| &*Box::leak(Box::new(t))),
        k3s_bundles: Box::leak(f.k3s_bundles.clone().into_boxed_slice()),
        runtime: owner,
        operator_pods: Box::leak(f.operator_pods.clone().into_boxed_slice()),
        knowledge: k,
        version: s(&f.version),
        repository: s(&f.repository),
        server_side_apply: f.server_side_apply,
    }
}

impl Chart {
    /// The component called `id`.
    pub fn component(&self, id: &str) -> Option<&'static ChartComponent> {
        self.components.iter().find(|c| c.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_file_parses_and_is_consistent() {
        for (name, text, sha256, json) in BUILTIN {
            let f = file::parse(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            validate(&f).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(format!("{}.yaml", f.name), *name, "file named after its chart");
            // The forms build.rs embeds: the digest of the text, and JSON that reads as the YAML does.
            assert_eq!(*sha256, sha256_hex(text.as_bytes()), "{name}");
            let from_json = file::parse_json(json).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(format!("{from_json:?}"), format!("{f:?}"), "{name}");
        }
        assert!(!Registry::builtin().alert_carriers().is_empty());
    }

    #[test]
    fn in_place_knowledge_is_checked() {
        let (_, text, _, _) = BUILTIN
            .iter()
            .find(|(_, t, _, _)| t.contains("\nk3sInPlace:"))
            .expect("a chart kept in place");
        let good = file::parse(text).unwrap();
        validate(&good).unwrap();
        type Edit = fn(&mut ChartFile);
        struct Case {
            name: &'static str,
            edit: Edit,
            expected: &'static str,
        }
        let cases = [
            Case {
                name: "not a plain manifest",
                edit: |f| f.k3s = None,
                expected: "needs `k3s: {plainManifest",
            },
            Case {
                name: "PDB not a manifest",
                edit: |f| f.k3s_in_place.as_mut().unwrap().component.pdb = PdbSetting::NotControllable("x".into()),
                expected: "must be `manifest`",
            },
            Case {
                name: "another Deployment",
                edit: |f| f.k3s_in_place.as_mut().unwrap().deployment["metadata"]["name"] = "other".into(),
                expected: "must be the component's `workload`",
            },
            Case {
                name: "a selector its pods lack",
                edit: |f| {
                    let c = &mut f.k3s_in_place.as_mut().unwrap().component;
                    c.selector.insert("extra".into(), "x".into());
                },
                expected: "does not match `deployment`'s pod labels",
            },
            Case {
                name: "a neighbour with the same labels",
                edit: |f| {
                    let p = f.k3s_in_place.as_mut().unwrap();
                    let labels = p.component.selector.clone();
                    p.neighbours[0].labels = labels;
                },
                expected: "matches a neighbour's pods",
            },
        ];
        for c in cases {
            let mut f = good.clone();
            (c.edit)(&mut f);
            let e = validate(&f).expect_err(c.name).to_string();
            assert!(e.contains(c.expected), "{}: {e}", c.name);
        }
    }

    /// A valid chart file with one component, `{X}` replaced by the lines given.
    fn chart_with(replace: &str, with: &str) -> String {
        let base = "name: demo\nrepository: https://example.com\nversion: \"1.0.0\"\nnotes: n\ncomponents:\n  - id: app\n    workload: \"{fullname}\"\n    selector: {app: demo}\n    readiness: {needsLease: false, text: t}\n    replicas: {values: replicas}\n    strategy: patch\n    affinity: {values: affinity}\n    pdb: manifest\n    tolerations: {values: tolerations}\n";
        assert!(base.contains(replace), "{replace}");
        base.replacen(replace, with, 1)
    }

    #[test]
    fn chart_files_are_checked_beyond_their_schema() {
        struct Case {
            replace: &'static str,
            with: &'static str,
            expected: &'static str,
        }
        let cases = [
            Case {
                replace: "selector: {app: demo}",
                with: "selector: {\"bad key!\": demo}",
                expected: "not a Kubernetes label key",
            },
            Case {
                replace: "selector: {app: demo}",
                with: "selector: {app: \"ext|dns\"}",
                expected: "not a Kubernetes label value",
            },
            Case {
                replace: "selector: {app: demo}",
                with: "selector: {}",
                expected: "has no selector",
            },
            Case {
                replace: "selector: {app: demo}",
                with: "selector: {helm.sh/chart: x}",
                expected: "changes with every chart version",
            },
            Case {
                replace: "workload: \"{fullname}\"",
                with: "workload: \"{fullname:0}\"",
                expected: "`{fullname:0}` is empty",
            },
            Case {
                replace: "workload: \"{fullname}\"",
                with: "workload: \"Big_Name\"",
                expected: "does not make a Deployment name",
            },
            Case {
                replace: "affinity: {values: affinity}",
                with: "affinity: {values: \"a..b\"}",
                expected: "affinity: key path `a..b`",
            },
            Case {
                replace: "replicas: {values: replicas}",
                with: "replicas: {runtime: {values: r, env: E, default: \"3\", how: h}}",
                expected: "needs `runtime:",
            },
        ];
        for c in cases {
            let f = file::parse(&chart_with(c.replace, c.with)).unwrap();
            let e = validate(&f).expect_err(c.expected).to_string();
            assert!(e.contains(c.expected), "{}: {e}", c.with);
        }
        let presets = chart_with(
            "affinity: {values: affinity}",
            "affinity: {runtime: {values: p, env: P, default: soft, presets: {required: hard, preferred: soft}, how: h}}",
        ) + "runtime: {owner: O, deployer: d, placement: p, rollout: {serving: s, why: w}}\n";
        let e = validate(&file::parse(&presets).unwrap()).unwrap_err().to_string();
        assert!(e.contains("`presets` needs a value for `none`"), "{e}");
        validate(&file::parse(&chart_with("app: demo", "app: demo")).unwrap()).unwrap();
    }

    #[test]
    fn workload_patterns() {
        struct Case {
            pattern: &'static str,
            chart: &'static str,
            release: &'static str,
            want: &'static str,
        }
        let cases = [
            Case {
                pattern: "{fullname}",
                chart: "coredns",
                release: "coredns",
                want: "coredns",
            },
            Case {
                pattern: "{fullname}",
                chart: "coredns",
                release: "dns",
                want: "dns-coredns",
            },
            Case {
                pattern: "{fullname}-webhook",
                chart: "cert-manager",
                release: "cm",
                want: "cm-cert-manager-webhook",
            },
            Case {
                pattern: "{fullname:26}-operator",
                chart: "kube-prometheus-stack",
                release: "kube-prometheus-stack",
                want: "kube-prometheus-stack-operator",
            },
            Case {
                pattern: "{fullname:26}-operator",
                chart: "kube-prometheus-stack",
                release: "monitoring",
                want: "monitoring-kube-prometheus-operator",
            },
            Case {
                pattern: "{release}-{namespace}",
                chart: "x",
                release: "r",
                want: "r-ns",
            },
            Case {
                pattern: "csi-attacher",
                chart: "longhorn",
                release: "longhorn",
                want: "csi-attacher",
            },
            Case {
                pattern: "{unknown}",
                chart: "x",
                release: "r",
                want: "{unknown}",
            },
        ];
        for c in cases {
            assert_eq!(
                expand_workload(c.pattern, c.chart, c.release, "ns"),
                c.want,
                "{} {}",
                c.pattern,
                c.release
            );
        }
    }

    #[test]
    fn versions_compare_numerically() {
        use std::cmp::Ordering::*;
        struct Case {
            a: &'static str,
            b: &'static str,
            want: std::cmp::Ordering,
        }
        let cases = [
            Case {
                a: "3.13.1",
                b: "3.12.2",
                want: Greater,
            },
            Case {
                a: "v1.20.3",
                b: "v1.21.1",
                want: Less,
            },
            Case {
                a: "1.46.2",
                b: "1.46.2",
                want: Equal,
            },
            Case {
                a: "39.0.701+up39.0.7",
                b: "41.3.0",
                want: Less,
            },
            Case {
                a: "10.0.0",
                b: "9.9.9",
                want: Greater,
            },
            Case {
                a: "2.0.0-rc.1",
                b: "2.0.0",
                want: Less,
            },
            Case {
                a: "2.0.0",
                b: "2.0.0-rc.1",
                want: Greater,
            },
            Case {
                a: "v1.21.1",
                b: "v1.21.0-beta.1",
                want: Greater,
            },
        ];
        for c in cases {
            assert_eq!(version_cmp(c.a, c.b), c.want, "{} vs {}", c.a, c.b);
        }
    }

    #[test]
    fn changes_apply_below_their_version() {
        let text = "name: demo\nrepository: https://example.com\nversion: \"2.0.0\"\nnotes: n\ncomponents:\n  - id: app\n    workload: \"{fullname}\"\n    selector: {app: demo}\n    readiness: {needsLease: false, text: t}\n    replicas: {values: replicas}\n    strategy: patch\n    affinity: {values: affinity}\n    pdb: manifest\n    tolerations: {values: tolerations}\nchanges:\n  - before: \"2.0.0\"\n    component: app\n    replicas: {values: replicaCount}\n";
        let k = leak(ChartKnowledge {
            origin: "test".into(),
            user: true,
            sha256: String::new(),
            parsed: file::parse(text).unwrap(),
        });
        assert_eq!(build(k, "1.9.0").components[0].replicas, Route::Values("replicaCount"));
        assert_eq!(build(k, "2.0.0").components[0].replicas, Route::Values("replicas"));
    }
}

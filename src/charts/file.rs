//! Chart knowledge as a user writes it: one YAML file per chart (`charts/<chart>.yaml`), with a JSON Schema printed
//! by `hagen schema --chart`. Settings are one-key maps (`{values: replicaCount}`) or plain words (`patch`).

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Everything hagen knows about one chart.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(
    title = "hagen chart knowledge",
    description = "Where one Helm chart reads replicas, anti-affinity, strategy, PDB, tolerations and autoscaling, per component."
)]
pub struct ChartFile {
    /// The chart's name, as `helm pull` and the catalogue call it.
    pub name: String,
    /// The chart repository it is published in.
    pub repository: String,
    /// The chart version this knowledge was written against (`hagen init` starts a catalogue with it; what a
    /// catalogue may use is what `hagen verify` proves, recorded in hagen.lock).
    pub version: String,
    /// The chart's CRDs exceed the 256 KiB annotation of a client-side apply: GitOps tools must apply server-side.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub server_side_apply: bool,
    /// What the chart cannot express, in one paragraph for out/README.md.
    pub notes: String,
    /// How k3s ships this chart's component, if it does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k3s: Option<K3sFile>,
    /// k3s's packaged Deployment of this component made HA in place: what k3s ships (as data, with sources) and
    /// the component hagen judges it as. hagen adds only its own objects beside k3s's (an HPA, a PDB).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k3s_in_place: Option<InPlaceFile>,
    /// What it takes to replace k3s's packaged manifests of this chart with this chart (k3s `disable:`); opt-in per
    /// release (`k3sTakeOver: true`) when `k3sInPlace` is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k3s_take_over: Option<TakeOverFile>,
    /// Which chart version each k3s release bundles (for a chart k3s installs as a HelmChart).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub k3s_bundles: Vec<K3sBundleFile>,
    /// The values key of a map `name → PrometheusRule spec` the chart turns into PrometheusRules: the release of
    /// such a chart carries hagen's alert rules.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alert_rules: Option<String>,
    /// Set when some components are created at runtime by a workload of the chart (not by Helm).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runtime: Option<RuntimeOwnerFile>,
    /// Objects of the chart whose pods an operator creates (not a workload in the render): their pods' labels, so
    /// an anti-affinity selector that would also match them is caught.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operator_pods: Vec<OperatorPodsFile>,
    /// The Deployments hagen can manage.
    pub components: Vec<ComponentFile>,
    /// Settings that differ in older chart versions (a key moved at some version).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<ChangeFile>,
}

/// How k3s packages a chart.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum K3sFile {
    /// A k3s `HelmChart` of this name in kube-system, customised through a `HelmChartConfig` of the same name.
    HelmChart(String),
    /// Plain manifests k3s rewrites at every start (`--disable NAME` turns them off).
    PlainManifest(String),
}

/// k3s's packaged workload kept as k3s ships it, with hagen's own objects beside it.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct InPlaceFile {
    /// Where each fact below is recorded (k3s file, commit or PR).
    pub sources: Vec<String>,
    /// The k3s lines (`v1.35`) whose packaged manifest `deployment` describes.
    pub k3s: Vec<String>,
    /// How hagen reaches k3s's Deployment: its name, its pods' labels, and for each setting whether hagen's own
    /// objects deliver it (`pdb: manifest`) or k3s's manifest decides (`notControllable`). Replicas are held by an
    /// HPA hagen writes (k3s's manifest has no `replicas`, so the HPA's count persists across k3s restarts).
    pub component: ComponentFile,
    /// k3s's packaged Deployment, the fields hagen judges (labels, selector, strategy, spread), in kube-system.
    pub deployment: serde_json::Value,
    /// The other pods k3s runs in kube-system: a selector of hagen's must match none of them.
    pub neighbours: Vec<NeighbourFile>,
}

/// Pods k3s runs in kube-system beside the component, by their labels.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NeighbourFile {
    /// `Kind/name` of what makes them (`Deployment/local-path-provisioner`).
    pub owner: String,
    pub labels: IndexMap<String, String>,
    /// Where the labels are recorded.
    pub source: String,
}

/// Replacing k3s's plain manifests with this chart: chart values, what must be gone first, the checks on the render.
/// In every string and value, `{clusterDNS}` and `{clusterDomain}` are replaced with the catalogue's.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TakeOverFile {
    /// Chart values that render objects equivalent to k3s's (applied before the user's values and the overlay).
    pub values: serde_json::Value,
    /// k3s's objects whose deletion (after `disable:`) frees the names and the IP the chart needs, as `kubectl wait
    /// --for=delete` takes them (`-n kube-system service/kube-dns`, `apiservice/v1beta1.metrics.k8s.io`).
    pub wait_gone: Vec<String>,
    /// What is down between k3s deleting its objects and the chart's pods being ready.
    pub down: String,
    /// Steps the runbook takes before disabling k3s's copy (saving live data the chart takes over).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub before: Vec<RunbookStepFile>,
    /// Extra `helm` arguments the runbook's install line carries.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub helm_args: Vec<String>,
    /// Live data the runbook saves into a file beside the catalogue before anything is disabled, passed to every
    /// install and upgrade with `--set-file KEY=FILE`; `generate` and `verify` report it missing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub saved_files: Vec<SavedFileFile>,
    /// Commands that show the take-over worked.
    pub verify: Vec<RunbookStepFile>,
    /// What is lost compared with k3s's own objects, in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub differences: Option<String>,
    /// Checks `hagen verify` makes on the rendered objects.
    pub checks: Vec<TakeOverCheckFile>,
}

/// A file of live data beside the catalogue, and the chart value it feeds.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SavedFileFile {
    /// The file's name, beside the catalogue (`k3s-NodeHosts`).
    pub file: String,
    /// The values key `--set-file` fills with it (`zoneFiles[0].contents`).
    pub key: String,
    /// Why, in words.
    pub why: String,
    /// The command that prints the data (its output goes into the file).
    pub run: String,
}

/// One step of the runbook: a sentence and a shell command.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RunbookStepFile {
    pub why: String,
    pub run: String,
}

/// A check on one rendered object of a take-over.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TakeOverCheckFile {
    /// What is checked, in words.
    pub what: String,
    pub kind: String,
    /// The object's name; any object of the kind when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// A JSON pointer into the object.
    pub pointer: String,
    /// The value there must be this string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub equals: Option<String>,
    /// The text there must hold these lines (trimmed), in this order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<String>,
}

/// The chart version one k3s release bundles.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct K3sBundleFile {
    /// The k3s release without its `+k3sN` suffix (`v1.35.3`).
    pub k3s: String,
    /// The upstream chart version k3s repackages (`39.0.5` for `traefik-39.0.501+up39.0.5`).
    pub chart: String,
    /// Where this is recorded.
    pub source: String,
}

/// Pods an operator creates for objects of one kind.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct OperatorPodsFile {
    /// The object's kind (`Prometheus`).
    pub kind: String,
    /// A JSON pointer to labels of the object that the pods also get (`/spec/podMetadata/labels`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels_from: Option<String>,
    /// The labels the operator sets; `{name}` is the object's name.
    pub labels: IndexMap<String, String>,
}

/// The workload that creates components at runtime.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RuntimeOwnerFile {
    /// Who owns the runtime-created Deployments, in words ("Longhorn").
    pub owner: String,
    /// The Deployment (rendered by the chart) whose container environment carries the runtime settings.
    pub deployer: String,
    /// Why node placement of the runtime-created Deployments is out of reach, and what decides it.
    pub placement: String,
    /// How the owner replaces its Deployments when it upgrades them, with the source.
    pub rollout: RuntimeRolloutFile,
}

/// How a runtime owner replaces its Deployments.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuntimeRolloutFile {
    /// What serves meanwhile, for the plan's table (`{replicas}` is replaced): `0 of {replicas} (recreated)`.
    pub serving: String,
    /// What happens and why, with the source.
    pub why: String,
}

/// One Deployment of the chart.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ComponentFile {
    /// The name the catalogue uses.
    pub id: String,
    /// The Deployment's name: `{release}`, `{namespace}`, `{fullname}` (Helm's usual fullname, 63 characters) or
    /// `{fullname:N}` (cut to N characters) are replaced.
    pub workload: String,
    /// Stable, exclusive pod labels (`{release}` and `{namespace}` are replaced); never a versioned label.
    pub selector: IndexMap<String, String>,
    /// When the maintainers say it must run as one instance: the reason and where they said it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub single_instance: Option<String>,
    /// A known problem at more than one replica, with a code a catalogue can acknowledge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caveat: Option<CaveatFile>,
    /// What the pod's readiness depends on, from the component's source.
    pub readiness: ReadinessFile,
    pub replicas: WorkloadSetting,
    /// The values key of the chart's HorizontalPodAutoscaler block (`enabled`, `minReplicas`, `maxReplicas`,
    /// `metrics`); the chart must leave `replicas` out while it is enabled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscale: Option<String>,
    pub strategy: StrategySetting,
    pub affinity: WorkloadSetting,
    pub pdb: PdbSetting,
    pub tolerations: WorkloadSetting,
    /// What must hold for the component to run above one replica (leader election, say): `hagen verify` checks
    /// each on the rendered objects and fails, naming it and how to set it, when one does not.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<RequirementFile>,
}

/// One thing that must hold above one replica.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequirementFile {
    /// What it is, in words (`leader election`).
    pub what: String,
    /// Where `hagen verify` sees it.
    pub check: RequiredCheck,
    /// How to make it hold, in words (`leaderElect: true` in the release's values).
    pub set: String,
    /// Where upstream says it is needed (source file and line, an issue).
    pub source: String,
}

/// Where a requirement is seen.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum RequiredCheck {
    /// A container argument of the rendered workload: `--flag=value`, `--flag value`, or a bare `--flag` (true).
    Arg(ArgCheck),
    /// An environment variable of a container of the rendered workload.
    Env(EnvCheck),
    /// A chart value, as the release's values leave it (the chart's defaults, the user's values, hagen's overlay).
    Value(ValueCheck),
    /// The workload is made outside the render and its owner sees to it (why, in words): shown, never failed.
    Runtime(String),
}

/// A command-line flag of a container.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ArgCheck {
    /// The flag with its dashes (`--leader-elect`).
    pub flag: String,
    /// The value it must have (`"true"`).
    pub equals: String,
    /// The program's value when the flag is not given; without one, a missing flag fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// The container to look in (any container of the pod when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
}

/// An environment variable of a container.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnvCheck {
    /// The variable's name.
    pub name: String,
    /// The value it must have.
    pub equals: String,
    /// The program's value when the variable is not set; without one, a missing variable fails.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// The container to look in (any container of the pod when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
}

/// A chart value.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ValueCheck {
    /// The values key path (dots separate levels).
    pub key: String,
    /// The value it must have.
    pub equals: serde_json::Value,
}

/// A known problem of a component at more than one replica.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaveatFile {
    /// The warning code (`acknowledge: {CODE: why}` in the catalogue).
    pub code: String,
    /// What goes wrong, and the source that says so.
    pub text: String,
}

/// What makes a component's pod ready.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ReadinessFile {
    /// Whether the pod becomes ready only while it holds a leader lease (a maxSurge 0 rollout then stalls).
    pub needs_lease: bool,
    /// The probe, what it checks, and the leader election, with the source lines.
    pub text: String,
}

/// How replicas, anti-affinity or tolerations reach the workload.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum WorkloadSetting {
    /// A values key path (dots separate levels).
    Values(String),
    /// The chart hardcodes this value: a patch is written when the intent differs from it.
    Hardcoded(u32),
    /// The chart has no key: a post-render patch delivers it.
    Patch,
    /// Only reaches the workload at runtime, through the chart's runtime owner.
    Runtime(RuntimeSettingFile),
    /// hagen cannot control it (why, in words).
    NotControllable(String),
}

/// A setting delivered through a values key to the runtime owner's environment.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuntimeSettingFile {
    /// The values key path.
    pub values: String,
    /// The environment variable of the deployer that carries it.
    pub env: String,
    /// The owner's default when the variable is unset.
    pub default: String,
    /// For anti-affinity: the value written for `required`, `preferred` and `none`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub presets: IndexMap<String, String>,
    /// How it travels, in words.
    pub how: String,
}

/// How the Deployment strategy reaches the workload.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum StrategySetting {
    /// The whole strategy object (`type` and `rollingUpdate`) at this key.
    Object(String),
    /// The chart hardcodes `type: RollingUpdate` and reads only the rolling parameters here: Recreate is a patch.
    RollingUpdateParams(String),
    /// The chart reads only the type, as a string, here: RollingUpdate's `maxSurge: 0` is a patch.
    TypeString(String),
    /// No key at all: a patch delivers it.
    Patch,
    /// hagen cannot control it (why, in words).
    NotControllable(String),
}

/// How a PodDisruptionBudget is made.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum PdbSetting {
    /// The chart's PDB block at `key`, with `maxUnavailable` and the fixed entries of `with` (`enabled: true`, or
    /// `minAvailable: null` to drop a chart default).
    Values(PdbValues),
    /// The chart has none: hagen adds a PodDisruptionBudget manifest through the post-renderer.
    Manifest,
    /// hagen cannot control it (why, in words).
    NotControllable(String),
}

/// A chart's PDB block.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PdbValues {
    pub key: String,
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub with: IndexMap<String, serde_json::Value>,
    /// Where the chart's PDB template reads `unhealthyPodEvictionPolicy` (cite the template line), or that it does
    /// not: then hagen patches the rendered PDB.
    #[serde(rename = "unhealthyPodEvictionPolicy")]
    pub eviction_policy: EvictionSetting,
}

/// How `unhealthyPodEvictionPolicy: AlwaysAllow` reaches a chart's PodDisruptionBudget.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum EvictionSetting {
    /// A key inside the PDB block (`unhealthyPodEvictionPolicy`), which the template writes into the PDB's spec.
    Values(String),
    /// The template writes only min/max: a post-render patch on the PDB of this name (placeholders as for
    /// `workload`).
    Patch(String),
}

/// Settings of one component that differ in chart versions before `before`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ChangeFile {
    /// Applies to chart versions older than this one.
    pub before: String,
    /// The component whose settings differ.
    pub component: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replicas: Option<WorkloadSetting>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscale: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<StrategySetting>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affinity: Option<WorkloadSetting>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdb: Option<PdbSetting>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tolerations: Option<WorkloadSetting>,
}

/// Reads one chart knowledge file; errors carry line and column.
pub fn parse(text: &str) -> Result<ChartFile, serde_yaml::Error> {
    let de = serde_yaml::Deserializer::from_str(text);
    serde_yaml::with::singleton_map_recursive::deserialize(de)
}

/// Reads a built-in chart knowledge file in the JSON form build.rs embeds (serde_json reads enums as the YAML's
/// singleton maps natively).
pub fn parse_json(json: &str) -> Result<ChartFile, serde_json::Error> {
    serde_json::from_str(json)
}

/// The JSON Schema of a chart knowledge file.
pub fn schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(ChartFile)).unwrap_or(serde_json::Value::Null)
}

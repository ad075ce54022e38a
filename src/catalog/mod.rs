//! The catalogue as the user writes it: serde types with a derived JSON Schema, and its loading.

mod annotations;
pub mod load;
pub mod position;
mod schema;
pub mod secrets;
pub mod values;

pub use load::{load_file, load_str};
pub use schema::schema;

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The whole catalogue: one cluster, the defaults, optional tier overrides, and the Helm releases.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(
    title = "hagen catalogue",
    description = "The one file a user edits: cluster, HA defaults, Helm releases and their components."
)]
pub struct Catalogue {
    /// The cluster the releases run on; hagen reasons about placement from its nodes.
    pub cluster: Cluster,
    /// HA settings every component gets unless its tier or the component overrides them.
    pub defaults: Settings,
    /// Overrides per tier ("1", "2" or "3"), applied between the defaults and the component.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub tiers: IndexMap<TierKey, Settings>,
    /// The Helm releases hagen writes overlays for.
    pub releases: Vec<Release>,
    /// Extra delivery routes written next to the values overlays (all off unless switched on).
    #[serde(default)]
    pub delivery: Delivery,
    /// Prometheus alert rules for the components, carried by the kube-prometheus-stack release (on by default).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alerts: Option<Alerts>,
}

/// A Prometheus duration such as `30s`, `10m` or `1h`.
pub type Duration = String;

/// The forms the catalogue's strings must take. They keep every string that reaches a file, a comment, a shell line
/// or a Kubernetes field to what that place reads literally: no whitespace or control characters in names and URLs,
/// no control characters (line breaks included) in free text, and bounded lengths.
pub mod pattern {
    /// A DNS-1123 label (release, namespace, cluster name).
    pub const DNS_LABEL: &str = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
    /// A DNS-1123 subdomain (node names).
    pub const DNS_SUBDOMAIN: &str = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
    /// A Kubernetes label key: an optional DNS subdomain prefix and `/`, then a name of at most 63 characters.
    pub const LABEL_KEY: &str = r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$";
    /// A Kubernetes label value: empty, or at most 63 letters, digits, `-`, `_`, `.`, starting and ending alphanumeric.
    pub const LABEL_VALUE: &str = r"^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$";
    /// A chart repository: https or oci, without whitespace, control characters or what RFC 3986 never allows.
    pub const REPOSITORY: &str = r#"^(https|oci)://[^\s\u0000-\u001f\u007f-\u009f"<>\\^`{|}]+$"#;
    /// A chart name as Helm writes it.
    pub const CHART: &str = r"^[a-z0-9]([-a-z0-9_.]*[a-z0-9])?$";
    /// A chart version (SemVer, with an optional leading `v`).
    pub const VERSION: &str = r"^v?[0-9A-Za-z][-0-9A-Za-z.+]*$";
    /// A Prometheus duration in one unit.
    pub const DURATION: &str = r"^[0-9]+(ms|s|m|h|d|w|y)$";
    /// A relative path inside a repository: names joined by `/`, none starting with `.` (so no `..`).
    pub const REPO_PATH: &str = r"^[A-Za-z0-9_][-A-Za-z0-9_.]*(/[A-Za-z0-9_][-A-Za-z0-9_.]*)*$";
    /// A git revision: a branch, tag or commit name.
    pub const REVISION: &str = r"^[A-Za-z0-9][-A-Za-z0-9_./]*$";
    /// An IPv4 address in dotted form.
    pub const IPV4: &str =
        r"^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$";
    /// A k3s release (`v1.35.3+k3s1`).
    pub const K3S_VERSION: &str = r"^v1\.[0-9]+\.[0-9]+(\+k3s[0-9]+)?$";
    /// A Kubernetes version: `1.35`, `1.35.3` or `v1.35.3` (only the minor version matters to hagen).
    pub const KUBE_VERSION: &str = r"^v?1\.[0-9]{1,3}(\.[0-9]{1,4})?$";
    /// Free text: one line, no control characters.
    pub const TEXT: &str = r"^[^\u0000-\u001f\u007f-\u009f\u2028\u2029]*$";
    /// What each pattern expects, for error messages.
    pub const EXPECTED: [(&str, &str); 14] = [
        (IPV4, "expected an IPv4 address such as 10.43.0.10"),
        (
            KUBE_VERSION,
            "expected a Kubernetes version such as \"1.35\" or \"v1.35.3\" (quoted: YAML reads 1.30 as the number 1.3)",
        ),
        (K3S_VERSION, "expected a k3s release such as v1.35.3+k3s1"),
        (
            DNS_LABEL,
            "expected a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit",
        ),
        (
            DNS_SUBDOMAIN,
            "expected a DNS-1123 subdomain: DNS-1123 labels joined by '.'",
        ),
        (
            LABEL_KEY,
            "expected a Kubernetes label key: an optional DNS subdomain and '/', then at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
        ),
        (
            LABEL_VALUE,
            "expected a Kubernetes label value: empty, or at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit",
        ),
        (
            REPOSITORY,
            "expected an https:// or oci:// URL without spaces, control characters, quotes or any of <>\\^`{|}",
        ),
        (
            CHART,
            "expected a chart name: lowercase letters, digits, '-', '_' and '.'",
        ),
        (VERSION, "expected a chart version such as 1.46.2 or v1.21.1"),
        (DURATION, "expected a Prometheus duration such as 30s, 10m or 1h"),
        (TEXT, "expected one line of text without control characters"),
        (
            REPO_PATH,
            "expected a relative path: names of letters, digits, '-', '_' and '.' joined by '/', none starting with '.'",
        ),
        (
            REVISION,
            "expected a git branch, tag or commit: letters, digits, '-', '_', '.' and '/'",
        ),
    ];

    /// Longest free text (purpose, impact, reasons): a sentence or two, not a document.
    pub const TEXT_MAX: u32 = 500;
}

use pattern::{CHART, DNS_LABEL, DNS_SUBDOMAIN, DURATION, REPOSITORY, TEXT, TEXT_MAX, VERSION};

fn label_map(generator: &mut schemars::SchemaGenerator, min: u32) -> schemars::Schema {
    let _ = generator;
    schemars::json_schema!({
        "type": "object",
        "minProperties": min,
        "maxProperties": 64,
        "propertyNames": {"maxLength": 317, "pattern": pattern::LABEL_KEY},
        "additionalProperties": {"type": "string", "maxLength": 63, "pattern": pattern::LABEL_VALUE},
    })
}

fn labels(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    label_map(generator, 0)
}

fn labels_nonempty(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    label_map(generator, 1)
}

fn reasons(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let _ = generator;
    schemars::json_schema!({
        "type": "object",
        "maxProperties": 32,
        "propertyNames": {"maxLength": 64},
        "additionalProperties": {"type": "string", "maxLength": TEXT_MAX, "pattern": TEXT},
    })
}

/// Alert rules hagen adds to the kube-prometheus-stack overlay (`additionalPrometheusRulesMap`).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Alerts {
    /// Switch the whole rule group off.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// How long a component may run with fewer available replicas than desired.
    #[serde(default = "d10m")]
    #[schemars(length(max = 24), regex(pattern = DURATION))]
    pub replicas_unavailable_for: Duration,
    /// How long two ready pods of one component may share a node.
    #[serde(default = "d15m")]
    #[schemars(length(max = 24), regex(pattern = DURATION))]
    pub colocated_for: Duration,
    /// How long a single-instance component may have no ready pod (Tier 2 and 3).
    #[serde(default = "d5m")]
    #[schemars(length(max = 24), regex(pattern = DURATION))]
    pub single_instance_down_for: Duration,
    /// The same, for Tier 1 components.
    #[serde(default = "d1m")]
    #[schemars(length(max = 24), regex(pattern = DURATION))]
    pub single_instance_down_for_tier1: Duration,
    /// How long a PodDisruptionBudget may allow zero disruptions (it blocks every node drain).
    #[serde(default = "d30m")]
    #[schemars(length(max = 24), regex(pattern = DURATION))]
    pub pdb_blocking_for: Duration,
    /// Running pods on one node above which it is overloaded.
    #[serde(default = "pods_per_node")]
    #[schemars(range(min = 1))]
    pub pods_per_node: u32,
    /// How long a node may stay above `podsPerNode`.
    #[serde(default = "d10m")]
    #[schemars(length(max = 24), regex(pattern = DURATION))]
    pub pods_per_node_for: Duration,
}

impl Default for Alerts {
    fn default() -> Self {
        Alerts {
            enabled: true,
            replicas_unavailable_for: d10m(),
            colocated_for: d15m(),
            single_instance_down_for: d5m(),
            single_instance_down_for_tier1: d1m(),
            pdb_blocking_for: d30m(),
            pods_per_node: pods_per_node(),
            pods_per_node_for: d10m(),
        }
    }
}

fn yes() -> bool {
    true
}
fn d1m() -> String {
    "1m".into()
}
fn d5m() -> String {
    "5m".into()
}
fn d10m() -> String {
    "10m".into()
}
fn d15m() -> String {
    "15m".into()
}
fn d30m() -> String {
    "30m".into()
}
fn pods_per_node() -> u32 {
    25
}

/// Opt-in outputs for GitOps tools, rendered from the same result as values.yaml and patches.yaml.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Delivery {
    /// Write out/flux/: a HelmRepository per chart repository and a HelmRelease per release.
    #[serde(default)]
    pub flux: bool,
    /// Write out/argocd/: an Application per release (a kustomize folder where patches are needed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub argocd: Option<ArgoCd>,
    /// With `flux`: write only the parts you merge into your own HelmReleases (hagen's overlay as a ConfigMap for
    /// `valuesFrom` and a `postRenderers` snippet) instead of whole HelmReleases and HelmRepositories.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub flux_parts: bool,
    /// Write out/helmfile.yaml with every release.
    #[serde(default)]
    pub helmfile: bool,
}

/// Where Argo CD finds this repository's out/ folder.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ArgoCd {
    /// The git repository Argo CD reads out/ from (for releases delivered as a kustomize folder).
    #[serde(rename = "repoURL")]
    #[schemars(length(min = 1, max = 2048), regex(pattern = REPOSITORY))]
    pub repo_url: String,
    /// The git revision to follow.
    #[serde(default = "default_revision")]
    #[schemars(length(min = 1, max = 255), regex(pattern = pattern::REVISION))]
    pub target_revision: String,
    /// The path of the output folder inside that repository (default: `--out` as given, hagen running from the
    /// repository's top).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 255), regex(pattern = pattern::REPO_PATH))]
    pub out_path: Option<String>,
    /// The namespace Argo CD runs in.
    #[serde(default = "default_argocd_namespace")]
    #[schemars(length(min = 1, max = 63), regex(pattern = DNS_LABEL))]
    pub namespace: String,
}

fn default_revision() -> String {
    "HEAD".into()
}
fn default_argocd_namespace() -> String {
    "argocd".into()
}

/// A tier name used as a key of `tiers`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
pub enum TierKey {
    #[serde(rename = "1")]
    One,
    #[serde(rename = "2")]
    Two,
    #[serde(rename = "3")]
    Three,
}

impl TierKey {
    /// The tier number a component names.
    pub fn of(tier: u8) -> Option<Self> {
        match tier {
            1 => Some(Self::One),
            2 => Some(Self::Two),
            3 => Some(Self::Three),
            _ => None,
        }
    }

    /// The key as the catalogue writes it (`"1"`).
    pub fn key(self) -> &'static str {
        match self {
            Self::One => "1",
            Self::Two => "2",
            Self::Three => "3",
        }
    }
}

/// The cluster: its name and worker nodes.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Cluster {
    /// A name for the cluster, shown in generated files.
    #[schemars(length(min = 1, max = 63), regex(pattern = DNS_LABEL))]
    pub name: String,
    /// The nodes pods can be scheduled on.
    #[schemars(length(min = 1, max = 1000))]
    pub nodes: Vec<Node>,
    /// kube-controller-manager's `--node-monitor-grace-period` in seconds: how long a silent node stays Ready
    /// before its pods are marked NotReady and its eviction timer starts (50 since Kubernetes 1.32, 40 before).
    /// `hagen plan` uses it for failover times; it does not change the cluster.
    #[serde(default = "node_monitor_grace", skip_serializing_if = "is_default_grace")]
    #[schemars(range(min = 1, max = 3600))]
    pub node_monitor_grace_period_seconds: u32,
    /// The Kubernetes distribution: `kubernetes` (default) or `k3s` (then `k3sBundled` releases are k3s's own
    /// packaged components, taken over or configured the way k3s allows).
    #[serde(default, skip_serializing_if = "Distribution::is_default")]
    pub distribution: Distribution,
    /// k3s facts hagen needs for `distribution: k3s` (all optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub k3s: Option<K3sCluster>,
    /// The cluster's Kubernetes version (`"1.35"`, quoted; `kubectl get nodes` shows the kubelets'): it decides
    /// the rollout strategy hagen defaults to (revision-scoped anti-affinity and surge rollouts from 1.33, 1.31 with
    /// a warning), the PDB eviction policy, and the version `hagen verify` renders the charts for. On k3s,
    /// `cluster.k3s.version` implies it. Unset: hagen writes what works on every version (maxSurge 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(schema_with = "kube_version")]
    pub kubernetes_version: Option<String>,
}

fn kube_version(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let _ = generator;
    schemars::json_schema!({"type": "string", "maxLength": 16, "pattern": pattern::KUBE_VERSION})
}

/// The Kubernetes distribution the cluster runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Distribution {
    /// Plain Kubernetes: hagen installs every release with Helm.
    #[default]
    Kubernetes,
    /// k3s: it installs CoreDNS, metrics-server and Traefik itself.
    K3s,
}

impl Distribution {
    fn is_default(&self) -> bool {
        *self == Distribution::Kubernetes
    }
}

/// What hagen must know about a k3s cluster.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct K3sCluster {
    /// k3s's `--cluster-dns`: the IP every kubelet hands pods as their nameserver (default 10.43.0.10; on a
    /// cluster: `kubectl -n kube-system get configmap cluster-dns -o jsonpath='{.data.clusterDNS}'`).
    #[serde(rename = "clusterDNS", default = "default_cluster_dns")]
    #[schemars(length(max = 15), regex(pattern = pattern::IPV4))]
    pub cluster_dns: String,
    /// k3s's `--cluster-domain` (default cluster.local).
    #[serde(default = "default_cluster_domain")]
    #[schemars(length(min = 1, max = 253), regex(pattern = DNS_SUBDOMAIN))]
    pub cluster_domain: String,
    /// The k3s release (`v1.35.3+k3s1`): hagen looks up the Traefik chart it bundles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 1, max = 64), regex(pattern = pattern::K3S_VERSION))]
    pub version: Option<String>,
    /// The upstream version of each chart k3s installs as a HelmChart, by chart name (`traefik: 39.0.7` for
    /// `traefik-39.0.701+up39.0.7`; on a cluster: `kubectl get helmchart traefik -n kube-system -o
    /// jsonpath='{.spec.chart}'`). Wins over what hagen knows for `version`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(schema_with = "bundled_charts")]
    pub charts: IndexMap<String, String>,
}

impl K3sCluster {
    /// `text` with `{clusterDNS}` and `{clusterDomain}` replaced (chart knowledge's k3s facts name them so).
    pub fn substitute(&self, text: &str) -> String {
        text.replace("{clusterDNS}", &self.cluster_dns)
            .replace("{clusterDomain}", &self.cluster_domain)
    }
}

impl Default for K3sCluster {
    fn default() -> Self {
        K3sCluster {
            cluster_dns: default_cluster_dns(),
            cluster_domain: default_cluster_domain(),
            version: None,
            charts: IndexMap::new(),
        }
    }
}

fn bundled_charts(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let _ = generator;
    schemars::json_schema!({
        "type": "object",
        "maxProperties": 16,
        "propertyNames": {"maxLength": 63, "pattern": CHART},
        "additionalProperties": {"type": "string", "maxLength": 64, "pattern": VERSION},
    })
}

fn default_cluster_dns() -> String {
    crate::k3s_facts::DEFAULT_CLUSTER_DNS.into()
}
fn default_cluster_domain() -> String {
    crate::k3s_facts::DEFAULT_CLUSTER_DOMAIN.into()
}

/// Kubernetes' default `--node-monitor-grace-period` since 1.32 (kubernetes/kubernetes#126287).
pub const DEFAULT_NODE_MONITOR_GRACE_SECONDS: u32 = 50;

fn node_monitor_grace() -> u32 {
    DEFAULT_NODE_MONITOR_GRACE_SECONDS
}

fn is_default_grace(s: &u32) -> bool {
    *s == DEFAULT_NODE_MONITOR_GRACE_SECONDS
}

/// One schedulable node.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Node {
    /// The node's name (its `kubernetes.io/hostname` label): a DNS-1123 subdomain.
    #[schemars(length(min = 1, max = 253), regex(pattern = DNS_SUBDOMAIN))]
    pub name: String,
    /// Labels on the node, e.g. `node-role: database`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(schema_with = "labels")]
    pub labels: IndexMap<String, String>,
}

/// HA settings; every field is optional so that tiers and components override only what they name.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Settings {
    /// Number of replicas.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(max = 100))]
    pub replicas: Option<u32>,
    /// Pod anti-affinity on `kubernetes.io/hostname` between a component's own pods.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub anti_affinity: Option<AntiAffinity>,
    /// How a rollout replaces pods (both never need a free node). Default: RollingUpdate at two replicas or more
    /// (one pod at a time, the others keep serving), Recreate at one (the old pod is gone before the new starts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub strategy: Option<Strategy>,
    /// The PodDisruptionBudget for components at two replicas or more.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdb: Option<Pdb>,
    /// Keep pods off nodes with these labels (e.g. `node-role: database`), as node affinity merged into the same
    /// `affinity` object as the anti-affinity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub avoid_nodes: Option<AvoidNodes>,
    /// For components at one replica: seconds a pod stays bound to an unreachable or not-ready node before it is evicted (Kubernetes' default is 300). Counted from when the node is marked unreachable, i.e. after the node monitor grace period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(range(min = 1, max = 3600))]
    pub failover_seconds: Option<u32>,
}

/// Nodes to keep a component off.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct AvoidNodes {
    /// Node labels to avoid; a node with any of them is avoided.
    #[schemars(schema_with = "labels_nonempty")]
    pub labels: IndexMap<String, String>,
    /// `required`: never schedule there (fewer eligible nodes); `preferred`: only when nothing else fits.
    pub strength: Strength,
}

/// Whether a scheduling rule is a hard or a soft constraint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Strength {
    Required,
    Preferred,
}

/// A HorizontalPodAutoscaler's bounds, for charts that can create one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Autoscale {
    /// Replicas when idle; the PDB follows it.
    #[schemars(range(min = 1, max = 100))]
    pub min: u32,
    /// At most this many replicas: with required anti-affinity, no more than the eligible nodes.
    #[schemars(range(min = 1, max = 100))]
    pub max: u32,
    /// Target average CPU utilisation in percent of the pods' CPU requests.
    #[serde(default = "cpu_target")]
    #[schemars(range(min = 1, max = 100))]
    pub cpu_utilization: u32,
}

impl Autoscale {
    /// The CPU utilisation an HPA aims at when the catalogue names none.
    pub const CPU_TARGET: u32 = 80;
}

fn cpu_target() -> u32 {
    Autoscale::CPU_TARGET
}

/// Pod anti-affinity strength.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum AntiAffinity {
    /// `requiredDuringSchedulingIgnoredDuringExecution`: two replicas never share a node.
    Required,
    /// `preferredDuringSchedulingIgnoredDuringExecution` (weight 100): spread when possible.
    Preferred,
    /// No anti-affinity.
    None,
}

/// Deployment strategies that cannot get stuck when anti-affinity fills every eligible node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum Strategy {
    /// Stop every replica and wait until they are gone, then start the new ones: a full outage at each rollout, but two versions never overlap (what single-instance controllers need).
    Recreate,
    /// `RollingUpdate` with `maxSurge: 0, maxUnavailable: 1`: replace one pod at a time in place; the others keep serving.
    RollingUpdate,
    /// `RollingUpdate` with `maxSurge: 1, maxUnavailable: 0`: start each new pod before an old one stops, so every replica keeps serving. Needs revision-scoped anti-affinity (Kubernetes 1.31+, hagen writes it) so that the new pod may share a node with an old one.
    RollingUpdateSurge,
}

impl Strategy {
    /// Whether the Deployment's type is RollingUpdate (either shape).
    pub fn is_rolling(self) -> bool {
        self != Strategy::Recreate
    }
}

/// PodDisruptionBudget settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Pdb {
    /// How many of the component's pods a voluntary disruption (a node drain) may take down at once.
    #[schemars(range(min = 1))]
    pub max_unavailable: u32,
}

/// One Helm release.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Release {
    /// The Helm release name (DNS-1123 label, at most 53 characters).
    #[schemars(length(min = 1, max = 53), regex(pattern = DNS_LABEL))]
    pub name: String,
    /// The chart name, as hagen's chart knowledge knows it.
    #[schemars(length(min = 1, max = 63), regex(pattern = CHART))]
    pub chart: String,
    /// The chart repository URL (`helm repo add`): https:// or oci://.
    #[schemars(length(min = 1, max = 2048), regex(pattern = REPOSITORY))]
    pub repository: String,
    /// The pinned chart version.
    #[schemars(length(min = 1, max = 64), regex(pattern = VERSION))]
    pub version: String,
    /// The namespace the release is installed into.
    #[schemars(length(min = 1, max = 63), regex(pattern = DNS_LABEL))]
    pub namespace: String,
    /// The release's components hagen makes highly available.
    #[schemars(length(min = 1, max = 100))]
    pub components: Vec<Component>,
    /// The release is k3s's packaged one (Traefik: a HelmChart customised by a HelmChartConfig; CoreDNS and
    /// metrics-server: plain manifests k3s rewrites at every start).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub k3s_bundled: bool,
    /// For a `k3sBundled` CoreDNS (or another packaged manifest hagen can make HA in place): replace k3s's copy
    /// with this chart instead (`disable:` on every server, then the chart, after the runbook's preflight). The
    /// default keeps k3s's objects and adds hagen's HPA and PDB beside them.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub k3s_take_over: bool,
    /// Your own values files for this chart (paths relative to the catalogue's folder, inside it), applied in
    /// order before hagen's overlay on every route (`helm -f yours… -f out/<release>/values.yaml`). A value at a
    /// key path hagen's overlay writes is refused: set the HA in the catalogue instead.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values_files: Vec<String>,
    /// Your own chart values inline (e.g. `crds: {enabled: true}`), applied after `valuesFiles` and before
    /// hagen's overlay; refused at a key path the overlay writes.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub values: IndexMap<String, serde_json::Value>,
}

/// One workload of a release, with its tier, purpose and overrides.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(deny_unknown_fields)]
pub struct Component {
    /// The component's name in the chart knowledge (e.g. `csi-provisioner`, `grafana`).
    #[schemars(length(min = 1, max = 63), regex(pattern = DNS_LABEL))]
    pub name: String,
    /// 1 (cluster breaks), 2 (features break), 3 (observability).
    #[schemars(range(min = 1, max = 3))]
    pub tier: u8,
    /// What the component does (one line, at most 500 characters).
    #[schemars(length(min = 1, max = TEXT_MAX), regex(pattern = TEXT))]
    pub purpose: String,
    /// What stops working while it is down (one line, at most 500 characters).
    #[schemars(length(min = 1, max = TEXT_MAX), regex(pattern = TEXT))]
    pub impact: String,
    /// Required to run a single-instance component (MetalLB controller, sealed-secrets, prometheus-operator) at more than one replica: say why it is safe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(length(min = 10, max = TEXT_MAX), regex(pattern = TEXT))]
    pub single_instance_override: Option<String>,
    /// Scale with load between `min` and `max` replicas through the chart's HorizontalPodAutoscaler.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub autoscale: Option<Autoscale>,
    /// Warnings accepted for this component: the warning's code (shown in brackets after it) → why it is
    /// acceptable here. An acknowledged warning is listed with its reason in out/README.md and no longer fails
    /// `generate --strict`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    #[schemars(schema_with = "reasons")]
    pub acknowledge: IndexMap<String, String>,
    /// Overrides of the defaults and tier settings.
    #[serde(flatten)]
    pub settings: Settings,
}

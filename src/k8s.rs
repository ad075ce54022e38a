//! The few Kubernetes shapes hagen builds and reads: label selectors (with real matching), pod anti-affinity
//! terms, strategies, tolerations and PodDisruptionBudgets. Chart files say *where* these go; this builds *what*
//! they are.

use crate::catalog::{AntiAffinity, Strategy};
use crate::error::{Error, InputError, Result};
use indexmap::IndexMap;
use serde_json::{Value, json};

/// The topology key every anti-affinity term of hagen uses.
pub const HOSTNAME: &str = "kubernetes.io/hostname";

/// The label the Deployment controller puts on each ReplicaSet's pods: the pod template's revision.
pub const POD_TEMPLATE_HASH: &str = "pod-template-hash";

/// The PDB policy that lets a drain evict a running pod that is not Ready even when the budget is spent
/// (KEP-3017; beta and on by default from 1.27, GA 1.31), so a crash-looping replica never blocks a drain.
pub const ALWAYS_ALLOW: &str = "AlwaysAllow";

/// A Kubernetes `major.minor` version, as the catalogue's `cluster.kubernetesVersion` gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct KubeVersion {
    pub major: u32,
    pub minor: u32,
}

/// How far a cluster's version supports `matchLabelKeys` in pod (anti-)affinity terms (KEP-3633).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchLabelKeys {
    /// Not before 1.31 (alpha, off by default, in 1.29–1.30): the API server drops the field.
    Absent,
    /// 1.31–1.32: beta, on by default behind the `MatchLabelKeysInPodAffinity` feature gate.
    Beta,
    /// 1.33 on: GA (kubernetes/kubernetes#130463).
    Stable,
}

impl KubeVersion {
    /// Reads `1.35`, `1.35.3` or `v1.35.3`; `None` otherwise.
    pub fn parse(text: &str) -> Option<Self> {
        let t = text.strip_prefix('v').unwrap_or(text);
        let mut parts = t.split('.');
        let major = parts.next()?.parse().ok()?;
        let minor = parts.next()?.parse().ok()?;
        match parts.next() {
            Some(patch) if patch.parse::<u32>().is_err() => return None,
            _ => {}
        }
        parts.next().is_none().then_some(KubeVersion { major, minor })
    }

    /// `matchLabelKeys` in pod affinity terms at this version.
    pub fn match_label_keys(self) -> MatchLabelKeys {
        match (self.major, self.minor) {
            (1, m) if m >= 33 => MatchLabelKeys::Stable,
            (1, 31 | 32) => MatchLabelKeys::Beta,
            (1, _) => MatchLabelKeys::Absent,
            _ => MatchLabelKeys::Stable,
        }
    }

    /// Whether PDBs take `unhealthyPodEvictionPolicy` (on by default from 1.27).
    pub fn unhealthy_pod_eviction_policy(self) -> bool {
        self >= KubeVersion { major: 1, minor: 27 }
    }

    /// The resource-level API versions a cluster of this version serves that charts ask Helm about
    /// (`.Capabilities.APIVersions.Has "policy/v1/PodDisruptionBudget"`): a bare `helm template` knows only
    /// group/versions, so such a chart falls back to policy/v1beta1, which 1.25 removed; `helm upgrade` asks the
    /// cluster and gets policy/v1.
    pub fn api_versions(self) -> Vec<&'static str> {
        if self >= (KubeVersion { major: 1, minor: 21 }) {
            vec!["policy/v1/PodDisruptionBudget"]
        } else {
            vec![]
        }
    }

    /// The version `helm template --kube-version` takes (`1.35.0`).
    pub fn helm_arg(self) -> String {
        format!("{}.{}.0", self.major, self.minor)
    }
}

impl std::fmt::Display for KubeVersion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// Labels whose value changes with the chart or app version: never usable in a selector.
pub const VERSIONED_LABELS: &[&str] = &["helm.sh/chart", "chart", "app.kubernetes.io/version", "version"];

/// A Kubernetes label selector (`matchLabels` and `matchExpressions`), with the API server's matching rules.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelSelector {
    pub match_labels: IndexMap<String, String>,
    pub match_expressions: Vec<Requirement>,
}

/// One `matchExpressions` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    pub key: String,
    pub operator: String,
    pub values: Vec<String>,
}

impl LabelSelector {
    /// A selector of exactly these labels.
    pub fn of(labels: impl IntoIterator<Item = (String, String)>) -> Self {
        LabelSelector {
            match_labels: labels.into_iter().collect(),
            match_expressions: vec![],
        }
    }

    /// Whether a pod with `labels` is selected. An empty selector selects everything, as in Kubernetes.
    pub fn matches(&self, labels: &IndexMap<String, String>) -> bool {
        self.match_labels.iter().all(|(k, v)| labels.get(k) == Some(v))
            && self.match_expressions.iter().all(|r| {
                let v = labels.get(&r.key);
                match r.operator.as_str() {
                    "In" => v.is_some_and(|v| r.values.contains(v)),
                    "NotIn" => v.is_none_or(|v| !r.values.contains(v)),
                    "Exists" => v.is_some(),
                    "DoesNotExist" => v.is_none(),
                    _ => false,
                }
            })
    }

    /// The label keys the selector reads.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.match_labels
            .keys()
            .map(String::as_str)
            .chain(self.match_expressions.iter().map(|r| r.key.as_str()))
    }

    /// Reads a selector object; `None` when it is not one.
    pub fn from_json(v: &Value) -> Option<Self> {
        let obj = v.as_object()?;
        let mut sel = LabelSelector::default();
        if let Some(ml) = obj.get("matchLabels").and_then(Value::as_object) {
            for (k, v) in ml {
                sel.match_labels.insert(k.clone(), scalar(v)?);
            }
        }
        if let Some(me) = obj.get("matchExpressions").and_then(Value::as_array) {
            for e in me {
                sel.match_expressions.push(Requirement {
                    key: e.get("key")?.as_str()?.to_string(),
                    operator: e.get("operator")?.as_str()?.to_string(),
                    values: e
                        .get("values")
                        .and_then(Value::as_array)
                        .map(|a| a.iter().filter_map(scalar).collect())
                        .unwrap_or_default(),
                });
            }
        }
        Some(sel)
    }

    /// The selector as Kubernetes writes it.
    pub fn to_json(&self) -> Value {
        let mut out = serde_json::Map::new();
        if !self.match_labels.is_empty() {
            out.insert("matchLabels".into(), json!(self.match_labels));
        }
        if !self.match_expressions.is_empty() {
            let exprs: Vec<Value> = self
                .match_expressions
                .iter()
                .map(|r| json!({"key": r.key, "operator": r.operator, "values": r.values}))
                .collect();
            out.insert("matchExpressions".into(), Value::Array(exprs));
        }
        Value::Object(out)
    }

    /// `k=v,k2=v2` for messages and `kubectl -l`.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self.match_labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        parts.extend(
            self.match_expressions
                .iter()
                .map(|r| format!("{} {} ({})", r.key, r.operator, r.values.join(","))),
        );
        parts.join(",")
    }
}

/// Labels as a map of strings (numbers and booleans as YAML writes them).
pub fn labels_of(v: Option<&Value>) -> IndexMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| m.iter().filter_map(|(k, v)| Some((k.clone(), scalar(v)?))).collect())
        .unwrap_or_default()
}

fn scalar(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The pod anti-affinity on the hostname for pods selected by `selector`, or `None` when not asked for.
/// `revision_scoped` adds `matchLabelKeys: [pod-template-hash]` to the one required term: the API server merges
/// each new pod's own revision into the selector, so pods of one ReplicaSet keep apart while an old pod does not
/// block a new one (KEP-3633; kubernetes/kubernetes#127330). One term only: more terms widen the scheduler's
/// requeueing gaps (kubernetes/kubernetes#139135).
pub fn pod_anti_affinity(mode: AntiAffinity, selector: &LabelSelector, revision_scoped: bool) -> Option<Value> {
    let mut term = json!({"labelSelector": selector.to_json(), "topologyKey": HOSTNAME});
    if revision_scoped && mode == AntiAffinity::Required {
        term["matchLabelKeys"] = json!([POD_TEMPLATE_HASH]);
    }
    match mode {
        AntiAffinity::Required => Some(json!({"requiredDuringSchedulingIgnoredDuringExecution": [term]})),
        AntiAffinity::Preferred => {
            Some(json!({"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "podAffinityTerm": term}]}))
        }
        AntiAffinity::None => None,
    }
}

/// Node affinity that keeps pods off nodes with any of `avoid`'s labels.
pub fn node_affinity(avoid: &crate::catalog::AvoidNodes) -> Value {
    let exprs: Vec<Value> = avoid
        .labels
        .iter()
        .map(|(k, v)| json!({"key": k, "operator": "NotIn", "values": [v]}))
        .collect();
    match avoid.strength {
        crate::catalog::Strength::Required => {
            json!({"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": exprs}]}})
        }
        crate::catalog::Strength::Preferred => {
            json!({"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "preference": {"matchExpressions": exprs}}]})
        }
    }
}

/// The one `affinity` object of a component: pod anti-affinity and node affinity together, never two objects
/// that overwrite each other.
pub fn affinity(anti: Option<Value>, avoid: Option<&crate::catalog::AvoidNodes>) -> Option<Value> {
    let mut a = serde_json::Map::new();
    if let Some(p) = anti {
        a.insert("podAntiAffinity".into(), p);
    }
    if let Some(n) = avoid {
        a.insert("nodeAffinity".into(), node_affinity(n));
    }
    (!a.is_empty()).then_some(Value::Object(a))
}

/// The HorizontalPodAutoscaler metrics for a CPU utilisation target (autoscaling/v2).
pub fn hpa_metrics(cpu_utilization: u32) -> Value {
    json!([{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": cpu_utilization}}}])
}

/// The Deployment strategy object, as the API carries it.
pub fn strategy(s: Strategy) -> Value {
    match s {
        Strategy::Recreate => json!({"type": "Recreate"}),
        Strategy::RollingUpdate => {
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}})
        }
        Strategy::RollingUpdateSurge => {
            json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}})
        }
    }
}

/// Tolerations that evict a single-instance pod from a failed node after `seconds` instead of 300.
pub fn failover_tolerations(seconds: u32) -> Value {
    let t = |key: &str| json!({"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": seconds});
    json!([t("node.kubernetes.io/not-ready"), t("node.kubernetes.io/unreachable")])
}

/// A standalone PodDisruptionBudget, for charts that have no key for one; `always_allow` sets
/// `unhealthyPodEvictionPolicy: AlwaysAllow`.
pub fn pdb_manifest(
    name: &str,
    namespace: &str,
    selector: &LabelSelector,
    max_unavailable: u32,
    always_allow: bool,
) -> Value {
    let mut pdb = json!({
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {"app.kubernetes.io/managed-by": "hagen"},
        },
        "spec": {"maxUnavailable": max_unavailable, "selector": selector.to_json()},
    });
    if always_allow {
        pdb["spec"]["unhealthyPodEvictionPolicy"] = ALWAYS_ALLOW.into();
    }
    pdb
}

/// A HorizontalPodAutoscaler on Deployment `target`, for a Deployment whose own manifest leaves `replicas` open
/// (k3s's CoreDNS): the HPA controller raises it to `min` before it reads any metric (kubernetes
/// pkg/controller/podautoscaler/horizontal.go, "Current number of replicas below Spec.MinReplicas").
pub fn hpa_manifest(target: &str, namespace: &str, a: crate::catalog::Autoscale) -> Value {
    json!({
        "apiVersion": "autoscaling/v2",
        "kind": "HorizontalPodAutoscaler",
        "metadata": {
            "name": target,
            "namespace": namespace,
            "labels": {"app.kubernetes.io/managed-by": "hagen"},
        },
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": target},
            "minReplicas": a.min,
            "maxReplicas": a.max,
            "metrics": hpa_metrics(a.cpu_utilization),
        },
    })
}

/// One Kubernetes object with its identity.
#[derive(Debug, Clone)]
pub struct Object {
    pub kind: String,
    pub name: String,
    pub namespace: String,
    pub value: Value,
}

impl Object {
    /// Reads an object; `default_namespace` stands in where the manifest names none (as `helm install -n` does).
    pub fn new(value: Value, default_namespace: &str) -> Option<Self> {
        let kind = value.get("kind")?.as_str()?.to_string();
        let name = value.pointer("/metadata/name")?.as_str()?.to_string();
        let namespace = value
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or(default_namespace)
            .to_string();
        Some(Object {
            kind,
            name,
            namespace,
            value,
        })
    }

    /// `Kind/namespace/name`.
    pub fn id(&self) -> String {
        format!("{}/{}/{}", self.kind, self.namespace, self.name)
    }
}

/// The labels pods of a workload get, with the workload that makes them.
#[derive(Debug, Clone)]
pub struct PodTemplate {
    pub owner: String,
    pub namespace: String,
    pub labels: IndexMap<String, String>,
}

/// Parses a manifest stream (or a `kubectl get -o yaml|json` List) into objects.
pub fn objects_from_stream(text: &str, default_namespace: &str) -> Result<Vec<Object>> {
    let trimmed = text.trim_start();
    let values: Vec<Value> = if trimmed.starts_with('{') {
        crate::yaml::check_bounds(trimmed, crate::yaml::STREAM).map_err(|e| {
            Error::Input(InputError::OutOfBounds {
                what: None,
                reason: e.message,
            })
        })?;
        vec![serde_json::from_str(trimmed).map_err(|e| Error::Input(InputError::NotJson(e)))?]
    } else {
        crate::patch::parse_manifests(text, "the manifests", crate::yaml::STREAM)?
    };
    let mut out = Vec::new();
    for v in values {
        if v.get("kind")
            .and_then(Value::as_str)
            .is_some_and(|k| k.ends_with("List"))
            && let Some(items) = v.get("items").and_then(Value::as_array)
        {
            out.extend(items.iter().filter_map(|i| Object::new(i.clone(), default_namespace)));
        } else if let Some(o) = Object::new(v, default_namespace) {
            out.push(o);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> IndexMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn selector_matching_follows_kubernetes() {
        let sel = LabelSelector::from_json(&json!({
            "matchLabels": {"app.kubernetes.io/name": "grafana"},
            "matchExpressions": [{"key": "tier", "operator": "NotIn", "values": ["db"]}]
        }))
        .unwrap();
        assert!(sel.matches(&labels(&[("app.kubernetes.io/name", "grafana")])));
        assert!(!sel.matches(&labels(&[("app.kubernetes.io/name", "grafana"), ("tier", "db")])));
        assert!(!sel.matches(&labels(&[("app.kubernetes.io/name", "kube-state-metrics")])));
        assert!(LabelSelector::default().matches(&labels(&[])));
    }

    #[test]
    fn strategies_never_need_a_free_node() {
        assert_eq!(strategy(Strategy::Recreate), json!({"type": "Recreate"}));
        assert_eq!(strategy(Strategy::RollingUpdate)["rollingUpdate"]["maxSurge"], json!(0));
        assert_eq!(
            strategy(Strategy::RollingUpdateSurge)["rollingUpdate"],
            json!({"maxSurge": 1, "maxUnavailable": 0})
        );
    }

    #[test]
    fn kubernetes_versions() {
        struct Case {
            text: &'static str,
            want: Option<(u32, u32)>,
            match_label_keys: MatchLabelKeys,
            unhealthy_pod_eviction_policy: bool,
        }
        let cases = [
            Case {
                text: "1.35",
                want: Some((1, 35)),
                match_label_keys: MatchLabelKeys::Stable,
                unhealthy_pod_eviction_policy: true,
            },
            Case {
                text: "v1.33.2",
                want: Some((1, 33)),
                match_label_keys: MatchLabelKeys::Stable,
                unhealthy_pod_eviction_policy: true,
            },
            Case {
                text: "1.32.0",
                want: Some((1, 32)),
                match_label_keys: MatchLabelKeys::Beta,
                unhealthy_pod_eviction_policy: true,
            },
            Case {
                text: "1.31",
                want: Some((1, 31)),
                match_label_keys: MatchLabelKeys::Beta,
                unhealthy_pod_eviction_policy: true,
            },
            Case {
                text: "1.30",
                want: Some((1, 30)),
                match_label_keys: MatchLabelKeys::Absent,
                unhealthy_pod_eviction_policy: true,
            },
            Case {
                text: "1.26",
                want: Some((1, 26)),
                match_label_keys: MatchLabelKeys::Absent,
                unhealthy_pod_eviction_policy: false,
            },
            Case {
                text: "1.35.x",
                want: None,
                match_label_keys: MatchLabelKeys::Absent,
                unhealthy_pod_eviction_policy: false,
            },
            Case {
                text: "1.35.1.2",
                want: None,
                match_label_keys: MatchLabelKeys::Absent,
                unhealthy_pod_eviction_policy: false,
            },
            Case {
                text: "1",
                want: None,
                match_label_keys: MatchLabelKeys::Absent,
                unhealthy_pod_eviction_policy: false,
            },
        ];
        for c in cases {
            let v = KubeVersion::parse(c.text);
            assert_eq!(v.map(|v| (v.major, v.minor)), c.want, "{}", c.text);
            if let Some(v) = v {
                assert_eq!(v.match_label_keys(), c.match_label_keys, "{}", c.text);
                assert_eq!(
                    v.unhealthy_pod_eviction_policy(),
                    c.unhealthy_pod_eviction_policy,
                    "{}",
                    c.text
                );
            }
        }
        assert_eq!(KubeVersion::parse("v1.35.3").unwrap().helm_arg(), "1.35.0");
    }

    #[test]
    fn revision_scoped_terms() {
        let sel = LabelSelector::of([("app".to_string(), "web".to_string())]);
        let req = pod_anti_affinity(AntiAffinity::Required, &sel, true).unwrap();
        let term = &req["requiredDuringSchedulingIgnoredDuringExecution"][0];
        assert_eq!(term["matchLabelKeys"], json!(["pod-template-hash"]));
        assert_eq!(
            term["labelSelector"],
            json!({"matchLabels": {"app": "web"}}),
            "the key is not in both"
        );
        let plain = pod_anti_affinity(AntiAffinity::Required, &sel, false).unwrap();
        assert!(
            plain["requiredDuringSchedulingIgnoredDuringExecution"][0]
                .get("matchLabelKeys")
                .is_none()
        );
        let pref = pod_anti_affinity(AntiAffinity::Preferred, &sel, true).unwrap();
        assert!(
            pref.pointer("/preferredDuringSchedulingIgnoredDuringExecution/0/podAffinityTerm/matchLabelKeys")
                .is_none()
        );
        let pdb = pdb_manifest("web", "ns", &sel, 1, true);
        assert_eq!(pdb["spec"]["unhealthyPodEvictionPolicy"], json!("AlwaysAllow"));
        assert!(
            pdb_manifest("web", "ns", &sel, 1, false)["spec"]
                .get("unhealthyPodEvictionPolicy")
                .is_none()
        );
    }
}

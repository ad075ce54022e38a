//! The few Kubernetes shapes hagen builds and reads: label selectors (with real matching), pod anti-affinity
//! terms, strategies, tolerations and PodDisruptionBudgets. Chart files say *where* these go; this builds *what*
//! they are.

use crate::catalog::{AntiAffinity, Strategy};
use indexmap::IndexMap;
use serde_json::{Value, json};

/// The topology key every anti-affinity term of hagen uses.
pub const HOSTNAME: &str = "kubernetes.io/hostname";

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
pub fn pod_anti_affinity(mode: AntiAffinity, selector: &LabelSelector) -> Option<Value> {
    let term = json!({"labelSelector": selector.to_json(), "topologyKey": HOSTNAME});
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
    }
}

/// Tolerations that evict a single-instance pod from a failed node after `seconds` instead of 300.
pub fn failover_tolerations(seconds: u32) -> Value {
    let t = |key: &str| json!({"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": seconds});
    json!([t("node.kubernetes.io/not-ready"), t("node.kubernetes.io/unreachable")])
}

/// A standalone PodDisruptionBudget, for charts that have no key for one.
pub fn pdb_manifest(name: &str, namespace: &str, selector: &LabelSelector, max_unavailable: u32) -> Value {
    json!({
        "apiVersion": "policy/v1",
        "kind": "PodDisruptionBudget",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": {"app.kubernetes.io/managed-by": "hagen"},
        },
        "spec": {"maxUnavailable": max_unavailable, "selector": selector.to_json()},
    })
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
    }
}

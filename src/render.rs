//! From intents to what a release needs: the values overlay (built as data from the chart knowledge's key paths,
//! serialised once), the post-render patches for what values cannot express, and extra manifests (PDBs a chart
//! cannot make).

use crate::catalog::{AntiAffinity, Strategy};
use crate::charts::{EvictionRoute, PdbRoute, Route, StrategyRoute};
use crate::error::{KnowledgeError, Result};
use crate::k8s;
use crate::model::{Intent, ReleasePlan};
use crate::patch::{Patch, Target};
use serde_json::{Map, Value, json};

/// Everything hagen delivers for one release.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The values overlay (a JSON object; written as YAML by `crate::yaml`).
    pub values: Value,
    pub patches: Vec<Patch>,
    /// Extra manifests (PodDisruptionBudgets the chart cannot create).
    pub resources: Vec<Value>,
    /// What hagen delivers, one line each: values key paths (`values replicaCount`), patch operations
    /// (`patch /spec/strategy`) and extra manifests (`manifest PodDisruptionBudget`); a proof in hagen.lock lists
    /// the ones `hagen verify` saw take effect.
    pub keys: Vec<String>,
}

/// The values overlay under construction: each key path written once, by one component's setting.
#[derive(Default)]
struct Values {
    root: Map<String, Value>,
    /// Who wrote each key path, to refuse two components writing different values at one key (or nested keys).
    writers: Vec<(String, String, Value)>,
}

impl Values {
    /// Sets `path` (dots separate levels) to `value` on behalf of `who`.
    fn put(&mut self, who: &str, path: &str, value: Value) -> Result<()> {
        if let Some((_, other, old)) = self.writers.iter().find(|(p, _, _)| p == path) {
            if *old == value {
                return Ok(());
            }
            return Err(KnowledgeError::KeyConflict {
                key: path.to_string(),
                who: who.to_string(),
                other: other.clone(),
                value,
                old: old.clone(),
            }
            .into());
        }
        // A key inside another one hagen writes would be overwritten by it (or overwrite it): refused.
        if let Some((p, other, _)) = self
            .writers
            .iter()
            .find(|(p, _, _)| p.starts_with(&format!("{path}.")) || path.starts_with(&format!("{p}.")))
        {
            return Err(KnowledgeError::KeyNested {
                key: path.to_string(),
                who: who.to_string(),
                other: other.clone(),
                other_key: p.clone(),
            }
            .into());
        }
        self.writers.push((path.to_string(), who.to_string(), value.clone()));
        let mut keys: Vec<&str> = path.split('.').collect();
        let last = keys.pop().unwrap_or(path);
        let mut map = &mut self.root;
        for k in keys {
            let slot = map.entry(k.to_string()).or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() {
                *slot = Value::Object(Map::new());
            }
            map = match slot {
                Value::Object(m) => m,
                _ => unreachable!("made an object above"),
            };
        }
        map.insert(last.to_string(), value);
        Ok(())
    }
}

/// Writes one component's values: replicas (or the HPA block), strategy, affinity, PDB, tolerations, each where
/// its chart knowledge says the chart reads it.
fn component_values(i: &Intent, v: &mut Values) -> Result<()> {
    let k = i.knowledge;
    let who = i.label();
    match (i.autoscale, k.autoscale) {
        (Some(a), Some(key)) => v.put(
            &who,
            key,
            json!({"enabled": true, "minReplicas": a.min, "maxReplicas": a.max, "metrics": k8s::hpa_metrics(a.cpu_utilization)}),
        )?,
        _ => match k.replicas {
            Route::Values(key) => v.put(&who, key, i.replicas.into())?,
            Route::Runtime(r) => v.put(&who, r.key, i.replicas.into())?,
            _ => {}
        },
    }
    let strategy = k8s::strategy(i.strategy);
    match k.strategy {
        StrategyRoute::Object(key) => v.put(&who, key, strategy)?,
        StrategyRoute::RollingParamsOnly(key) if i.strategy.is_rolling() => {
            v.put(&who, key, strategy.get("rollingUpdate").cloned().unwrap_or(Value::Null))?
        }
        StrategyRoute::TypeOnly(key) if i.strategy == Strategy::Recreate => v.put(&who, key, "Recreate".into())?,
        _ => {}
    }
    let mode = i.effective_anti_affinity();
    match k.affinity {
        Route::Values(key) => {
            let anti = k8s::pod_anti_affinity(mode, &i.selector, i.revision_scoped);
            if let Some(a) = k8s::affinity(anti, i.avoid.as_ref()) {
                v.put(&who, key, a)?;
            }
        }
        Route::Runtime(r) => {
            let word = match mode {
                AntiAffinity::Required => "required",
                AntiAffinity::Preferred => "preferred",
                AntiAffinity::None => "none",
            };
            if let Some((_, preset)) = r.presets.iter().find(|(m, _)| *m == word) {
                v.put(&who, r.key, (*preset).into())?;
            }
        }
        _ => {}
    }
    if let (PdbRoute::Values { key, with, eviction }, Some(m)) = (k.pdb, i.pdb) {
        let mut block = with.clone();
        block.insert("maxUnavailable".into(), m.into());
        if let (EvictionRoute::Values(policy), true) = (eviction, i.pdb_always_allow) {
            block.insert(policy.into(), k8s::ALWAYS_ALLOW.into());
        }
        v.put(&who, key, Value::Object(block))?;
    }
    if let (Route::Values(key), Some(s)) = (k.tolerations, i.failover_seconds) {
        v.put(&who, key, k8s::failover_tolerations(s))?;
    }
    Ok(())
}

/// Renders one release; `alerts` is the rule map, given to the release whose chart carries alert rules.
pub fn render_release(rp: &ReleasePlan, alerts: Option<&Value>) -> Result<Rendered> {
    let mut v = Values::default();
    for i in &rp.intents {
        component_values(i, &mut v)?;
    }
    if let (Some(key), Some(rules)) = (rp.chart.alert_rules, alerts) {
        v.put("the alert rules", key, rules.clone())?;
    }
    let values = Value::Object(v.root);
    let mut keys: Vec<String> = v.writers.iter().map(|(p, _, _)| format!("values {p}")).collect();
    let mut patches = Vec::new();
    let mut resources = Vec::new();
    for i in &rp.intents {
        let ops = i.patch_ops();
        keys.extend(
            ops.iter()
                .filter_map(|o| o.get("path").and_then(Value::as_str))
                .map(|p| format!("patch {p}")),
        );
        if let (PdbRoute::Manifest, Some(_)) = (i.knowledge.pdb, i.pdb) {
            keys.push("manifest PodDisruptionBudget".into());
        }
        if !ops.is_empty() {
            patches.push(Patch {
                target: Target::deployment(&i.workload),
                ops,
            });
        }
        if let Some((name, op)) = i.pdb_patch() {
            keys.push("patch PodDisruptionBudget /spec/unhealthyPodEvictionPolicy".into());
            patches.push(Patch {
                target: Target::pdb(&name),
                ops: vec![op],
            });
        }
        if let (PdbRoute::Manifest, Some(m)) = (i.knowledge.pdb, i.pdb) {
            // Beside k3s's own pods too: a crash-looping replica must not block a drain (KEP-3017, GA 1.31).
            let always_allow = i.pdb_always_allow || rp.in_place.is_some();
            resources.push(k8s::pdb_manifest(
                &i.workload,
                &i.namespace,
                &i.selector,
                m,
                always_allow,
            ));
        }
        // k3s's packaged Deployment has no `replicas`: hagen's HPA beside it holds the count.
        if let (Some(_), Some(a)) = (rp.in_place, i.autoscale) {
            keys.push("manifest HorizontalPodAutoscaler".into());
            resources.push(k8s::hpa_manifest(&i.workload, &i.namespace, a));
        }
    }
    keys.sort();
    keys.dedup();
    Ok(Rendered {
        values,
        patches,
        resources,
        keys,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resolve::{Options, resolve};

    /// Each release of a catalogue, rendered, by release name.
    fn rendered(catalogue: &str) -> indexmap::IndexMap<String, Rendered> {
        let loaded = crate::catalog::load_str(catalogue, "catalog/cluster.yaml").unwrap();
        let plan = resolve(&loaded, &crate::lock::Known::builtin(), Options::default()).unwrap();
        plan.releases
            .iter()
            .map(|rp| (rp.release.name.clone(), render_release(rp, None).unwrap()))
            .collect()
    }

    fn at<'a>(v: &'a Value, path: &str) -> &'a Value {
        path.split('.').fold(v, |v, k| v.get(k).unwrap_or(&Value::Null))
    }

    fn json(v: &Value) -> Value {
        v.clone()
    }

    /// The plain-Kubernetes example: every component a chart release (the shipped catalogue keeps k3s's own).
    const SHIPPED: &str = include_str!("../examples/kubernetes/cluster.yaml");
    const ALTERNATIVES: &str = include_str!("../tests/catalogs/alternatives.yaml");

    #[test]
    fn nested_or_conflicting_keys_are_refused() {
        let mut v = Values::default();
        v.put("a", "x.y", json!(1)).unwrap();
        v.put("b", "x.y", json!(1)).unwrap();
        assert!(
            v.put("b", "x.y", json!(2))
                .unwrap_err()
                .to_string()
                .contains("both write values key `x.y`")
        );
        assert!(
            v.put("c", "x", json!({}))
                .unwrap_err()
                .to_string()
                .contains("one lies inside the other")
        );
        assert!(
            v.put("d", "x.y.z", json!(1))
                .unwrap_err()
                .to_string()
                .contains("one lies inside the other")
        );
        v.put("e", "x.w", json!(3)).unwrap();
        assert_eq!(Value::Object(v.root), json!({"x": {"y": 1, "w": 3}}));
    }

    #[test]
    fn keys_per_chart_with_the_shipped_catalogue() {
        let r = rendered(SHIPPED);
        let v = |rel: &str, path: &str| json(at(&r[rel].values, path));
        assert_eq!(v("coredns", "replicaCount"), Value::Null, "left out under the HPA");
        assert_eq!(v("coredns", "hpa.enabled"), json!(true));
        assert_eq!(
            (v("coredns", "hpa.minReplicas"), v("coredns", "hpa.maxReplicas")),
            (json!(2), json!(3))
        );
        // One affinity object: pod anti-affinity and node affinity together.
        let affinity = v("cert-manager", "affinity");
        assert!(
            affinity["podAntiAffinity"].is_object() && affinity["nodeAffinity"].is_object(),
            "{affinity}"
        );
        assert_eq!(
            affinity["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"][0]["preference"],
            json!({"matchExpressions": [{"key": "node-role", "operator": "NotIn", "values": ["database"]}]})
        );
        // Kubernetes 1.35: PDBs let a drain evict a pod that is not Ready, through values where the chart reads it.
        assert_eq!(
            v("coredns", "podDisruptionBudget"),
            json!({"maxUnavailable": 1, "unhealthyPodEvictionPolicy": "AlwaysAllow"})
        );
        // Two replicas or more surge one pod at a time (the default strategy at 1.35), in each chart's own shape,
        // with the required term scoped to the pod's own revision.
        let rolling = json!({"maxSurge": 1, "maxUnavailable": 0});
        assert_eq!(
            v(
                "coredns",
                "affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution"
            )[0]["matchLabelKeys"],
            json!(["pod-template-hash"])
        );
        assert_eq!(v("coredns", "rollingUpdate"), rolling, "a values key for CoreDNS");
        assert_eq!(v("traefik", "deployment.replicas"), json!(2));
        assert_eq!(
            v("traefik", "updateStrategy"),
            json!({"type": "RollingUpdate", "rollingUpdate": rolling})
        );
        assert_eq!(
            v("traefik", "podDisruptionBudget"),
            json!({"enabled": true, "maxUnavailable": 1}),
            "Traefik's PDB template cannot write the policy: a patch"
        );
        assert_eq!(v("cert-manager", "webhook.replicaCount"), json!(2));
        assert_eq!(
            v("cert-manager", "cainjector.strategy"),
            json!({"type": "RollingUpdate", "rollingUpdate": rolling})
        );
        assert_eq!(
            v("kube-prometheus-stack", "kube-state-metrics.updateStrategy"),
            Value::Null,
            "RollingUpdate with maxSurge 1 is a patch: the chart reads only a type string"
        );
        // One replica: Recreate, fast failover, and no PDB keys that would only restate the chart's default.
        assert_eq!(v("kube-prometheus-stack", "grafana.replicas"), json!(1));
        assert_eq!(
            v("kube-prometheus-stack", "grafana.deploymentStrategy"),
            json!({"type": "Recreate"})
        );
        assert_eq!(v("kube-prometheus-stack", "grafana.podDisruptionBudget"), Value::Null);
        assert_eq!(
            v("kube-prometheus-stack", "prometheusOperator.podDisruptionBudget"),
            Value::Null
        );
        assert_eq!(v("metallb", "controller.strategy"), json!({"type": "Recreate"}));
        assert_eq!(
            v("metallb", "controller.affinity.podAntiAffinity"),
            Value::Null,
            "no anti-affinity at 1 replica"
        );
        assert!(
            v("metallb", "controller.affinity.nodeAffinity").is_object(),
            "node affinity at any replica count"
        );
        assert_eq!(
            v("metallb", "controller.tolerations")[1]["tolerationSeconds"],
            json!(30)
        );
        assert_eq!(v("sealed-secrets-controller", "pdb"), Value::Null);
        assert_eq!(
            v("metrics-server", "podDisruptionBudget"),
            json!({"enabled": true, "maxUnavailable": 1, "unhealthyPodEvictionPolicy": "AlwaysAllow"})
        );
        assert_eq!(
            v("longhorn", "csi"),
            json!({"attacherReplicaCount": 2, "provisionerReplicaCount": 2, "resizerReplicaCount": 2, "snapshotterReplicaCount": 2, "podAntiAffinityPreset": "hard"})
        );
        // Selectors: exclusive labels, Traefik's instance is release-namespace.
        let sel = v(
            "traefik",
            "affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution",
        )[0]["labelSelector"]
            .clone();
        assert_eq!(
            sel,
            json!({"matchLabels": {"app.kubernetes.io/name": "traefik", "app.kubernetes.io/instance": "traefik-kube-system"}})
        );
        // Patches only where values cannot express it.
        let patched: Vec<&str> = r
            .iter()
            .filter(|(_, x)| !x.patches.is_empty())
            .map(|(k, _)| k.as_str())
            .collect();
        assert_eq!(
            patched,
            ["traefik", "sealed-secrets-controller", "kube-prometheus-stack"]
        );
        assert_eq!(
            r["kube-prometheus-stack"].patches[0].ops,
            vec![
                json!({"op": "add", "path": "/spec/strategy", "value": {"type": "RollingUpdate", "rollingUpdate": rolling}})
            ]
        );
        let pdb = &r["traefik"].patches[0];
        assert_eq!(
            (pdb.target.kind.as_str(), pdb.target.name.as_str()),
            ("PodDisruptionBudget", "traefik")
        );
        assert_eq!(
            pdb.ops,
            vec![json!({"op": "add", "path": "/spec/unhealthyPodEvictionPolicy", "value": "AlwaysAllow"})]
        );
    }

    #[test]
    fn rolling_update_shapes_per_chart() {
        let r = rendered(ALTERNATIVES);
        let v = |rel: &str, path: &str| json(at(&r[rel].values, path));
        let rolling = json!({"maxSurge": 0, "maxUnavailable": 1});
        assert_eq!(v("coredns", "rollingUpdate"), rolling);
        assert!(r["coredns"].patches.is_empty());
        assert_eq!(
            v("traefik", "updateStrategy"),
            json!({"type": "RollingUpdate", "rollingUpdate": rolling})
        );
        assert_eq!(
            v("kube-prometheus-stack", "kube-state-metrics.updateStrategy"),
            Value::Null
        );
        let ksm = &r["kube-prometheus-stack"].patches[0];
        assert_eq!(ksm.target.name, "kube-prometheus-stack-kube-state-metrics");
        assert_eq!(
            ksm.ops[0]["value"],
            json!({"type": "RollingUpdate", "rollingUpdate": rolling})
        );
        assert!(
            v(
                "kube-prometheus-stack",
                "grafana.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution"
            )[0]["weight"]
                == json!(100)
        );
        // A single-instance component at 2 by override: replicas by patch, PDB as an extra manifest.
        assert_eq!(
            r["metallb"].patches[0].ops[0],
            json!({"op": "add", "path": "/spec/replicas", "value": 2})
        );
        assert_eq!(r["metallb"].resources[0]["kind"], json!("PodDisruptionBudget"));
    }
}

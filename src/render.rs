//! From intents to what a release needs: the values overlay (through the chart's minijinja template), the
//! post-render patches for what values cannot express, and extra manifests (PDBs a chart cannot make).

use crate::catalog::{AntiAffinity, Strategy};
use crate::charts::Delivery;
use crate::error::{Error, Result};
use crate::intent::{Intent, ReleasePlan};
use crate::k8s;
use crate::patch::{Patch, Target};
use serde_json::{Value, json};

/// Everything hagen delivers for one release.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// The values overlay, as parsed back from the template's output.
    pub values: serde_yaml::Value,
    pub patches: Vec<Patch>,
    /// Extra manifests (PodDisruptionBudgets the chart cannot create).
    pub resources: Vec<Value>,
}

/// What a chart template sees of one component.
pub fn template_context(i: &Intent) -> Value {
    let mode = i.effective_anti_affinity();
    let affinity = k8s::affinity(k8s::pod_anti_affinity(mode, &i.selector), i.avoid.as_ref());
    json!({
        "replicas": i.replicas,
        "anti_affinity": match mode {
            AntiAffinity::Required => "required",
            AntiAffinity::Preferred => "preferred",
            AntiAffinity::None => "none",
        },
        "affinity": affinity,
        "strategy": k8s::strategy(i.strategy),
        "strategy_type": match i.strategy { Strategy::Recreate => "Recreate", Strategy::RollingUpdate => "RollingUpdate" },
        "rolling_update": k8s::strategy(i.strategy).get("rollingUpdate"),
        "pdb": i.pdb.map(|m| json!({"maxUnavailable": m})),
        "tolerations": i.failover_seconds.map(k8s::failover_tolerations),
        "autoscale": i.autoscale.map(|a| json!({"min": a.min, "max": a.max, "metrics": k8s::hpa_metrics(a.cpu_utilization)})),
    })
}

/// Renders one release; `alerts` is the rule map for the chart that carries alert rules.
pub fn render_release(rp: &ReleasePlan, alerts: Option<&Value>) -> Result<Rendered> {
    let mut env = minijinja::Environment::new();
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Chainable);
    env.add_filter("dedent", |s: String| -> String {
        s.lines()
            .map(|l| l.strip_prefix("  ").unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
    });
    env.add_template(rp.chart.name, rp.chart.template)
        .map_err(|e| Error::Tool(format!("template for chart {} is broken: {e}", rp.chart.name)))?;
    let components: serde_json::Map<String, Value> = rp
        .intents
        .iter()
        .map(|i| (i.component.clone(), template_context(i)))
        .collect();
    let ctx = json!({
        "release": {"name": rp.release.name, "namespace": rp.release.namespace},
        "components": components,
        "alerts": alerts,
    });
    let text = env
        .get_template(rp.chart.name)
        .and_then(|t| t.render(minijinja::Value::from(minijinja::value::Serde(&ctx))))
        .map_err(|e| {
            Error::Tool(format!(
                "template for chart {} failed for release {}: {e}",
                rp.chart.name, rp.release.name
            ))
        })?;
    let values: serde_yaml::Value = serde_yaml::from_str(&text).map_err(|e| {
        Error::Tool(format!(
            "template for chart {} produced invalid YAML for release {} ({e}); this is a bug in hagen's chart knowledge:\n{text}",
            rp.chart.name, rp.release.name
        ))
    })?;
    let values = match values {
        serde_yaml::Value::Null => serde_yaml::Value::Mapping(Default::default()),
        v @ serde_yaml::Value::Mapping(_) => v,
        _ => {
            return Err(Error::Tool(format!(
                "template for chart {} did not produce a mapping for release {}",
                rp.chart.name, rp.release.name
            )));
        }
    };

    let mut patches = Vec::new();
    let mut resources = Vec::new();
    for i in &rp.intents {
        let k = i.knowledge;
        let ops = patch_ops(i);
        if !ops.is_empty() {
            patches.push(Patch {
                target: Target::deployment(&i.workload),
                ops,
            });
        }
        if let (Delivery::Patch, Some(m)) = (k.pdb, i.pdb) {
            resources.push(k8s::pdb_manifest(&i.workload, &i.namespace, &i.selector, m));
        }
    }
    Ok(Rendered {
        values,
        patches,
        resources,
    })
}

/// Whether a component needs the post-renderer (a patch or an extra manifest).
pub fn needs_post_render(i: &Intent) -> bool {
    !patch_ops(i).is_empty() || (i.knowledge.pdb == Delivery::Patch && i.pdb.is_some())
}

/// The JSON 6902 operations for what the chart cannot express through values.
fn patch_ops(i: &Intent) -> Vec<Value> {
    let k = i.knowledge;
    let mut ops = Vec::new();
    match k.replicas {
        Delivery::Hardcoded(n) if n != i.replicas => ops.push(Patch::add("/spec/replicas", i.replicas.into())),
        Delivery::Patch => ops.push(Patch::add("/spec/replicas", i.replicas.into())),
        _ => {}
    }
    if k.strategy.needs_patch(i.strategy) {
        ops.push(Patch::add("/spec/strategy", k8s::strategy(i.strategy)));
    }
    if k.affinity == Delivery::Patch
        && let Some(a) = k8s::affinity(
            k8s::pod_anti_affinity(i.effective_anti_affinity(), &i.selector),
            i.avoid.as_ref(),
        )
    {
        ops.push(Patch::add("/spec/template/spec/affinity", a));
    }
    if let (Delivery::Patch, Some(s)) = (k.tolerations, i.failover_seconds) {
        ops.push(Patch::add(
            "/spec/template/spec/tolerations",
            k8s::failover_tolerations(s),
        ));
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::intent::{Options, resolve};

    /// Each release of a catalogue, rendered, by release name.
    fn rendered(catalogue: &str) -> indexmap::IndexMap<String, Rendered> {
        let loaded = crate::catalog::load_str(catalogue, "catalog/cluster.yaml").unwrap();
        let plan = resolve(&loaded, Options::default()).unwrap();
        plan.releases
            .iter()
            .map(|rp| (rp.release.name.clone(), render_release(rp, None).unwrap()))
            .collect()
    }

    fn at<'a>(v: &'a serde_yaml::Value, path: &str) -> &'a serde_yaml::Value {
        path.split('.')
            .fold(v, |v, k| v.get(k).unwrap_or(&serde_yaml::Value::Null))
    }

    fn json(v: &serde_yaml::Value) -> Value {
        serde_json::to_value(v).unwrap()
    }

    const SHIPPED: &str = include_str!("../catalog/cluster.yaml");
    const ALTERNATIVES: &str = include_str!("../tests/catalogs/alternatives.yaml");

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
        assert_eq!(v("coredns", "podDisruptionBudget"), json!({"maxUnavailable": 1}));
        // Two replicas or more roll one pod at a time (the default strategy), in each chart's own shape.
        let rolling = json!({"maxSurge": 0, "maxUnavailable": 1});
        assert_eq!(v("coredns", "rollingUpdate"), rolling, "a values key for CoreDNS");
        assert_eq!(v("traefik", "deployment.replicas"), json!(2));
        assert_eq!(
            v("traefik", "updateStrategy"),
            json!({"type": "RollingUpdate", "rollingUpdate": rolling})
        );
        assert_eq!(
            v("traefik", "podDisruptionBudget"),
            json!({"enabled": true, "maxUnavailable": 1})
        );
        assert_eq!(v("cert-manager", "webhook.replicaCount"), json!(2));
        assert_eq!(
            v("cert-manager", "cainjector.strategy"),
            json!({"type": "RollingUpdate", "rollingUpdate": rolling})
        );
        assert_eq!(
            v("kube-prometheus-stack", "kube-state-metrics.updateStrategy"),
            Value::Null,
            "RollingUpdate with maxSurge 0 is a patch: the chart reads only a type string"
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
            json!({"enabled": true, "maxUnavailable": 1})
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
        assert_eq!(patched, ["sealed-secrets-controller", "kube-prometheus-stack"]);
        assert_eq!(
            r["kube-prometheus-stack"].patches[0].ops,
            vec![
                json!({"op": "add", "path": "/spec/strategy", "value": {"type": "RollingUpdate", "rollingUpdate": rolling}})
            ]
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

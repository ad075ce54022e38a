//! From intents to what a release needs: the values overlay (built as data from the chart knowledge's key paths,
//! serialised once), the post-render patches for what values cannot express, and extra manifests (PDBs a chart
//! cannot make).

use crate::catalog::Strategy;
use crate::charts::{EvictionRoute, PdbRoute, Route, StrategyRoute};
use crate::describe::{Routes, Via};
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
    /// Who wrote each values key: what names the setting behind a key a user's own values also set.
    pub writers: Vec<Writer>,
    /// Each component's delivery, in the order of the release's intents.
    pub components: Vec<ComponentDelivery>,
    /// `values` as YAML, written once for every file that carries it ([`Rendered::values_yaml`]).
    pub values_text: std::sync::OnceLock<String>,
}

impl Rendered {
    /// The overlay as YAML (`{}` when empty), by hagen's one writer: written at the first call, then shared by
    /// out/<release>/values.yaml, the Argo CD copy and the Flux HelmRelease, so a large overlay (the alert rules)
    /// is written once. `values` is final once rendered.
    pub fn values_yaml(&self) -> Result<&str, crate::error::InternalError> {
        if let Some(text) = self.values_text.get() {
            return Ok(text);
        }
        let text = crate::yaml::value_to_string(&self.values)?;
        Ok(self.values_text.get_or_init(|| text))
    }
}

/// One values key path hagen writes, by whom (a component's label, or [`ALERT_RULES`]), and its value.
#[derive(Debug, Clone)]
pub struct Writer {
    pub key: String,
    pub by: String,
    pub value: Value,
}

/// The values overlay under construction: each key path written once, by one component's setting.
#[derive(Default)]
struct Values {
    root: Map<String, Value>,
    /// Who wrote each key path, to refuse two components writing different values at one key (or nested keys).
    writers: Vec<Writer>,
}

impl Values {
    /// Sets `path` (dots separate levels) to `value` on behalf of `who`.
    fn put(&mut self, who: &str, path: &str, value: Value) -> Result<()> {
        if let Some(Writer {
            by: other, value: old, ..
        }) = self.writers.iter().find(|w| w.key == path)
        {
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
        if let Some(Writer { key: p, by: other, .. }) = self
            .writers
            .iter()
            .find(|w| w.key.starts_with(&format!("{path}.")) || path.starts_with(&format!("{}.", w.key)))
        {
            return Err(KnowledgeError::KeyNested {
                key: path.to_string(),
                who: who.to_string(),
                other: other.clone(),
                other_key: p.clone(),
            }
            .into());
        }
        self.writers.push(Writer {
            key: path.to_string(),
            by: who.to_string(),
            value: value.clone(),
        });
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

/// One component as its chart, at its version, takes it: how each setting travels ([`Routes`]) and what travels.
/// The one place a setting's route is decided; README, verify, audit and plan word [`ComponentDelivery::routes`].
#[derive(Debug, Clone)]
pub struct ComponentDelivery {
    pub routes: Routes,
    /// Values key paths (dots separate levels) and what hagen writes there.
    pub values: Vec<(&'static str, Value)>,
    /// JSON 6902 operations on the Deployment, for what values cannot express.
    pub ops: Vec<Value>,
    /// The operation on the chart's own PDB, whose template cannot write `unhealthyPodEvictionPolicy`: the PDB's
    /// name and the operation.
    pub pdb_patch: Option<(String, Value)>,
    /// Extra manifests hagen writes beside the chart's objects, with their kind.
    pub manifests: Vec<(&'static str, Value)>,
}

impl ComponentDelivery {
    /// Whether the component needs the post-renderer (a patch or an extra PDB).
    pub fn needs_post_render(&self) -> bool {
        !self.ops.is_empty() || self.pdb_patch.is_some() || self.manifests.iter().any(|(k, _)| *k == PDB)
    }
}

const PDB: &str = "PodDisruptionBudget";

/// Routes every setting of one component where its chart knowledge says the chart reads it: replicas (or the HPA
/// block), strategy, affinity, PDB, tolerations.
pub fn deliver(i: &Intent) -> ComponentDelivery {
    let mut d = ComponentDelivery {
        routes: Routes {
            replicas: Via::NotNeeded,
            anti_affinity: Via::NotNeeded,
            strategy: Via::NotNeeded,
            pdb: Via::NotNeeded,
            failover: Via::NotNeeded,
        },
        values: Vec::new(),
        ops: Vec::new(),
        pdb_patch: None,
        manifests: Vec::new(),
    };
    d.routes.replicas = replicas(i, &mut d);
    d.routes.strategy = strategy(i, &mut d);
    d.routes.anti_affinity = anti_affinity(i, &mut d);
    d.routes.pdb = pdb(i, &mut d);
    d.routes.failover = tolerations(i, &mut d);
    if i.beside {
        // k3s's own Deployment kept: hagen's HPA and PDB beside it, the rest is its manifest's.
        if let Some(a) = i.autoscale {
            d.manifests.push((
                "HorizontalPodAutoscaler",
                k8s::hpa_manifest(&i.workload, &i.namespace, a),
            ));
        }
        d.routes = Routes {
            replicas: Via::Beside("HPA"),
            anti_affinity: Via::ItsManifest,
            strategy: Via::ItsManifest,
            pdb: Via::Beside("PDB"),
            failover: Via::ItsManifest,
        };
    }
    d
}

fn owner(i: &Intent) -> Via {
    Via::Runtime(i.knowledge.owner().unwrap_or("the chart"))
}

fn replicas(i: &Intent, d: &mut ComponentDelivery) -> Via {
    let k = i.knowledge;
    let hpa = match (i.autoscale, k.autoscale) {
        (Some(a), Some(key)) => {
            let block = json!({"enabled": true, "minReplicas": a.min, "maxReplicas": a.max, "metrics": k8s::hpa_metrics(a.cpu_utilization)});
            d.values.push((key, block));
            true
        }
        _ => false,
    };
    match k.replicas {
        Route::Values(key) => {
            if !hpa {
                d.values.push((key, i.replicas.into()));
            }
            Via::Values
        }
        Route::Runtime(r) => {
            if !hpa {
                d.values.push((r.key, i.replicas.into()));
            }
            owner(i)
        }
        Route::Hardcoded(n) if n == i.replicas => Via::ChartDefault,
        Route::Hardcoded(_) | Route::Patch => {
            d.ops.push(Patch::add("/spec/replicas", i.replicas.into()));
            Via::Patch
        }
        Route::NotControllable(why) => Via::NotControllable(why),
    }
}

fn strategy(i: &Intent, d: &mut ComponentDelivery) -> Via {
    let k = i.knowledge;
    let strategy = k8s::strategy(i.strategy);
    match k.strategy {
        StrategyRoute::Object(key) => d.values.push((key, strategy.clone())),
        StrategyRoute::RollingParamsOnly(key) if i.strategy.is_rolling() => d
            .values
            .push((key, strategy.get("rollingUpdate").cloned().unwrap_or(Value::Null))),
        StrategyRoute::TypeOnly(key) if i.strategy == Strategy::Recreate => d.values.push((key, "Recreate".into())),
        _ => {}
    }
    match k.strategy {
        StrategyRoute::NotControllable(why) => Via::NotControllable(why),
        s if s.needs_patch(i.strategy) => {
            d.ops.push(Patch::add("/spec/strategy", strategy));
            Via::Patch
        }
        _ => Via::Values,
    }
}

fn anti_affinity(i: &Intent, d: &mut ComponentDelivery) -> Via {
    let k = i.knowledge;
    let mode = i.effective_anti_affinity();
    let affinity = || {
        k8s::affinity(
            k8s::pod_anti_affinity(mode, &i.selector, i.revision_scoped),
            i.avoid.as_ref(),
        )
    };
    match k.affinity {
        Route::Values(key) => {
            if let Some(a) = affinity() {
                d.values.push((key, a));
            }
            Via::Values
        }
        Route::Runtime(r) => {
            let word = crate::describe::anti_affinity_word(mode);
            if let Some((_, preset)) = r.presets.iter().find(|(m, _)| *m == word) {
                d.values.push((r.key, (*preset).into()));
            }
            owner(i)
        }
        Route::Patch => {
            if let Some(a) = affinity() {
                d.ops.push(Patch::add("/spec/template/spec/affinity", a));
            }
            Via::Patch
        }
        Route::Hardcoded(_) => Via::Patch,
        Route::NotControllable(why) => Via::NotControllable(why),
    }
}

fn pdb(i: &Intent, d: &mut ComponentDelivery) -> Via {
    let k = i.knowledge;
    if let (PdbRoute::Values { key, with, eviction }, Some(m)) = (k.pdb, i.pdb) {
        let mut block = with.clone();
        block.insert("maxUnavailable".into(), m.into());
        if let (EvictionRoute::Values(policy), true) = (eviction, i.pdb_always_allow) {
            block.insert(policy.into(), k8s::ALWAYS_ALLOW.into());
        }
        d.values.push((key, Value::Object(block)));
    }
    if i.pdb.is_some() && i.pdb_always_allow {
        d.pdb_patch = k.pdb_patch_name(&i.release, &i.namespace).map(|name| {
            let op = Patch::add("/spec/unhealthyPodEvictionPolicy", k8s::ALWAYS_ALLOW.into());
            (name, op)
        });
    }
    if let (PdbRoute::Manifest, Some(m)) = (k.pdb, i.pdb) {
        // Beside k3s's own pods too: a crash-looping replica must not block a drain (KEP-3017, GA 1.31).
        let always_allow = i.pdb_always_allow || i.beside;
        let manifest = k8s::pdb_manifest(&i.workload, &i.namespace, &i.selector, m, always_allow);
        d.manifests.push((PDB, manifest));
    }
    if i.pdb.is_none() && k.rendered_by_helm() {
        return Via::NotNeeded;
    }
    match k.pdb {
        PdbRoute::Values { .. } if d.pdb_patch.is_some() => Via::ValuesAndPatch,
        PdbRoute::Values { .. } => Via::Values,
        PdbRoute::Manifest => Via::Manifest,
        PdbRoute::NotControllable(why) => Via::NotControllable(why),
    }
}

fn tolerations(i: &Intent, d: &mut ComponentDelivery) -> Via {
    match (i.knowledge.tolerations, i.failover_seconds) {
        (_, None) => Via::NotNeeded,
        (Route::Values(key), Some(s)) => {
            d.values.push((key, k8s::failover_tolerations(s)));
            Via::Values
        }
        (Route::Patch, Some(s)) => {
            let op = Patch::add("/spec/template/spec/tolerations", k8s::failover_tolerations(s));
            d.ops.push(op);
            Via::Patch
        }
        (Route::NotControllable(why), Some(_)) => Via::NotControllable(why),
        // Resolve asks for failover tolerations only where values or a patch deliver them.
        (Route::Hardcoded(_) | Route::Runtime(_), Some(_)) => Via::NotControllable("the chart has no key for it"),
    }
}

/// Renders one release; `alerts` is the rule map, given to the release whose chart carries alert rules.
pub fn render_release(rp: &ReleasePlan, alerts: Option<&Value>) -> Result<Rendered> {
    let mut v = Values::default();
    let components: Vec<ComponentDelivery> = rp.intents.iter().map(deliver).collect();
    for (i, d) in rp.intents.iter().zip(&components) {
        let who = i.label();
        for (key, value) in &d.values {
            v.put(&who, key, value.clone())?;
        }
    }
    if let (Some(key), Some(rules)) = (rp.chart.alert_rules, alerts) {
        v.put(ALERT_RULES, key, rules.clone())?;
    }
    let mut keys: Vec<String> = v.writers.iter().map(|w| format!("values {}", w.key)).collect();
    let mut patches = Vec::new();
    let mut resources = Vec::new();
    for (i, d) in rp.intents.iter().zip(&components) {
        keys.extend(
            d.ops
                .iter()
                .filter_map(|o| o.get("path").and_then(Value::as_str))
                .map(|p| format!("patch {p}")),
        );
        if !d.ops.is_empty() {
            patches.push(Patch {
                target: Target::deployment(&i.workload),
                ops: d.ops.clone(),
            });
        }
        if let Some((name, op)) = &d.pdb_patch {
            keys.push("patch PodDisruptionBudget /spec/unhealthyPodEvictionPolicy".into());
            patches.push(Patch {
                target: Target::pdb(name),
                ops: vec![op.clone()],
            });
        }
        for (kind, manifest) in &d.manifests {
            keys.push(format!("manifest {kind}"));
            resources.push(manifest.clone());
        }
    }
    keys.sort();
    keys.dedup();
    Ok(Rendered {
        values: Value::Object(v.root),
        patches,
        resources,
        keys,
        writers: v.writers,
        components,
        values_text: std::sync::OnceLock::new(),
    })
}

/// Who writes hagen's alert rules into the values of the release that carries them.
pub const ALERT_RULES: &str = "hagen's alert rules";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::ChartComponent;
    use crate::check::fixtures::{RUNTIME, WEB, intent};
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
    /// The paths of an intent's patch operations.
    fn paths(i: &Intent) -> Vec<String> {
        deliver(i)
            .ops
            .iter()
            .map(|o| o["path"].as_str().unwrap().to_string())
            .collect()
    }

    #[test]
    fn patches_cover_what_values_cannot() {
        static PATCHED: ChartComponent = ChartComponent {
            replicas: Route::Patch,
            affinity: Route::Patch,
            strategy: StrategyRoute::Patch,
            tolerations: Route::Patch,
            ..WEB
        };
        static HARDCODED_ONE: ChartComponent = ChartComponent {
            replicas: Route::Hardcoded(1),
            strategy: StrategyRoute::TypeOnly("strategy.type"),
            ..WEB
        };
        let pdb_values: &'static ChartComponent = Box::leak(Box::new(ChartComponent {
            pdb: PdbRoute::Values {
                key: "pdb",
                with: Box::leak(Box::default()),
                eviction: EvictionRoute::Values("unhealthyPodEvictionPolicy"),
            },
            ..WEB
        }));
        let with = |k: &'static ChartComponent, replicas| Intent {
            knowledge: k,
            ..intent(replicas)
        };
        struct Case {
            name: &'static str,
            intent: Intent,
            patched: &'static [&'static str],
            post_render: bool,
        }
        let cases = [
            Case {
                name: "values, PDB by manifest",
                intent: with(&WEB, 2),
                patched: &[],
                post_render: true,
            },
            Case {
                name: "values, PDB by values",
                intent: with(pdb_values, 2),
                patched: &[],
                post_render: false,
            },
            Case {
                name: "all patch at two",
                intent: with(&PATCHED, 2),
                patched: &["/spec/replicas", "/spec/strategy", "/spec/template/spec/affinity"],
                post_render: true,
            },
            Case {
                name: "all patch at one: no spread, tolerations",
                intent: with(&PATCHED, 1),
                patched: &["/spec/replicas", "/spec/strategy", "/spec/template/spec/tolerations"],
                post_render: true,
            },
            Case {
                name: "hard-coded count kept, Recreate by type",
                intent: with(&HARDCODED_ONE, 1),
                patched: &[],
                post_render: false,
            },
            Case {
                name: "hard-coded count raised, rolling parameters patched",
                intent: with(&HARDCODED_ONE, 2),
                patched: &["/spec/replicas", "/spec/strategy"],
                post_render: true,
            },
            Case {
                name: "one replica: no PDB to add",
                intent: with(&WEB, 1),
                patched: &[],
                post_render: false,
            },
        ];
        for c in cases {
            assert_eq!(paths(&c.intent), c.patched, "{}", c.name);
            assert_eq!(deliver(&c.intent).needs_post_render(), c.post_render, "{}", c.name);
        }
    }

    #[test]
    fn how_each_setting_is_routed() {
        struct Case {
            name: &'static str,
            intent: Intent,
            replicas: &'static str,
            anti_affinity: &'static str,
            strategy: &'static str,
            pdb: &'static str,
        }
        let runtime = |replicas| Intent {
            knowledge: &RUNTIME,
            ..intent(replicas)
        };
        let beside = Intent {
            beside: true,
            ..intent(2)
        };
        let cases = [
            Case {
                name: "values at two",
                intent: intent(2),
                replicas: "values",
                anti_affinity: "values",
                strategy: "values",
                pdb: "patch",
            },
            Case {
                name: "values at one",
                intent: intent(1),
                replicas: "values",
                anti_affinity: "values",
                strategy: "values",
                pdb: "none needed",
            },
            Case {
                name: "runtime",
                intent: runtime(2),
                replicas: "runtime (Manager)",
                anti_affinity: "runtime (Manager)",
                strategy: "not controllable",
                pdb: "not controllable",
            },
            Case {
                name: "beside k3s's own Deployment",
                intent: beside,
                replicas: "HPA beside it",
                anti_affinity: "its manifest",
                strategy: "its manifest",
                pdb: "PDB beside it",
            },
        ];
        for c in cases {
            let r = deliver(&c.intent).routes;
            let got = [r.replicas, r.anti_affinity, r.strategy, r.pdb].map(|v| v.to_string());
            assert_eq!(got, [c.replicas, c.anti_affinity, c.strategy, c.pdb], "{}", c.name);
        }
        let names: Vec<&str> = deliver(&intent(2)).routes.rows().iter().map(|r| r.0.name()).collect();
        assert_eq!(names, ["replicas", "anti-affinity", "strategy", "PDB"]);
    }
}

//! The HA judgement of Kubernetes objects against the catalogue's intent: replicas, anti-affinity whose selector
//! matches the component's own pods and no neighbour's, strategy, PDB and fast-failover tolerations.
//! `verify` feeds it `helm template` renders; `audit` feeds it live dumps.

use crate::catalog::{AntiAffinity, AvoidNodes, Strategy, Strength};
use crate::charts::file::OperatorPodsFile;
use crate::charts::{Delivery, StrategyDelivery};
use crate::describe::{deliveries, strategy_words};
use crate::intent::Intent;
use crate::k8s::{HOSTNAME, LabelSelector, VERSIONED_LABELS, labels_of};
use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

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

/// The pod templates among `objects`: workloads, and the pods operators make for their objects (chart knowledge's
/// `operatorPods`).
pub fn pod_templates(objects: &[Object], operator_pods: &[&OperatorPodsFile]) -> Vec<PodTemplate> {
    let mut out = Vec::new();
    for o in objects {
        let labels = match o.kind.as_str() {
            "Deployment" | "StatefulSet" | "DaemonSet" | "Job" => {
                labels_of(o.value.pointer("/spec/template/metadata/labels"))
            }
            "CronJob" => labels_of(o.value.pointer("/spec/jobTemplate/spec/template/metadata/labels")),
            kind => {
                let Some(p) = operator_pods.iter().find(|p| p.kind == kind) else {
                    continue;
                };
                let mut l = p
                    .labels_from
                    .as_deref()
                    .map(|ptr| labels_of(o.value.pointer(ptr)))
                    .unwrap_or_default();
                for (k, v) in &p.labels {
                    l.insert(k.clone(), v.replace("{name}", &o.name));
                }
                l
            }
        };
        out.push(PodTemplate {
            owner: format!("{}/{}", o.kind, o.name),
            namespace: o.namespace.clone(),
            labels,
        });
    }
    out
}

/// The verdict on one setting of one component.
#[derive(Debug, Clone, Serialize)]
pub struct Check {
    pub setting: &'static str,
    pub asked: String,
    pub found: String,
    /// `None` when hagen cannot see or control it (not a failure).
    pub ok: Option<bool>,
    pub delivered_by: String,
}

/// Every verdict on one component.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub release: String,
    pub namespace: String,
    pub component: String,
    pub workload: String,
    pub checks: Vec<Check>,
}

impl Report {
    pub fn failed(&self) -> usize {
        self.checks.iter().filter(|c| c.ok == Some(false)).count()
    }
}

fn check(setting: &'static str, asked: String, found: String, ok: Option<bool>, delivered_by: &str) -> Check {
    Check {
        setting,
        asked,
        found,
        ok,
        delivered_by: delivered_by.to_string(),
    }
}

/// Judges one component on `objects` (all releases rendered together, so neighbours are seen).
pub fn judge(intent: &Intent, objects: &[Object], templates: &[PodTemplate]) -> Report {
    let mut report = Report {
        release: intent.release.clone(),
        namespace: intent.namespace.clone(),
        component: intent.component.clone(),
        workload: intent.workload.clone(),
        checks: vec![],
    };
    let delivered = deliveries(intent);
    let how: IndexMap<&str, &str> = delivered.iter().map(|(k, v)| (*k, v.as_str())).collect();
    if !intent.knowledge.rendered_by_helm() {
        judge_runtime(intent, objects, &how, &mut report);
        return report;
    }
    let Some(dep) = objects
        .iter()
        .find(|o| o.kind == "Deployment" && o.name == intent.workload && o.namespace == intent.namespace)
    else {
        report.checks.push(check(
            "workload",
            format!("Deployment {} in {}", intent.workload, intent.namespace),
            "not found".into(),
            Some(false),
            "chart",
        ));
        return report;
    };
    let d = &dep.value;
    let own = labels_of(d.pointer("/spec/template/metadata/labels"));
    let owner = format!("Deployment/{}", dep.name);
    let neighbours: Vec<&PodTemplate> = templates
        .iter()
        .filter(|t| t.namespace == intent.namespace && t.owner != owner)
        .collect();

    // replicas, or the HPA's bounds
    if let Some(a) = intent.autoscale {
        let hpa = objects.iter().find(|o| {
            o.kind == "HorizontalPodAutoscaler"
                && o.namespace == intent.namespace
                && o.value.pointer("/spec/scaleTargetRef/name").and_then(Value::as_str) == Some(dep.name.as_str())
        });
        let (found, ok) = match hpa {
            None => ("no HorizontalPodAutoscaler targets it".to_string(), false),
            Some(h) => judge_hpa(d, &h.value, &h.name, intent),
        };
        report.checks.push(check(
            "replicas",
            format!("HPA {}–{}", a.min, a.max),
            found,
            Some(ok),
            "values",
        ));
    } else {
        let replicas = d.pointer("/spec/replicas").and_then(Value::as_u64).unwrap_or(1);
        report.checks.push(check(
            "replicas",
            intent.replicas.to_string(),
            replicas.to_string(),
            Some(replicas == u64::from(intent.replicas)),
            how["replicas"],
        ));
    }

    // anti-affinity
    let mode = intent.effective_anti_affinity();
    let (found, ok) = judge_anti_affinity(d, mode, &own, &neighbours);
    let asked = match mode {
        AntiAffinity::Required => format!("required on hostname, {}", intent.selector.describe()),
        AntiAffinity::Preferred => format!("preferred on hostname, {}", intent.selector.describe()),
        AntiAffinity::None if intent.replicas == 1 => "— (1 replica)".into(),
        AntiAffinity::None => "none".into(),
    };
    let by = if intent.replicas == 1 {
        "—"
    } else {
        how["anti-affinity"]
    };
    report.checks.push(check("anti-affinity", asked, found, ok, by));

    // node placement
    if let Some(avoid) = &intent.avoid {
        let (found, ok) = judge_node_affinity(d, avoid);
        let asked = format!(
            "{} off {}",
            match avoid.strength {
                Strength::Required => "required",
                Strength::Preferred => "preferred",
            },
            avoid
                .labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect::<Vec<_>>()
                .join(",")
        );
        report
            .checks
            .push(check("node-affinity", asked, found, Some(ok), how["anti-affinity"]));
    }

    // strategy
    let s = d.pointer("/spec/strategy").cloned().unwrap_or(Value::Null);
    let (found, ok) = judge_strategy(&s, intent.strategy);
    report.checks.push(check(
        "strategy",
        strategy_words(intent.strategy).into(),
        found,
        Some(ok),
        how["strategy"],
    ));

    // PDB
    let (found, ok) = judge_pdb(objects, intent, &own, &neighbours);
    let asked = match intent.pdb {
        Some(m) => format!("maxUnavailable {m}"),
        None => "none (1 replica)".into(),
    };
    report.checks.push(check("PDB", asked, found, Some(ok), how["PDB"]));

    // fast failover
    if let Some(secs) = intent.failover_seconds {
        let tolerations = d.pointer("/spec/template/spec/tolerations").and_then(Value::as_array);
        let has = |key: &str| {
            tolerations.into_iter().flatten().any(|t| {
                t.get("key").and_then(Value::as_str) == Some(key)
                    && t.get("effect").and_then(Value::as_str) == Some("NoExecute")
                    && t.get("tolerationSeconds").and_then(Value::as_u64) == Some(u64::from(secs))
            })
        };
        let ok = has("node.kubernetes.io/not-ready") && has("node.kubernetes.io/unreachable");
        report.checks.push(check(
            "failover",
            format!("not-ready/unreachable tolerated {secs}s"),
            if ok { format!("{secs}s") } else { "missing".into() },
            Some(ok),
            if matches!(intent.knowledge.tolerations, Delivery::Values(_)) {
                "values"
            } else {
                "patch"
            },
        ));
    }
    report
}

/// Whether an object comes from the API server (it carries what only the server writes) rather than a render.
pub fn is_live(v: &Value) -> bool {
    v.pointer("/metadata/uid").is_some()
        || v.pointer("/metadata/creationTimestamp").is_some()
        || v.get("status").is_some()
}

/// The managers that own `spec.replicas` according to `metadata.managedFields`, with their subresource (`scale`
/// for the HPA's writes); `None` when the object carries no managedFields (kubectl drops them by default).
fn replicas_owners(d: &Value) -> Option<Vec<(String, String)>> {
    let entries = d.pointer("/metadata/managedFields")?.as_array()?;
    Some(
        entries
            .iter()
            .filter(|e| e.pointer("/fieldsV1/f:spec/f:replicas").is_some())
            .map(|e| {
                let s = |k: &str| e.get(k).and_then(Value::as_str).unwrap_or("").to_string();
                (s("manager"), s("subresource"))
            })
            .collect(),
    )
}

/// An autoscaled component: judged by its HPA. Bounds as asked, `max` within the eligible nodes when
/// anti-affinity is required, and a Deployment that does not contradict it. In a render, a `spec.replicas` next to
/// the HPA is a contradiction (Helm resets the count at every upgrade); in live state the API server always fills
/// `spec.replicas` and the HPA writes it through the scale subresource, so only `managedFields` (when dumped) tell
/// who sets it, and the count must lie within the HPA's range.
fn judge_hpa(d: &Value, h: &Value, name: &str, intent: &Intent) -> (String, bool) {
    let a = intent.autoscale.expect("only for autoscaled components");
    let min = h.pointer("/spec/minReplicas").and_then(Value::as_u64).unwrap_or(1);
    let max = h.pointer("/spec/maxReplicas").and_then(Value::as_u64).unwrap_or(0);
    let mut text = format!("HPA {name} {min}–{max}");
    let mut problems = Vec::new();
    let eligible = intent.eligible_nodes.len() as u64;
    if intent.anti_affinity == AntiAffinity::Required && max > eligible {
        problems.push(format!(
            "max {max} above the {eligible} eligible nodes: pods beyond {eligible} stay Pending"
        ));
    }
    let fixed = d.pointer("/spec/replicas").and_then(Value::as_u64);
    if is_live(d) {
        if let Some(c) = h.pointer("/status/currentReplicas").and_then(Value::as_u64) {
            text.push_str(&format!(", now {c}"));
        }
        if let Some(owners) = replicas_owners(d) {
            let others: Vec<String> = owners
                .iter()
                .filter(|(_, sub)| sub != "scale")
                .map(|(m, _)| m.clone())
                .collect();
            if !others.is_empty() {
                problems.push(format!(
                    "spec.replicas is owned by {} (managedFields), not the HPA: every upgrade resets its count",
                    others.join(", ")
                ));
            }
        }
        if let Some(r) = fixed.filter(|r| *r < min || *r > max) {
            problems.push(format!("the Deployment runs {r}, outside {min}–{max}"));
        }
        for c in h
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let f = |k: &str| c.get(k).and_then(Value::as_str).unwrap_or("");
            if matches!(f("type"), "AbleToScale" | "ScalingActive") && f("status") == "False" {
                problems.push(format!("{}=False ({}: {})", f("type"), f("reason"), f("message")));
            }
        }
    } else if let Some(r) = fixed {
        problems.push(format!("but the Deployment also fixes replicas {r}"));
    }
    let ok = min == u64::from(a.min) && max == u64::from(a.max) && problems.is_empty();
    if !problems.is_empty() {
        text.push_str(&format!(", {}", problems.join("; ")));
    }
    (text, ok)
}

/// The workloads among `templates` whose pods `sel` selects.
fn matching_owners<'a>(sel: &LabelSelector, templates: &[&'a PodTemplate]) -> Vec<&'a str> {
    templates
        .iter()
        .filter(|n| sel.matches(&n.labels))
        .map(|n| n.owner.as_str())
        .collect()
}

fn judge_anti_affinity(
    d: &Value,
    mode: AntiAffinity,
    own: &IndexMap<String, String>,
    neighbours: &[&PodTemplate],
) -> (String, Option<bool>) {
    let paa = d.pointer("/spec/template/spec/affinity/podAntiAffinity");
    let required: Vec<&Value> = paa
        .and_then(|p| p.get("requiredDuringSchedulingIgnoredDuringExecution"))
        .and_then(Value::as_array)
        .map(|a| a.iter().collect())
        .unwrap_or_default();
    let preferred: Vec<&Value> = paa
        .and_then(|p| p.get("preferredDuringSchedulingIgnoredDuringExecution"))
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(|w| w.get("podAffinityTerm")).collect())
        .unwrap_or_default();
    let terms = match mode {
        AntiAffinity::Required => required,
        AntiAffinity::Preferred => preferred,
        AntiAffinity::None => {
            return (
                if required.is_empty() {
                    "none".into()
                } else {
                    "required (chart default)".into()
                },
                None,
            );
        }
    };
    let word = if mode == AntiAffinity::Required {
        "required"
    } else {
        "preferred"
    };
    let hostname_terms: Vec<&Value> = terms
        .into_iter()
        .filter(|t| t.get("topologyKey").and_then(Value::as_str) == Some(HOSTNAME))
        .collect();
    if hostname_terms.is_empty() {
        return (format!("no {word} term on {HOSTNAME}"), Some(false));
    }
    let mut problems = Vec::new();
    for t in &hostname_terms {
        let Some(sel) = t.get("labelSelector").and_then(LabelSelector::from_json) else {
            problems.push("a term without a label selector".to_string());
            continue;
        };
        if !sel.matches(own) {
            problems.push(format!("selector {} matches none of its own pods", sel.describe()));
            continue;
        }
        let hits = matching_owners(&sel, neighbours);
        if !hits.is_empty() {
            problems.push(format!("selector {} also matches {}", sel.describe(), hits.join(", ")));
            continue;
        }
        let versioned: Vec<&str> = sel.keys().filter(|k| VERSIONED_LABELS.contains(k)).collect();
        if !versioned.is_empty() {
            problems.push(format!(
                "selector {} uses versioned label {}",
                sel.describe(),
                versioned.join(", ")
            ));
            continue;
        }
        return (
            format!("{word} on hostname, {} (own pods only)", sel.describe()),
            Some(true),
        );
    }
    (problems.join("; "), Some(false))
}

/// Whether the pod template keeps off every node with one of the avoided labels (required: every node selector
/// term excludes them, since terms are ORed; preferred: a preference excludes them).
fn judge_node_affinity(d: &Value, avoid: &AvoidNodes) -> (String, bool) {
    let na = d.pointer("/spec/template/spec/affinity/nodeAffinity");
    let excludes = |exprs: Option<&Value>| {
        avoid.labels.iter().all(|(k, v)| {
            exprs.and_then(Value::as_array).into_iter().flatten().any(|e| {
                e.get("key").and_then(Value::as_str) == Some(k.as_str())
                    && e.get("operator").and_then(Value::as_str) == Some("NotIn")
                    && e.get("values")
                        .and_then(Value::as_array)
                        .is_some_and(|vs| vs.iter().any(|x| x.as_str() == Some(v.as_str())))
            })
        })
    };
    match avoid.strength {
        Strength::Required => {
            let terms = na
                .and_then(|n| n.pointer("/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms"))
                .and_then(Value::as_array);
            match terms {
                Some(t) if !t.is_empty() && t.iter().all(|term| excludes(term.get("matchExpressions"))) => {
                    ("required: every node selector term excludes them".into(), true)
                }
                Some(_) => ("a required node selector term admits them".into(), false),
                None => ("no required node affinity".into(), false),
            }
        }
        Strength::Preferred => {
            let prefs = na
                .and_then(|n| n.get("preferredDuringSchedulingIgnoredDuringExecution"))
                .and_then(Value::as_array);
            if prefs.into_iter().flatten().any(|p| {
                p.get("weight").and_then(Value::as_u64).unwrap_or(0) > 0
                    && excludes(p.pointer("/preference/matchExpressions"))
            }) {
                ("preferred: a weighted preference excludes them".into(), true)
            } else {
                ("no preference excludes them".into(), false)
            }
        }
    }
}

fn int_or_percent(v: Option<&Value>) -> Option<String> {
    v.map(|v| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    })
}

fn judge_strategy(s: &Value, asked: Strategy) -> (String, bool) {
    let ty = s.get("type").and_then(Value::as_str).unwrap_or("RollingUpdate");
    let surge = int_or_percent(s.pointer("/rollingUpdate/maxSurge")).unwrap_or_else(|| "25%".into());
    let unavailable = int_or_percent(s.pointer("/rollingUpdate/maxUnavailable")).unwrap_or_else(|| "25%".into());
    match ty {
        "Recreate" => {
            let extra = s.get("rollingUpdate").is_some_and(|r| !r.is_null());
            let found = if extra {
                "Recreate with rollingUpdate (rejected by the API)".into()
            } else {
                "Recreate".into()
            };
            (found, asked == Strategy::Recreate && !extra)
        }
        "RollingUpdate" => {
            let found = format!("RollingUpdate (maxSurge {surge}, maxUnavailable {unavailable})");
            let no_surge = surge == "0" || surge == "0%";
            let ok = asked == Strategy::RollingUpdate && no_surge && unavailable == "1";
            (found, ok)
        }
        other => (format!("invalid type {other:?}"), false),
    }
}

fn judge_pdb(
    objects: &[Object],
    intent: &Intent,
    own: &IndexMap<String, String>,
    neighbours: &[&PodTemplate],
) -> (String, bool) {
    let pdbs: Vec<(&Object, LabelSelector)> = objects
        .iter()
        .filter(|o| o.kind == "PodDisruptionBudget" && o.namespace == intent.namespace)
        .filter_map(|o| Some((o, LabelSelector::from_json(o.value.pointer("/spec/selector")?)?)))
        .filter(|(_, sel)| sel.matches(own))
        .collect();
    let Some(m) = intent.pdb else {
        return match pdbs.as_slice() {
            [] => ("none".into(), true),
            list => (
                format!(
                    "{} selects it: blocks every drain at 1 replica",
                    list.iter().map(|(o, _)| o.name.as_str()).collect::<Vec<_>>().join(", ")
                ),
                false,
            ),
        };
    };
    match pdbs.as_slice() {
        [] => ("no PDB selects its pods".into(), false),
        [(o, sel)] => {
            let spec = o.value.get("spec").cloned().unwrap_or(Value::Null);
            let max = spec.get("maxUnavailable");
            let min = spec.get("minAvailable");
            let hits = matching_owners(sel, neighbours);
            if !hits.is_empty() {
                return (format!("{} also selects {}", o.name, hits.join(", ")), false);
            }
            match (max, min) {
                (Some(_), Some(_)) => (
                    format!("{}: both maxUnavailable and minAvailable (invalid)", o.name),
                    false,
                ),
                (Some(v), None) => {
                    let text = int_or_percent(Some(v)).unwrap_or_default();
                    (format!("{}: maxUnavailable {text}", o.name), text == m.to_string())
                }
                (None, Some(v)) => {
                    let text = int_or_percent(Some(v)).unwrap_or_default();
                    let allows = text.parse::<u32>().is_ok_and(|n| n < intent.replicas);
                    (
                        format!("{}: minAvailable {text}", o.name),
                        allows && intent.replicas - m == text.parse().unwrap_or(0),
                    )
                }
                (None, None) => (format!("{}: neither maxUnavailable nor minAvailable", o.name), false),
            }
        }
        many => (
            format!(
                "{} PDBs select it: {}",
                many.len(),
                many.iter().map(|(o, _)| o.name.as_str()).collect::<Vec<_>>().join(", ")
            ),
            false,
        ),
    }
}

/// A Deployment created at runtime by the chart's deployer: what reaches the deployer's environment.
fn judge_runtime(intent: &Intent, objects: &[Object], how: &IndexMap<&str, &str>, report: &mut Report) {
    let k = intent.knowledge;
    let (owner, deployer_name) = k.runtime.map_or(("the chart", ""), |r| (r.owner, r.deployer));
    let deployer = objects
        .iter()
        .find(|o| o.kind == "Deployment" && o.namespace == intent.namespace && o.name == deployer_name);
    let env = |name: &str| -> Option<String> {
        deployer?
            .value
            .pointer("/spec/template/spec/containers")?
            .as_array()?
            .iter()
            .flat_map(|c| c.get("env").and_then(Value::as_array).into_iter().flatten())
            .find(|e| e.get("name").and_then(Value::as_str) == Some(name))
            .and_then(|e| int_or_percent(e.get("value")))
    };
    if let Delivery::Runtime(r) = k.replicas {
        let got = env(r.env);
        report.checks.push(check(
            "replicas",
            intent.replicas.to_string(),
            match &got {
                Some(v) => format!("{}={v} on {deployer_name} (set at runtime by {owner})", r.env),
                None => format!("{} not set ({owner}'s default {})", r.env, r.default),
            },
            Some(got.as_deref() == Some(intent.replicas.to_string().as_str())),
            how["replicas"],
        ));
    }
    if let Delivery::Runtime(r) = k.affinity {
        let mode = match intent.effective_anti_affinity() {
            AntiAffinity::Required => "required",
            AntiAffinity::Preferred => "preferred",
            AntiAffinity::None => "none",
        };
        // The chart knowledge names a preset for every mode (checked when it is loaded); without one nothing was
        // delivered, which is a failure, never the owner's default passing for it.
        let want = r.presets.iter().find(|(m, _)| *m == mode).map(|(_, p)| *p);
        let asked = want
            .and_then(|w| r.presets.iter().find(|(_, p)| *p == w))
            .map_or(mode, |(m, _)| *m);
        let preset = env(r.env);
        report.checks.push(check(
            "anti-affinity",
            format!("{asked} (preset {})", want.unwrap_or("none in the chart knowledge")),
            match &preset {
                Some(v) => format!("{}={v} (set at runtime by {owner})", r.env),
                None => format!("preset not set ({owner}'s default {})", r.default),
            },
            Some(want.is_some_and(|w| preset.as_deref().unwrap_or(r.default) == w)),
            how["anti-affinity"],
        ));
    }
    let not_controllable = match k.strategy {
        StrategyDelivery::NotControllable(why) => why,
        _ => "",
    };
    report.checks.push(check(
        "strategy",
        strategy_words(intent.strategy).into(),
        format!("not controllable: {not_controllable}"),
        None,
        how["strategy"],
    ));
    report.checks.push(check(
        "PDB",
        "—".into(),
        format!("not controllable ({owner})"),
        None,
        how["PDB"],
    ));
}

/// Objects present in one render and not the other, except what hagen adds or removes on purpose: PDBs, the HPAs
/// of autoscaled components, and the alert rules (when `alert_rules` names them).
pub fn render_drift(
    bare: &[Object],
    overlay: &[Object],
    intents: &[&Intent],
    alert_rules: Option<&str>,
) -> Vec<String> {
    let ids = |objs: &[Object]| objs.iter().map(Object::id).collect::<std::collections::BTreeSet<_>>();
    let (b, o) = (ids(bare), ids(overlay));
    // Whether `pdb` (from `objs`) selects the pods of a component whose PDB presence is `wanted`.
    let expected = |objs: &[Object], id: &str, wanted: bool| {
        let Some(pdb) = objs.iter().find(|x| x.id() == id && x.kind == "PodDisruptionBudget") else {
            return false;
        };
        let Some(sel) = pdb.value.pointer("/spec/selector").and_then(LabelSelector::from_json) else {
            return false;
        };
        intents.iter().any(|i| {
            i.pdb.is_some() == wanted
                && i.namespace == pdb.namespace
                && objs.iter().any(|d| {
                    d.kind == "Deployment"
                        && d.name == i.workload
                        && d.namespace == i.namespace
                        && sel.matches(&labels_of(d.value.pointer("/spec/template/metadata/labels")))
                })
        })
    };
    let added_on_purpose = |id: &str| {
        overlay
            .iter()
            .find(|x| x.id() == id)
            .is_some_and(|x| match x.kind.as_str() {
                "HorizontalPodAutoscaler" => intents.iter().any(|i| {
                    i.autoscale.is_some()
                        && i.namespace == x.namespace
                        && x.value.pointer("/spec/scaleTargetRef/name").and_then(Value::as_str)
                            == Some(i.workload.as_str())
                }),
                "PrometheusRule" => alert_rules == Some(x.name.as_str()),
                _ => false,
            })
    };
    let mut out = Vec::new();
    for id in o.difference(&b) {
        if !expected(overlay, id, true) && !added_on_purpose(id) {
            out.push(format!("{id} appears only with the overlay"));
        }
    }
    for id in b.difference(&o) {
        if !expected(bare, id, false) {
            out.push(format!("{id} disappears with the overlay"));
        }
    }
    out
}

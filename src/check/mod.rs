//! The HA judgement of Kubernetes objects against the catalogue's intent: replicas, anti-affinity whose selector
//! matches the component's own pods and no neighbour's, strategy, PDB and fast-failover tolerations.
//! `verify` feeds it `helm template` renders; `audit` feeds it live dumps.

pub mod k3s;

use crate::catalog::{AntiAffinity, Autoscale, AvoidNodes, Strategy, Strength};
use crate::charts::file::{OperatorPodsFile, RequiredCheck};
use crate::charts::{Route, RuntimeSetting};
use crate::describe::{Setting, Via, anti_affinity_word, strategy_words};
use crate::k8s::{
    ALWAYS_ALLOW, HOSTNAME, LabelSelector, Object, POD_TEMPLATE_HASH, PodTemplate, VERSIONED_LABELS, labels_of,
};
use crate::model::Intent;
use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

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
    pub setting: Setting,
    pub asked: String,
    pub found: String,
    /// `None` when hagen cannot see or control it (not a failure).
    pub ok: Option<bool>,
    pub delivered_by: String,
}

/// Every verdict on one component.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentVerdict {
    pub release: String,
    pub namespace: String,
    pub component: String,
    pub workload: String,
    pub checks: Vec<Check>,
}

impl ComponentVerdict {
    pub fn failed(&self) -> usize {
        self.checks.iter().filter(|c| c.ok == Some(false)).count()
    }
}

fn check(
    setting: Setting,
    asked: String,
    found: String,
    ok: Option<bool>,
    delivered_by: impl std::fmt::Display,
) -> Check {
    Check {
        setting,
        asked,
        found,
        ok,
        delivered_by: delivered_by.to_string(),
    }
}

/// Judges one component on `objects` (all releases rendered together, so neighbours are seen): one verdict per
/// setting, each from its own function below. `values` are the release's values as Helm merges them (for
/// requirements on a chart value; `None` for live state, where they are not seen).
pub fn judge(
    intent: &Intent,
    objects: &[Object],
    templates: &[PodTemplate],
    values: Option<&Value>,
) -> ComponentVerdict {
    let mut report = ComponentVerdict {
        release: intent.release.clone(),
        namespace: intent.namespace.clone(),
        component: intent.component.clone(),
        workload: intent.workload.clone(),
        checks: vec![],
    };
    let how = crate::render::deliver(intent).routes;
    if !intent.knowledge.rendered_by_helm() {
        report.checks = judge_runtime(intent, objects, &how);
        report.checks.extend(requirement_checks(intent, None, values));
        return report;
    }
    let Some(dep) = objects
        .iter()
        .find(|o| o.kind == "Deployment" && o.name == intent.workload && o.namespace == intent.namespace)
    else {
        report.checks.push(check(
            Setting::Workload,
            format!("Deployment {} in {}", intent.workload, intent.namespace),
            missing_workload(objects, &intent.namespace),
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
    report.checks.push(replicas_check(intent, objects, dep, how.replicas));
    report
        .checks
        .push(anti_affinity_check(intent, d, &own, &neighbours, how.anti_affinity));
    report.checks.extend(node_affinity_check(intent, d, how.anti_affinity));
    report.checks.push(strategy_check(intent, d, how.strategy));
    report
        .checks
        .push(pdb_check(objects, intent, &own, &neighbours, how.pdb));
    report.checks.extend(failover_check(intent, d, how.failover));
    report.checks.extend(requirement_checks(intent, Some(d), values));
    report
}

/// What a render without the asked Deployment has instead: the Deployments of the namespace, by name.
fn missing_workload(objects: &[Object], namespace: &str) -> String {
    let names: Vec<&str> = objects
        .iter()
        .filter(|o| o.kind == "Deployment" && o.namespace == namespace)
        .map(|o| o.name.as_str())
        .collect();
    match names.as_slice() {
        [] => format!("not found; no Deployment is rendered in {namespace}"),
        names => format!("not found; rendered in {namespace}: Deployment {}", names.join(", ")),
    }
}

/// What the chart knowledge says must hold above one replica, each judged on the Deployment `d` (`None` when it is
/// made outside the render) or on the release's `values`; nothing at one replica.
fn requirement_checks(intent: &Intent, d: Option<&Value>, values: Option<&Value>) -> Vec<Check> {
    if intent.replicas < 2 && intent.autoscale.is_none() {
        return vec![];
    }
    intent
        .knowledge
        .requires
        .iter()
        .map(|r| {
            let (asked, seen, ok) = judge_requirement(&r.check, d, values);
            let found = if ok == Some(false) {
                format!("{seen}; to set it: {}", r.set)
            } else {
                seen
            };
            let by = match r.check {
                RequiredCheck::Runtime(_) => format!("runtime ({})", intent.knowledge.owner().unwrap_or("the chart")),
                _ => "chart".into(),
            };
            check(Setting::Requirement, format!("{}: {asked}", r.what), found, ok, &by)
        })
        .collect()
}

/// One requirement: what is asked (in words), what was seen, and whether it holds (`None`: not visible here).
fn judge_requirement(c: &RequiredCheck, d: Option<&Value>, values: Option<&Value>) -> (String, String, Option<bool>) {
    match (c, d) {
        (RequiredCheck::Runtime(why), _) => ("held at runtime".into(), why.clone(), None),
        (RequiredCheck::Arg(a), Some(d)) => {
            let asked = format!("{}={}", a.flag, a.equals);
            let (seen, ok) = match (
                flag_value(d, &a.flag, a.container.as_deref(), is_boolean(&a.equals)),
                &a.default,
            ) {
                (Some(v), _) => (format!("{}={v}", a.flag), Some(v == a.equals)),
                (None, Some(def)) => (
                    format!("{} not given (defaults to {def})", a.flag),
                    Some(*def == a.equals),
                ),
                (None, None) => (format!("{} not given", a.flag), Some(false)),
            };
            (asked, seen, ok)
        }
        (RequiredCheck::Env(e), Some(d)) => {
            let asked = format!("{}={}", e.name, e.equals);
            let (seen, ok) = match env_of(d, &e.name, e.container.as_deref()) {
                Some(Some(v)) => (format!("{}={v}", e.name), Some(v == e.equals)),
                Some(None) => (
                    format!(
                        "{} is set from a reference (valueFrom), which a render does not show",
                        e.name
                    ),
                    Some(false),
                ),
                None => match &e.default {
                    Some(def) => (
                        format!("{} not set (defaults to {def})", e.name),
                        Some(*def == e.equals),
                    ),
                    None => (format!("{} not set", e.name), Some(false)),
                },
            };
            (asked, seen, ok)
        }
        (RequiredCheck::Value(v), _) => {
            let asked = format!("{} = {}", v.key, v.equals);
            let Some(values) = values else {
                return (asked, "the release's values are not seen here".into(), None);
            };
            let got = v.key.split('.').try_fold(values, |node, seg| node.get(seg));
            match got {
                Some(x) => (asked, format!("{} = {x}", v.key), Some(*x == v.equals)),
                None => (asked, format!("{} is not set", v.key), Some(false)),
            }
        }
        (_, None) => ("—".into(), "not in the render".into(), None),
    }
}

/// Whether a flag's value is a boolean (a bare `--flag` then means `true`, and the next argument is not its value).
fn is_boolean(v: &str) -> bool {
    matches!(v, "true" | "false")
}

/// The containers of workload `d`, or only the one called `name`.
fn containers<'a>(d: &'a Value, name: Option<&'a str>) -> impl Iterator<Item = &'a Value> + 'a {
    d.pointer("/spec/template/spec/containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(move |c| name.is_none_or(|n| c.get("name").and_then(Value::as_str) == Some(n)))
}

/// The value of command-line flag `flag` in the containers of `d` (the last one given wins, as Go's flag parsers
/// do; one or two leading dashes alike): `--flag=v`, `--flag v`, or a bare `--flag` for a boolean (`true`).
fn flag_value(d: &Value, flag: &str, container: Option<&str>, boolean: bool) -> Option<String> {
    let name = flag.trim_start_matches('-');
    let mut found = None;
    for c in containers(d, container) {
        let words: Vec<&str> = ["command", "args"]
            .iter()
            .filter_map(|k| c.get(*k).and_then(Value::as_array))
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        for (n, w) in words.iter().enumerate() {
            if !w.starts_with('-') {
                continue;
            }
            let (k, v) = w
                .trim_start_matches('-')
                .split_once('=')
                .map_or((w.trim_start_matches('-'), None), |(k, v)| (k, Some(v)));
            if k != name {
                continue;
            }
            found = match v {
                Some(v) => Some(v.to_string()),
                None if boolean => Some("true".into()),
                None => words.get(n + 1).map(|v| (*v).to_string()),
            };
        }
    }
    found
}

/// Environment variable `name` in the containers of `d`: `Some(Some(value))`, `Some(None)` when it comes from a
/// reference, `None` when no container sets it.
fn env_of(d: &Value, name: &str, container: Option<&str>) -> Option<Option<String>> {
    containers(d, container)
        .flat_map(|c| c.get("env").and_then(Value::as_array).into_iter().flatten())
        .filter(|e| e.get("name").and_then(Value::as_str) == Some(name))
        .last()
        .map(|e| int_or_percent(e.get("value")))
}

/// Replicas: the Deployment's count, or for an autoscaled component the HPA that targets it.
fn replicas_check(intent: &Intent, objects: &[Object], dep: &Object, by: Via) -> Check {
    let d = &dep.value;
    if let Some(a) = intent.autoscale {
        let hpa = objects.iter().find(|o| {
            o.kind == "HorizontalPodAutoscaler"
                && o.namespace == intent.namespace
                && o.value.pointer("/spec/scaleTargetRef/name").and_then(Value::as_str) == Some(dep.name.as_str())
        });
        let (found, ok) = match hpa {
            None => ("no HorizontalPodAutoscaler targets it".to_string(), false),
            Some(h) => judge_hpa(d, &h.value, &h.name, intent, a),
        };
        // A Deployment whose count no values key reaches (k3s's CoreDNS) is held by hagen's own HPA manifest.
        let by = match by {
            Via::Beside(_) => "manifest",
            _ => "values",
        };
        return check(
            Setting::Replicas,
            format!("HPA {}–{}", a.min, a.max),
            found,
            Some(ok),
            by,
        );
    }
    let replicas = d.pointer("/spec/replicas").and_then(Value::as_u64).unwrap_or(1);
    check(
        Setting::Replicas,
        intent.replicas.to_string(),
        replicas.to_string(),
        Some(replicas == u64::from(intent.replicas)),
        by,
    )
}

/// Anti-affinity: a hostname term of the asked strength whose selector picks the component's own pods only.
fn anti_affinity_check(
    intent: &Intent,
    d: &Value,
    own: &IndexMap<String, String>,
    neighbours: &[&PodTemplate],
    by: Via,
) -> Check {
    let mode = intent.effective_anti_affinity();
    let (found, ok) = judge_anti_affinity(d, mode, intent.revision_scoped, own, neighbours);
    let asked = crate::describe::asked_anti_affinity(intent, false);
    let by = if intent.replicas == 1 {
        "—".to_string()
    } else {
        by.to_string()
    };
    check(Setting::AntiAffinity, asked, found, ok, by)
}

/// Node placement, when the catalogue avoids nodes: node affinity that keeps the pods off them.
fn node_affinity_check(intent: &Intent, d: &Value, by: Via) -> Option<Check> {
    let avoid = intent.avoid.as_ref()?;
    let (found, ok) = judge_node_affinity(d, avoid);
    let asked = format!(
        "{} off {}",
        match avoid.strength {
            Strength::Required => "required",
            Strength::Preferred => "preferred",
        },
        crate::describe::avoided_labels(avoid)
    );
    Some(check(Setting::NodeAffinity, asked, found, Some(ok), by))
}

/// The Deployment strategy.
fn strategy_check(intent: &Intent, d: &Value, by: Via) -> Check {
    let s = d.pointer("/spec/strategy").cloned().unwrap_or(Value::Null);
    if let Via::NotControllable(_) | Via::ItsManifest = by {
        let (found, ok) = judge_owned_strategy(&s, intent.replicas);
        return check(
            Setting::Strategy,
            "keeps a replica serving (not hagen's to set)".into(),
            found,
            Some(ok),
            by,
        );
    }
    let (found, ok) = judge_strategy(&s, intent.strategy);
    check(
        Setting::Strategy,
        strategy_words(intent.strategy).into(),
        found,
        Some(ok),
        by,
    )
}

/// The PodDisruptionBudget: exactly one selects the pods, as asked (none at one replica).
fn pdb_check(
    objects: &[Object],
    intent: &Intent,
    own: &IndexMap<String, String>,
    neighbours: &[&PodTemplate],
    by: Via,
) -> Check {
    let (found, ok) = judge_pdb(objects, intent, own, neighbours);
    check(Setting::Pdb, crate::describe::asked_pdb(intent), found, Some(ok), by)
}

/// Fast failover, for components at one replica: not-ready and unreachable tolerated for the asked seconds.
fn failover_check(intent: &Intent, d: &Value, by: Via) -> Option<Check> {
    let secs = intent.failover_seconds?;
    let tolerations = d.pointer("/spec/template/spec/tolerations").and_then(Value::as_array);
    let ok = tolerates(tolerations, "node.kubernetes.io/not-ready", secs)
        && tolerates(tolerations, "node.kubernetes.io/unreachable", secs);
    Some(check(
        Setting::Failover,
        format!("not-ready/unreachable tolerated {secs}s"),
        if ok { format!("{secs}s") } else { "missing".into() },
        Some(ok),
        by,
    ))
}

/// Whether `tolerations` hold a NoExecute toleration of taint `key` for exactly `secs` seconds.
fn tolerates(tolerations: Option<&Vec<Value>>, key: &str, secs: u32) -> bool {
    tolerations.into_iter().flatten().any(|t| {
        t.get("key").and_then(Value::as_str) == Some(key)
            && t.get("effect").and_then(Value::as_str) == Some("NoExecute")
            && t.get("tolerationSeconds").and_then(Value::as_u64) == Some(u64::from(secs))
    })
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
fn judge_hpa(d: &Value, h: &Value, name: &str, intent: &Intent, a: Autoscale) -> (String, bool) {
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
        problems.extend(live_hpa_problems(d, h, fixed, (min, max)));
    } else if let Some(r) = fixed {
        problems.push(format!("but the Deployment also fixes replicas {r}"));
    }
    let ok = min == u64::from(a.min) && max == u64::from(a.max) && problems.is_empty();
    if !problems.is_empty() {
        text.push_str(&format!(", {}", problems.join("; ")));
    }
    (text, ok)
}

/// What live state shows wrong with an autoscaled Deployment `d` and its HPA `h`: `spec.replicas` owned by
/// another manager than the HPA, a count (`fixed`) outside the HPA's `(min, max)`, an HPA that cannot scale.
fn live_hpa_problems(d: &Value, h: &Value, fixed: Option<u64>, (min, max): (u64, u64)) -> Vec<String> {
    let mut problems = Vec::new();
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
    problems
}

/// The workloads among `templates` whose pods `sel` selects.
fn matching_owners<'a>(sel: &LabelSelector, templates: &[&'a PodTemplate]) -> Vec<&'a str> {
    templates
        .iter()
        .filter(|n| sel.matches(&n.labels))
        .map(|n| n.owner.as_str())
        .collect()
}

/// The pod template's anti-affinity terms: the required ones and the preferred ones' `podAffinityTerm`s.
fn anti_affinity_terms(d: &Value) -> (Vec<&Value>, Vec<&Value>) {
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
    (required, preferred)
}

/// The anti-affinity verdict: with `mode` asked, a hostname term of that strength must select the own pods,
/// no neighbour's and no versioned label; `None` when none is asked (what the chart does is shown only).
fn judge_anti_affinity(
    d: &Value,
    mode: AntiAffinity,
    scoped: bool,
    own: &IndexMap<String, String>,
    neighbours: &[&PodTemplate],
) -> (String, Option<bool>) {
    let (required, preferred) = anti_affinity_terms(d);
    let word = anti_affinity_word(mode);
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
    let hostname_terms: Vec<&Value> = terms
        .into_iter()
        .filter(|t| t.get("topologyKey").and_then(Value::as_str) == Some(HOSTNAME))
        .collect();
    let mut problems = Vec::new();
    for t in &hostname_terms {
        match judge_hostname_term(t, own, neighbours) {
            Ok(sel) if scoped && mode == AntiAffinity::Required && !revision_keyed(t) => problems.push(format!(
                "{word} on hostname, {sel}, without matchLabelKeys [{POD_TEMPLATE_HASH}]: a surge rollout's new pod needs a node free of the old ones (fix: `hagen generate`, then upgrade the release with the new values)"
            )),
            Ok(sel) if revision_keyed(t) => {
                return (
                    format!("{word} on hostname, {sel}, matchLabelKeys {POD_TEMPLATE_HASH} (own pods only)"),
                    Some(true),
                );
            }
            Ok(sel) => return (format!("{word} on hostname, {sel} (own pods only)"), Some(true)),
            Err(problem) => problems.push(problem.to_string()),
        }
    }
    // A topology spread constraint places the pods as the asked anti-affinity does (kubernetes/kubernetes#87621:
    // maxSkew 1 on the hostname puts 2 pods on 2 nodes): DoNotSchedule for required, either for preferred.
    for c in spread_constraints(d) {
        let hard = c.get("whenUnsatisfiable").and_then(Value::as_str) == Some("DoNotSchedule");
        if mode == AntiAffinity::Required && !hard {
            continue;
        }
        match judge_hostname_term(c, own, neighbours) {
            Ok(sel) => {
                let how = if hard { "DoNotSchedule" } else { "ScheduleAnyway" };
                return (
                    format!("topology spread on hostname (maxSkew 1, {how}), {sel} (own pods only)"),
                    Some(true),
                );
            }
            Err(problem) => problems.push(format!("topology spread: {problem}")),
        }
    }
    if problems.is_empty() {
        return (format!("no {word} term on {HOSTNAME}"), Some(false));
    }
    (problems.join("; "), Some(false))
}

/// For a pod spec (a live Pod's `spec`): whether its required hostname anti-affinity terms carry
/// `matchLabelKeys: [pod-template-hash]`; `None` when it has no required hostname term.
pub fn revision_keyed_terms(spec: &Value) -> Option<bool> {
    let terms = spec
        .pointer("/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution")
        .and_then(Value::as_array)?;
    let hostname: Vec<&Value> = terms
        .iter()
        .filter(|t| t.get("topologyKey").and_then(Value::as_str) == Some(HOSTNAME))
        .collect();
    (!hostname.is_empty()).then(|| hostname.iter().all(|t| revision_keyed(t)))
}

/// Whether a term carries `matchLabelKeys: [pod-template-hash]`.
fn revision_keyed(t: &Value) -> bool {
    t.get("matchLabelKeys")
        .and_then(Value::as_array)
        .is_some_and(|keys| keys.iter().any(|k| k.as_str() == Some(POD_TEMPLATE_HASH)))
}

/// A term's selector as the judge reads it: on a live Pod the API server has merged `key In (value)` of each
/// `matchLabelKeys` key into the selector (KEP-3633); those requirements name the pod's own revision, so they are
/// left out when matching against pod templates (which carry no `pod-template-hash`).
fn term_selector(t: &Value) -> Option<LabelSelector> {
    let mut sel = t.get("labelSelector").and_then(LabelSelector::from_json)?;
    let keys: Vec<&str> = t
        .get("matchLabelKeys")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    sel.match_expressions
        .retain(|r| !(keys.contains(&r.key.as_str()) && r.operator == "In"));
    Some(sel)
}

/// The pod template's topology spread constraints on the hostname with maxSkew 1.
fn spread_constraints(d: &Value) -> Vec<&Value> {
    d.pointer("/spec/template/spec/topologySpreadConstraints")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|c| {
            c.get("topologyKey").and_then(Value::as_str) == Some(HOSTNAME)
                && c.get("maxSkew").and_then(Value::as_u64) == Some(1)
        })
        .collect()
}

/// What is wrong with an anti-affinity term or spread constraint on the hostname; `selector` is its selector,
/// described.
#[derive(Debug, thiserror::Error)]
enum TermProblem {
    #[error("a term without a label selector")]
    NoSelector,
    #[error("selector {selector} matches none of its own pods")]
    MissesOwnPods { selector: String },
    #[error("selector {selector} also matches {}", .neighbours.join(", "))]
    MatchesNeighbours { selector: String, neighbours: Vec<String> },
    #[error("selector {selector} uses versioned label {}", .labels.join(", "))]
    Versioned { selector: String, labels: Vec<String> },
}

/// One anti-affinity term on the hostname: its selector (described) when it selects the own pods, no
/// neighbour's and no versioned label; else what is wrong with it.
fn judge_hostname_term(
    t: &Value,
    own: &IndexMap<String, String>,
    neighbours: &[&PodTemplate],
) -> Result<String, TermProblem> {
    let Some(sel) = term_selector(t) else {
        return Err(TermProblem::NoSelector);
    };
    if !sel.matches(own) {
        return Err(TermProblem::MissesOwnPods {
            selector: sel.describe(),
        });
    }
    let hits = matching_owners(&sel, neighbours);
    if !hits.is_empty() {
        return Err(TermProblem::MatchesNeighbours {
            selector: sel.describe(),
            neighbours: hits.into_iter().map(str::to_string).collect(),
        });
    }
    let versioned: Vec<String> = sel
        .keys()
        .filter(|k| VERSIONED_LABELS.contains(k))
        .map(str::to_string)
        .collect();
    if !versioned.is_empty() {
        return Err(TermProblem::Versioned {
            selector: sel.describe(),
            labels: versioned,
        });
    }
    Ok(sel.describe())
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
            let zero = |v: &str| v == "0" || v == "0%";
            let ok = match asked {
                Strategy::RollingUpdate => zero(&surge) && unavailable == "1",
                Strategy::RollingUpdateSurge => surge == "1" && zero(&unavailable),
                Strategy::Recreate => false,
            };
            (found, ok)
        }
        other => (format!("invalid type {other:?}"), false),
    }
}

/// A strategy hagen cannot set (k3s's own manifest sets it): it must keep a replica serving at every rollout,
/// RollingUpdate with an absolute `maxUnavailable` below the replicas (Recreate stops them all).
fn judge_owned_strategy(s: &Value, replicas: u32) -> (String, bool) {
    let (found, _) = judge_strategy(s, Strategy::RollingUpdate);
    let rolling = s.get("type").and_then(Value::as_str).unwrap_or("RollingUpdate") == "RollingUpdate";
    let unavailable = s.pointer("/rollingUpdate/maxUnavailable").and_then(Value::as_u64);
    let ok = rolling && unavailable.is_some_and(|u| u < u64::from(replicas));
    (found, ok)
}

/// The PDB verdict: the PDBs of the namespace that select the own pods, judged against the asked
/// `maxUnavailable` (none at one replica, where a PDB blocks every drain).
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
    let names =
        |list: &[(&Object, LabelSelector)]| list.iter().map(|(o, _)| o.name.as_str()).collect::<Vec<_>>().join(", ");
    let Some(m) = intent.pdb else {
        return match pdbs.as_slice() {
            [] => ("none".into(), true),
            list => (
                format!("{} selects it: blocks every drain at 1 replica", names(list)),
                false,
            ),
        };
    };
    match pdbs.as_slice() {
        [] => ("no PDB selects its pods".into(), false),
        [(o, sel)] => {
            let (found, ok) = judge_one_pdb(o, sel, m, intent.replicas, neighbours);
            let policy = o
                .value
                .pointer("/spec/unhealthyPodEvictionPolicy")
                .and_then(Value::as_str);
            match policy {
                Some(p) => (
                    format!("{found}, unhealthyPodEvictionPolicy {p}"),
                    ok && (!intent.pdb_always_allow || p == ALWAYS_ALLOW),
                ),
                None if intent.pdb_always_allow => (
                    format!(
                        "{found}, no unhealthyPodEvictionPolicy: a crash-looping pod blocks every drain (fix: `hagen generate`, then upgrade the release)"
                    ),
                    false,
                ),
                None => (found, ok),
            }
        }
        many => (format!("{} PDBs select it: {}", many.len(), names(many)), false),
    }
}

/// The one PDB `o` (selector `sel`) that selects the pods: it must select no neighbour and allow `m` of
/// `replicas` down, through `maxUnavailable` or the matching `minAvailable`.
fn judge_one_pdb(
    o: &Object,
    sel: &LabelSelector,
    m: u32,
    replicas: u32,
    neighbours: &[&PodTemplate],
) -> (String, bool) {
    let spec = o.value.get("spec").cloned().unwrap_or(Value::Null);
    let hits = matching_owners(sel, neighbours);
    if !hits.is_empty() {
        return (format!("{} also selects {}", o.name, hits.join(", ")), false);
    }
    match (spec.get("maxUnavailable"), spec.get("minAvailable")) {
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
            let allows = text.parse::<u32>().is_ok_and(|n| n < replicas);
            (
                format!("{}: minAvailable {text}", o.name),
                allows && replicas - m == text.parse().unwrap_or(0),
            )
        }
        (None, None) => (format!("{}: neither maxUnavailable nor minAvailable", o.name), false),
    }
}

/// A Deployment created at runtime by the chart's deployer: what reaches the deployer's environment.
fn judge_runtime(intent: &Intent, objects: &[Object], how: &crate::describe::Routes) -> Vec<Check> {
    let k = intent.knowledge;
    let (owner, deployer_name) = k.runtime.map_or(("the chart", ""), |r| (r.owner, r.deployer));
    let deployer = objects
        .iter()
        .find(|o| o.kind == "Deployment" && o.namespace == intent.namespace && o.name == deployer_name);
    let env = |name: &str| deployer.and_then(|d| env_value(&d.value, name));
    let mut checks = Vec::new();
    if let Route::Runtime(r) = k.replicas {
        let got = env(r.env);
        checks.push(check(
            Setting::Replicas,
            intent.replicas.to_string(),
            match &got {
                Some(v) => format!("{}={v} on {deployer_name} (set at runtime by {owner})", r.env),
                None => format!("{} not set ({owner}'s default {})", r.env, r.default),
            },
            Some(got.as_deref() == Some(intent.replicas.to_string().as_str())),
            how.replicas,
        ));
    }
    if let Route::Runtime(r) = k.affinity {
        checks.push(runtime_anti_affinity_check(
            intent,
            r,
            env(r.env),
            owner,
            how.anti_affinity,
        ));
    }
    let not_controllable = match how.strategy {
        Via::NotControllable(why) => why,
        _ => "",
    };
    checks.push(check(
        Setting::Strategy,
        format!("{owner}'s own"),
        format!("not controllable: {not_controllable}"),
        None,
        how.strategy,
    ));
    checks.push(check(
        Setting::Pdb,
        "—".into(),
        format!("not controllable ({owner})"),
        None,
        how.pdb,
    ));
    checks
}

/// The value of environment variable `name` in any container of workload `d`.
fn env_value(d: &Value, name: &str) -> Option<String> {
    d.pointer("/spec/template/spec/containers")?
        .as_array()?
        .iter()
        .flat_map(|c| c.get("env").and_then(Value::as_array).into_iter().flatten())
        .find(|e| e.get("name").and_then(Value::as_str) == Some(name))
        .and_then(|e| int_or_percent(e.get("value")))
}

/// Anti-affinity of a runtime-created Deployment: the preset `preset` the deployer's environment carries (the
/// owner's default when unset) against the one the chart knowledge names for the asked mode.
fn runtime_anti_affinity_check(
    intent: &Intent,
    r: &RuntimeSetting,
    preset: Option<String>,
    owner: &str,
    by: Via,
) -> Check {
    let mode = anti_affinity_word(intent.effective_anti_affinity());
    // The chart knowledge names a preset for every mode (checked when it is loaded); without one nothing was
    // delivered, which is a failure, never the owner's default passing for it.
    let want = r.presets.iter().find(|(m, _)| *m == mode).map(|(_, p)| *p);
    let asked = want
        .and_then(|w| r.presets.iter().find(|(_, p)| *p == w))
        .map_or(mode, |(m, _)| *m);
    check(
        Setting::AntiAffinity,
        format!("{asked} (preset {})", want.unwrap_or("none in the chart knowledge")),
        match &preset {
            Some(v) => format!("{}={v} (set at runtime by {owner})", r.env),
            None => format!("preset not set ({owner}'s default {})", r.default),
        },
        Some(want.is_some_and(|w| preset.as_deref().unwrap_or(r.default) == w)),
        by,
    )
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
            let pods = |d: &Object| labels_of(d.value.pointer("/spec/template/metadata/labels"));
            let deployments: Vec<&Object> = objs
                .iter()
                .filter(|d| d.kind == "Deployment" && d.namespace == i.namespace)
                .collect();
            // A component whose Deployment is not rendered under its name is a ✗ of its own already: its PDB is
            // then found through the Deployments the component's selector picks, not reported a second time.
            let own: Vec<&Object> = match deployments.iter().find(|d| d.name == i.workload) {
                Some(d) => vec![*d],
                None => deployments
                    .into_iter()
                    .filter(|d| i.selector.matches(&pods(d)))
                    .collect(),
            };
            i.pdb.is_some() == wanted && i.namespace == pdb.namespace && own.iter().any(|d| sel.matches(&pods(d)))
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

/// Hand-built inputs for the judges' unit tests (here, in `audit` and in `plan`).
#[cfg(test)]
pub(crate) mod fixtures {
    use super::Object;
    use crate::catalog::{AntiAffinity, Strategy};
    use crate::charts::{ChartComponent, PdbRoute, Readiness, Route, RuntimeOwner, RuntimeSetting, StrategyRoute};
    use crate::k8s::LabelSelector;
    use crate::model::{Intent, Plan};
    use serde_json::Value;

    /// A chart component whose every setting is a values key.
    pub const WEB: ChartComponent = ChartComponent {
        id: "web",
        chart: "web",
        workload: "{release}",
        selector: &[("app", "web")],
        single_instance: None,
        caveat: None,
        readiness: Readiness {
            needs_lease: false,
            text: "an HTTP probe",
        },
        replicas: Route::Values("replicaCount"),
        affinity: Route::Values("affinity"),
        strategy: StrategyRoute::Object("strategy"),
        pdb: PdbRoute::Manifest,
        tolerations: Route::Values("tolerations"),
        autoscale: None,
        runtime: None,
        requires: &[],
    };

    /// The anti-affinity preset of [`RUNTIME`].
    static PRESET: RuntimeSetting = RuntimeSetting {
        key: "settings.antiAffinity",
        env: "AFFINITY",
        default: "soft",
        presets: &[("required", "hard"), ("preferred", "soft"), ("none", "off")],
        how: "",
    };
    /// The replica count of [`RUNTIME`].
    static COUNT: RuntimeSetting = RuntimeSetting {
        key: "settings.replicas",
        env: "REPLICAS",
        default: "3",
        presets: &[],
        how: "",
    };
    /// The manager that creates [`RUNTIME`].
    static OWNER: RuntimeOwner = RuntimeOwner {
        owner: "Manager",
        deployer: "manager",
        placement: "",
        rollout_serving: "0 of {replicas} (recreated)",
        rollout_why: "the manager deletes and recreates it",
    };

    /// A component the chart's manager (Deployment `manager`) creates at runtime: replicas and an anti-affinity
    /// preset travel through its environment (`REPLICAS`, `AFFINITY`: hard, soft, off), the rest it decides.
    pub static RUNTIME: ChartComponent = ChartComponent {
        replicas: Route::Runtime(&COUNT),
        affinity: Route::Runtime(&PRESET),
        strategy: StrategyRoute::NotControllable("the manager rolls it"),
        pdb: PdbRoute::NotControllable("the manager"),
        runtime: Some(&OWNER),
        ..WEB
    };

    /// Component `web` (Deployment `web`, pods `app=web`) in namespace `ns` at `replicas`, as resolve makes it:
    /// required anti-affinity, RollingUpdate from two replicas (PDB maxUnavailable 1), Recreate and 30s failover
    /// at one; nodes a, b and c eligible.
    pub fn intent(replicas: u32) -> Intent {
        Intent {
            release: "web".into(),
            namespace: "ns".into(),
            component: "web".into(),
            knowledge: &WEB,
            tier: 1,
            purpose: String::new(),
            impact: String::new(),
            replicas,
            anti_affinity: AntiAffinity::Required,
            strategy: if replicas > 1 {
                Strategy::RollingUpdate
            } else {
                Strategy::Recreate
            },
            revision_scoped: false,
            pdb: (replicas > 1).then_some(1),
            pdb_always_allow: false,
            failover_seconds: (replicas == 1).then_some(30),
            override_reason: None,
            workload: "web".into(),
            selector: LabelSelector::of([("app".to_string(), "web".to_string())]),
            eligible_nodes: vec!["a".into(), "b".into(), "c".into()],
            avoid: None,
            autoscale: None,
            acknowledged: vec![],
            beside: false,
        }
    }

    /// A cluster of `nodes` (no labels) whose silent nodes are marked unreachable after 50s.
    pub fn cluster(nodes: &[&str]) -> Plan {
        Plan {
            cluster: "c".into(),
            node_labels: indexmap::IndexMap::new(),
            delivery: Default::default(),
            alerts: Default::default(),
            nodes: nodes.iter().map(|n| n.to_string()).collect(),
            kubernetes_version: None,
            node_monitor_grace_seconds: 50,
            releases: vec![],
            k3s: None,
            warnings: vec![],
        }
    }

    /// An object of namespace `ns` (unless it names one).
    pub fn object(v: Value) -> Object {
        Object::new(v, "ns").expect("a kind and a name")
    }

    /// Labels from `k=v` pairs.
    pub fn labels(pairs: &[(&str, &str)]) -> indexmap::IndexMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::{RUNTIME, intent, labels, object};
    use super::*;
    use crate::catalog::Autoscale;
    use serde_json::json;

    /// A Deployment `web` whose pod template has `spec` (labels `app=web`).
    fn deployment(spec: Value) -> Value {
        json!({"kind": "Deployment", "metadata": {"name": "web", "namespace": "ns"},
               "spec": {"template": {"metadata": {"labels": {"app": "web"}}, "spec": spec}}})
    }

    #[test]
    fn requirements_above_one_replica_are_judged_on_the_render() {
        use crate::charts::file::{ArgCheck, EnvCheck, ValueCheck};
        let arg = |flag: &str, default: Option<&str>| {
            RequiredCheck::Arg(ArgCheck {
                flag: flag.into(),
                equals: "true".into(),
                default: default.map(String::from),
                container: None,
            })
        };
        let env = RequiredCheck::Env(EnvCheck {
            name: "LEADER".into(),
            equals: "on".into(),
            default: None,
            container: None,
        });
        let value = RequiredCheck::Value(ValueCheck {
            key: "controller.leaderElect".into(),
            equals: json!(true),
        });
        let pod =
            |args: Value, env: Value| deployment(json!({"containers": [{"name": "c", "args": args, "env": env}]}));
        let values = json!({"controller": {"leaderElect": false}});
        struct Case<'a> {
            name: &'static str,
            requirement: RequiredCheck,
            pod: Value,
            values: Option<&'a Value>,
            seen: &'static str,
            ok: Option<bool>,
        }
        let cases = [
            Case {
                name: "flag=true",
                requirement: arg("--leader-elect", None),
                pod: pod(json!(["--leader-elect=true"]), json!([])),
                values: None,
                seen: "--leader-elect=true",
                ok: Some(true),
            },
            Case {
                name: "flag=false",
                requirement: arg("--leader-elect", None),
                pod: pod(json!(["--leader-elect=false"]), json!([])),
                values: None,
                seen: "--leader-elect=false",
                ok: Some(false),
            },
            Case {
                name: "bare boolean flag",
                requirement: arg("--leader-elect", None),
                pod: pod(json!(["--leader-elect", "--v=2"]), json!([])),
                values: None,
                seen: "--leader-elect=true",
                ok: Some(true),
            },
            Case {
                name: "one dash, last wins",
                requirement: arg("--leader-elect", None),
                pod: pod(json!(["--leader-elect", "-leader-elect=false"]), json!([])),
                values: None,
                seen: "--leader-elect=false",
                ok: Some(false),
            },
            Case {
                name: "missing, no default",
                requirement: arg("--leader-elect", None),
                pod: pod(json!(["--v=2"]), json!([])),
                values: None,
                seen: "--leader-elect not given",
                ok: Some(false),
            },
            Case {
                name: "missing, default on",
                requirement: arg("--leader-elect", Some("true")),
                pod: pod(json!([]), json!([])),
                values: None,
                seen: "--leader-elect not given (defaults to true)",
                ok: Some(true),
            },
            Case {
                name: "a longer flag is another flag",
                requirement: arg("--leader-elect", None),
                pod: pod(json!(["--leader-elect-namespace=x"]), json!([])),
                values: None,
                seen: "--leader-elect not given",
                ok: Some(false),
            },
            Case {
                name: "env set",
                requirement: env.clone(),
                pod: pod(json!([]), json!([{"name": "LEADER", "value": "on"}])),
                values: None,
                seen: "LEADER=on",
                ok: Some(true),
            },
            Case {
                name: "env from a reference",
                requirement: env,
                pod: pod(json!([]), json!([{"name": "LEADER", "valueFrom": {}}])),
                values: None,
                seen: "LEADER is set from a reference (valueFrom), which a render does not show",
                ok: Some(false),
            },
            Case {
                name: "value off",
                requirement: value.clone(),
                pod: pod(json!([]), json!([])),
                values: Some(&values),
                seen: "controller.leaderElect = false",
                ok: Some(false),
            },
            Case {
                name: "value not seen",
                requirement: value,
                pod: pod(json!([]), json!([])),
                values: None,
                seen: "the release's values are not seen here",
                ok: None,
            },
        ];
        for row in cases {
            let (_, got, verdict) = judge_requirement(&row.requirement, Some(&row.pod), row.values);
            assert_eq!((got.as_str(), verdict), (row.seen, row.ok), "{}", row.name);
        }
        let (_, _, verdict) = judge_requirement(&RequiredCheck::Runtime("the owner".into()), None, None);
        assert_eq!(verdict, None, "held at runtime: shown, never failed");
    }

    fn neighbour(owner: &str, pairs: &[(&str, &str)]) -> PodTemplate {
        PodTemplate {
            owner: owner.into(),
            namespace: "ns".into(),
            labels: labels(pairs),
        }
    }

    #[test]
    fn strategy() {
        use Strategy::*;
        struct Case {
            name: &'static str,
            strategy: Value,
            asked: Strategy,
            found: &'static str,
            ok: bool,
        }
        let cases = [
            Case {
                name: "absent is the API's default",
                strategy: Value::Null,
                asked: RollingUpdate,
                found: "RollingUpdate (maxSurge 25%, maxUnavailable 25%)",
                ok: false,
            },
            Case {
                name: "maxSurge 0, maxUnavailable 1",
                strategy: json!({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}}),
                asked: RollingUpdate,
                found: "RollingUpdate (maxSurge 0, maxUnavailable 1)",
                ok: true,
            },
            Case {
                name: "maxSurge 0%",
                strategy: json!({"rollingUpdate": {"maxSurge": "0%", "maxUnavailable": 1}}),
                asked: RollingUpdate,
                found: "RollingUpdate (maxSurge 0%, maxUnavailable 1)",
                ok: true,
            },
            Case {
                name: "a surge",
                strategy: json!({"rollingUpdate": {"maxSurge": 1, "maxUnavailable": 1}}),
                asked: RollingUpdate,
                found: "RollingUpdate (maxSurge 1, maxUnavailable 1)",
                ok: false,
            },
            Case {
                name: "rolling where Recreate is asked",
                strategy: json!({"rollingUpdate": {"maxSurge": 0, "maxUnavailable": 1}}),
                asked: Recreate,
                found: "RollingUpdate (maxSurge 0, maxUnavailable 1)",
                ok: false,
            },
            Case {
                name: "Recreate",
                strategy: json!({"type": "Recreate"}),
                asked: Recreate,
                found: "Recreate",
                ok: true,
            },
            Case {
                name: "Recreate, rollingUpdate null",
                strategy: json!({"type": "Recreate", "rollingUpdate": null}),
                asked: Recreate,
                found: "Recreate",
                ok: true,
            },
            Case {
                name: "Recreate with rollingUpdate",
                strategy: json!({"type": "Recreate", "rollingUpdate": {}}),
                asked: Recreate,
                found: "Recreate with rollingUpdate (rejected by the API)",
                ok: false,
            },
            Case {
                name: "Recreate where rolling is asked",
                strategy: json!({"type": "Recreate"}),
                asked: RollingUpdate,
                found: "Recreate",
                ok: false,
            },
            Case {
                name: "unknown type",
                strategy: json!({"type": "BlueGreen"}),
                asked: RollingUpdate,
                found: "invalid type \"BlueGreen\"",
                ok: false,
            },
        ];
        for c in cases {
            assert_eq!(
                judge_strategy(&c.strategy, c.asked),
                (c.found.to_string(), c.ok),
                "{}",
                c.name
            );
        }
        // A strategy the platform sets (k3s's CoreDNS): a replica keeps serving, or not.
        struct Owned {
            name: &'static str,
            strategy: Value,
            replicas: u32,
            ok: bool,
        }
        let cases = [
            Owned {
                name: "k3s's",
                strategy: json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}}),
                replicas: 2,
                ok: true,
            },
            Owned {
                name: "all at once",
                strategy: json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 2}}),
                replicas: 2,
                ok: false,
            },
            Owned {
                name: "a percentage",
                strategy: json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%"}}),
                replicas: 2,
                ok: false,
            },
            Owned {
                name: "Recreate left by a script",
                strategy: json!({"type": "Recreate"}),
                replicas: 2,
                ok: false,
            },
        ];
        for c in cases {
            assert_eq!(judge_owned_strategy(&c.strategy, c.replicas).1, c.ok, "{}", c.name);
        }
    }

    #[test]
    fn anti_affinity() {
        let term = |sel: Value, key: &str| json!({"labelSelector": sel, "topologyKey": key});
        let required = |t: Value| json!({"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [t]}}});
        let preferred = |t: Value| json!({"affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "podAffinityTerm": t}]}}});
        let spread = |sel: Value, key: &str, skew: u32, when: &str| json!({"topologySpreadConstraints": [{"labelSelector": sel, "topologyKey": key, "maxSkew": skew, "whenUnsatisfiable": when}]});
        let own = json!({"matchLabels": {"app": "web"}});
        let db = neighbour("Deployment/db", &[("app", "db"), ("tier", "back")]);
        struct Case {
            name: &'static str,
            spec: Value,
            mode: AntiAffinity,
            found: &'static str,
            ok: Option<bool>,
        }
        let cases = [
            Case {
                name: "required as asked",
                spec: required(term(own.clone(), HOSTNAME)),
                mode: AntiAffinity::Required,
                found: "required on hostname, app=web (own pods only)",
                ok: Some(true),
            },
            Case {
                name: "preferred as asked",
                spec: preferred(term(own.clone(), HOSTNAME)),
                mode: AntiAffinity::Preferred,
                found: "preferred on hostname, app=web (own pods only)",
                ok: Some(true),
            },
            Case {
                name: "preferred where required is asked",
                spec: preferred(term(own.clone(), HOSTNAME)),
                mode: AntiAffinity::Required,
                found: "no required term on kubernetes.io/hostname",
                ok: Some(false),
            },
            Case {
                name: "another topology",
                spec: required(term(own.clone(), "topology.kubernetes.io/zone")),
                mode: AntiAffinity::Required,
                found: "no required term on kubernetes.io/hostname",
                ok: Some(false),
            },
            Case {
                name: "no selector",
                spec: required(json!({"topologyKey": HOSTNAME})),
                mode: AntiAffinity::Required,
                found: "a term without a label selector",
                ok: Some(false),
            },
            Case {
                name: "selects other pods",
                spec: required(term(json!({"matchLabels": {"app": "other"}}), HOSTNAME)),
                mode: AntiAffinity::Required,
                found: "selector app=other matches none of its own pods",
                ok: Some(false),
            },
            Case {
                name: "selects a neighbour too",
                spec: required(term(json!({}), HOSTNAME)),
                mode: AntiAffinity::Required,
                found: "selector  also matches Deployment/db",
                ok: Some(false),
            },
            Case {
                name: "a label the own pods lack",
                spec: required(term(
                    json!({"matchLabels": {"app": "web", "pod-template-hash": "abc"}}),
                    HOSTNAME,
                )),
                mode: AntiAffinity::Required,
                found: "selector app=web,pod-template-hash=abc matches none of its own pods",
                ok: Some(false),
            },
            Case {
                name: "a hard hostname spread where required is asked",
                spec: spread(own.clone(), HOSTNAME, 1, "DoNotSchedule"),
                mode: AntiAffinity::Required,
                found: "topology spread on hostname (maxSkew 1, DoNotSchedule), app=web (own pods only)",
                ok: Some(true),
            },
            Case {
                name: "a soft spread where required is asked",
                spec: spread(own.clone(), HOSTNAME, 1, "ScheduleAnyway"),
                mode: AntiAffinity::Required,
                found: "no required term on kubernetes.io/hostname",
                ok: Some(false),
            },
            Case {
                name: "a soft spread where preferred is asked",
                spec: spread(own.clone(), HOSTNAME, 1, "ScheduleAnyway"),
                mode: AntiAffinity::Preferred,
                found: "topology spread on hostname (maxSkew 1, ScheduleAnyway), app=web (own pods only)",
                ok: Some(true),
            },
            Case {
                name: "a spread on zones only",
                spec: spread(own.clone(), "topology.kubernetes.io/zone", 1, "DoNotSchedule"),
                mode: AntiAffinity::Required,
                found: "no required term on kubernetes.io/hostname",
                ok: Some(false),
            },
            Case {
                name: "a spread with maxSkew 2",
                spec: spread(own.clone(), HOSTNAME, 2, "DoNotSchedule"),
                mode: AntiAffinity::Required,
                found: "no required term on kubernetes.io/hostname",
                ok: Some(false),
            },
            Case {
                name: "a spread selecting a neighbour too",
                spec: spread(json!({}), HOSTNAME, 1, "DoNotSchedule"),
                mode: AntiAffinity::Required,
                found: "topology spread: selector  also matches Deployment/db",
                ok: Some(false),
            },
            Case {
                name: "a spread selecting no own pod",
                spec: spread(json!({"matchLabels": {"app": "other"}}), HOSTNAME, 1, "DoNotSchedule"),
                mode: AntiAffinity::Required,
                found: "topology spread: selector app=other matches none of its own pods",
                ok: Some(false),
            },
            Case {
                name: "none asked, none there",
                spec: json!({}),
                mode: AntiAffinity::None,
                found: "none",
                ok: None,
            },
            Case {
                name: "none asked, the chart's own",
                spec: required(term(own.clone(), HOSTNAME)),
                mode: AntiAffinity::None,
                found: "required (chart default)",
                ok: None,
            },
        ];
        for c in cases {
            let d = deployment(c.spec);
            assert_eq!(
                judge_anti_affinity(&d, c.mode, false, &labels(&[("app", "web")]), &[&db]),
                (c.found.to_string(), c.ok),
                "{}",
                c.name
            );
        }
        // A versioned label the own pods carry is still refused.
        let d = deployment(required(term(
            json!({"matchLabels": {"app": "web", "helm.sh/chart": "web-1.0"}}),
            HOSTNAME,
        )));
        let own_labels = labels(&[("app", "web"), ("helm.sh/chart", "web-1.0")]);
        assert_eq!(
            judge_anti_affinity(&d, AntiAffinity::Required, false, &own_labels, &[&db]),
            (
                "selector app=web,helm.sh/chart=web-1.0 uses versioned label helm.sh/chart".to_string(),
                Some(false)
            )
        );
    }

    #[test]
    fn revision_scoped_anti_affinity() {
        let keyed = |sel: Value| json!({"labelSelector": sel, "topologyKey": HOSTNAME, "matchLabelKeys": ["pod-template-hash"]});
        let required = |t: Value| json!({"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [t]}}});
        let own = json!({"matchLabels": {"app": "web"}});
        // What the API server makes of the template's term on a live Pod (KEP-3633): the pod's own revision merged.
        let merged = json!({"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "pod-template-hash", "operator": "In", "values": ["7d4b9c"]}]});
        let db = neighbour("Deployment/db", &[("app", "db")]);
        let scoped_ok = "required on hostname, app=web, matchLabelKeys pod-template-hash (own pods only)";
        struct Case {
            name: &'static str,
            term: Value,
            scoped: bool,
            found: String,
            ok: bool,
        }
        let cases = [
            Case { name: "the template's term", term: keyed(own.clone()), scoped: true, found: scoped_ok.to_string(), ok: true },
            Case { name: "a live pod's merged term", term: keyed(merged.clone()), scoped: true, found: "required on hostname, app=web, matchLabelKeys pod-template-hash (own pods only)".into(), ok: true },
            Case { name: "scoped but not asked (a 1.30 catalogue): fine", term: keyed(own.clone()), scoped: false, found: scoped_ok.into(), ok: true },
            Case { name: "the key missing", term: json!({"labelSelector": own, "topologyKey": HOSTNAME}), scoped: true, found: "required on hostname, app=web, without matchLabelKeys [pod-template-hash]: a surge rollout's new pod needs a node free of the old ones (fix: `hagen generate`, then upgrade the release with the new values)".into(), ok: false },
            Case { name: "a revision in the selector without matchLabelKeys", term: json!({"labelSelector": merged, "topologyKey": HOSTNAME}), scoped: true, found: "selector app=web,pod-template-hash In (7d4b9c) matches none of its own pods".into(), ok: false },
            Case { name: "a merged term that also selects a neighbour", term: keyed(json!({"matchExpressions": [{"key": "pod-template-hash", "operator": "In", "values": ["7d4b9c"]}]})), scoped: true, found: "selector  also matches Deployment/db".into(), ok: false },
        ];
        for c in cases {
            let d = deployment(required(c.term));
            assert_eq!(
                judge_anti_affinity(&d, AntiAffinity::Required, c.scoped, &labels(&[("app", "web")]), &[&db]),
                (c.found, Some(c.ok)),
                "{}",
                c.name
            );
        }
    }

    #[test]
    fn node_affinity() {
        let avoid = |strength| AvoidNodes {
            labels: labels(&[("role", "edge")]),
            strength,
        };
        let not_in =
            |values: Value| json!({"matchExpressions": [{"key": "role", "operator": "NotIn", "values": values}]});
        let required = |terms: Value| json!({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": terms}}}});
        let preferred = |weight: u32, pref: Value| json!({"affinity": {"nodeAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": weight, "preference": pref}]}}});
        struct Case {
            name: &'static str,
            spec: Value,
            strength: Strength,
            found: &'static str,
            ok: bool,
        }
        let cases = [
            Case {
                name: "required, one term",
                spec: required(json!([not_in(json!(["edge"]))])),
                strength: Strength::Required,
                found: "required: every node selector term excludes them",
                ok: true,
            },
            Case {
                name: "required, a term that admits them",
                spec: required(json!([not_in(json!(["edge"])), {"matchExpressions": []}])),
                strength: Strength::Required,
                found: "a required node selector term admits them",
                ok: false,
            },
            Case {
                name: "required, other values",
                spec: required(json!([not_in(json!(["core"]))])),
                strength: Strength::Required,
                found: "a required node selector term admits them",
                ok: false,
            },
            Case {
                name: "required, no terms",
                spec: required(json!([])),
                strength: Strength::Required,
                found: "a required node selector term admits them",
                ok: false,
            },
            Case {
                name: "required, nothing",
                spec: json!({}),
                strength: Strength::Required,
                found: "no required node affinity",
                ok: false,
            },
            Case {
                name: "required met by a preference",
                spec: preferred(100, not_in(json!(["edge"]))),
                strength: Strength::Required,
                found: "no required node affinity",
                ok: false,
            },
            Case {
                name: "preferred",
                spec: preferred(100, not_in(json!(["edge", "gpu"]))),
                strength: Strength::Preferred,
                found: "preferred: a weighted preference excludes them",
                ok: true,
            },
            Case {
                name: "preferred at weight 0",
                spec: preferred(0, not_in(json!(["edge"]))),
                strength: Strength::Preferred,
                found: "no preference excludes them",
                ok: false,
            },
            Case {
                name: "preferred, nothing",
                spec: json!({}),
                strength: Strength::Preferred,
                found: "no preference excludes them",
                ok: false,
            },
        ];
        for c in cases {
            assert_eq!(
                judge_node_affinity(&deployment(c.spec), &avoid(c.strength)),
                (c.found.to_string(), c.ok),
                "{}",
                c.name
            );
        }
    }

    #[test]
    fn pdb() {
        let pdb = |name: &str, sel: Value, spec: Value| {
            let mut s = spec;
            s["selector"] = sel;
            object(json!({"kind": "PodDisruptionBudget", "metadata": {"name": name}, "spec": s}))
        };
        let web = json!({"matchLabels": {"app": "web"}});
        let db = neighbour("Deployment/db", &[("app", "db")]);
        struct Case {
            name: &'static str,
            replicas: u32,
            objects: Vec<Object>,
            found: &'static str,
            ok: bool,
        }
        let cases = [
            Case {
                name: "maxUnavailable 1",
                replicas: 3,
                objects: vec![pdb("p", web.clone(), json!({"maxUnavailable": 1}))],
                found: "p: maxUnavailable 1",
                ok: true,
            },
            Case {
                name: "maxUnavailable 2",
                replicas: 3,
                objects: vec![pdb("p", web.clone(), json!({"maxUnavailable": 2}))],
                found: "p: maxUnavailable 2",
                ok: false,
            },
            Case {
                name: "maxUnavailable as a string",
                replicas: 3,
                objects: vec![pdb("p", web.clone(), json!({"maxUnavailable": "1"}))],
                found: "p: maxUnavailable 1",
                ok: true,
            },
            Case {
                name: "minAvailable that matches",
                replicas: 3,
                objects: vec![pdb("p", web.clone(), json!({"minAvailable": 2}))],
                found: "p: minAvailable 2",
                ok: true,
            },
            Case {
                name: "minAvailable all of them",
                replicas: 3,
                objects: vec![pdb("p", web.clone(), json!({"minAvailable": 3}))],
                found: "p: minAvailable 3",
                ok: false,
            },
            Case {
                name: "minAvailable as a percentage",
                replicas: 3,
                objects: vec![pdb("p", web.clone(), json!({"minAvailable": "50%"}))],
                found: "p: minAvailable 50%",
                ok: false,
            },
            Case {
                name: "both",
                replicas: 3,
                objects: vec![pdb("p", web.clone(), json!({"maxUnavailable": 1, "minAvailable": 2}))],
                found: "p: both maxUnavailable and minAvailable (invalid)",
                ok: false,
            },
            Case {
                name: "neither",
                replicas: 3,
                objects: vec![pdb("p", web.clone(), json!({}))],
                found: "p: neither maxUnavailable nor minAvailable",
                ok: false,
            },
            Case {
                name: "selects a neighbour",
                replicas: 3,
                objects: vec![pdb("p", json!({}), json!({"maxUnavailable": 1}))],
                found: "p also selects Deployment/db",
                ok: false,
            },
            Case {
                name: "none",
                replicas: 3,
                objects: vec![],
                found: "no PDB selects its pods",
                ok: false,
            },
            Case {
                name: "another namespace's",
                replicas: 3,
                objects: vec![object(
                    json!({"kind": "PodDisruptionBudget", "metadata": {"name": "p", "namespace": "other"}, "spec": {"selector": web.clone(), "maxUnavailable": 1}}),
                )],
                found: "no PDB selects its pods",
                ok: false,
            },
            Case {
                name: "two",
                replicas: 3,
                objects: vec![
                    pdb("p", web.clone(), json!({"maxUnavailable": 1})),
                    pdb("q", web.clone(), json!({"maxUnavailable": 1})),
                ],
                found: "2 PDBs select it: p, q",
                ok: false,
            },
            Case {
                name: "none at 1 replica",
                replicas: 1,
                objects: vec![],
                found: "none",
                ok: true,
            },
            Case {
                name: "one at 1 replica",
                replicas: 1,
                objects: vec![pdb("p", web.clone(), json!({"maxUnavailable": 1}))],
                found: "p selects it: blocks every drain at 1 replica",
                ok: false,
            },
        ];
        for c in cases {
            let i = intent(c.replicas);
            assert_eq!(
                judge_pdb(&c.objects, &i, &labels(&[("app", "web")]), &[&db]),
                (c.found.to_string(), c.ok),
                "{}",
                c.name
            );
        }
    }

    #[test]
    fn hpa() {
        let rendered = |replicas: Value| {
            let mut d = deployment(json!({}));
            d["spec"]["replicas"] = replicas;
            d
        };
        let live = |replicas: u64, managers: Value| {
            let mut d = rendered(json!(replicas));
            d["metadata"]["uid"] = json!("u");
            d["metadata"]["managedFields"] = managers;
            d
        };
        let helm = json!([{"manager": "helm", "fieldsV1": {"f:spec": {"f:replicas": {}}}}]);
        let scale = json!([{"manager": "kube-controller-manager", "subresource": "scale", "fieldsV1": {"f:spec": {"f:replicas": {}}}}]);
        let hpa = |min: u64, max: u64, status: Value| json!({"spec": {"minReplicas": min, "maxReplicas": max}, "status": status});
        struct Case {
            name: &'static str,
            deployment: Value,
            hpa: Value,
            found: &'static str,
            ok: bool,
        }
        let cases = [
            Case {
                name: "rendered, as asked",
                deployment: rendered(Value::Null),
                hpa: hpa(2, 3, json!(null)),
                found: "HPA h 2–3",
                ok: true,
            },
            Case {
                name: "other bounds",
                deployment: rendered(Value::Null),
                hpa: hpa(1, 3, json!(null)),
                found: "HPA h 1–3",
                ok: false,
            },
            Case {
                name: "above the eligible nodes",
                deployment: rendered(Value::Null),
                hpa: hpa(2, 4, json!(null)),
                found: "HPA h 2–4, max 4 above the 3 eligible nodes: pods beyond 3 stay Pending",
                ok: false,
            },
            Case {
                name: "rendered with replicas",
                deployment: rendered(json!(2)),
                hpa: hpa(2, 3, json!(null)),
                found: "HPA h 2–3, but the Deployment also fixes replicas 2",
                ok: false,
            },
            Case {
                name: "live, the HPA owns replicas",
                deployment: live(3, scale.clone()),
                hpa: hpa(2, 3, json!({"currentReplicas": 3})),
                found: "HPA h 2–3, now 3",
                ok: true,
            },
            Case {
                name: "live without managedFields",
                deployment: live(2, Value::Null),
                hpa: hpa(2, 3, json!({})),
                found: "HPA h 2–3",
                ok: true,
            },
            Case {
                name: "live, Helm owns replicas",
                deployment: live(2, helm),
                hpa: hpa(2, 3, json!({})),
                found: "HPA h 2–3, spec.replicas is owned by helm (managedFields), not the HPA: every upgrade resets its count",
                ok: false,
            },
            Case {
                name: "live, outside the range",
                deployment: live(5, scale.clone()),
                hpa: hpa(2, 3, json!({})),
                found: "HPA h 2–3, the Deployment runs 5, outside 2–3",
                ok: false,
            },
            Case {
                name: "live, cannot scale",
                deployment: live(2, scale),
                hpa: hpa(
                    2,
                    3,
                    json!({"conditions": [{"type": "ScalingActive", "status": "False", "reason": "FailedGetResourceMetric", "message": "no metrics"}, {"type": "ScalingLimited", "status": "False"}]}),
                ),
                found: "HPA h 2–3, ScalingActive=False (FailedGetResourceMetric: no metrics)",
                ok: false,
            },
        ];
        let a = Autoscale {
            min: 2,
            max: 3,
            cpu_utilization: 80,
        };
        let mut i = intent(2);
        i.autoscale = Some(a);
        for c in cases {
            assert_eq!(
                judge_hpa(&c.deployment, &c.hpa, "h", &i, a),
                (c.found.to_string(), c.ok),
                "{}",
                c.name
            );
        }
    }

    #[test]
    fn replicas() {
        let hpa = object(
            json!({"kind": "HorizontalPodAutoscaler", "metadata": {"name": "h"}, "spec": {"scaleTargetRef": {"name": "web"}, "minReplicas": 2, "maxReplicas": 3}}),
        );
        let autoscaled = |min| {
            let mut i = intent(min);
            i.autoscale = Some(Autoscale {
                min,
                max: 3,
                cpu_utilization: 80,
            });
            i
        };
        struct Case {
            name: &'static str,
            intent: Intent,
            replicas: Value,
            objects: Vec<Object>,
            asked: &'static str,
            found: &'static str,
            ok: bool,
        }
        let cases = [
            Case {
                name: "as asked",
                intent: intent(2),
                replicas: json!(2),
                objects: vec![],
                asked: "2",
                found: "2",
                ok: true,
            },
            Case {
                name: "other count",
                intent: intent(3),
                replicas: json!(2),
                objects: vec![],
                asked: "3",
                found: "2",
                ok: false,
            },
            Case {
                name: "absent is 1",
                intent: intent(1),
                replicas: Value::Null,
                objects: vec![],
                asked: "1",
                found: "1",
                ok: true,
            },
            Case {
                name: "autoscaled",
                intent: autoscaled(2),
                replicas: Value::Null,
                objects: vec![hpa.clone()],
                asked: "HPA 2–3",
                found: "HPA h 2–3",
                ok: true,
            },
            Case {
                name: "no HPA",
                intent: autoscaled(2),
                replicas: Value::Null,
                objects: vec![],
                asked: "HPA 2–3",
                found: "no HorizontalPodAutoscaler targets it",
                ok: false,
            },
        ];
        for row in cases {
            let mut d = deployment(json!({}));
            d["spec"]["replicas"] = row.replicas;
            let c = replicas_check(&row.intent, &row.objects, &object(d), Via::Values);
            assert_eq!(
                (c.asked.as_str(), c.found.as_str(), c.ok),
                (row.asked, row.found, Some(row.ok)),
                "{}",
                row.name
            );
        }
    }

    #[test]
    fn failover() {
        let toleration = |key: &str, secs: u32| json!({"key": key, "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": secs});
        struct Case {
            name: &'static str,
            tolerations: Value,
            found: &'static str,
            ok: bool,
        }
        let cases = [
            Case {
                name: "both",
                tolerations: json!([
                    toleration("node.kubernetes.io/not-ready", 30),
                    toleration("node.kubernetes.io/unreachable", 30)
                ]),
                found: "30s",
                ok: true,
            },
            Case {
                name: "one",
                tolerations: json!([toleration("node.kubernetes.io/unreachable", 30)]),
                found: "missing",
                ok: false,
            },
            Case {
                name: "other seconds",
                tolerations: json!([
                    toleration("node.kubernetes.io/not-ready", 300),
                    toleration("node.kubernetes.io/unreachable", 30)
                ]),
                found: "missing",
                ok: false,
            },
            Case {
                name: "none",
                tolerations: Value::Null,
                found: "missing",
                ok: false,
            },
        ];
        for row in cases {
            let d = deployment(json!({"tolerations": row.tolerations}));
            let c = failover_check(&intent(1), &d, Via::Values).expect("asked at one replica");
            assert_eq!(
                (c.found.as_str(), c.ok, c.delivered_by.as_str()),
                (row.found, Some(row.ok), "values"),
                "{}",
                row.name
            );
        }
        assert!(
            failover_check(&intent(2), &deployment(json!({})), Via::Values).is_none(),
            "not asked at two replicas"
        );
    }

    #[test]
    fn runtime_created_deployments() {
        let deployer = |env: Value| {
            object(json!({"kind": "Deployment", "metadata": {"name": "manager"},
                          "spec": {"template": {"spec": {"containers": [{"name": "m"}, {"name": "n", "env": env}]}}}}))
        };
        let set = json!([{"name": "REPLICAS", "value": "2"}, {"name": "AFFINITY", "value": "hard"}]);
        let untouched = [
            ("strategy", "not controllable: the manager rolls it", None),
            ("PDB", "not controllable (Manager)", None),
        ];
        struct Case {
            name: &'static str,
            replicas: u32,
            objects: Vec<Object>,
            want: [(&'static str, &'static str, Option<bool>); 2],
        }
        let cases = [
            Case {
                name: "delivered",
                replicas: 2,
                objects: vec![deployer(set.clone())],
                want: [
                    (
                        "replicas",
                        "REPLICAS=2 on manager (set at runtime by Manager)",
                        Some(true),
                    ),
                    ("anti-affinity", "AFFINITY=hard (set at runtime by Manager)", Some(true)),
                ],
            },
            Case {
                name: "other values",
                replicas: 3,
                objects: vec![deployer(
                    json!([{"name": "REPLICAS", "value": 2}, {"name": "AFFINITY", "value": "soft"}]),
                )],
                want: [
                    (
                        "replicas",
                        "REPLICAS=2 on manager (set at runtime by Manager)",
                        Some(false),
                    ),
                    (
                        "anti-affinity",
                        "AFFINITY=soft (set at runtime by Manager)",
                        Some(false),
                    ),
                ],
            },
            Case {
                name: "no deployer",
                replicas: 2,
                objects: vec![],
                want: [
                    ("replicas", "REPLICAS not set (Manager's default 3)", Some(false)),
                    ("anti-affinity", "preset not set (Manager's default soft)", Some(false)),
                ],
            },
            Case {
                name: "one replica: no anti-affinity",
                replicas: 1,
                objects: vec![deployer(
                    json!([{"name": "REPLICAS", "value": "1"}, {"name": "AFFINITY", "value": "off"}]),
                )],
                want: [
                    (
                        "replicas",
                        "REPLICAS=1 on manager (set at runtime by Manager)",
                        Some(true),
                    ),
                    ("anti-affinity", "AFFINITY=off (set at runtime by Manager)", Some(true)),
                ],
            },
        ];
        for c in cases {
            let mut i = intent(c.replicas);
            i.knowledge = &RUNTIME;
            let report = judge(&i, &c.objects, &[], None);
            let got: Vec<(&str, &str, Option<bool>)> = report
                .checks
                .iter()
                .map(|c| (c.setting.name(), c.found.as_str(), c.ok))
                .collect();
            let want: Vec<(&str, &str, Option<bool>)> = c.want.into_iter().chain(untouched).collect();
            assert_eq!(got, want, "{}", c.name);
        }
        let mut i = intent(1);
        i.knowledge = &RUNTIME;
        assert_eq!(judge(&i, &[], &[], None).checks[1].asked, "none (preset off)");
    }

    #[test]
    fn a_missing_workload_is_one_failure() {
        let other = object(json!({"kind": "Deployment", "metadata": {"name": "web-controller", "namespace": "ns"}}));
        struct Case {
            name: &'static str,
            objects: Vec<Object>,
            found: &'static str,
        }
        let cases = [
            Case {
                name: "nothing rendered",
                objects: vec![],
                found: "not found; no Deployment is rendered in ns",
            },
            Case {
                name: "another name",
                objects: vec![other],
                found: "not found; rendered in ns: Deployment web-controller",
            },
        ];
        for c in cases {
            let report = judge(&intent(2), &c.objects, &[], None);
            let got: Vec<(&str, &str, &str, Option<bool>)> = report
                .checks
                .iter()
                .map(|c| (c.setting.name(), c.asked.as_str(), c.found.as_str(), c.ok))
                .collect();
            assert_eq!(
                got,
                [("workload", "Deployment web in ns", c.found, Some(false))],
                "{}",
                c.name
            );
            assert_eq!(report.failed(), 1, "{}", c.name);
        }
    }

    #[test]
    fn judge_gives_one_verdict_per_setting() {
        let mut i = intent(1);
        i.avoid = Some(AvoidNodes {
            labels: labels(&[("role", "edge")]),
            strength: Strength::Preferred,
        });
        let d = object(deployment(json!({})));
        let report = judge(&i, &[d], &[], None);
        let got: Vec<(&str, &str, Option<bool>, &str)> = report
            .checks
            .iter()
            .map(|c| (c.setting.name(), c.asked.as_str(), c.ok, c.delivered_by.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("replicas", "1", Some(true), "values"),
                ("anti-affinity", "— (1 replica)", None, "—"),
                ("node-affinity", "preferred off role=edge", Some(false), "values"),
                ("strategy", "Recreate", Some(false), "values"),
                ("PDB", "none (1 replica)", Some(true), "none needed"),
                ("failover", "not-ready/unreachable tolerated 30s", Some(false), "values"),
            ]
        );
    }
}

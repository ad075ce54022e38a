//! The live checks audit adds to the shared judgement (`check::judge`): ready replicas, pods serving on Ready
//! nodes (with the scheduler's reason for a Pending one), one pod per node, room left to reschedule, PDBs that
//! allow no disruption; and the findings about nodes.

use super::NodeInfo;
use super::input::{Dump, Pod};
use crate::catalog::AntiAffinity;
use crate::check::{self, Check, ComponentVerdict};
use crate::describe::Setting;
use crate::k8s::LabelSelector;
use crate::k8s::PodTemplate;
use crate::model::{Intent, Plan};
use indexmap::IndexMap;
use serde_json::Value;

fn live(setting: Setting, asked: String, found: String, ok: bool) -> Check {
    Check {
        setting,
        asked,
        found,
        ok: Some(ok),
        delivered_by: "live".into(),
    }
}

/// One component's verdict with its pods.
pub struct Judged<'a> {
    pub report: ComponentVerdict,
    /// Node → its active pods there.
    pub per_node: IndexMap<String, usize>,
    pub pods: Vec<&'a Pod>,
}

/// The component's pods: in its namespace, selected by its Deployment's selector (the catalogue's for
/// components created at runtime), and owned by one of that Deployment's ReplicaSets when an owner is recorded.
fn pods_of<'a>(i: &Intent, dump: &'a Dump) -> Vec<&'a Pod> {
    let dep = dump
        .objects
        .iter()
        .find(|o| o.kind == "Deployment" && o.name == i.workload && o.namespace == i.namespace);
    let sel = match dep {
        Some(d) if i.knowledge.rendered_by_helm() => d
            .value
            .pointer("/spec/selector")
            .and_then(LabelSelector::from_json)
            .unwrap_or_else(|| i.selector.clone()),
        _ => i.selector.clone(),
    };
    let rs_prefix = format!("ReplicaSet/{}-", i.workload);
    dump.pods
        .iter()
        .filter(|p| p.namespace == i.namespace && sel.matches(&p.labels))
        .filter(|p| p.owner.as_ref().is_none_or(|o| o.starts_with(&rs_prefix)))
        .collect()
}

/// Judges one component: the shared checks, then what only live state shows.
pub fn component<'a>(
    i: &Intent,
    dump: &'a Dump,
    templates: &[PodTemplate],
    nodes: &IndexMap<String, NodeInfo>,
) -> Judged<'a> {
    let mut report = check::judge(i, &dump.objects, templates, None);
    let mine = pods_of(i, dump);
    let dep = dump
        .objects
        .iter()
        .find(|o| o.kind == "Deployment" && o.name == i.workload && o.namespace == i.namespace);
    report.checks.extend(dep.and_then(|d| ready_check(&d.value)));
    let mut per_node: IndexMap<String, usize> = nodes.keys().map(|n| (n.clone(), 0)).collect();
    if dump.pods.iter().any(|p| p.node.is_some()) {
        report.checks.push(pods_check(i, &mine, nodes));
        for p in mine.iter().filter(|p| p.active()) {
            if let Some(n) = &p.node {
                *per_node.entry(n.clone()).or_default() += 1;
            }
        }
        if dep.is_some() || !mine.is_empty() {
            report.checks.push(spread_check(&per_node));
        }
    }
    report.checks.extend(room_check(i, nodes));
    report.checks.extend(revision_check(i, &mine));
    report.checks.extend(disruption_checks(i, dump, &mine));
    Judged {
        report,
        per_node,
        pods: mine,
    }
}

/// Ready replicas, when the Deployment `d` carries a status: as many ready as it asks for.
fn ready_check(d: &Value) -> Option<Check> {
    d.get("status")?;
    let want = d.pointer("/spec/replicas").and_then(Value::as_u64).unwrap_or(1);
    let ready = d.pointer("/status/readyReplicas").and_then(Value::as_u64).unwrap_or(0);
    Some(live(
        Setting::Ready,
        format!("{want} ready"),
        format!("{ready} ready"),
        ready >= want,
    ))
}

/// Pods that serve: active, Ready, on a node that is up; at least the (minimum) replicas, and none Pending.
fn pods_check(i: &Intent, mine: &[&Pod], nodes: &IndexMap<String, NodeInfo>) -> Check {
    let want = i.autoscale.map_or(i.replicas, |a| a.min);
    let mut serving = 0;
    let mut problems = Vec::new();
    for p in mine {
        match pod_problem(p, nodes) {
            Some(problem) => problems.push(problem),
            None if p.phase == "Succeeded" || p.phase == "Failed" => {}
            None => serving += 1,
        }
    }
    let ok = serving >= want && !mine.iter().any(|p| p.active() && p.node.is_none());
    let mut found = format!("{serving} serving");
    if !problems.is_empty() {
        found.push_str(&format!(" ({})", problems.join("; ")));
    }
    live(Setting::Pods, format!("{want} serving on Ready nodes"), found, ok)
}

/// Why pod `p` does not serve (Pending, terminating, on a node that is down, not Ready); `None` when it serves
/// or has finished.
fn pod_problem(p: &Pod, nodes: &IndexMap<String, NodeInfo>) -> Option<String> {
    let node = p.node.as_deref();
    let up = node.is_some_and(|n| nodes.get(n).is_none_or(NodeInfo::up));
    match node {
        _ if p.phase == "Succeeded" || p.phase == "Failed" => None,
        None => Some(match &p.unschedulable {
            Some(why) if !why.is_empty() => format!("{} Pending: {why}", p.name),
            _ => format!("{} Pending, not scheduled", p.name),
        }),
        Some(n) if p.terminating => Some(format!("{} terminating on {n}", p.name)),
        Some(n) if !up => Some(format!("{} on {n} (node {})", p.name, nodes[n].state())),
        Some(n) if !p.ready => Some(format!("{} on {n} not Ready", p.name)),
        Some(_) => None,
    }
}

/// One pod per node: the nodes that run two or more of the component's active pods.
fn spread_check(per_node: &IndexMap<String, usize>) -> Check {
    let doubled: Vec<String> = per_node
        .iter()
        .filter(|(_, c)| **c > 1)
        .map(|(n, c)| format!("{c} on {n}"))
        .collect();
    let found = if doubled.is_empty() {
        format!(
            "{} pods on {} distinct nodes",
            per_node.values().sum::<usize>(),
            per_node.values().filter(|c| **c > 0).count()
        )
    } else {
        doubled.join(", ")
    };
    live(Setting::Spread, "one pod per node".into(), found, doubled.is_empty())
}

/// Room to reschedule: with required anti-affinity, each replica needs its own schedulable eligible node, and
/// the catalogue's spare node is what a node failure is survived with. A check only when there is too little.
/// For a revision-scoped component: its live pods carry the scoped term (the API server shows it merged, as
/// `pod-template-hash In (…)`). A pod created before the switch still repels every new pod, so the next surge
/// rollout needs a node free of it.
fn revision_check(i: &Intent, mine: &[&Pod]) -> Option<Check> {
    if !i.revision_scoped {
        return None;
    }
    let active: Vec<&&Pod> = mine.iter().filter(|p| p.active()).collect();
    if active.is_empty() {
        return None;
    }
    let old: Vec<&str> = active
        .iter()
        .filter(|p| p.revision_keyed != Some(true))
        .map(|p| p.name.as_str())
        .collect();
    let found = if old.is_empty() {
        format!("{} of {} pods scoped to their revision", active.len(), active.len())
    } else {
        format!(
            "{} without matchLabelKeys [pod-template-hash] (from before the switch): each repels every new pod, so a surge rollout needs a node free of them; fix: upgrade the release with out/ (its first rollout replaces them), or `kubectl -n {} rollout restart deployment/{}`",
            old.join(", "),
            i.namespace,
            i.workload
        )
    };
    Some(live(
        Setting::AntiAffinity,
        "live pods scoped to their revision".into(),
        found,
        old.is_empty(),
    ))
}

fn room_check(i: &Intent, nodes: &IndexMap<String, NodeInfo>) -> Option<Check> {
    let replicas = i.autoscale.map_or(i.replicas, |a| a.min) as usize;
    let known = nodes.values().any(|n| n.ready.is_some());
    if !known || replicas < 2 || i.effective_anti_affinity() != AntiAffinity::Required {
        return None;
    }
    let eligible: Vec<&String> = i.eligible_nodes.iter().filter(|n| nodes.contains_key(*n)).collect();
    let schedulable = eligible.iter().filter(|n| nodes[n.as_str()].schedulable()).count();
    let spare_planned = eligible.len() > replicas;
    if schedulable > replicas || (schedulable == replicas && !spare_planned) {
        return None;
    }
    let why: Vec<String> = eligible
        .iter()
        .filter(|n| !nodes[n.as_str()].schedulable())
        .map(|n| format!("{n} {}", nodes[n.as_str()].state()))
        .collect();
    let found = if schedulable < replicas {
        format!(
            "{schedulable} schedulable ({}): {} replica(s) cannot be placed",
            why.join(", "),
            replicas - schedulable
        )
    } else {
        format!(
            "{schedulable} schedulable ({}): none spare, one more node failure leaves it reduced",
            why.join(", ")
        )
    };
    let asked = if spare_planned {
        format!("a spare node ({replicas} replicas, {} eligible nodes)", eligible.len())
    } else {
        format!("{replicas} schedulable eligible nodes")
    };
    Some(live(Setting::Room, asked, found, false))
}

/// The PDBs of the namespace that select the component's pods and report their status: a PDB that allows no
/// disruption blocks every drain.
fn disruption_checks(i: &Intent, dump: &Dump, mine: &[&Pod]) -> Vec<Check> {
    let mut seen = std::collections::HashSet::new();
    let mut checks = Vec::new();
    for pdb in dump
        .objects
        .iter()
        .filter(|o| o.kind == "PodDisruptionBudget" && o.namespace == i.namespace)
    {
        let Some(sel) = pdb.value.pointer("/spec/selector").and_then(LabelSelector::from_json) else {
            continue;
        };
        let Some(allowed) = pdb.value.pointer("/status/disruptionsAllowed").and_then(Value::as_u64) else {
            continue;
        };
        if mine.iter().any(|p| sel.matches(&p.labels)) && seen.insert(&pdb.name) {
            checks.push(live(
                Setting::Disruptions,
                "≥ 1 allowed".into(),
                format!("{}: {allowed} allowed", pdb.name),
                allowed >= 1,
            ));
        }
    }
    checks
}

/// Nodes that are down or cordoned, and catalogue nodes missing from the dump.
pub fn node_findings(plan: &Plan, dump: &Dump, nodes: &IndexMap<String, NodeInfo>, intents: &[&Intent]) -> Vec<String> {
    let mut out = Vec::new();
    for n in &dump.nodes {
        let info = &nodes[&n.name];
        let bound: Vec<&Pod> = dump
            .pods
            .iter()
            .filter(|p| p.node.as_deref() == Some(n.name.as_str()))
            .collect();
        if !info.up() {
            let terminating = bound.iter().filter(|p| p.terminating).count();
            out.push(format!(
                "node {} is {} (Ready={}{}): {} pod(s) still bound to it{}",
                n.name,
                info.state(),
                n.ready.as_deref().unwrap_or("missing"),
                if n.message.is_empty() {
                    String::new()
                } else {
                    format!(": {}", n.message)
                },
                bound.iter().filter(|p| p.active()).count(),
                if terminating > 0 {
                    format!(", {terminating} terminating")
                } else {
                    String::new()
                }
            ));
        } else if info.cordoned {
            let affected: Vec<String> = intents
                .iter()
                .filter(|i| i.effective_anti_affinity() == AntiAffinity::Required && i.eligible_nodes.contains(&n.name))
                .map(|i| i.label())
                .collect();
            out.push(format!(
                "node {} is cordoned (spec.unschedulable): nothing new is scheduled there{}; `kubectl uncordon {}` when the maintenance is over",
                n.name,
                if affected.is_empty() {
                    String::new()
                } else {
                    format!(", so {} have one node less to reschedule onto", affected.join(", "))
                },
                n.name
            ));
        }
    }
    if !dump.nodes.is_empty() {
        for n in plan.nodes.iter().filter(|n| !nodes.contains_key(*n)) {
            out.push(format!("node {n} of the catalogue is not in the dump (no Node object)"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::fixtures::pod;
    use crate::check::fixtures::{intent, object};
    use serde_json::json;

    fn node(ready: Option<&str>, cordoned: bool) -> NodeInfo {
        NodeInfo {
            ready: ready.map(String::from),
            cordoned,
            pods: 0,
        }
    }

    /// Nodes a, b, c: Ready and schedulable except as `states` says (`NotReady`, `Unknown`, `cordoned`).
    fn nodes(states: &[(&str, &str)]) -> IndexMap<String, NodeInfo> {
        ["a", "b", "c"]
            .into_iter()
            .map(|n| {
                let info = match states.iter().find(|(m, _)| *m == n).map(|(_, s)| *s) {
                    Some("NotReady") => node(Some("False"), false),
                    Some("Unknown") => node(Some("Unknown"), false),
                    Some("cordoned") => node(Some("True"), true),
                    _ => node(Some("True"), false),
                };
                (n.to_string(), info)
            })
            .collect()
    }

    #[test]
    fn pod_problems() {
        let with = |f: fn(&mut Pod)| {
            let mut p = pod("p", Some("a"));
            f(&mut p);
            p
        };
        struct Case {
            name: &'static str,
            pod: Pod,
            want: Option<&'static str>,
        }
        let cases = [
            Case {
                name: "serving",
                pod: pod("p", Some("a")),
                want: None,
            },
            Case {
                name: "finished",
                pod: with(|p| p.phase = "Succeeded".into()),
                want: None,
            },
            Case {
                name: "unscheduled",
                pod: with(|p| p.node = None),
                want: Some("p Pending, not scheduled"),
            },
            Case {
                name: "Pending with a reason",
                pod: with(|p| {
                    p.node = None;
                    p.unschedulable = Some("0/3 nodes are available".into());
                }),
                want: Some("p Pending: 0/3 nodes are available"),
            },
            Case {
                name: "terminating",
                pod: with(|p| p.terminating = true),
                want: Some("p terminating on a"),
            },
            Case {
                name: "on a node down",
                pod: with(|p| p.node = Some("b".into())),
                want: Some("p on b (node NotReady)"),
            },
            Case {
                name: "not Ready",
                pod: with(|p| p.ready = false),
                want: Some("p on a not Ready"),
            },
            Case {
                name: "on a node the dump lacks",
                pod: with(|p| p.node = Some("z".into())),
                want: None,
            },
        ];
        let nodes = nodes(&[("b", "NotReady")]);
        for row in cases {
            assert_eq!(pod_problem(&row.pod, &nodes).as_deref(), row.want, "{}", row.name);
        }
    }

    #[test]
    fn pods_serving() {
        let pending = {
            let mut p = pod("p3", None);
            p.unschedulable = Some(String::new());
            p
        };
        let finished = {
            let mut p = pod("p4", Some("c"));
            p.phase = "Succeeded".into();
            p
        };
        struct Case {
            name: &'static str,
            replicas: u32,
            pods: Vec<Pod>,
            found: &'static str,
            ok: bool,
        }
        let cases = [
            Case {
                name: "all serving",
                replicas: 2,
                pods: vec![pod("p1", Some("a")), pod("p2", Some("b"))],
                found: "2 serving",
                ok: true,
            },
            Case {
                name: "one short",
                replicas: 3,
                pods: vec![pod("p1", Some("a")), pod("p2", Some("b"))],
                found: "2 serving",
                ok: false,
            },
            Case {
                name: "enough, but one Pending",
                replicas: 2,
                pods: vec![pod("p1", Some("a")), pod("p2", Some("b")), pending],
                found: "2 serving (p3 Pending, not scheduled)",
                ok: false,
            },
            Case {
                name: "a finished pod does not count",
                replicas: 2,
                pods: vec![pod("p1", Some("a")), finished],
                found: "1 serving",
                ok: false,
            },
            Case {
                name: "one on a node down",
                replicas: 2,
                pods: vec![pod("p1", Some("a")), pod("p2", Some("c"))],
                found: "1 serving (p2 on c (node Unknown))",
                ok: false,
            },
        ];
        let nodes = nodes(&[("c", "Unknown")]);
        for row in cases {
            let mine: Vec<&Pod> = row.pods.iter().collect();
            let c = pods_check(&intent(row.replicas), &mine, &nodes);
            assert_eq!(
                (c.asked, c.found, c.ok),
                (
                    format!("{} serving on Ready nodes", row.replicas),
                    row.found.to_string(),
                    Some(row.ok)
                ),
                "{}",
                row.name
            );
        }
    }

    #[test]
    fn spread() {
        struct Case {
            name: &'static str,
            per_node: Vec<(&'static str, usize)>,
            found: &'static str,
            ok: bool,
        }
        let cases = [
            Case {
                name: "one each",
                per_node: vec![("a", 1), ("b", 1), ("c", 0)],
                found: "2 pods on 2 distinct nodes",
                ok: true,
            },
            Case {
                name: "two on one",
                per_node: vec![("a", 2), ("b", 1), ("c", 3)],
                found: "2 on a, 3 on c",
                ok: false,
            },
            Case {
                name: "none",
                per_node: vec![("a", 0)],
                found: "0 pods on 0 distinct nodes",
                ok: true,
            },
        ];
        for row in cases {
            let per_node: IndexMap<String, usize> = row.per_node.into_iter().map(|(n, c)| (n.to_string(), c)).collect();
            let c = spread_check(&per_node);
            assert_eq!((c.found.as_str(), c.ok), (row.found, Some(row.ok)), "{}", row.name);
        }
    }

    #[test]
    fn room_to_reschedule() {
        struct Case {
            name: &'static str,
            replicas: u32,
            states: Vec<(&'static str, &'static str)>,
            want: Option<(&'static str, &'static str)>,
        }
        let cases = [
            Case {
                name: "a spare node",
                replicas: 2,
                states: vec![],
                want: None,
            },
            Case {
                name: "no spare planned, all there",
                replicas: 3,
                states: vec![],
                want: None,
            },
            Case {
                name: "the spare is down",
                replicas: 2,
                states: vec![("c", "NotReady")],
                want: Some((
                    "a spare node (2 replicas, 3 eligible nodes)",
                    "2 schedulable (c NotReady): none spare, one more node failure leaves it reduced",
                )),
            },
            Case {
                name: "too few",
                replicas: 3,
                states: vec![("a", "cordoned")],
                want: Some((
                    "3 schedulable eligible nodes",
                    "2 schedulable (a cordoned): 1 replica(s) cannot be placed",
                )),
            },
            Case {
                name: "one replica needs no room",
                replicas: 1,
                states: vec![("a", "NotReady"), ("b", "NotReady")],
                want: None,
            },
        ];
        for row in cases {
            let got = room_check(&intent(row.replicas), &nodes(&row.states));
            let got = got.as_ref().map(|c| (c.asked.as_str(), c.found.as_str()));
            assert_eq!(got, row.want, "{}", row.name);
        }
        let mut preferred = intent(3);
        preferred.anti_affinity = AntiAffinity::Preferred;
        assert!(
            room_check(&preferred, &nodes(&[("a", "cordoned")])).is_none(),
            "preferred"
        );
        let unknown: IndexMap<String, NodeInfo> = [("a".to_string(), node(None, false))].into();
        assert!(room_check(&intent(3), &unknown).is_none(), "node states unknown");
    }

    #[test]
    fn ready_replicas() {
        struct Case {
            name: &'static str,
            deployment: Value,
            want: Option<(&'static str, bool)>,
        }
        let cases = [
            Case {
                name: "rendered: no status",
                deployment: json!({"spec": {"replicas": 2}}),
                want: None,
            },
            Case {
                name: "all ready",
                deployment: json!({"spec": {"replicas": 2}, "status": {"readyReplicas": 2}}),
                want: Some(("2 ready", true)),
            },
            Case {
                name: "one short",
                deployment: json!({"spec": {"replicas": 2}, "status": {"readyReplicas": 1}}),
                want: Some(("1 ready", false)),
            },
            Case {
                name: "none ready, no count",
                deployment: json!({"status": {}}),
                want: Some(("0 ready", false)),
            },
        ];
        for row in cases {
            let got = ready_check(&row.deployment);
            assert_eq!(
                got.as_ref().map(|c| (c.found.as_str(), c.ok == Some(true))),
                row.want,
                "{}",
                row.name
            );
        }
    }

    #[test]
    fn disruptions() {
        let pdb = |name: &str, ns: &str, sel: Value, status: Value| {
            object(
                json!({"kind": "PodDisruptionBudget", "metadata": {"name": name, "namespace": ns},
                          "spec": {"selector": sel}, "status": status}),
            )
        };
        let web = json!({"matchLabels": {"app": "web"}});
        let dump = Dump {
            objects: vec![
                pdb("allows", "ns", web.clone(), json!({"disruptionsAllowed": 1})),
                pdb("blocks", "ns", web.clone(), json!({"disruptionsAllowed": 0})),
                pdb("rendered", "ns", web.clone(), json!({})),
                pdb("elsewhere", "other", web.clone(), json!({"disruptionsAllowed": 0})),
                pdb(
                    "others",
                    "ns",
                    json!({"matchLabels": {"app": "db"}}),
                    json!({"disruptionsAllowed": 0}),
                ),
            ],
            ..Dump::default()
        };
        let p = pod("p", Some("a"));
        let got: Vec<(String, Option<bool>)> = disruption_checks(&intent(2), &dump, &[&p])
            .into_iter()
            .map(|c| (c.found, c.ok))
            .collect();
        assert_eq!(
            got,
            [
                ("allows: 1 allowed".to_string(), Some(true)),
                ("blocks: 0 allowed".to_string(), Some(false)),
            ]
        );
        assert!(
            disruption_checks(&intent(2), &dump, &[]).is_empty(),
            "no pods: nothing to block"
        );
    }

    #[test]
    fn pods_of_the_component() {
        let mut other_owner = pod("x", Some("a"));
        other_owner.owner = Some("ReplicaSet/webhook-abc".into());
        let mut other_ns = pod("y", Some("a"));
        other_ns.namespace = "other".into();
        let mut unowned = pod("z", Some("b"));
        unowned.owner = None;
        let dump = Dump {
            pods: vec![pod("p", Some("a")), other_owner, other_ns, unowned],
            ..Dump::default()
        };
        let names: Vec<&str> = pods_of(&intent(2), &dump).iter().map(|p| p.name.as_str()).collect();
        assert_eq!(names, ["p", "z"]);
    }

    #[test]
    fn live_pods_with_the_merged_revision_term() {
        // A live Pod as the API server shows it: matchLabelKeys kept, its revision merged into the selector.
        let merged = json!({"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{
            "labelSelector": {"matchLabels": {"app": "web"}, "matchExpressions": [{"key": "pod-template-hash", "operator": "In", "values": ["7d4b9c"]}]},
            "matchLabelKeys": ["pod-template-hash"],
            "topologyKey": "kubernetes.io/hostname"
        }]}}});
        let unscoped = json!({"affinity": {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{
            "labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "kubernetes.io/hostname"
        }]}}});
        assert_eq!(crate::check::revision_keyed_terms(&merged), Some(true));
        assert_eq!(crate::check::revision_keyed_terms(&unscoped), Some(false));
        assert_eq!(crate::check::revision_keyed_terms(&json!({})), None);
        let scoped = Intent {
            revision_scoped: true,
            ..intent(2)
        };
        let keyed = |name: &str, k: Option<bool>| Pod {
            revision_keyed: k,
            ..pod(name, Some("a"))
        };
        let (new, old) = (keyed("w1", Some(true)), keyed("w2", Some(false)));
        struct Case<'a> {
            name: &'static str,
            intent: &'a Intent,
            pods: Vec<&'a Pod>,
            /// The start of what is found, and whether it is ok.
            want: Option<(&'static str, bool)>,
        }
        let not_asked = intent(2);
        let cases = [
            Case {
                name: "all scoped",
                intent: &scoped,
                pods: vec![&new, &new],
                want: Some(("2 of 2 pods scoped to their revision", true)),
            },
            Case {
                name: "one from before the switch",
                intent: &scoped,
                pods: vec![&new, &old],
                want: Some(("w2 without matchLabelKeys", false)),
            },
            Case {
                name: "not asked (before 1.31)",
                intent: &not_asked,
                pods: vec![&old],
                want: None,
            },
        ];
        for row in cases {
            let name = row.name;
            let got = revision_check(row.intent, &row.pods);
            match (got, row.want) {
                (Some(c), Some((found, ok))) => {
                    assert!(c.found.starts_with(found), "{name}: {}", c.found);
                    assert_eq!(c.ok, Some(ok), "{name}");
                    if !ok {
                        assert!(c.found.contains("rollout restart deployment/web"), "{name}: a fix");
                    }
                }
                (None, None) => {}
                (got, _) => panic!("{name}: {got:?}"),
            }
        }
    }
}

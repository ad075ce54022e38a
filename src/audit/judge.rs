//! The live checks audit adds to the shared judgement (`check::judge`): ready replicas, pods serving on Ready
//! nodes (with the scheduler's reason for a Pending one), one pod per node, room left to reschedule, PDBs that
//! allow no disruption; and the findings about nodes.

use super::NodeInfo;
use super::input::{Dump, Pod};
use crate::catalog::AntiAffinity;
use crate::check::{self, Check, PodTemplate, Report};
use crate::intent::{Intent, Plan};
use crate::k8s::LabelSelector;
use indexmap::IndexMap;
use serde_json::Value;

fn live(setting: &'static str, asked: String, found: String, ok: bool) -> Check {
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
    pub report: Report,
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
    let mut report = check::judge(i, &dump.objects, templates);
    let mine = pods_of(i, dump);
    let dep = dump
        .objects
        .iter()
        .find(|o| o.kind == "Deployment" && o.name == i.workload && o.namespace == i.namespace);
    if let Some(d) = dep.filter(|d| d.value.get("status").is_some()) {
        let want = d.value.pointer("/spec/replicas").and_then(Value::as_u64).unwrap_or(1);
        let ready = d
            .value
            .pointer("/status/readyReplicas")
            .and_then(Value::as_u64)
            .unwrap_or(0);
        report.checks.push(live(
            "ready",
            format!("{want} ready"),
            format!("{ready} ready"),
            ready >= want,
        ));
    }
    let mut per_node: IndexMap<String, usize> = nodes.keys().map(|n| (n.clone(), 0)).collect();
    let has_pods = dump.pods.iter().any(|p| p.node.is_some());
    if has_pods {
        // Pods that serve: active, Ready, on a node that is up.
        let want = i.autoscale.map_or(i.replicas, |a| a.min);
        let mut serving = 0;
        let mut problems = Vec::new();
        for p in &mine {
            let node = p.node.as_deref();
            let up = node.is_some_and(|n| nodes.get(n).is_none_or(NodeInfo::up));
            match node {
                _ if p.phase == "Succeeded" || p.phase == "Failed" => {}
                None => problems.push(match &p.unschedulable {
                    Some(why) if !why.is_empty() => format!("{} Pending: {why}", p.name),
                    _ => format!("{} Pending, not scheduled", p.name),
                }),
                Some(n) if p.terminating => problems.push(format!("{} terminating on {n}", p.name)),
                Some(n) if !up => {
                    problems.push(format!("{} on {n} (node {})", p.name, nodes[n].state()));
                }
                Some(n) if !p.ready => problems.push(format!("{} on {n} not Ready", p.name)),
                Some(_) => serving += 1,
            }
        }
        let ok = serving >= want && !mine.iter().any(|p| p.active() && p.node.is_none());
        let mut found = format!("{serving} serving");
        if !problems.is_empty() {
            found.push_str(&format!(" ({})", problems.join("; ")));
        }
        report
            .checks
            .push(live("pods", format!("{want} serving on Ready nodes"), found, ok));

        for p in mine.iter().filter(|p| p.active()) {
            if let Some(n) = &p.node {
                *per_node.entry(n.clone()).or_default() += 1;
            }
        }
        if dep.is_some() || !mine.is_empty() {
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
            report
                .checks
                .push(live("spread", "one pod per node".into(), found, doubled.is_empty()));
        }
    }
    // Room to reschedule: with required anti-affinity, each replica needs its own schedulable eligible node, and
    // the catalogue's spare node is what a node failure is survived with.
    let replicas = i.autoscale.map_or(i.replicas, |a| a.min) as usize;
    let known = nodes.values().any(|n| n.ready.is_some());
    if known && replicas >= 2 && i.effective_anti_affinity() == AntiAffinity::Required {
        let eligible: Vec<&String> = i.eligible_nodes.iter().filter(|n| nodes.contains_key(*n)).collect();
        let schedulable = eligible.iter().filter(|n| nodes[n.as_str()].schedulable()).count();
        let spare_planned = eligible.len() > replicas;
        if schedulable < replicas || (spare_planned && schedulable == replicas) {
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
            report.checks.push(live("room", asked, found, false));
        }
    }
    // A PDB that allows no disruption blocks every drain.
    let mut seen = std::collections::HashSet::new();
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
            report.checks.push(live(
                "disruptions",
                "≥ 1 allowed".into(),
                format!("{}: {allowed} allowed", pdb.name),
                allowed >= 1,
            ));
        }
    }
    Judged {
        report,
        per_node,
        pods: mine,
    }
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

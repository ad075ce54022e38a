//! `hagen audit`: the same HA judgement as `verify`, on live state (`kubectl get … -o json|yaml`) or a rendered
//! stream, plus what only a live cluster shows: ready replicas, where pods run, PDBs that block drains, and the
//! pod to delete to rebalance.

use crate::check::{self, Check, Object, Report};
use crate::intent::{Intent, Plan};
use crate::k8s::{LabelSelector, labels_of};
use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;

/// Everything `audit` found.
#[derive(Debug, Serialize)]
pub struct AuditReport {
    pub components: Vec<Report>,
    /// Node → ready (`None` when the dump has no Node objects) and pods running there (all namespaces).
    pub nodes: IndexMap<String, NodeInfo>,
    /// Component → node → pods of it there.
    pub grid: IndexMap<String, IndexMap<String, usize>>,
    /// Exact commands that rebalance pods.
    pub suggestions: Vec<String>,
    /// Other findings (uneven placement).
    pub findings: Vec<String>,
}

#[derive(Debug, Serialize, Clone)]
pub struct NodeInfo {
    pub ready: Option<bool>,
    pub pods: usize,
}

impl AuditReport {
    pub fn failures(&self) -> usize {
        self.components.iter().map(Report::failed).sum::<usize>() + self.findings.len()
    }
}

struct Pod<'a> {
    name: &'a str,
    namespace: &'a str,
    node: &'a str,
    labels: IndexMap<String, String>,
    created: &'a str,
}

fn pods(objects: &[Object]) -> Vec<Pod<'_>> {
    objects
        .iter()
        .filter(|o| o.kind == "Pod")
        .filter(|o| {
            o.value
                .pointer("/status/phase")
                .and_then(Value::as_str)
                .is_none_or(|p| p != "Succeeded" && p != "Failed")
        })
        .map(|o| Pod {
            name: &o.name,
            namespace: &o.namespace,
            node: o.value.pointer("/spec/nodeName").and_then(Value::as_str).unwrap_or(""),
            labels: labels_of(o.value.pointer("/metadata/labels")),
            created: o
                .value
                .pointer("/metadata/creationTimestamp")
                .and_then(Value::as_str)
                .unwrap_or(""),
        })
        .collect()
}

fn live(setting: &'static str, asked: String, found: String, ok: bool) -> Check {
    Check {
        setting,
        asked,
        found,
        ok: Some(ok),
        delivered_by: "live".into(),
    }
}

/// Whether a Node or Pod reports the condition `Ready=True`.
fn is_ready(v: &Value) -> bool {
    v.pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .any(|c| {
            c.get("type").and_then(Value::as_str) == Some("Ready")
                && c.get("status").and_then(Value::as_str) == Some("True")
        })
}

/// Audits `objects` against every component of the plan.
pub fn audit(plan: &Plan, objects: &[Object]) -> AuditReport {
    let templates = check::pod_templates(objects, &plan.operator_pods());
    let pods = pods(objects);
    let has_pods = pods.iter().any(|p| !p.node.is_empty());
    let mut nodes: IndexMap<String, NodeInfo> = IndexMap::new();
    for o in objects.iter().filter(|o| o.kind == "Node") {
        let ready = is_ready(&o.value);
        nodes.insert(
            o.name.clone(),
            NodeInfo {
                ready: Some(ready),
                pods: 0,
            },
        );
    }
    if nodes.is_empty() {
        for n in &plan.nodes {
            nodes.insert(n.clone(), NodeInfo { ready: None, pods: 0 });
        }
    }
    for p in pods.iter().filter(|p| !p.node.is_empty()) {
        nodes
            .entry(p.node.to_string())
            .or_insert(NodeInfo { ready: None, pods: 0 })
            .pods += 1;
    }

    let intents: Vec<&Intent> = plan.releases.iter().flat_map(|r| &r.intents).collect();
    let mut components = Vec::new();
    let mut grid = IndexMap::new();
    let mut suggestions = Vec::new();
    for i in &intents {
        let mut report = check::judge(i, objects, &templates);
        let dep = objects
            .iter()
            .find(|o| o.kind == "Deployment" && o.name == i.workload && o.namespace == i.namespace);
        let mine: Vec<&Pod> = match dep {
            Some(d) if i.knowledge.rendered_by_helm() => {
                let sel = d
                    .value
                    .pointer("/spec/selector")
                    .and_then(LabelSelector::from_json)
                    .unwrap_or_default();
                pods.iter()
                    .filter(|p| p.namespace == i.namespace && sel.matches(&p.labels))
                    .collect()
            }
            _ => pods
                .iter()
                .filter(|p| p.namespace == i.namespace && i.selector.matches(&p.labels))
                .collect(),
        };
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
        for p in &mine {
            *per_node.entry(p.node.to_string()).or_default() += 1;
        }
        if has_pods && (dep.is_some() || !mine.is_empty()) {
            let doubled: Vec<(&String, &usize)> = per_node.iter().filter(|(_, c)| **c > 1).collect();
            let ok = doubled.is_empty();
            let found = if ok {
                format!(
                    "{} pods on {} distinct nodes",
                    mine.len(),
                    per_node.values().filter(|c| **c > 0).count()
                )
            } else {
                doubled
                    .iter()
                    .map(|(n, c)| format!("{c} on {n}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            report.checks.push(live("spread", "one pod per node".into(), found, ok));
            for (node, _) in doubled {
                let mut here: Vec<&&Pod> = mine.iter().filter(|p| p.node == node).collect();
                here.sort_by_key(|p| (p.created, p.name));
                if let Some(newest) = here.last() {
                    suggestions.push(format!(
                        "kubectl delete pod -n {} {}   # {} has {} pods on {node}",
                        newest.namespace,
                        newest.name,
                        i.label(),
                        here.len()
                    ));
                }
            }
        }
        // A PDB that allows no disruption blocks every drain.
        for pdb in objects
            .iter()
            .filter(|o| o.kind == "PodDisruptionBudget" && o.namespace == i.namespace)
        {
            let Some(sel) = pdb.value.pointer("/spec/selector").and_then(LabelSelector::from_json) else {
                continue;
            };
            let Some(allowed) = pdb.value.pointer("/status/disruptionsAllowed").and_then(Value::as_u64) else {
                continue;
            };
            if mine.iter().any(|p| sel.matches(&p.labels)) {
                report.checks.push(live(
                    "disruptions",
                    "≥ 1 allowed".into(),
                    format!("{}: {allowed} allowed", pdb.name),
                    allowed >= 1,
                ));
            }
        }
        if has_pods {
            grid.insert(i.label(), per_node);
        }
        components.push(report);
    }

    // Uneven placement after a node came back: nothing moves pods back by itself.
    let mut findings = Vec::new();
    let ready: Vec<(&String, &NodeInfo)> = nodes.iter().filter(|(_, n)| n.ready != Some(false)).collect();
    if has_pods && ready.len() >= 2 {
        let min = ready
            .iter()
            .min_by_key(|(n, i)| (i.pods, *n))
            .map(|(n, _)| n.to_string())
            .unwrap_or_default();
        let max = ready
            .iter()
            .max_by_key(|(_, i)| i.pods)
            .map(|(n, _)| n.to_string())
            .unwrap_or_default();
        let gap = nodes[&max].pods - nodes[&min].pods;
        let movable: Vec<&&Intent> = intents
            .iter()
            .filter(|i| {
                let g = grid.get(&i.label());
                g.is_some_and(|g| g.get(&max).copied().unwrap_or(0) > 0 && g.get(&min).copied().unwrap_or(0) == 0)
                    && i.eligible_nodes.contains(&min)
            })
            .collect();
        if gap >= 2 && !movable.is_empty() {
            findings.push(format!(
                "uneven placement: {max} runs {} pods, {min} runs {}; nothing rebalances by itself",
                nodes[&max].pods, nodes[&min].pods
            ));
            for i in movable.iter().take(gap / 2) {
                if let Some(p) = pods
                    .iter()
                    .filter(|p| p.node == max && p.namespace == i.namespace && i.selector.matches(&p.labels))
                    .max_by_key(|p| (p.created, p.name))
                {
                    suggestions.push(format!(
                        "kubectl delete pod -n {} {}   # moves {} from {max} to {min}",
                        p.namespace,
                        p.name,
                        i.label()
                    ));
                }
            }
        }
    }
    AuditReport {
        components,
        nodes,
        grid,
        suggestions,
        findings,
    }
}

/// The human report.
pub fn table(r: &AuditReport) -> String {
    let mut s = String::new();
    for c in &r.components {
        let marks: Vec<String> = c
            .checks
            .iter()
            .filter(|k| k.ok == Some(false))
            .map(|k| format!("\n    ✗ {}: asked {}, found {}", k.setting, k.asked, k.found))
            .collect();
        let mark = if marks.is_empty() { "✓" } else { "✗" };
        s.push_str(&format!(
            "{mark} {}/{} (Deployment {} in {}){}\n",
            c.release,
            c.component,
            c.workload,
            c.namespace,
            marks.concat()
        ));
    }
    if !r.grid.is_empty() {
        let node_names: Vec<&String> = r.nodes.keys().collect();
        let mut rows: Vec<Vec<String>> = vec![
            std::iter::once("COMPONENT".to_string())
                .chain(node_names.iter().map(|n| n.to_string()))
                .collect(),
        ];
        for (comp, per) in &r.grid {
            rows.push(
                std::iter::once(comp.clone())
                    .chain(node_names.iter().map(|n| match per.get(*n).copied().unwrap_or(0) {
                        0 => ".".to_string(),
                        c => "●".repeat(c),
                    }))
                    .collect(),
            );
        }
        rows.push(
            std::iter::once("pods on node (all)".to_string())
                .chain(node_names.iter().map(|n| {
                    let i = &r.nodes[*n];
                    format!("{}{}", i.pods, if i.ready == Some(false) { " NotReady" } else { "" })
                }))
                .collect(),
        );
        s.push('\n');
        s.push_str(&align_rows(&rows));
    }
    for f in &r.findings {
        s.push_str(&format!("\n✗ {f}"));
    }
    if !r.suggestions.is_empty() {
        s.push_str("\nTo rebalance:\n");
        for x in &r.suggestions {
            s.push_str(&format!("  {x}\n"));
        }
    }
    let bad = r.components.iter().filter(|c| c.failed() > 0).count();
    s.push_str(&format!(
        "\naudit: {} components, {} ✓ / {bad} ✗, {} other finding(s)\n",
        r.components.len(),
        r.components.len() - bad,
        r.findings.len()
    ));
    s
}

fn align_rows(rows: &[Vec<String>]) -> String {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; n];
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut s = String::new();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        s.push_str(line.join("  ").trim_end());
        s.push('\n');
    }
    s
}

//! `hagen audit`: the same HA judgement as `verify`, on live state as the API server reports it (`kubectl get … -o
//! json|yaml`) or on one release's rendered stream, plus what only a live cluster shows: pods serving on Ready
//! nodes, Pending pods and the scheduler's reason, nodes down or cordoned, PDBs that block drains, and the pods to
//! delete to rebalance after a node came back.
//!
//! `input` reads and validates the dump, `judge` adds the live checks to `check::judge`, `rebalance` works out
//! the fewest moves, `output` prints the table.

pub mod input;
mod judge;
mod k3s;
mod output;
mod rebalance;

pub use input::{Dump, read};
pub use output::table;

use crate::check::ComponentVerdict;
use crate::error::AuditError;
use crate::live::LIVE_COMMAND;
use crate::model::{Intent, Plan};
use indexmap::IndexMap;
use serde::Serialize;

/// What the user chose on the command line.
#[derive(Debug, Clone, Default)]
pub struct AuditOptions {
    /// Judge only this release of the catalogue (`--release`).
    pub release: Option<String>,
    /// Pods on one node above which uneven placement fails the audit (`--max-pods-per-node`); default the
    /// catalogue's `alerts.podsPerNode`.
    pub max_pods_per_node: Option<u32>,
}

/// Everything `audit` found.
#[derive(Debug, Serialize)]
pub struct AuditReport {
    /// Which releases were judged, and why.
    pub scope: String,
    pub components: Vec<ComponentVerdict>,
    /// Node → state and active pods there (all namespaces).
    pub nodes: IndexMap<String, NodeInfo>,
    /// Component → node → its active pods there.
    pub grid: IndexMap<String, IndexMap<String, usize>>,
    /// Findings outside one component: nodes down or cordoned, placement above the threshold. Each fails the audit.
    pub findings: Vec<String>,
    /// Placement balance against the threshold, when there are pods on two or more schedulable nodes.
    pub balance: Option<rebalance::Balance>,
    /// Exact commands: one per pod, never more than the balance needs.
    pub suggestions: Vec<String>,
    /// k3s's own objects found in the dump (packaged manifests, ServiceLB DaemonSets, helm-controller Jobs).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub k3s: Vec<String>,
    /// Advice that is no finding: a rendered stream that fails settings only hagen's post-renderer delivers.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hints: Vec<String>,
}

/// One node as audit sees it.
#[derive(Debug, Serialize, Clone)]
pub struct NodeInfo {
    /// The Ready condition (`True`, `False`, `Unknown`); `None` when the dump has no Node objects.
    pub ready: Option<String>,
    /// `spec.unschedulable`.
    pub cordoned: bool,
    /// Active pods bound to it (all namespaces).
    pub pods: usize,
}

impl NodeInfo {
    /// Ready, or unknown because the dump has no nodes.
    pub fn up(&self) -> bool {
        self.ready.as_deref().is_none_or(|r| r == "True")
    }

    /// Up and not cordoned: the scheduler may place pods here.
    pub fn schedulable(&self) -> bool {
        self.up() && !self.cordoned
    }

    /// The state words shown in the grid.
    pub fn state(&self) -> &'static str {
        match (self.ready.as_deref(), self.cordoned) {
            (Some("False"), _) => "NotReady",
            (Some("Unknown"), _) => "Unknown",
            (Some("True") | None, true) => "cordoned",
            (Some("True") | None, false) => "",
            (Some(_), _) => "NotReady",
        }
    }
}

impl AuditReport {
    /// Failed checks and findings: the audit exits 1 when there is any.
    pub fn failures(&self) -> usize {
        self.components.iter().map(ComponentVerdict::failed).sum::<usize>() + self.findings.len()
    }
}

/// The releases to judge: `--release`, else every release for live state, else the releases a rendered stream
/// names (Helm's release annotation or `app.kubernetes.io/instance`).
fn scope(plan: &Plan, dump: &Dump, opts: &AuditOptions) -> Result<(Vec<String>, String), AuditError> {
    let names: Vec<&str> = plan.releases.iter().map(|r| r.release.name.as_str()).collect();
    if let Some(r) = &opts.release {
        if !names.contains(&r.as_str()) {
            return Err(AuditError::NoSuchRelease {
                release: r.clone(),
                suggestion: crate::suggest::did_you_mean(r, names.iter().copied()).map(|s| s.to_string()),
                releases: names.iter().map(|s| s.to_string()).collect(),
            });
        }
        return Ok((vec![r.clone()], format!("release {r} (--release)")));
    }
    if dump.live {
        return Ok((names.iter().map(|s| s.to_string()).collect(), String::new()));
    }
    if dump.objects.is_empty() && dump.pods.is_empty() && dump.nodes.is_empty() {
        return Err(AuditError::NothingToAudit {
            live_command: LIVE_COMMAND,
        });
    }
    // A rendered stream: the release whose markers it carries.
    let by_annotation: Vec<String> = names
        .iter()
        .filter(|n| dump.release_annotations.contains(**n))
        .map(|s| s.to_string())
        .collect();
    let instance_of = |rp: &crate::model::ReleasePlan| -> Vec<String> {
        let mut v = vec![rp.release.name.clone()];
        v.extend(
            rp.intents
                .iter()
                .filter_map(|i| i.selector.match_labels.get(input::INSTANCE_LABEL).cloned()),
        );
        v
    };
    let by_label: Vec<String> = plan
        .releases
        .iter()
        .filter(|rp| instance_of(rp).iter().any(|v| dump.instance_labels.contains(v)))
        .map(|rp| rp.release.name.clone())
        .collect();
    let (found, how) = if !by_annotation.is_empty() {
        (by_annotation, "the stream's meta.helm.sh/release-name")
    } else {
        (by_label, "the stream's app.kubernetes.io/instance labels")
    };
    if found.is_empty() {
        return Err(AuditError::NoRelease {
            releases: names.iter().map(|s| s.to_string()).collect(),
        });
    }
    let scope = format!(
        "release{} {} (from {how}; --release NAME to choose)",
        if found.len() == 1 { "" } else { "s" },
        found.join(", ")
    );
    Ok((found, scope))
}

/// Every node with its state and active pods: the dump's nodes (a node without a Ready condition is Unknown),
/// else the catalogue's nodes when the pods are bound to some, and any node a pod is bound to.
fn node_infos(plan: &Plan, dump: &Dump) -> IndexMap<String, NodeInfo> {
    let mut nodes: IndexMap<String, NodeInfo> = dump
        .nodes
        .iter()
        .map(|n| {
            (
                n.name.clone(),
                NodeInfo {
                    ready: n.ready.clone().or(Some("Unknown".into())),
                    cordoned: n.unschedulable,
                    pods: 0,
                },
            )
        })
        .collect();
    if nodes.is_empty() && dump.pods.iter().any(|p| p.node.is_some()) {
        for n in &plan.nodes {
            nodes.insert(
                n.clone(),
                NodeInfo {
                    ready: None,
                    cordoned: false,
                    pods: 0,
                },
            );
        }
    }
    for p in dump.pods.iter().filter(|p| p.active()) {
        if let Some(n) = &p.node {
            nodes
                .entry(n.clone())
                .or_insert(NodeInfo {
                    ready: None,
                    cordoned: false,
                    pods: 0,
                })
                .pods += 1;
        }
    }
    nodes
}

/// Audits the dump against the plan's components (those `opts` and the input select).
pub fn audit(plan: &Plan, mut dump: Dump, opts: &AuditOptions) -> Result<AuditReport, AuditError> {
    let (releases, scope) = scope(plan, &dump, opts)?;
    // Objects without a namespace: the release's (as `helm install -n` places them) when one release is judged.
    let default_ns = match releases.as_slice() {
        [one] => plan
            .releases
            .iter()
            .find(|r| &r.release.name == one)
            .map_or("default".to_string(), |r| r.release.namespace.clone()),
        _ => "default".to_string(),
    };
    for o in dump.objects.iter_mut().filter(|o| o.namespace.is_empty()) {
        o.namespace = default_ns.clone();
    }
    for p in dump.pods.iter_mut().filter(|p| p.namespace.is_empty()) {
        p.namespace = default_ns.clone();
    }
    let dump = &dump;
    let intents: Vec<&Intent> = plan
        .releases
        .iter()
        .filter(|r| releases.contains(&r.release.name))
        .flat_map(|r| &r.intents)
        .collect();

    let nodes = node_infos(plan, dump);
    let has_pods = dump.pods.iter().any(|p| p.node.is_some());

    let templates = crate::check::pod_templates(&dump.objects, &plan.operator_pods());
    let mut components = Vec::new();
    let mut grid = IndexMap::new();
    let mut mine_all = Vec::new();
    for i in &intents {
        let judged = judge::component(i, dump, &templates, &nodes);
        if has_pods {
            grid.insert(i.label(), judged.per_node.clone());
        }
        components.push(judged.report);
        mine_all.push(judged.pods);
    }

    let mut findings = judge::node_findings(plan, dump, &nodes, &intents);
    let (balance, suggestions) = rebalance::advise(plan, opts, &intents, &mine_all, &nodes, has_pods);
    if let Some(b) = balance.as_ref().filter(|b| b.over) {
        findings.push(b.describe());
    }
    let (k3s, k3s_findings) = k3s::recognise(plan, dump, &releases);
    findings.extend(k3s_findings);
    let hints = if dump.live {
        Vec::new()
    } else {
        post_renderer_hints(plan, &releases, &components)
    };
    Ok(AuditReport {
        scope,
        components,
        nodes,
        grid,
        findings,
        balance,
        suggestions,
        k3s,
        hints,
    })
}

/// For a rendered stream: each judged release with a failed component whose settings partly travel through hagen's
/// post-renderer, and how to render it with the post-renderer (a plain `helm template` lacks the patches).
fn post_renderer_hints(plan: &Plan, releases: &[String], reports: &[crate::check::ComponentVerdict]) -> Vec<String> {
    plan.releases
        .iter()
        .filter(|rp| releases.contains(&rp.release.name))
        .filter(|rp| rp.intents.iter().any(|i| crate::render::deliver(i).needs_post_render()))
        .filter(|rp| reports.iter().any(|r| r.release == rp.release.name && r.failed() > 0))
        .map(|rp| {
            let patches = format!("out/{}", crate::paths::patches_path(&rp.release.name));
            format!(
                "release {}: some of its settings reach it only through hagen's post-renderer ({patches}); render it with `--post-renderer hagen --post-renderer-args post-render --post-renderer-args {patches}` (the line in out/README.md)",
                rp.release.name
            )
        })
        .collect()
}

/// Hand-built inputs for audit's unit tests.
#[cfg(test)]
mod fixtures {
    use super::input::Pod;

    /// A Running, Ready pod `name` of component `web` (`app=web`, namespace `ns`) on `node`.
    pub fn pod(name: &str, node: Option<&str>) -> Pod {
        Pod {
            name: name.into(),
            namespace: "ns".into(),
            node: node.map(String::from),
            labels: crate::check::fixtures::labels(&[("app", "web")]),
            created: String::new(),
            phase: "Running".into(),
            ready: true,
            terminating: false,
            owner: Some("ReplicaSet/web-abc".into()),
            unschedulable: None,
            revision_keyed: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixtures::pod;
    use super::input::LiveNode;
    use super::*;
    use crate::check::fixtures::cluster;

    #[test]
    fn nodes_with_their_state_and_pods() {
        let node = |name: &str, ready: Option<&str>, unschedulable: bool| LiveNode {
            name: name.into(),
            ready: ready.map(String::from),
            message: String::new(),
            unschedulable,
        };
        let gone = {
            let mut p = pod("gone", Some("a"));
            p.terminating = true;
            p
        };
        struct Case {
            name: &'static str,
            nodes: Vec<LiveNode>,
            pods: Vec<input::Pod>,
            want: Vec<(&'static str, Option<&'static str>, bool, usize, &'static str)>,
        }
        let cases = [
            Case {
                name: "the dump's nodes",
                nodes: vec![
                    node("a", Some("True"), false),
                    node("b", Some("False"), false),
                    node("c", None, true),
                ],
                pods: vec![pod("p", Some("a")), gone.clone(), pod("q", Some("z"))],
                want: vec![
                    ("a", Some("True"), false, 1, ""),
                    ("b", Some("False"), false, 0, "NotReady"),
                    ("c", Some("Unknown"), true, 0, "Unknown"),
                    ("z", None, false, 1, ""),
                ],
            },
            Case {
                name: "no nodes: the catalogue's",
                nodes: vec![],
                pods: vec![pod("p", Some("b")), gone],
                want: vec![
                    ("a", None, false, 0, ""),
                    ("b", None, false, 1, ""),
                    ("c", None, false, 0, ""),
                ],
            },
            Case {
                name: "neither nodes nor bound pods",
                nodes: vec![],
                pods: vec![pod("p", None)],
                want: vec![],
            },
        ];
        let plan = cluster(&["a", "b", "c"]);
        for c in cases {
            let dump = Dump {
                nodes: c.nodes,
                pods: c.pods,
                ..Dump::default()
            };
            let infos = node_infos(&plan, &dump);
            let got: Vec<(&str, Option<&str>, bool, usize, &str)> = infos
                .iter()
                .map(|(n, i)| (n.as_str(), i.ready.as_deref(), i.cordoned, i.pods, i.state()))
                .collect();
            assert_eq!(got, c.want, "{}", c.name);
        }
    }
}

//! `hagen plan`: what the catalogue means for placement, node failure, rollouts and drains, from the intents alone.

use crate::catalog::{AntiAffinity, Strategy};
use crate::model::{Intent, Plan};
use indexmap::IndexMap;
use serde::Serialize;

/// Seconds a pod tolerates a NotReady/unreachable node before it is evicted, unless hagen sets `tolerationSeconds`
/// (the DefaultTolerationSeconds admission plugin's default). Counted from when the node is marked unreachable.
const DEFAULT_EVICTION_SECONDS: u32 = 300;

/// What happens to a component when one node fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Survival {
    /// Keeps serving; the lost replica comes back elsewhere.
    Full,
    /// Keeps serving with fewer replicas until the node returns.
    Reduced,
    /// Down until its single pod is rescheduled elsewhere (after the eviction delay).
    Failover,
    /// Down until the node returns.
    None,
}

/// The answers for one component.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentPlan {
    pub release: String,
    pub component: String,
    pub namespace: String,
    /// The Deployment's name.
    pub workload: String,
    pub tier: u8,
    pub replicas: u32,
    /// The HPA's upper bound, for autoscaled components (`replicas` is then the lower one).
    pub max_replicas: Option<u32>,
    pub anti_affinity: String,
    pub strategy: String,
    pub pdb: Option<u32>,
    pub eligible_nodes: Vec<String>,
    /// Whether every replica can be placed with all nodes up.
    pub placeable: bool,
    /// The worst single-node failure.
    pub node_failure: Survival,
    pub node_failure_text: String,
    /// Seconds from a node going silent until the component's lost pod is replaced on another node (None when it
    /// cannot be: no free eligible node).
    pub failover_seconds: Option<u32>,
    /// How many replicas keep serving while a rollout replaces the pods.
    pub serving_during_rollout: String,
    /// What the pod's readiness depends on (the rollout waits for it), from the component's source.
    pub readiness: String,
    pub rollout_all_up: String,
    pub rollout_one_down: String,
    /// Whether its rollouts start each new pod before an old one stops (RollingUpdate maxSurge 1, maxUnavailable 0).
    pub surge: bool,
    /// Whether its required anti-affinity term is scoped to the pod's own revision (`matchLabelKeys`).
    pub revision_scoped: bool,
    /// The first rollout after the revision-scoped term is added, when it differs from the next ones.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_rollout: Option<String>,
    pub drain: String,
    /// The HPA is hagen's own manifest beside a Deployment that names no replicas (k3s's CoreDNS in place): no
    /// Helm upgrade hands the count over.
    #[serde(skip)]
    pub hpa_beside: bool,
}

/// One scenario, as lines of text.
#[derive(Debug, Clone, Serialize)]
pub struct Scenario {
    pub title: String,
    pub lines: Vec<Line>,
}

/// One line of a scenario; JSON gives each as its sentence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line {
    Says(String),
    /// Moving a component's pod back onto the recovered node: the pod to delete is on `from`. The report that fits
    /// 100 columns names it; `-o wide` and JSON give the command, too long to wrap.
    MoveBack {
        component: String,
        from: String,
        command: String,
    },
}

impl Line {
    /// The line as one sentence.
    pub fn sentence(&self) -> String {
        match self {
            Line::Says(words) => words.clone(),
            Line::MoveBack { component, command, .. } => format!("to move {component} back: {command}"),
        }
    }
}

impl Serialize for Line {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.sentence())
    }
}

impl PartialEq<&str> for Line {
    fn eq(&self, other: &&str) -> bool {
        self.sentence() == *other
    }
}

/// Everything `plan` says.
#[derive(Debug, Clone, Serialize)]
pub struct PlanReport {
    pub components: Vec<ComponentPlan>,
    /// A representative placement with all nodes up: node → component pods.
    pub placement: IndexMap<String, Vec<String>>,
    pub scenarios: Vec<Scenario>,
    /// The Kubernetes timers the failover times assume.
    pub timers: Timers,
    /// How the owners of runtime-created Deployments replace them, one line each.
    pub runtime_rollouts: Vec<String>,
    /// On k3s: what k3s owns and the cut-over windows of the take-overs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub k3s: Option<K3sReport>,
}

/// What k3s owns in a k3s cluster, and what taking its packaged components over costs.
#[derive(Debug, Clone, Serialize)]
pub struct K3sReport {
    /// Releases k3s keeps installing itself (a HelmChart hagen configures through a HelmChartConfig).
    pub owned: Vec<String>,
    /// Releases whose k3s packaged copy stays k3s's, with hagen's HPA and PDB beside it (no outage).
    pub in_place: Vec<String>,
    /// Releases that take k3s's packaged manifests over, with what is down during the cut-over.
    pub cut_overs: Vec<CutOver>,
}

/// One take-over's window.
#[derive(Debug, Clone, Serialize)]
pub struct CutOver {
    pub release: String,
    /// The k3s name under `disable:`.
    pub disable: String,
    /// What is down, and for how long.
    pub down: String,
}

fn k3s_report(p: &Plan) -> Option<K3sReport> {
    let k = p.k3s.as_ref()?;
    let owned = p
        .releases
        .iter()
        .filter(|rp| crate::k3s::is_helm_chart(rp))
        .map(|rp| rp.release.name.clone())
        .collect();
    let cut_overs = p
        .releases
        .iter()
        .filter_map(|rp| {
            let t = crate::k3s::take_over(rp)?;
            let crate::charts::K3s::PlainManifest(name) = rp.chart.k3s else {
                return None;
            };
            Some(CutOver {
                release: rp.release.name.clone(),
                disable: name.to_string(),
                down: k.substitute(&t.down),
            })
        })
        .collect();
    let in_place = p
        .releases
        .iter()
        .filter(|rp| rp.in_place.is_some())
        .map(|rp| rp.release.name.clone())
        .collect();
    Some(K3sReport {
        owned,
        in_place,
        cut_overs,
    })
}

/// The Kubernetes timers behind every failover time `plan` gives.
#[derive(Debug, Clone, Serialize)]
pub struct Timers {
    /// kube-controller-manager `--node-monitor-grace-period`: a silent node is marked unreachable, and its pods
    /// NotReady (out of Service endpoints), after this long.
    pub node_monitor_grace_seconds: u32,
    /// `tolerationSeconds` Kubernetes gives pods for not-ready/unreachable nodes unless the catalogue sets
    /// `failoverSeconds`.
    pub default_toleration_seconds: u32,
}

impl PlanReport {
    /// What fails the plan, one sentence per kind naming its components: replicas that cannot be placed with every
    /// node up, and components down until a failed node returns. Empty when the plan passes.
    pub fn findings(&self) -> Vec<String> {
        let named = |keep: fn(&ComponentPlan) -> bool, what: &str| {
            let them: Vec<String> = self
                .components
                .iter()
                .filter(|c| keep(c))
                .map(ComponentPlan::label)
                .collect();
            (!them.is_empty()).then(|| format!("{} component(s) {what}: {}", them.len(), them.join(", ")))
        };
        [
            named(|c| !c.placeable, "cannot place every replica"),
            named(|c| c.node_failure == Survival::None, "cannot survive one node failure"),
        ]
        .into_iter()
        .flatten()
        .collect()
    }
}

/// Places replicas like the scheduler's spreading would: each on the least-loaded eligible node, never two on a
/// node while another eligible node is free of it. Deterministic.
fn place(p: &Plan, intents: &[&Intent], down: Option<&str>) -> IndexMap<String, Vec<String>> {
    let nodes = &p.nodes;
    let mut at: IndexMap<String, Vec<String>> = nodes.iter().map(|n| (n.clone(), vec![])).collect();
    // A node a preferred `avoidNodes` rule avoids is taken only when no other fits.
    let avoided = |i: &Intent, n: &str| {
        i.avoid.as_ref().is_some_and(|a| {
            p.node_labels
                .get(n)
                .is_some_and(|l| a.labels.iter().any(|(k, v)| l.get(k) == Some(v)))
        })
    };
    for i in intents {
        let eligible: Vec<&String> = i.eligible_nodes.iter().filter(|n| Some(n.as_str()) != down).collect();
        let mut mine: Vec<String> = Vec::new();
        for _ in 0..i.replicas {
            let free: Vec<&&String> = eligible.iter().filter(|n| !mine.contains(n)).collect();
            let pool: Vec<&&String> = if free.is_empty() {
                if i.effective_anti_affinity() == AntiAffinity::Required {
                    break;
                }
                eligible.iter().collect()
            } else {
                free
            };
            let Some(n) = pool
                .iter()
                .min_by_key(|n| (avoided(i, n), at.get(n.as_str()).map_or(0, Vec::len)))
            else {
                break;
            };
            let n = n.to_string();
            at.entry(n.clone()).or_default().push(i.label());
            mine.push(n);
        }
    }
    at
}

fn count(at: &IndexMap<String, Vec<String>>, node: &str, l: &str) -> usize {
    at.get(node).map_or(0, |v| v.iter().filter(|x| *x == l).count())
}

/// Answers the questions for every component and draws the scenarios.
pub fn compute(p: &Plan) -> PlanReport {
    let mut intents: Vec<&Intent> = p.releases.iter().flat_map(|r| &r.intents).collect();
    intents.sort_by_key(|i| i.tier);
    let placement = place(p, &intents, None);
    let grace = p.node_monitor_grace_seconds;
    let components = intents.iter().map(|i| plan_component(i, &placement, grace)).collect();
    let mut scenarios = vec![Scenario {
        title: "All nodes healthy".into(),
        lines: p
            .nodes
            .iter()
            .map(|n| Line::Says(format!("{n}: {} pods: {}", placement[n].len(), placement[n].join(", "))))
            .collect(),
    }];
    for failed in &p.nodes {
        scenarios.push(fail_scenario(p, &intents, &placement, failed));
        scenarios.push(recovery_scenario(p, &intents, &placement, failed));
    }
    PlanReport {
        components,
        placement,
        scenarios,
        timers: Timers {
            node_monitor_grace_seconds: grace,
            default_toleration_seconds: DEFAULT_EVICTION_SECONDS,
        },
        k3s: k3s_report(p),
        runtime_rollouts: runtime_rollouts(p),
    }
}

/// "Longhorn's Deployments (longhorn/csi-provisioner, …): how they are replaced", per runtime owner.
fn runtime_rollouts(p: &Plan) -> Vec<String> {
    p.releases
        .iter()
        .filter_map(|rp| {
            let owner = rp.chart.runtime?;
            let theirs: Vec<String> = rp
                .intents
                .iter()
                .filter(|i| !i.knowledge.rendered_by_helm())
                .map(Intent::label)
                .collect();
            (!theirs.is_empty()).then(|| {
                format!(
                    "{}'s Deployments ({}): {}",
                    owner.owner,
                    theirs.join(", "),
                    owner.rollout_why
                )
            })
        })
        .collect()
}

/// The answers for one component, from its intent and the representative placement.
fn plan_component(i: &Intent, placement: &IndexMap<String, Vec<String>>, grace: u32) -> ComponentPlan {
    let eligible = i.eligible_nodes.len() as u32;
    let r = i.replicas;
    let required = i.effective_anti_affinity() == AntiAffinity::Required;
    let evict = grace + i.failover_seconds.unwrap_or(DEFAULT_EVICTION_SECONDS);
    let (node_failure, node_failure_text) = node_failure(i, placement, evict);
    let failover_seconds = match node_failure {
        Survival::Full | Survival::Failover => Some(evict),
        Survival::Reduced | Survival::None => None,
    };
    let node_failure_text = match i.autoscale {
        Some(a) if required && a.max + 1 > eligible => format!(
            "{node_failure_text}; the HPA can reach only {} of its max {} while a node is down",
            eligible - 1,
            a.max
        ),
        _ => node_failure_text,
    };
    let needs_all = required && r >= eligible;
    ComponentPlan {
        release: i.release.clone(),
        component: i.component.clone(),
        namespace: i.namespace.clone(),
        workload: i.workload.clone(),
        tier: i.tier,
        replicas: r,
        max_replicas: i.autoscale.map(|a| a.max),
        anti_affinity: match i.effective_anti_affinity() {
            // k3s's CoreDNS kept in place: its own topology spread places the pods as required anti-affinity would.
            AntiAffinity::Required if i.beside => "required (topology spread)".into(),
            a => crate::describe::anti_affinity_word(a).into(),
        },
        strategy: match i.strategy {
            _ if !i.knowledge.rendered_by_helm() => format!("{}'s own", i.knowledge.owner().unwrap_or_default()),
            _ if i.beside => "its manifest's RollingUpdate".into(),
            s => crate::describe::strategy_words(s).into(),
        },
        pdb: i.pdb.filter(|_| i.knowledge.rendered_by_helm()),
        eligible_nodes: i.eligible_nodes.clone(),
        placeable: !required || r <= eligible,
        node_failure,
        node_failure_text,
        failover_seconds,
        serving_during_rollout: serving_during_rollout(i),
        readiness: i.knowledge.readiness.text.to_string(),
        rollout_all_up: match i.strategy {
            Strategy::Recreate => format!("proceeds: all {r} restart together (brief outage); no free node needed"),
            Strategy::RollingUpdate => "proceeds one pod at a time; no free node needed".into(),
            Strategy::RollingUpdateSurge if i.revision_scoped => {
                "proceeds one extra pod at a time; revision-scoped anti-affinity lets it share a node with an old pod, no free node needed".into()
            }
            Strategy::RollingUpdateSurge => {
                "each extra pod needs a node free of the component's pods (no revision-scoped anti-affinity); stalls without one".into()
            }
        },
        rollout_one_down: rollout_one_down(i, needs_all),
        drain: drain(i, needs_all),
        surge: i.strategy == Strategy::RollingUpdateSurge && i.knowledge.rendered_by_helm(),
        revision_scoped: i.revision_scoped,
        first_rollout: first_rollout(i),
        hpa_beside: i.beside && i.autoscale.is_some(),
    }
}

/// The first rollout after the revision-scoped term is added: the old pods' required terms have no
/// `matchLabelKeys` and still repel every pod of the component (kubernetes/kubernetes#134393), so a surge pod needs
/// a node free of them.
fn first_rollout(i: &Intent) -> Option<String> {
    if !i.revision_scoped || !i.knowledge.rendered_by_helm() {
        return None;
    }
    let (r, eligible) = (i.replicas, i.eligible_nodes.len() as u32);
    Some(match (i.strategy, i.autoscale) {
        (Strategy::RollingUpdateSurge, _) if r >= eligible => format!(
            "stalls: every eligible node has one of its {r} pods, whose terms repel the new pod; roll out once with `strategy: RollingUpdate`, then switch"
        ),
        (Strategy::RollingUpdateSurge, Some(a)) if a.max >= eligible => format!(
            "takes the free node ({r} on {eligible}); while the HPA runs {} or a node is down it waits, all old pods serving, until a node is free",
            a.max
        ),
        (Strategy::RollingUpdateSurge, _) => format!(
            "takes the free node ({r} on {eligible}); with a node down it waits, all old pods serving, until the node returns"
        ),
        (Strategy::RollingUpdate, _) if r >= eligible => format!(
            "keeps maxSurge 0 ({r} on {eligible} nodes: no node would be free for the first surge pod); after one rollout with the new term, `strategy: RollingUpdateSurge` keeps all {r} serving"
        ),
        _ => return None,
    })
}

/// The worst single-node failure, in words: the component fails over after `evict` seconds at one replica, keeps
/// serving at two or more, reduced when anti-affinity leaves no free eligible node, down when all its pods share
/// the only eligible node.
fn node_failure(i: &Intent, placement: &IndexMap<String, Vec<String>>, evict: u32) -> (Survival, String) {
    let eligible = i.eligible_nodes.len() as u32;
    let r = i.replicas;
    let required = i.effective_anti_affinity() == AntiAffinity::Required;
    let l = i.label();
    let stacked = placement
        .values()
        .any(|pods| pods.iter().filter(|x| **x == l).count() > 1);
    if r == 1 {
        if eligible >= 2 {
            (
                Survival::Failover,
                format!("down ~{evict}s, then rescheduled on another eligible node"),
            )
        } else {
            (
                Survival::None,
                "down until the node returns (no other eligible node)".into(),
            )
        }
    } else if stacked && eligible == 1 {
        (
            Survival::None,
            "every replica is on the one eligible node: down until it returns".into(),
        )
    } else if required && r >= eligible {
        // One pod per eligible node at most: the others of an unplaceable component were Pending already.
        (
            Survival::Reduced,
            format!(
                "runs {} of {r} until the node returns (no free eligible node)",
                r.min(eligible).saturating_sub(1)
            ),
        )
    } else {
        (
            Survival::Full,
            format!("runs {} of {r} for ~{evict}s, then {r} again on a free node", r - 1),
        )
    }
}

/// How many replicas keep serving while a rollout replaces the pods.
fn serving_during_rollout(i: &Intent) -> String {
    let r = i.replicas;
    match i.strategy {
        _ if !i.knowledge.rendered_by_helm() => i.knowledge.runtime.map_or(String::new(), |o| {
            o.rollout_serving.replace("{replicas}", &r.to_string())
        }),
        Strategy::RollingUpdate if r >= 2 => format!("{} of {r}", r - 1),
        Strategy::RollingUpdate => format!("0 of {r} (maxUnavailable 1)"),
        Strategy::RollingUpdateSurge => format!("{r} of {r} (+1 pod while it starts)"),
        Strategy::Recreate => format!("0 of {r} (Recreate)"),
    }
}

/// A rollout while one node is down; `needs_all`: required anti-affinity with a replica on every eligible node.
fn rollout_one_down(i: &Intent, needs_all: bool) -> String {
    let r = i.replicas;
    match (needs_all, i.strategy) {
        _ if !i.knowledge.rendered_by_helm() => format!("set by {}", i.knowledge.owner().unwrap_or_default()),
        (false, Strategy::RollingUpdateSurge)
            if i.revision_scoped || i.effective_anti_affinity() != AntiAffinity::Required =>
        {
            format!("proceeds, {r} of {r} serving")
        }
        (false, Strategy::RollingUpdateSurge) => "stalls unless a node free of its pods is up".into(),
        (false, Strategy::RollingUpdate) if r >= 2 => format!("proceeds, {} of {r} serving", r - 1),
        (false, _) => "proceeds".into(),
        (true, Strategy::RollingUpdateSurge) if i.revision_scoped => format!(
            "proceeds until the last new pod, Pending until the node returns; {} of {r} serving (as before)",
            r - 1
        ),
        (true, Strategy::RollingUpdateSurge) => {
            "stalls: no node is free of its pods; resumes when the node returns".into()
        }
        (true, Strategy::Recreate) if i.replicas == 1 => "proceeds on another node".into(),
        (true, Strategy::Recreate) => "proceeds with one pod Pending until the node returns".into(),
        (true, Strategy::RollingUpdate) => {
            "stalls: the Pending pod uses maxUnavailable 1; resumes when the node returns".into()
        }
    }
}

/// A node drain; `needs_all` as for [`rollout_one_down`].
fn drain(i: &Intent, needs_all: bool) -> String {
    match i.pdb {
        _ if !i.knowledge.rendered_by_helm() => "no PDB (not controllable)".into(),
        None => "allowed (no PDB at 1 replica): down until rescheduled (~seconds)".into(),
        Some(m) if needs_all => {
            format!("allowed (PDB maxUnavailable {m}); the evicted pod stays Pending until uncordon")
        }
        Some(m) => format!("allowed (PDB maxUnavailable {m}); the evicted pod moves to a free node"),
    }
}

fn fail_scenario(p: &Plan, intents: &[&Intent], before: &IndexMap<String, Vec<String>>, failed: &str) -> Scenario {
    let nodes = &p.nodes;
    let after = place(p, intents, Some(failed));
    let mut lines = Vec::new();
    for i in intents {
        let l = i.label();
        if count(before, failed, &l) == 0 {
            continue;
        }
        let running: usize = after.values().map(|p| p.iter().filter(|x| **x == l).count()).sum();
        let moved: Vec<&String> = after
            .iter()
            .filter(|(n, _)| count(&after, n, &l) > count(before, n, &l))
            .map(|(n, _)| n)
            .collect();
        let line = if running == 0 {
            format!("{l}: DOWN until {failed} returns")
        } else if i.replicas == 1 {
            let secs = p.node_monitor_grace_seconds + i.failover_seconds.unwrap_or(DEFAULT_EVICTION_SECONDS);
            format!(
                "{l}: down ~{secs}s, then restarts on {}",
                moved.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            )
        } else if moved.is_empty() {
            format!("{l}: runs {running} of {} (reduced) until {failed} returns", i.replicas)
        } else {
            format!(
                "{l}: runs {} of {} for ~{}s, then its pod is recreated on {}",
                i.replicas - 1,
                i.replicas,
                p.node_monitor_grace_seconds + DEFAULT_EVICTION_SECONDS,
                moved.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            )
        };
        lines.push(Line::Says(line));
    }
    if lines.is_empty() {
        lines.push(Line::Says("no component had a pod there".into()));
    }
    for n in nodes.iter().filter(|n| *n != failed) {
        lines.push(Line::Says(format!("{n} then runs {} pods", after[n].len())));
    }
    Scenario {
        title: format!("{failed} fails"),
        lines,
    }
}

fn recovery_scenario(p: &Plan, intents: &[&Intent], before: &IndexMap<String, Vec<String>>, failed: &str) -> Scenario {
    let after = place(p, intents, Some(failed));
    let mut lines = vec![Line::Says(format!(
        "{failed} returns empty of them: nothing rebalances by itself ({failed} runs 0 of the pods it had; the others keep theirs)"
    ))];
    for i in intents {
        let l = i.label();
        if count(before, failed, &l) == 0 {
            continue;
        }
        for (n, _) in after
            .iter()
            .filter(|(n, _)| count(&after, n, &l) > count(before, n, &l))
        {
            // Deleting the only pod of a single replica stops the component until its replacement is Ready: it
            // stays where it failed over to (audit's rebalance advice follows the same rule).
            lines.push(if i.replicas < 2 {
                Line::Says(format!(
                    "{l} stays on {n}: it runs 1 replica, and deleting its pod would stop it"
                ))
            } else {
                Line::MoveBack {
                    component: l.clone(),
                    from: n.clone(),
                    command: format!(
                        "kubectl delete pod -n {} -l {} --field-selector spec.nodeName={n}",
                        i.namespace,
                        i.selector.describe()
                    ),
                }
            });
        }
    }
    if lines.len() == 1 {
        lines.push(Line::Says("nothing to rebalance".into()));
    }
    Scenario {
        title: format!("{failed} recovers"),
        lines,
    }
}

/// The width every line of the default report fits; `-o wide` widens only the table and the commands.
pub const WIDTH: usize = 100;

/// The human report being written: prose wrapped at [`WIDTH`] columns, table rows and commands kept whole.
#[derive(Default)]
struct Page(String);

impl Page {
    fn blank(&mut self) {
        self.0.push('\n');
    }

    /// A paragraph.
    fn para(&mut self, words: &str) {
        self.wrap(words, "", "");
    }

    /// An item of a list: indented, its continuation lines further in.
    fn item(&mut self, words: &str) {
        self.wrap(words, "  ", "    ");
    }

    /// A line as it is: a table row, a command to copy.
    fn whole(&mut self, line: &str) {
        self.0.push_str(line);
        self.0.push('\n');
    }

    /// `words` filled into lines of at most [`WIDTH`] columns, the first after `first`, the others after `rest`; a
    /// word longer than a line stands alone on its line.
    fn wrap(&mut self, words: &str, first: &str, rest: &str) {
        let mut line = first.to_string();
        let mut bare = true;
        for w in words.split_whitespace() {
            if !bare && line.chars().count() + 1 + w.chars().count() > WIDTH {
                self.whole(&line);
                line = rest.to_string();
                bare = true;
            }
            if !bare {
                line.push(' ');
            }
            line.push_str(w);
            bare = false;
        }
        self.whole(&line);
    }
}

/// A column of the component table: its header and how a component fills its cell.
type Column = (&'static str, fn(&ComponentPlan) -> String);

/// The columns of the default table, in short: whether every replica is placed and how many serve when one node
/// fails and during a rollout.
const BRIEF: [Column; 5] = [
    ("COMPONENT", ComponentPlan::label),
    ("REPLICAS", replicas_cell),
    ("PLACEABLE", placeable_cell),
    ("ONE NODE FAILS", failure_brief),
    ("DURING ROLLOUT", serving_brief),
];

/// Every column, each cell in full (`-o wide`).
const WIDE: [Column; 12] = [
    ("TIER", |c| c.tier.to_string()),
    ("COMPONENT", ComponentPlan::label),
    ("REPLICAS", replicas_cell),
    ("ANTI-AFFINITY", |c| c.anti_affinity.clone()),
    ("STRATEGY", |c| c.strategy.clone()),
    ("PDB", |c| {
        c.pdb.map_or("none".into(), |m| format!("maxUnavailable {m}"))
    }),
    ("ELIGIBLE", |c| c.eligible_nodes.len().to_string()),
    ("PLACEABLE", placeable_cell),
    ("DURING ROLLOUT", |c| c.serving_during_rollout.clone()),
    ("ONE NODE FAILS", |c| c.node_failure_text.clone()),
    ("ROLLOUT ONE NODE DOWN", |c| c.rollout_one_down.clone()),
    ("DRAIN", |c| c.drain.clone()),
];

impl ComponentPlan {
    /// `release/component`, as every line of the report names it.
    fn label(&self) -> String {
        format!("{}/{}", self.release, self.component)
    }
}

fn replicas_cell(c: &ComponentPlan) -> String {
    match c.max_replicas {
        Some(max) => format!("{}–{max} (HPA)", c.replicas),
        None => c.replicas.to_string(),
    }
}

fn placeable_cell(c: &ComponentPlan) -> String {
    if c.placeable { "yes" } else { "NO" }.into()
}

/// The replicas serving after the worst single-node failure, and for how long: until the lost pod runs on another
/// node, or until the node is back.
fn failure_brief(c: &ComponentPlan) -> String {
    let r = c.replicas;
    // Reduced: one pod per eligible node at most, as `node_failure` counts them.
    let placed = r.min(c.eligible_nodes.len() as u32);
    match (c.node_failure, c.failover_seconds) {
        (Survival::Full | Survival::Failover, Some(s)) => format!("{} of {r} for ~{s}s", r.saturating_sub(1)),
        (Survival::Reduced, _) => format!("{} of {r} until back", placed.saturating_sub(1)),
        _ => "DOWN until back".into(),
    }
}

/// The count of [`ComponentPlan::serving_during_rollout`] without its reason in brackets (`-o wide` gives it).
fn serving_brief(c: &ComponentPlan) -> String {
    let s = &c.serving_during_rollout;
    s.split_once(" (").map_or(s.as_str(), |(count, _)| count).to_string()
}

/// The table with `columns`, aligned.
fn columns<const N: usize>(columns: [Column; N], components: &[ComponentPlan]) -> String {
    let mut rows = vec![columns.map(|(header, _)| header.to_string())];
    rows.extend(components.iter().map(|c| columns.map(|(_, cell)| cell(c))));
    crate::output::align(&rows)
}

/// The human report, fitting [`WIDTH`] columns: the table's essential columns in short, the notes, the scenarios.
pub fn table(r: &PlanReport) -> String {
    report(r, false)
}

/// `hagen plan -o wide`: every column of the table, each cell in full, and the kubectl command of each move.
pub fn wide_table(r: &PlanReport) -> String {
    report(r, true)
}

fn report(r: &PlanReport, wide: bool) -> String {
    let mut page = Page(if wide {
        columns(WIDE, &r.components)
    } else {
        columns(BRIEF, &r.components)
    });
    for c in r.components.iter().filter(|c| !c.placeable) {
        page.blank();
        page.para(&format!(
            "{} cannot place every replica: {} replicas with required anti-affinity on {} eligible node(s) ({}) leave {} Pending; `hagen generate` refuses this catalogue.",
            c.label(),
            c.replicas,
            c.eligible_nodes.len(),
            c.eligible_nodes.join(", "),
            c.replicas as usize - c.eligible_nodes.len()
        ));
    }
    page.blank();
    if !wide {
        page.para("ONE NODE FAILS counts the replicas serving after the worst single-node failure, and for how long: until the lost pod runs on another node, or until the node is back. DURING ROLLOUT counts those serving while a rollout replaces the pods. `hagen plan -o wide` shows every column in full: tier, anti-affinity, strategy, PDB, eligible nodes, a rollout with one node down, a drain.");
        page.blank();
    }
    rollout_notes(&mut page, r, wide);
    page.blank();
    page.para(&timers_text(&r.timers));
    if let Some(k) = &r.k3s {
        page.blank();
        k3s_notes(&mut page, k);
    }
    let autoscaled: Vec<&ComponentPlan> = r.components.iter().filter(|c| c.max_replicas.is_some()).collect();
    if !autoscaled.is_empty() {
        page.blank();
        autoscale_notes(&mut page, &autoscaled);
    }
    page.blank();
    page.para("Readiness (a rollout waits for each new pod to become ready), from each component's source:");
    for c in &r.components {
        page.item(&format!("{}: {}", c.label(), c.readiness));
    }
    let mut moves = false;
    for sc in &r.scenarios {
        page.blank();
        page.whole(&format!("## {}", sc.title));
        for l in &sc.lines {
            match l {
                Line::Says(words) => page.item(words),
                Line::MoveBack { component, from, .. } if !wide => {
                    moves = true;
                    page.item(&format!("to move {component} back: delete its pod on {from}"));
                }
                Line::MoveBack { component, command, .. } => {
                    page.item(&format!("to move {component} back:"));
                    page.whole(&format!("    {command}"));
                }
            }
        }
    }
    if moves {
        page.blank();
        page.para("`hagen plan -o wide` prints the kubectl command of each move.");
    }
    page.blank();
    let findings = r.findings();
    if findings.is_empty() {
        page.para("plan: every component survives the failure of any one node");
    }
    for f in findings {
        page.para(&format!("plan: {f}"));
    }
    page.0
}

/// What rollouts do with all nodes up, what surge rollouts cost, and how runtime owners replace their Deployments.
fn rollout_notes(page: &mut Page, r: &PlanReport, wide: bool) {
    use crate::describe::strategy_words;
    let recreate = strategy_words(Strategy::Recreate);
    let rolling = strategy_words(Strategy::RollingUpdate);
    let surge = strategy_words(Strategy::RollingUpdateSurge);
    let mut words = if r.components.iter().any(|c| c.revision_scoped) {
        format!(
            "Rollouts with all nodes up proceed for every component: {recreate}, {rolling} and, with revision-scoped anti-affinity, {surge} never need a free node."
        )
    } else {
        format!(
            "Rollouts with all nodes up proceed for every component: {recreate} and {rolling} never need a free node."
        )
    };
    if wide {
        words.push_str(" DURING ROLLOUT counts the replicas that keep serving while pods are replaced.");
    }
    page.para(&words);
    let surging: Vec<String> = r
        .components
        .iter()
        .filter(|c| c.surge)
        .map(ComponentPlan::label)
        .collect();
    if !surging.is_empty() {
        page.blank();
        page.para(&format!(
            "Surge rollouts, {surge}: {}. Each new pod starts before an old one stops, so every replica keeps serving; the cost is one extra pod's CPU and memory requests per component while it rolls out, on a node that must fit them.",
            surging.join(", ")
        ));
    }
    let first: Vec<String> = r
        .components
        .iter()
        .filter_map(|c| Some(format!("{}: {}", c.label(), c.first_rollout.as_deref()?)))
        .collect();
    if !first.is_empty() {
        page.para("The first rollout with revision-scoped anti-affinity (matchLabelKeys pod-template-hash): the old pods' terms lack the key and repel every new pod, so a surge pod needs a node free of the component's pods:");
        for l in first {
            page.item(&l);
        }
    }
    for l in &r.runtime_rollouts {
        page.para(&format!("{l}."));
    }
}

/// The timers behind the failover times, and how to change them.
fn timers_text(t: &Timers) -> String {
    let g = t.node_monitor_grace_seconds;
    let d = t.default_toleration_seconds;
    format!(
        "Failover times assume: a silent node is marked unreachable after {g}s (kube-controller-manager --node-monitor-grace-period, 50s since Kubernetes 1.32; `cluster.nodeMonitorGracePeriodSeconds`), its pods turn NotReady then and leave Service endpoints (requests to them fail until then), and are evicted after their tolerationSeconds: {d}s by default (DefaultTolerationSeconds), or `failoverSeconds` for pods at one replica. Then they are rescheduled and must start. Pods at 2 replicas or more keep the 300s: the others serve meanwhile, and a shorter time would move every such pod off a node at each flap longer than it, with nothing moving them back (docs/rollouts.md). On k3s: --kube-controller-manager-arg=node-monitor-grace-period=20s, --kube-apiserver-arg=default-not-ready-toleration-seconds=60 and --kube-apiserver-arg=default-unreachable-toleration-seconds=60 (for pods created afterwards)."
    )
}

/// What k3s owns, what it keeps in place, and the cut-over windows of the take-overs.
fn k3s_notes(page: &mut Page, k: &K3sReport) {
    page.para(&if k.owned.is_empty() {
        "k3s owns: none of the releases (its packaged components hagen manages are taken over)".to_string()
    } else {
        format!(
            "k3s owns: {} (a HelmChart; hagen writes only its HelmChartConfig)",
            k.owned.join(", ")
        )
    });
    if !k.in_place.is_empty() {
        page.para(&format!(
            "k3s keeps in place: {} (k3s's packaged objects stay; hagen adds an HPA and a PDB beside them: no outage, nothing disabled)",
            k.in_place.join(", ")
        ));
    }
    for c in &k.cut_overs {
        page.para(&format!(
            "k3s cut-over {} (`disable: [{}]`, then the chart with the Helm CLI; out/README.md): down: {}",
            c.release, c.disable, c.down
        ));
    }
}

/// Who owns `spec.replicas` once an HPA manages a component, and how to switch without surprises.
fn autoscale_notes(page: &mut Page, autoscaled: &[&ComponentPlan]) {
    page.para("Autoscaled components: the HPA owns spec.replicas, so hagen leaves replicas out of the manifest.");
    for c in autoscaled {
        if c.hpa_beside {
            page.item(&format!(
                "{}: hagen's HPA beside a Deployment whose manifest names no replicas: applying it raises the count to {} (the HPA controller acts below minReplicas before it reads any metric); nothing drops.",
                c.label(),
                c.replicas
            ));
            continue;
        }
        let safety = if c.surge {
            "Its strategy (maxSurge 1, maxUnavailable 0) keeps the old pod until a new one is ready, even when the same upgrade changes the pod template: one pod keeps serving. Do it when one replica can carry the load".to_string()
        } else {
            format!(
                "One pod keeps serving only if that upgrade leaves the pod template alone: at 1 replica with maxUnavailable 1 the Deployment controller may delete the only old pod before a new one is ready (kubernetes pkg/controller/deployment/rolling.go, reconcileOldReplicaSets), and {} is down meanwhile. Run the hand-over as its own upgrade, with no other change, when one replica can carry the load",
                c.label()
            )
        };
        page.item(&format!(
            "{}: the upgrade that first hands replicas to the HPA drops the Deployment to 1 replica until the HPA, created by the same upgrade, scales it back to {} (its sync period, 15s by default). Helm 3, and Helm 4 upgrading a release Helm 3 installed (`helm upgrade --server-side` defaults to `auto`: the previous release's method, here client-side; helm pkg/cmd/upgrade.go), merge three ways and delete spec.replicas (helm/helm#12650); on a release Helm 4 installed, server-side apply drops the field Helm owned. {safety}, then check `kubectl get hpa -n {} {}`. Under server-side apply, a chart that still renders replicas conflicts with the HPA's field manager (`conflict with \"kube-controller-manager\" with subresource \"scale\"`): never pass --force-conflicts, it resets the HPA's count.",
            c.label(),
            c.replicas,
            c.namespace,
            c.workload
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Autoscale;
    use crate::check::fixtures::{RUNTIME, cluster, intent};

    /// Component `name` at `replicas` with `anti_affinity`, eligible on `eligible`.
    fn component(name: &str, replicas: u32, anti_affinity: AntiAffinity, eligible: &[&str]) -> Intent {
        let mut i = intent(replicas);
        i.release = name.into();
        i.component = name.into();
        i.anti_affinity = anti_affinity;
        i.eligible_nodes = eligible.iter().map(|n| n.to_string()).collect();
        i
    }

    #[test]
    fn node_failure_by_replicas_and_room() {
        use AntiAffinity::{Preferred, Required};
        let abc = ["a", "b", "c"];
        struct Case {
            name: &'static str,
            intent: Intent,
            /// The nodes its pods run on.
            on: Vec<&'static str>,
            survival: Survival,
            words: &'static str,
        }
        let cases = [
            Case {
                name: "one replica, other nodes",
                intent: component("x", 1, Required, &abc),
                on: vec!["a"],
                survival: Survival::Failover,
                words: "down ~80s, then rescheduled on another eligible node",
            },
            Case {
                name: "one replica, one node",
                intent: component("x", 1, Required, &["a"]),
                on: vec!["a"],
                survival: Survival::None,
                words: "down until the node returns (no other eligible node)",
            },
            Case {
                name: "stacked on the one eligible node",
                intent: component("x", 2, Preferred, &["a"]),
                on: vec!["a", "a"],
                survival: Survival::None,
                words: "every replica is on the one eligible node: down until it returns",
            },
            Case {
                name: "a replica on every eligible node",
                intent: component("x", 3, Required, &abc),
                on: vec!["a", "b", "c"],
                survival: Survival::Reduced,
                words: "runs 2 of 3 until the node returns (no free eligible node)",
            },
            Case {
                name: "more replicas than eligible nodes: one Pending",
                intent: component("x", 4, Required, &abc),
                on: vec!["a", "b", "c"],
                survival: Survival::Reduced,
                words: "runs 2 of 4 until the node returns (no free eligible node)",
            },
            Case {
                name: "a free node",
                intent: component("x", 2, Required, &abc),
                on: vec!["a", "b"],
                survival: Survival::Full,
                words: "runs 1 of 2 for ~80s, then 2 again on a free node",
            },
            Case {
                name: "preferred fills every node",
                intent: component("x", 3, Preferred, &abc),
                on: vec!["a", "b", "c"],
                survival: Survival::Full,
                words: "runs 2 of 3 for ~80s, then 3 again on a free node",
            },
        ];
        for c in cases {
            let mut placement: IndexMap<String, Vec<String>> = IndexMap::new();
            for n in c.on {
                placement.entry(n.to_string()).or_default().push(c.intent.label());
            }
            assert_eq!(
                node_failure(&c.intent, &placement, 80),
                (c.survival, c.words.to_string()),
                "{}",
                c.name
            );
        }
    }

    #[test]
    fn rollouts_and_drains() {
        let runtime = {
            let mut i = intent(2);
            i.knowledge = &RUNTIME;
            i
        };
        let recreate = {
            let mut i = intent(3);
            i.strategy = Strategy::Recreate;
            i
        };
        let rolling_one = {
            let mut i = intent(1);
            i.strategy = Strategy::RollingUpdate;
            i
        };
        let surge = |replicas, scoped| {
            let mut i = intent(replicas);
            i.strategy = Strategy::RollingUpdateSurge;
            i.revision_scoped = scoped;
            i
        };
        struct Case {
            name: &'static str,
            intent: Intent,
            needs_all: bool,
            /// Serving during a rollout.
            serving: &'static str,
            /// A rollout with one node down.
            one_down: &'static str,
            drained: &'static str,
        }
        let cases = [
            Case {
                name: "rolling, room",
                intent: intent(2),
                needs_all: false,
                serving: "1 of 2",
                one_down: "proceeds, 1 of 2 serving",
                drained: "allowed (PDB maxUnavailable 1); the evicted pod moves to a free node",
            },
            Case {
                name: "surge, revision-scoped, room",
                intent: surge(2, true),
                needs_all: false,
                serving: "2 of 2 (+1 pod while it starts)",
                one_down: "proceeds, 2 of 2 serving",
                drained: "allowed (PDB maxUnavailable 1); the evicted pod moves to a free node",
            },
            Case {
                name: "surge, revision-scoped, every node",
                intent: surge(3, true),
                needs_all: true,
                serving: "3 of 3 (+1 pod while it starts)",
                one_down: "proceeds until the last new pod, Pending until the node returns; 2 of 3 serving (as before)",
                drained: "allowed (PDB maxUnavailable 1); the evicted pod stays Pending until uncordon",
            },
            Case {
                name: "surge, not scoped, room",
                intent: surge(2, false),
                needs_all: false,
                serving: "2 of 2 (+1 pod while it starts)",
                one_down: "stalls unless a node free of its pods is up",
                drained: "allowed (PDB maxUnavailable 1); the evicted pod moves to a free node",
            },
            Case {
                name: "rolling, every node",
                intent: intent(3),
                needs_all: true,
                serving: "2 of 3",
                one_down: "stalls: the Pending pod uses maxUnavailable 1; resumes when the node returns",
                drained: "allowed (PDB maxUnavailable 1); the evicted pod stays Pending until uncordon",
            },
            Case {
                name: "recreate, every node",
                intent: recreate,
                needs_all: true,
                serving: "0 of 3 (Recreate)",
                one_down: "proceeds with one pod Pending until the node returns",
                drained: "allowed (PDB maxUnavailable 1); the evicted pod stays Pending until uncordon",
            },
            Case {
                name: "one replica",
                intent: intent(1),
                needs_all: true,
                serving: "0 of 1 (Recreate)",
                one_down: "proceeds on another node",
                drained: "allowed (no PDB at 1 replica): down until rescheduled (~seconds)",
            },
            Case {
                name: "one replica, rolling",
                intent: rolling_one,
                needs_all: false,
                serving: "0 of 1 (maxUnavailable 1)",
                one_down: "proceeds",
                drained: "allowed (no PDB at 1 replica): down until rescheduled (~seconds)",
            },
            Case {
                name: "created at runtime",
                intent: runtime,
                needs_all: true,
                serving: "0 of 2 (recreated)",
                one_down: "set by Manager",
                drained: "no PDB (not controllable)",
            },
        ];
        for c in cases {
            assert_eq!(
                (
                    serving_during_rollout(&c.intent),
                    rollout_one_down(&c.intent, c.needs_all),
                    drain(&c.intent, c.needs_all)
                ),
                (c.serving.to_string(), c.one_down.to_string(), c.drained.to_string()),
                "{}",
                c.name
            );
        }
    }

    #[test]
    fn an_hpa_beyond_the_nodes_left() {
        let mut i = intent(2);
        i.autoscale = Some(Autoscale {
            min: 2,
            max: 3,
            cpu_utilization: 80,
        });
        let placement: IndexMap<String, Vec<String>> = [("a".to_string(), vec!["web".to_string()])].into();
        let c = plan_component(&i, &placement, 50);
        assert_eq!(
            c.node_failure_text,
            "runs 1 of 2 for ~350s, then 2 again on a free node; the HPA can reach only 2 of its max 3 while a node is down"
        );
        assert_eq!(
            (c.max_replicas, c.failover_seconds, c.placeable),
            (Some(3), Some(350), true)
        );
        let c = plan_component(
            &component("x", 4, AntiAffinity::Required, &["a", "b", "c"]),
            &placement,
            50,
        );
        assert_eq!(
            (c.placeable, c.node_failure, c.failover_seconds),
            (false, Survival::Reduced, None)
        );
    }

    #[test]
    fn placement_spreads_and_respects_required_anti_affinity() {
        let p = cluster(&["a", "b", "c"]);
        let web = component("web", 2, AntiAffinity::Required, &["a", "b", "c"]);
        let db = component("db", 2, AntiAffinity::Required, &["a", "b", "c"]);
        let wide = component("wide", 4, AntiAffinity::Required, &["a", "b", "c"]);
        let soft = component("soft", 4, AntiAffinity::Preferred, &["a", "b"]);
        struct Case<'a> {
            name: &'static str,
            intents: Vec<&'a Intent>,
            down: Option<&'static str>,
            /// Each node's pods.
            want: Vec<(&'static str, Vec<&'static str>)>,
        }
        let cases = [
            Case {
                name: "least loaded first, the first node among equals",
                intents: vec![&web, &db],
                down: None,
                want: vec![("a", vec!["web", "db"]), ("b", vec!["web"]), ("c", vec!["db"])],
            },
            Case {
                name: "required: one per node, the rest unplaced",
                intents: vec![&wide],
                down: None,
                want: vec![("a", vec!["wide"]), ("b", vec!["wide"]), ("c", vec!["wide"])],
            },
            Case {
                name: "preferred: shares once every node has one",
                intents: vec![&soft],
                down: None,
                want: vec![("a", vec!["soft", "soft"]), ("b", vec!["soft", "soft"]), ("c", vec![])],
            },
            Case {
                name: "a node down",
                intents: vec![&wide],
                down: Some("b"),
                want: vec![("a", vec!["wide"]), ("b", vec![]), ("c", vec!["wide"])],
            },
        ];
        for c in cases {
            let want: IndexMap<String, Vec<String>> = c
                .want
                .into_iter()
                .map(|(n, pods)| (n.to_string(), pods.into_iter().map(String::from).collect()))
                .collect();
            assert_eq!(place(&p, &c.intents, c.down), want, "{}", c.name);
        }
    }

    #[test]
    fn a_preferred_avoided_node_is_taken_last() {
        let mut p = cluster(&["a", "b", "c"]);
        p.node_labels
            .insert("c".into(), [("role".to_string(), "edge".to_string())].into());
        let web = component("web", 2, AntiAffinity::Required, &["a", "b", "c"]);
        let mut x = component("x", 1, AntiAffinity::Required, &["a", "b", "c"]);
        let y = x.clone();
        x.avoid = Some(crate::catalog::AvoidNodes {
            labels: [("role".to_string(), "edge".to_string())].into(),
            strength: crate::catalog::Strength::Preferred,
        });
        let at = |i: &Intent| {
            place(&p, &[&web, i], None)
                .into_iter()
                .find(|(_, pods)| pods.contains(&i.label()))
        };
        assert_eq!(at(&y).map(|(n, _)| n).as_deref(), Some("c"), "the least loaded");
        assert_eq!(at(&x).map(|(n, _)| n).as_deref(), Some("a"), "avoided");
    }

    #[test]
    fn prose_wraps_at_the_width_with_a_hanging_indent() {
        let word = "x".repeat(30);
        let long = "y".repeat(WIDTH + 5);
        struct Case<'a> {
            name: &'static str,
            /// An item, else a paragraph.
            item: bool,
            words: &'a str,
            want: Vec<String>,
        }
        let cases = [
            Case {
                name: "short",
                item: false,
                words: "a b  c",
                want: vec!["a b c".to_string()],
            },
            Case {
                name: "fills each line",
                item: false,
                words: &[word.as_str(); 4].join(" "),
                want: vec![[word.as_str(); 3].join(" "), word.clone()],
            },
            Case {
                name: "an item's lines run on further in",
                item: true,
                words: &[word.as_str(); 4].join(" "),
                want: vec![format!("  {}", [word.as_str(); 3].join(" ")), format!("    {word}")],
            },
            Case {
                name: "a word longer than a line stands alone",
                item: false,
                words: &format!("a {long} b"),
                want: vec!["a".to_string(), long.clone(), "b".to_string()],
            },
        ];
        for c in cases {
            let mut page = Page::default();
            if c.item {
                page.item(c.words);
            } else {
                page.para(c.words);
            }
            assert_eq!(page.0.lines().collect::<Vec<_>>(), c.want, "{}", c.name);
        }
    }

    #[test]
    fn a_single_replica_is_never_advised_to_be_deleted() {
        let p = cluster(&["a", "b", "c"]);
        let one = component("one", 1, AntiAffinity::None, &["a", "b", "c"]);
        let intents = [&one];
        let before = place(&p, &intents, None);
        let failed = before
            .iter()
            .find(|(_, pods)| !pods.is_empty())
            .map(|(n, _)| n.clone())
            .unwrap();
        let lines = recovery_scenario(&p, &intents, &before, &failed).lines;
        assert!(
            lines.iter().all(|l| !l.sentence().contains("kubectl delete")),
            "{lines:?}"
        );
        let stays = lines[1].sentence();
        assert!(
            stays.starts_with("one stays on ") && stays.ends_with("deleting its pod would stop it"),
            "{lines:?}"
        );
    }

    #[test]
    fn failure_and_recovery_scenarios() {
        let p = cluster(&["a", "b", "c"]);
        let web = component("web", 2, AntiAffinity::Required, &["a", "b", "c"]);
        let one = component("one", 1, AntiAffinity::Required, &["a", "b", "c"]);
        let pinned = component("pinned", 1, AntiAffinity::Required, &["a"]);
        let intents = [&web, &one, &pinned];
        let before = place(&p, &intents, None);
        assert_eq!(
            fail_scenario(&p, &intents, &before, "a").lines,
            [
                "web: runs 1 of 2 for ~350s, then its pod is recreated on c",
                "pinned: DOWN until a returns",
                "b then runs 2 pods",
                "c then runs 1 pods",
            ]
        );
        assert_eq!(
            recovery_scenario(&p, &intents, &before, "a").lines,
            [
                "a returns empty of them: nothing rebalances by itself (a runs 0 of the pods it had; the others keep theirs)",
                "to move web back: kubectl delete pod -n ns -l app=web --field-selector spec.nodeName=c",
            ]
        );
    }
}

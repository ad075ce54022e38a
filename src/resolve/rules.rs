//! The rules the resolver applies, each a small pure function with a name a reviewer can find: it takes plain
//! values and returns what it found ([`Finding`]). Where a finding points and whether a warning was acknowledged is
//! the resolver's business ([`super::sink`]); what is true or wrong is decided here, and table-tested below.

use crate::catalog::position::escape;
use crate::catalog::{AntiAffinity, Autoscale, AvoidNodes, Node, Settings, Strategy, Strength};
use crate::charts::{Caveat, Chart, K3s, Route};
use crate::k8s::{KubeVersion, MatchLabelKeys};
use std::collections::HashSet;

/// Seconds a pod at one replica stays bound to a failed node once the node is marked unreachable, when the
/// catalogue does not say (Kubernetes' own DefaultTolerationSeconds is 300).
pub const DEFAULT_FAILOVER_SECONDS: u32 = 30;

/// Replicas when nothing in the catalogue says.
pub const DEFAULT_REPLICAS: u32 = 2;

/// The warnings a component can acknowledge (`acknowledge: {CODE: why}`), besides its chart's caveat codes.
pub const WARNING_CODES: &[(&str, &str)] = &[
    (
        "recreate-stops-all",
        "Recreate at two replicas or more stops all of them at every rollout",
    ),
    (
        "rolling-may-overlap",
        "RollingUpdate on a single-instance controller can overlap the old pod while it terminates",
    ),
    (
        "no-room-to-reschedule",
        "as many replicas as eligible nodes with required anti-affinity",
    ),
    ("no-anti-affinity", "two replicas or more that may share a node"),
    ("not-controllable", "a setting the chart's runtime decides, not hagen"),
    (
        "surge-needs-free-node",
        "a surge rollout whose new pod needs a node free of the component's pods",
    ),
];

/// How much a finding weighs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// The catalogue cannot be resolved.
    Error,
    /// A risk worth fixing: an error under `--strict`; with a code, a component may acknowledge it.
    Warning(Option<&'static str>),
    /// Information that stays a warning even under `--strict` (an explicit override, an unused acknowledgement).
    Notice,
}

/// Where a finding points, relative to the catalogue node the rule ran on (a component, a release, the catalogue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum At {
    /// This path below the node, always (`autoscale/max`; empty for the node itself).
    Exact(String),
    /// The field when the component itself names it, else the component (the value came from its tier or defaults).
    Named(&'static str),
    /// The line that chose the rollout strategy: the component, its tier or the defaults.
    Strategy,
    /// `autoscale/min` when the component autoscales, else like `Named("replicas")`.
    ReplicaCount,
}

/// One thing a rule found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub level: Level,
    pub at: At,
    pub message: String,
}

impl Finding {
    pub fn error(at: At, message: String) -> Self {
        Finding {
            level: Level::Error,
            at,
            message,
        }
    }

    pub fn warning(at: At, message: String) -> Self {
        Finding {
            level: Level::Warning(None),
            at,
            message,
        }
    }

    /// A warning a component can acknowledge by `code`.
    pub fn coded(code: &'static str, at: At, message: String) -> Self {
        Finding {
            level: Level::Warning(Some(code)),
            at,
            message,
        }
    }

    pub fn notice(at: At, message: String) -> Self {
        Finding {
            level: Level::Notice,
            at,
            message,
        }
    }
}

/// `At::Exact` of `path`.
pub fn exact(path: &str) -> At {
    At::Exact(path.to_string())
}

/// For each name, whether an earlier one has the same name (nodes, releases, components of a release).
pub fn repeated<'a>(names: impl IntoIterator<Item = &'a str>) -> Vec<bool> {
    let mut seen = HashSet::new();
    names.into_iter().map(|n| !seen.insert(n)).collect()
}

/// The message for a name hagen does not know: `head`, a did-you-mean, and the names it knows (`list: …tail`).
pub fn unknown_name(head: String, name: &str, known: &[&str], list: &str, tail: &str) -> String {
    let mut m = head;
    if let Some(s) = crate::suggest::did_you_mean(name, known.iter().copied()) {
        m.push_str(&format!("; did you mean `{s}`?"));
    }
    m.push_str(&format!(" ({list}: {}{tail})", known.join(", ")));
    m
}

/// The message for a release whose chart hagen has no knowledge of (`None` when it has).
pub fn chart_known(charts: &crate::charts::Registry, chart: &str, version: &str) -> Option<String> {
    if charts.chart(chart, version).is_some() {
        return None;
    }
    let head = format!("hagen has no knowledge of chart `{chart}`");
    let tail = "; describe another one in a `charts/` folder beside the catalogue";
    let known: Vec<&str> = charts.names().collect();
    Some(unknown_name(head, chart, &known, "known charts", tail))
}

/// The message for a component its chart does not have (`None` when it has it).
pub fn component_known(chart: &Chart, component: &str) -> Option<String> {
    if chart.component(component).is_some() {
        return None;
    }
    let head = format!("chart {} has no component `{component}`", chart.name);
    let ids: Vec<&str> = chart.components.iter().map(|c| c.id).collect();
    Some(unknown_name(head, component, &ids, "known", ""))
}

/// Unknown charts and components in a catalogue that did not pass its schema yet, read from the raw JSON as far as
/// it goes, so that they are reported with the schema's errors instead of after them: (JSON pointer, message).
pub fn names_known(charts: &crate::charts::Registry, json: &serde_json::Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let releases = json.get("releases").and_then(serde_json::Value::as_array);
    for (ri, rel) in releases.into_iter().flatten().enumerate() {
        let Some(name) = rel.get("chart").and_then(serde_json::Value::as_str) else {
            continue;
        };
        let version = rel.get("version").and_then(serde_json::Value::as_str).unwrap_or("");
        if let Some(m) = chart_known(charts, name, version) {
            out.push((format!("/releases/{ri}/chart"), m));
            continue;
        }
        let Some(chart) = charts.chart(name, version) else {
            continue;
        };
        let components = rel.get("components").and_then(serde_json::Value::as_array);
        for (ci, comp) in components.into_iter().flatten().enumerate() {
            let component = comp.get("name").and_then(serde_json::Value::as_str);
            if let Some(m) = component.and_then(|c| component_known(chart, c)) {
                out.push((format!("/releases/{ri}/components/{ci}/name"), m));
            }
        }
    }
    out
}

/// A release's chart version must have a proof made with the chart knowledge hagen has now.
pub fn chart_version_proven(
    lock: &crate::lock::Lock,
    chart: &Chart,
    version: &str,
    allow_unproven: bool,
) -> Option<Finding> {
    let k = chart.knowledge;
    let sha = format!("sha256:{}", k.sha256);
    let proven = lock.proven_versions(chart.name, &sha);
    if proven.contains(&version) {
        return None;
    }
    let why = match lock.proof(chart.name, version) {
        Some(_) => format!(
            "{} has a proof of chart {} {version} made with other chart knowledge than {} has now",
            lock.path.display(),
            chart.name,
            k.origin
        ),
        None => format!(
            "{} has no proof of chart {} {version}{} (proven: {})",
            lock.path.display(),
            chart.name,
            same_version(version, &proven)
                .map(|v| format!("; did you mean `{v}`?"))
                .unwrap_or_default(),
            if proven.is_empty() {
                "none".to_string()
            } else {
                proven.join(", ")
            }
        ),
    };
    let m = format!(
        "{why}; run `hagen verify` (it renders the real chart with hagen's overlay and records the proof), or pass --allow-unproven to generate anyway"
    );
    Some(if allow_unproven {
        Finding::notice(exact("version"), m)
    } else {
        Finding::error(exact("version"), m)
    })
}

/// The proven version `version` is a misspelling of: the same but for a `v` prefix (`v1.46.2`, `1.46.2`), or cut
/// short (`1.46` for `1.46.2`). A different version (a bump) gets no suggestion.
fn same_version<'a>(version: &str, proven: &[&'a str]) -> Option<&'a str> {
    let bare = |v: &str| v.strip_prefix('v').unwrap_or(v).to_string();
    let asked = bare(version);
    proven.iter().copied().find(|p| bare(p) == asked).or_else(|| {
        proven
            .iter()
            .copied()
            .find(|p| bare(p).starts_with(&format!("{asked}.")))
    })
}

/// Argo CD fetches `delivery.argocd.repoURL`: a host reserved for examples (RFC 2606: `example.com`, `.example`,
/// `.invalid`, `.test`, …) is a placeholder left from a template, and every Application would fail to sync.
pub fn repo_url_is_real(url: &str) -> Option<Finding> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority
        .rsplit('@')
        .next()
        .unwrap_or("")
        .split(':')
        .next()
        .unwrap_or("")
        .to_lowercase();
    let host = host.trim_end_matches('.');
    let reserved = ["example.com", "example.net", "example.org"]
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")))
        || [".example", ".invalid", ".test", ".localhost"]
            .iter()
            .any(|t| host.ends_with(t))
        || host == "localhost";
    reserved.then(|| {
        Finding::notice(
            exact("delivery/argocd/repoURL"),
            format!(
                "`{host}` is a placeholder (a name reserved for examples): set the URL of the repository that holds this catalogue and out/, or Argo CD cannot fetch them"
            ),
        )
    })
}

/// Settings layered: what `over` names wins over `base`.
pub fn layer(base: &Settings, over: &Settings) -> Settings {
    Settings {
        replicas: over.replicas.or(base.replicas),
        anti_affinity: over.anti_affinity.or(base.anti_affinity),
        strategy: over.strategy.or(base.strategy),
        pdb: over.pdb.or(base.pdb),
        avoid_nodes: over.avoid_nodes.clone().or_else(|| base.avoid_nodes.clone()),
        failover_seconds: over.failover_seconds.or(base.failover_seconds),
    }
}

/// Every label an `avoidNodes` names must be on some node, or the rule is a typo that silently does nothing.
pub fn avoided_labels_exist(cluster: &str, nodes: &[Node], a: &AvoidNodes) -> Vec<Finding> {
    let mut out = Vec::new();
    for (k, v) in &a.labels {
        if !nodes.iter().any(|n| n.labels.get(k) == Some(v)) {
            let known: Vec<String> = nodes
                .iter()
                .flat_map(|n| n.labels.iter().map(|(k, v)| format!("{k}={v}")))
                .collect();
            out.push(Finding::error(
                At::Exact(format!("labels/{}", escape(k))),
                format!(
                    "no node of cluster `{cluster}` has the label {k}={v} (node labels: {})",
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            ));
        }
    }
    out
}

/// The nodes a replica may run on: all but those a required `avoidNodes` excludes.
pub fn eligible_nodes(nodes: &[Node], avoid: Option<&AvoidNodes>) -> Vec<String> {
    nodes
        .iter()
        .filter(|n| match avoid {
            Some(a) if a.strength == Strength::Required => !a.labels.iter().any(|(k, v)| n.labels.get(k) == Some(v)),
            _ => true,
        })
        .map(|n| n.name.clone())
        .collect()
}

/// A Deployment a chart's runtime creates (not Helm) cannot be kept off nodes by hagen; a component asking for it
/// is told so. `owner` and `placement` describe the runtime.
pub fn placement_controllable(
    who: &str,
    rendered_by_helm: bool,
    asked: bool,
    runtime: Option<(&str, &str)>,
) -> Option<Finding> {
    (!rendered_by_helm && asked).then(|| {
        Finding::coded(
            "not-controllable",
            At::Named("avoidNodes"),
            format!(
                "{who}: node placement of the Deployments {} creates at runtime is not controllable by hagen ({})",
                runtime.map_or("the chart", |r| r.0),
                runtime.map_or("", |r| r.1)
            ),
        )
    })
}

/// A component must have somewhere to run.
pub fn has_eligible_node(who: &str, eligible: &[String]) -> Option<Finding> {
    eligible.is_empty().then(|| {
        Finding::error(
            At::Named("avoidNodes"),
            format!("avoidNodes leaves {who} no node to run on"),
        )
    })
}

/// What a chart can autoscale, and how far the nodes let it.
pub struct AutoscaleCase<'a> {
    pub who: &'a str,
    pub chart: &'a str,
    pub bounds: Autoscale,
    /// Whether the chart can create an HPA for this component.
    pub autoscalable: bool,
    /// The components hagen can autoscale, for the message.
    pub can: &'a [String],
    /// Whether the component also names `replicas`.
    pub names_replicas: bool,
    pub anti_affinity: AntiAffinity,
    pub eligible: &'a [String],
}

/// Autoscaling only where the chart creates an HPA, with sane bounds a required spread can place.
pub fn autoscale_bounds(c: &AutoscaleCase) -> Vec<Finding> {
    let a = c.bounds;
    let mut out = Vec::new();
    if !c.autoscalable {
        out.push(Finding::error(
            exact("autoscale"),
            format!(
                "chart {} cannot create a HorizontalPodAutoscaler for {}; hagen autoscales only {}",
                c.chart,
                c.who,
                c.can.join(", ")
            ),
        ));
    }
    if a.max < a.min {
        out.push(Finding::error(
            exact("autoscale/max"),
            format!("autoscale.max {} is below autoscale.min {}", a.max, a.min),
        ));
    }
    if c.names_replicas {
        out.push(Finding::error(
            exact("replicas"),
            "set either replicas or autoscale: under an HPA the replica count is autoscale.min..max".into(),
        ));
    }
    let eligible = c.eligible.len() as u32;
    if c.anti_affinity == AntiAffinity::Required && a.max > eligible {
        out.push(Finding::error(
            exact("autoscale/max"),
            format!(
                "autoscale.max {} with required anti-affinity needs {} eligible nodes, but only {eligible} are eligible ({}): the HPA's extra pods would stay Pending",
                a.max,
                a.max,
                c.eligible.join(", ")
            ),
        ));
    }
    out
}

/// Zero replicas is not availability.
pub fn replicas_positive(replicas: u32) -> Option<Finding> {
    (replicas == 0).then(|| {
        Finding::error(
            At::Named("replicas"),
            "replicas must be at least 1: 0 stops the component".into(),
        )
    })
}

/// A single-instance controller runs once, unless the catalogue says why two are safe here.
pub fn single_instance(who: &str, replicas: u32, reason: Option<&str>, overridden: bool) -> Option<Finding> {
    let reason = reason.filter(|_| replicas > 1)?;
    Some(if overridden {
        Finding::notice(
            exact("singleInstanceOverride"),
            format!("{who} runs {replicas} replicas by explicit override although {reason}"),
        )
    } else {
        Finding::error(
            At::Named("replicas"),
            format!(
                "{who} must run as a single instance: {reason}. Set `replicas: 1`, or add `singleInstanceOverride: <why it is safe here>` to the component"
            ),
        )
    })
}

/// What the chart knowledge warns about a component at more than one replica.
pub fn chart_caveat(who: &str, replicas: u32, caveat: Option<&Caveat>) -> Option<Finding> {
    let c = caveat.filter(|_| replicas > 1)?;
    Some(Finding::coded(
        c.code,
        At::Named("replicas"),
        format!("{who} at {replicas} replicas: {}", c.text),
    ))
}

/// The cluster's Kubernetes version: `cluster.kubernetesVersion`, else the one `cluster.k3s.version` implies; an
/// error when both are given and disagree on the minor version. Both are well-formed: the schema checked them.
pub fn kubernetes_version(cluster: Option<&str>, k3s: Option<&str>) -> (Option<KubeVersion>, Option<Finding>) {
    let given = cluster.and_then(KubeVersion::parse);
    let implied = k3s.and_then(|v| KubeVersion::parse(v.split('+').next().unwrap_or(v)));
    match (given, implied) {
        (Some(g), Some(i)) if g != i => (
            Some(g),
            Some(Finding::error(
                exact("cluster/kubernetesVersion"),
                format!(
                    "kubernetesVersion {g} disagrees with cluster.k3s.version {} (Kubernetes {i}); give the version the cluster runs, or leave kubernetesVersion out",
                    k3s.unwrap_or_default()
                ),
            )),
        ),
        (g, i) => (g.or(i), None),
    }
}

/// Whether hagen writes revision-scoped anti-affinity (`matchLabelKeys: [pod-template-hash]`, KEP-3633): from 1.33
/// (GA), and 1.31–1.32 (beta, on by default) with a notice that the feature gate must be on. Not before 1.31, and
/// not when the version is unknown: the API server would drop the field, and a surge rollout would need a free
/// node.
pub fn revision_scoping(version: Option<KubeVersion>) -> (bool, Option<Finding>) {
    let Some(v) = version else {
        return (false, None);
    };
    match v.match_label_keys() {
        MatchLabelKeys::Stable => (true, None),
        MatchLabelKeys::Absent => (false, None),
        MatchLabelKeys::Beta => (
            true,
            Some(Finding::notice(
                exact("cluster/kubernetesVersion"),
                format!(
                    "Kubernetes {v}: revision-scoped anti-affinity (matchLabelKeys) is beta, on unless the API server and scheduler run with --feature-gates=MatchLabelKeysInPodAffinity=false; with the gate off the key is dropped and surge rollouts need a free node (set `strategy: RollingUpdate` then)"
                ),
            )),
        ),
    }
}

/// Whether a component's required hostname term gets `matchLabelKeys`: revision scoping is on, it runs two
/// replicas or more with required anti-affinity, and hagen writes its affinity (values or a patch).
pub fn revision_scoped(scoping: bool, replicas: u32, anti_affinity: AntiAffinity, affinity: &Route) -> bool {
    scoping
        && replicas >= 2
        && anti_affinity == AntiAffinity::Required
        && matches!(affinity, Route::Values(_) | Route::Patch)
}

/// Whether the first surge rollout after switching finds a node free of the component's pods: the old pods'
/// required terms carry no `matchLabelKeys` and repel the new pod (kubernetes/kubernetes#134393). With required
/// anti-affinity that needs fewer replicas than eligible nodes.
pub fn surge_has_room(replicas: u32, anti_affinity: AntiAffinity, eligible: usize) -> bool {
    anti_affinity != AntiAffinity::Required || (replicas as usize) < eligible
}

/// The strategy a component gets when the catalogue names none: at two replicas or more, a surge rollout (every
/// replica keeps serving) where revision-scoped anti-affinity lets the new pod share a node with an old one and
/// the first rollout has room, else one pod at a time in place; Recreate at one replica, where the old pod must
/// be gone before the new one starts.
pub fn default_strategy(replicas: u32, scoped: bool, room: bool) -> Strategy {
    match replicas {
        0 | 1 => Strategy::Recreate,
        _ if scoped && room => Strategy::RollingUpdateSurge,
        _ => Strategy::RollingUpdate,
    }
}

/// A surge rollout the catalogue asked for that needs a node free of the component's pods: at every rollout
/// without revision scoping, or at the first one after switching when every eligible node has a pod.
pub fn surge_needs_free_node(who: &str, strategy: Strategy, scoped: bool, room: bool) -> Option<Finding> {
    if strategy != Strategy::RollingUpdateSurge || (scoped && room) {
        return None;
    }
    let message = if scoped {
        format!(
            "{who} asks for RollingUpdateSurge with a pod on every eligible node: the first rollout after switching stalls (its new pod meets the old pods' anti-affinity terms, which have no matchLabelKeys yet, on every node); roll out once with `strategy: RollingUpdate`, then switch"
        )
    } else {
        format!(
            "{who} asks for RollingUpdateSurge without revision-scoped anti-affinity (cluster.kubernetesVersion unset or before 1.31): every rollout's new pod needs a node free of the component's pods, and stalls without one"
        )
    };
    Some(Finding::coded("surge-needs-free-node", At::Strategy, message))
}

/// What is wrong with a rollout strategy for a component, if anything.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RolloutFinding {
    /// Recreate at two replicas or more: every replica stops at once (a warning).
    RecreateStopsAll,
    /// RollingUpdate for a single-instance controller: the new pod may start while the old one terminates.
    RollingMayOverlap,
    /// RollingUpdate where readiness needs the leader lease: the rollout never completes (an error).
    StallsOnLease,
}

/// Judges a strategy against the replica count and what the component's source says about it.
pub fn rollout_finding(
    strategy: Strategy,
    replicas: u32,
    single_instance: bool,
    needs_lease: bool,
) -> Option<RolloutFinding> {
    match strategy {
        Strategy::Recreate if replicas >= 2 => Some(RolloutFinding::RecreateStopsAll),
        Strategy::Recreate => None,
        Strategy::RollingUpdate | Strategy::RollingUpdateSurge if needs_lease && replicas >= 2 => {
            Some(RolloutFinding::StallsOnLease)
        }
        Strategy::RollingUpdate | Strategy::RollingUpdateSurge if single_instance && replicas == 1 => {
            Some(RolloutFinding::RollingMayOverlap)
        }
        Strategy::RollingUpdate | Strategy::RollingUpdateSurge => None,
    }
}

/// A rollout that cannot stall, stop everything at once, or run a single-instance controller twice.
pub struct RolloutCase<'a> {
    pub who: &'a str,
    pub strategy: Strategy,
    pub replicas: u32,
    /// Whether hagen controls the strategy at all (not the chart's runtime).
    pub controllable: bool,
    pub single_instance: bool,
    pub readiness: &'a crate::charts::Readiness,
    /// What stops working while the component is down.
    pub impact: &'a str,
}

/// The finding for a component's rollout strategy, in words.
pub fn rollout_safe(c: &RolloutCase) -> Option<Finding> {
    if !c.controllable {
        return None;
    }
    let (who, replicas) = (c.who, c.replicas);
    Some(
        match rollout_finding(c.strategy, replicas, c.single_instance, c.readiness.needs_lease)? {
            RolloutFinding::StallsOnLease => Finding::error(
                At::Strategy,
                format!(
                    "{who} becomes ready only while it holds its leader lease ({}): a one-at-a-time rollout would wait forever for the new pod, which cannot win the lease the old one holds (jumpstarter-dev/jumpstarter#1012); use `strategy: Recreate`",
                    c.readiness.text
                ),
            ),
            RolloutFinding::RecreateStopsAll => Finding::coded(
                "recreate-stops-all",
                At::Strategy,
                format!(
                    "{who} rolls out with Recreate, which stops all {replicas} replicas together at every upgrade (while they are down: {}); RollingUpdate with maxSurge 0, maxUnavailable 1 replaces one pod at a time, keeps the others serving and never needs a free node",
                    c.impact.trim_end_matches('.')
                ),
            ),
            RolloutFinding::RollingMayOverlap => Finding::coded(
                "rolling-may-overlap",
                At::Strategy,
                format!(
                    "{who} must never run twice, but RollingUpdate creates the new pod as soon as the old one is told to stop, while the old one may still run for its termination grace period; Recreate waits until the old pod is gone"
                ),
            ),
        },
    )
}

/// Replicas spread by required anti-affinity need as many eligible nodes, and one spare to reschedule after a
/// node failure.
pub fn replicas_fit_nodes(
    who: &str,
    replicas: u32,
    anti_affinity: AntiAffinity,
    eligible: &[String],
    autoscaled: bool,
) -> Option<Finding> {
    if replicas < 2 || anti_affinity != AntiAffinity::Required {
        return None;
    }
    let n = eligible.len() as u32;
    if replicas > n {
        Some(Finding::error(
            At::ReplicaCount,
            format!(
                "{replicas} replicas with required anti-affinity need {replicas} eligible nodes, but only {n} are eligible ({}): {} pod(s) would stay Pending",
                eligible.join(", "),
                replicas - n
            ),
        ))
    } else if replicas == n {
        Some(Finding::coded(
            "no-room-to-reschedule",
            At::ReplicaCount,
            format!(
                "{who} runs {replicas} replicas{} on {n} eligible nodes ({}) with required anti-affinity: no room to reschedule after a node failure (it runs reduced until the node returns)",
                if autoscaled { " at least (autoscale.min)" } else { "" },
                eligible.join(", ")
            ),
        ))
    } else {
        None
    }
}

/// Two replicas or more without anti-affinity may share the node that fails.
pub fn replicas_spread(who: &str, replicas: u32, anti_affinity: AntiAffinity) -> Option<Finding> {
    (replicas >= 2 && anti_affinity == AntiAffinity::None).then(|| {
        Finding::coded(
            "no-anti-affinity",
            At::Named("antiAffinity"),
            format!("{who} has no anti-affinity: its {replicas} replicas may share one node"),
        )
    })
}

/// The PDB's `maxUnavailable` (none at one replica: a PDB there would block every drain), and whether a drain
/// could still take every pod down.
pub fn pdb_allows_drain(replicas: u32, max_unavailable: u32) -> (Option<u32>, Option<Finding>) {
    if replicas < 2 {
        return (None, None);
    }
    let finding = (max_unavailable >= replicas).then(|| {
        Finding::error(
            At::Named("pdb"),
            format!(
                "pdb.maxUnavailable {max_unavailable} with {replicas} replicas lets a drain take every pod down; use at most {}",
                replicas - 1
            ),
        )
    });
    (Some(max_unavailable), finding)
}

/// Fast failover for a component at one replica, where the chart lets hagen set tolerations (values or patch).
pub fn failover_seconds(replicas: u32, tolerations: &Route, asked: Option<u32>) -> Option<u32> {
    (replicas == 1 && matches!(tolerations, Route::Values(_) | Route::Patch))
        .then(|| asked.unwrap_or(DEFAULT_FAILOVER_SECONDS))
}

/// Whether `code` is a warning a component of this chart can acknowledge.
pub fn known_code(code: &str, caveat: Option<&str>) -> bool {
    WARNING_CODES.iter().any(|(c, _)| *c == code) || caveat == Some(code)
}

/// Every acknowledgement names a warning hagen gives for this component, with a reason a reviewer can judge.
pub fn acknowledgements_valid<'a>(
    component: &str,
    given: impl IntoIterator<Item = (&'a String, &'a String)>,
    caveat: Option<&str>,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for (code, reason) in given {
        let at = At::Exact(format!("acknowledge/{}", escape(code)));
        if !known_code(code, caveat) {
            let codes: Vec<&str> = WARNING_CODES.iter().map(|(c, _)| *c).chain(caveat).collect();
            let head = format!("`{code}` is not a warning hagen gives for component `{component}`");
            out.push(Finding::error(at, unknown_name(head, code, &codes, "codes", "")));
        } else if reason.trim().chars().count() < 10 {
            out.push(Finding::error(
                at,
                format!("acknowledging `{code}` needs a reason of at least 10 characters: why is it acceptable here?"),
            ));
        }
    }
    out
}

/// An acknowledgement of a known warning that did not fire is stale: say so.
pub fn acknowledgements_used<'a>(
    who: &str,
    given: impl IntoIterator<Item = &'a String>,
    fired: &HashSet<&str>,
    caveat: Option<&str>,
) -> Vec<Finding> {
    given
        .into_iter()
        .filter(|code| !fired.contains(code.as_str()) && known_code(code, caveat))
        .map(|code| {
            Finding::notice(
                At::Exact(format!("acknowledge/{}", escape(code))),
                format!(
                    "{who} acknowledges `{code}`, but hagen does not warn about it here: remove the acknowledgement"
                ),
            )
        })
        .collect()
}

/// Components whose anti-affinity is one shared runtime preset (one values key for all) must agree on it.
/// `runtime` is each such component's name, replicas and effective anti-affinity.
pub fn shared_preset_agrees(release: &str, owner: &str, runtime: &[(&str, u32, AntiAffinity)]) -> Vec<Finding> {
    let modes: HashSet<AntiAffinity> = runtime.iter().map(|r| r.2).collect();
    let mut out = Vec::new();
    if modes.len() > 1 {
        out.push(Finding::error(
            exact("components"),
            format!(
                "release `{release}`: the chart sets one anti-affinity preset for all of {}; give them the same antiAffinity (and replicas ≥ 2 or all 1)",
                runtime.iter().map(|r| r.0).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    if modes.contains(&AntiAffinity::None) && runtime.iter().any(|r| r.1 >= 2) {
        out.push(Finding::notice(
            exact("components"),
            format!("{owner}'s preset has no `none`: `antiAffinity: none` is delivered as preferred"),
        ));
    }
    out
}

/// `k3sTakeOver` asks to replace k3s's packaged copy with the chart: only for a `k3sBundled` release whose chart
/// hagen knows how to take over.
pub fn k3s_take_over_known(release: &str, chart: &Chart, bundled: bool, take_over: bool) -> Option<Finding> {
    if !take_over {
        return None;
    }
    let m = if !bundled {
        format!(
            "release `{release}` has `k3sTakeOver` but not `k3sBundled: true`: there is no packaged copy of k3s's to take over"
        )
    } else if chart.k3s_take_over.is_none() {
        format!(
            "hagen knows no take-over of k3s's packaged copy for chart {}; remove `k3sTakeOver`",
            chart.name
        )
    } else {
        return None;
    };
    Some(Finding::error(exact("k3sTakeOver"), m))
}

/// k3s's packaged Deployment kept in place is the one hagen's knowledge records: for a k3s release outside the
/// lines it was recorded for (`v1.35`), say how to check the live Deployment.
pub fn k3s_in_place_version_known(
    release: &str,
    k3s_version: Option<&str>,
    lines: &[String],
    workload: &str,
) -> Option<Finding> {
    let v = k3s_version?;
    let mut parts = v.trim_start_matches('v').split(['.', '+']);
    let line = format!("v{}.{}", parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    (!lines.contains(&line)).then(|| {
        Finding::notice(
            exact("k3sBundled"),
            format!(
                "release `{release}` keeps k3s's own {workload} in place; hagen's knowledge of k3s's packaged Deployment is recorded for k3s {}, not {line}: check its spread and strategy with `kubectl -n kube-system get deployment {workload} -o jsonpath='{{.spec.strategy}} {{.spec.template.spec.topologySpreadConstraints}}'` (hagen audit judges the live one)",
                lines.join(", ")
            ),
        )
    })
}

/// A take-over's live data (k3s's NodeHosts) is saved beside the catalogue before the install line can use it.
pub fn take_over_files_saved(release: &str, missing: &[String]) -> Option<Finding> {
    (!missing.is_empty()).then(|| {
        Finding::warning(
            exact("k3sBundled"),
            format!(
                "release `{release}` takes k3s's packaged copy over, and its install line reads {}, which does not exist yet: run the preflight's first step in out/README.md (\"k3s\") before anything is disabled",
                missing.join(", ")
            ),
        )
    })
}

/// A release marked `k3sBundled` is one k3s ships, and k3s lets hagen reach it.
pub fn k3s_bundled(release: &str, chart: &Chart, patches: bool) -> Option<Finding> {
    let at = exact("k3sBundled");
    match chart.k3s {
        K3s::NotBundled => Some(Finding::error(
            at,
            format!("k3s does not ship chart {}; remove `k3sBundled`", chart.name),
        )),
        K3s::PlainManifest(name) if chart.k3s_take_over.is_none() => Some(Finding::warning(
            at,
            format!(
                "k3s ships {name} as plain manifests it rewrites at every start, and hagen knows no safe take-over for chart {}: start k3s with `--disable {name}` and install the chart with out/{release}/values.yaml",
                chart.name
            ),
        )),
        K3s::PlainManifest(_) => None,
        K3s::HelmChart(name) => patches.then(|| {
            Finding::warning(
                at,
                format!(
                    "k3s's own {name} HelmChart has no post-renderer: the settings hagen delivers by patch cannot reach it; disable the packaged {name} and install the chart"
                ),
            )
        }),
    }
}

/// The chart version k3s runs for its own HelmChart, and why hagen believes it: the catalogue's
/// `cluster.k3s.charts`, else the bundle of the k3s line the catalogue names.
pub fn k3s_chart_version(k3s: &crate::catalog::K3sCluster, chart: &Chart) -> Option<(String, String)> {
    k3s.charts
        .get(chart.name)
        .map(|v| (v.clone(), format!("cluster.k3s.charts.{}", chart.name)))
        .or_else(|| {
            let v = k3s.version.as_deref()?;
            let line = v.split('+').next().unwrap_or(v);
            chart
                .k3s_bundles
                .iter()
                .find(|b| b.k3s == line)
                .map(|b| (b.chart.clone(), format!("k3s {line} bundles it ({})", b.source)))
        })
}

/// A release that configures k3s's own HelmChart is proven on the chart version k3s runs.
pub fn k3s_version_matches(
    release: &str,
    chart: &Chart,
    version: &str,
    runs: Option<(String, String)>,
    is_k3s: bool,
) -> Option<Finding> {
    let K3s::HelmChart(name) = chart.k3s else {
        return None;
    };
    match runs {
        Some((v, why)) if v.trim_start_matches('v') != version.trim_start_matches('v') => Some(Finding::error(
            exact("version"),
            format!(
                "release `{release}` is k3s's own {name}, which runs chart {} {v} ({why}), not {version}: set `version: {v}` so that hagen proves the values on the chart k3s runs",
                chart.name
            ),
        )),
        Some(_) => None,
        None if is_k3s => {
            let lookup = format!("kubectl get helmchart {name} -n kube-system -o jsonpath='{{.spec.chart}}'");
            Some(Finding::warning(
                exact("k3sBundled"),
                format!(
                    "the {} chart version k3s bundles is not known (no `cluster.k3s.version` hagen knows, no `cluster.k3s.charts.{}`): hagen proves the HelmChartConfig on {} {version}; `{lookup}` shows the chart k3s runs (`…+up<version>.tgz`)",
                    chart.name, chart.name, chart.name
                ),
            ))
        }
        None => None,
    }
}

/// Alert rules need a release of a chart that carries them.
pub fn alerts_have_carrier(enabled: bool, carried: bool, carriers: &[&str]) -> Option<Finding> {
    (enabled && !carried).then(|| {
        Finding::warning(
            exact("alerts"),
            format!(
                "alert rules are on but no release uses chart {}, which carries them; add it or set `alerts: {{enabled: false}}`",
                carriers.join(" or ")
            ),
        )
    })
}

/// `fluxParts` shapes the Flux route, so it needs that route on.
pub fn flux_parts_need_flux(flux_parts: bool, flux: bool) -> Option<Finding> {
    (flux_parts && !flux).then(|| {
        Finding::error(
            exact("delivery/fluxParts"),
            "`fluxParts` chooses what the Flux route writes, which is off: add `flux: true`".into(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Pdb;
    use crate::charts::Readiness;
    use AntiAffinity::{None as Spread0, Preferred, Required};

    fn nodes(spec: &[(&str, &[(&str, &str)])]) -> Vec<Node> {
        spec.iter()
            .map(|(name, labels)| Node {
                name: name.to_string(),
                labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            })
            .collect()
    }

    fn avoid(labels: &[(&str, &str)], strength: Strength) -> AvoidNodes {
        AvoidNodes {
            labels: labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
            strength,
        }
    }

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    /// The level and place of each finding, for tables that do not restate messages.
    fn shape(f: &[Finding]) -> Vec<(Level, At)> {
        f.iter().map(|f| (f.level, f.at.clone())).collect()
    }

    fn all_charts() -> Vec<&'static Chart> {
        crate::charts::Registry::builtin().all()
    }

    #[test]
    fn repeated_names() {
        struct Case {
            name: &'static str,
            names: &'static [&'static str],
            want: &'static [bool],
        }
        let cases = [
            Case {
                name: "none",
                names: &[],
                want: &[],
            },
            Case {
                name: "distinct",
                names: &["a", "b"],
                want: &[false, false],
            },
            Case {
                name: "second of two",
                names: &["a", "b", "a"],
                want: &[false, false, true],
            },
            Case {
                name: "every repeat",
                names: &["a", "a", "a"],
                want: &[false, true, true],
            },
        ];
        for c in cases {
            assert_eq!(repeated(c.names.iter().copied()), c.want, "{}", c.name);
        }
    }

    #[test]
    fn placeholder_repo_urls_are_noticed() {
        struct Case {
            name: &'static str,
            url: &'static str,
            placeholder: bool,
        }
        let cases = [
            Case {
                name: "example.com",
                url: "https://git.example.com/homelab/cluster.git",
                placeholder: true,
            },
            Case {
                name: "example.org itself",
                url: "https://example.org/x.git",
                placeholder: true,
            },
            Case {
                name: "reserved TLD",
                url: "oci://registry.lab.example/charts",
                placeholder: true,
            },
            Case {
                name: "with user and port",
                url: "https://me@code.example.net:8443/r.git",
                placeholder: true,
            },
            Case {
                name: "a real host",
                url: "https://github.com/me/cluster.git",
                placeholder: false,
            },
            Case {
                name: "a look-alike",
                url: "https://myexample.com/r.git",
                placeholder: false,
            },
        ];
        for c in cases {
            assert_eq!(repo_url_is_real(c.url).is_some(), c.placeholder, "{}", c.name);
        }
    }

    #[test]
    fn misspelt_versions_are_recognised() {
        struct Case {
            name: &'static str,
            version: &'static str,
            proven: &'static [&'static str],
            want: Option<&'static str>,
        }
        let cases = [
            Case {
                name: "v prefix added",
                version: "v1.46.2",
                proven: &["1.46.2"],
                want: Some("1.46.2"),
            },
            Case {
                name: "v prefix left out",
                version: "1.21.1",
                proven: &["v1.21.1"],
                want: Some("v1.21.1"),
            },
            Case {
                name: "cut short",
                version: "1.46",
                proven: &["1.45.2", "1.46.2"],
                want: Some("1.46.2"),
            },
            Case {
                name: "a bump",
                version: "3.14.0",
                proven: &["3.13.1"],
                want: None,
            },
            Case {
                name: "not a prefix of a part",
                version: "1.4",
                proven: &["1.46.2"],
                want: None,
            },
        ];
        for c in cases {
            assert_eq!(same_version(c.version, c.proven), c.want, "{}", c.name);
        }
    }

    #[test]
    fn unknown_names_suggest_and_list() {
        struct Case {
            name: &'static str,
            word: &'static str,
            want: &'static str,
        }
        let cases = [
            Case {
                name: "close",
                word: "gammma",
                want: "x; did you mean `gamma`? (known: gamma, omega)",
            },
            Case {
                name: "far",
                word: "zzz",
                want: "x (known: gamma, omega)",
            },
        ];
        for c in cases {
            assert_eq!(
                unknown_name("x".into(), c.word, &["gamma", "omega"], "known", ""),
                c.want,
                "{}",
                c.name
            );
        }
        assert_eq!(
            unknown_name("x".into(), "zzzz", &["a"], "codes", "; tail"),
            "x (codes: a; tail)"
        );
    }

    #[test]
    fn chart_versions_need_a_proof_with_this_knowledge() {
        let dir = tempfile::tempdir().unwrap();
        let mut lock = crate::lock::Lock::beside(&dir.path().join("cluster.yaml")).unwrap();
        let sha = |c: &Chart| format!("sha256:{}", c.knowledge.sha256);
        let charts = all_charts();
        let chart = *charts
            .iter()
            .find(|c| lock.proven_versions(c.name, &sha(c)).contains(&c.version))
            .expect("hagen ships a proof of some built-in chart at its knowledge's version");
        lock.record(crate::lock::Proof {
            chart: chart.name.into(),
            version: "0.0.2".into(),
            archive: "sha256:0".into(),
            knowledge: "sha256:other".into(),
            hagen: "0".into(),
            keys: vec![],
            failed: false,
        });
        struct Case {
            name: &'static str,
            version: &'static str,
            allow_unproven: bool,
            level: Option<Level>,
            /// A phrase of the message.
            phrase: &'static str,
        }
        let cases = [
            Case {
                name: "shipped proof",
                version: chart.version,
                allow_unproven: false,
                level: None,
                phrase: "",
            },
            Case {
                name: "never proven",
                version: "0.0.1",
                allow_unproven: false,
                level: Some(Level::Error),
                phrase: "has no proof of chart",
            },
            Case {
                name: "allowed",
                version: "0.0.1",
                allow_unproven: true,
                level: Some(Level::Notice),
                phrase: "pass --allow-unproven",
            },
            Case {
                name: "other knowledge",
                version: "0.0.2",
                allow_unproven: false,
                level: Some(Level::Error),
                phrase: "made with other chart knowledge",
            },
        ];
        for c in cases {
            let got = chart_version_proven(&lock, chart, c.version, c.allow_unproven);
            assert_eq!(got.as_ref().map(|f| f.level), c.level, "{}", c.name);
            assert!(
                got.is_none_or(|f| f.message.contains(c.phrase) && f.at == At::Exact("version".into())),
                "{}",
                c.name
            );
        }
    }

    #[test]
    fn layering_takes_the_closest_setting() {
        let base = Settings {
            replicas: Some(2),
            strategy: Some(Strategy::Recreate),
            pdb: Some(Pdb { max_unavailable: 1 }),
            ..Settings::default()
        };
        let over = Settings {
            replicas: Some(3),
            anti_affinity: Some(Preferred),
            ..Settings::default()
        };
        let s = layer(&base, &over);
        assert_eq!(s.replicas, Some(3), "the override wins");
        assert_eq!(s.anti_affinity, Some(Preferred), "only the override names it");
        assert_eq!(s.strategy, Some(Strategy::Recreate), "the base fills the gap");
        assert_eq!(s.pdb.map(|p| p.max_unavailable), Some(1));
        assert_eq!(layer(&Settings::default(), &Settings::default()).replicas, None);
    }

    #[test]
    fn avoided_labels_must_exist() {
        let ns = nodes(&[("a", &[("role", "db")]), ("b", &[])]);
        struct Case {
            name: &'static str,
            labels: &'static [(&'static str, &'static str)],
            want: Vec<At>,
        }
        let cases = [
            Case {
                name: "present",
                labels: &[("role", "db")],
                want: vec![],
            },
            Case {
                name: "wrong value",
                labels: &[("role", "web")],
                want: vec![At::Exact("labels/role".into())],
            },
            Case {
                name: "slash escaped",
                labels: &[("node/x", "1")],
                want: vec![At::Exact("labels/node~1x".into())],
            },
        ];
        for c in cases {
            let got = avoided_labels_exist("home", &ns, &avoid(c.labels, Strength::Required));
            assert_eq!(
                got.iter().map(|f| f.at.clone()).collect::<Vec<_>>(),
                c.want,
                "{}",
                c.name
            );
            assert!(
                got.iter()
                    .all(|f| f.level == Level::Error && f.message.contains("role=db")),
                "{}",
                c.name
            );
        }
        let none = avoided_labels_exist("home", &nodes(&[("a", &[])]), &avoid(&[("k", "v")], Strength::Required));
        assert!(none[0].message.ends_with("(node labels: none)"), "{}", none[0].message);
    }

    #[test]
    fn eligible_nodes_follow_required_avoidance_only() {
        let ns = nodes(&[("a", &[("role", "db")]), ("b", &[]), ("c", &[("role", "db")])]);
        struct Case {
            name: &'static str,
            avoid: Option<AvoidNodes>,
            want: &'static [&'static str],
        }
        let cases = [
            Case {
                name: "no rule",
                avoid: None,
                want: &["a", "b", "c"],
            },
            Case {
                name: "required",
                avoid: Some(avoid(&[("role", "db")], Strength::Required)),
                want: &["b"],
            },
            Case {
                name: "preferred keeps all",
                avoid: Some(avoid(&[("role", "db")], Strength::Preferred)),
                want: &["a", "b", "c"],
            },
            Case {
                name: "no match",
                avoid: Some(avoid(&[("role", "x")], Strength::Required)),
                want: &["a", "b", "c"],
            },
        ];
        for c in cases {
            assert_eq!(eligible_nodes(&ns, c.avoid.as_ref()), names(c.want), "{}", c.name);
        }
        assert!(has_eligible_node("x", &[]).is_some());
        assert!(has_eligible_node("x", &names(&["a"])).is_none());
    }

    #[test]
    fn placement_of_runtime_deployments() {
        struct Case {
            name: &'static str,
            rendered_by_helm: bool,
            asked: bool,
            want: Option<Level>,
        }
        let cases = [
            Case {
                name: "helm renders it",
                rendered_by_helm: true,
                asked: true,
                want: None,
            },
            Case {
                name: "runtime, not asked",
                rendered_by_helm: false,
                asked: false,
                want: None,
            },
            Case {
                name: "runtime, asked",
                rendered_by_helm: false,
                asked: true,
                want: Some(Level::Warning(Some("not-controllable"))),
            },
        ];
        for c in cases {
            let got = placement_controllable(
                "r/c",
                c.rendered_by_helm,
                c.asked,
                Some(("the-manager", "its own setting")),
            );
            assert_eq!(got.as_ref().map(|f| f.level), c.want, "{}", c.name);
        }
        let f = placement_controllable("r/c", false, true, Some(("the-manager", "its own setting"))).unwrap();
        assert!(f.message.contains("the-manager creates at runtime") && f.message.ends_with("(its own setting)"));
    }

    #[test]
    fn autoscale_bounds_rules() {
        let three = names(&["a", "b", "c"]);
        let can = names(&["chart/x"]);
        let case = |min, max, autoscalable, names_replicas, anti| AutoscaleCase {
            who: "r/c",
            chart: "chart",
            bounds: Autoscale {
                min,
                max,
                cpu_utilization: 80,
            },
            autoscalable,
            can: &can,
            names_replicas,
            anti_affinity: anti,
            eligible: &three,
        };
        let e = |p: &str| (Level::Error, At::Exact(p.into()));
        struct Case<'a> {
            name: &'static str,
            input: AutoscaleCase<'a>,
            want: Vec<(Level, At)>,
        }
        let cases = [
            Case {
                name: "fits",
                input: case(2, 3, true, false, Required),
                want: vec![],
            },
            Case {
                name: "chart cannot",
                input: case(2, 3, false, false, Required),
                want: vec![e("autoscale")],
            },
            Case {
                name: "max below min",
                input: case(3, 2, true, false, Required),
                want: vec![e("autoscale/max")],
            },
            Case {
                name: "with replicas",
                input: case(2, 3, true, true, Required),
                want: vec![e("replicas")],
            },
            Case {
                name: "more than nodes",
                input: case(2, 4, true, false, Required),
                want: vec![e("autoscale/max")],
            },
            Case {
                name: "preferred may share",
                input: case(2, 4, true, false, Preferred),
                want: vec![],
            },
        ];
        for c in cases {
            assert_eq!(shape(&autoscale_bounds(&c.input)), c.want, "{}", c.name);
        }
    }

    #[test]
    fn replica_count_rules() {
        assert!(replicas_positive(0).is_some());
        assert!(replicas_positive(1).is_none());
        let reason = Some("two leaders fight");
        struct Case {
            name: &'static str,
            replicas: u32,
            reason: Option<&'static str>,
            overridden: bool,
            want: Option<(Level, At)>,
        }
        let cases = [
            Case {
                name: "one instance",
                replicas: 1,
                reason,
                overridden: false,
                want: None,
            },
            Case {
                name: "two, not single",
                replicas: 2,
                reason: None,
                overridden: false,
                want: None,
            },
            Case {
                name: "two, refused",
                replicas: 2,
                reason,
                overridden: false,
                want: Some((Level::Error, At::Named("replicas"))),
            },
            Case {
                name: "two, overridden",
                replicas: 2,
                reason,
                overridden: true,
                want: Some((Level::Notice, At::Exact("singleInstanceOverride".into()))),
            },
        ];
        for c in cases {
            let got = single_instance("r/c", c.replicas, c.reason, c.overridden);
            assert_eq!(got.map(|f| (f.level, f.at)), c.want, "{}", c.name);
        }
        let caveat = Caveat {
            code: "some-caveat",
            text: "it duplicates",
        };
        assert_eq!(chart_caveat("r/c", 1, Some(&caveat)), None);
        assert_eq!(chart_caveat("r/c", 2, None), None);
        let f = chart_caveat("r/c", 2, Some(&caveat)).unwrap();
        assert_eq!(
            (f.level, f.message.as_str()),
            (Level::Warning(Some("some-caveat")), "r/c at 2 replicas: it duplicates")
        );
    }

    #[test]
    fn default_strategy_keeps_others_serving_and_single_pods_apart() {
        use Strategy::*;
        struct Case {
            replicas: u32,
            /// Revision-scoped anti-affinity.
            scoped: bool,
            /// Room for the first rollout.
            room: bool,
            want: Strategy,
        }
        let cases = [
            Case {
                replicas: 1,
                scoped: false,
                room: true,
                want: Recreate,
            },
            Case {
                replicas: 1,
                scoped: true,
                room: true,
                want: Recreate,
            },
            Case {
                replicas: 2,
                scoped: false,
                room: true,
                want: RollingUpdate,
            },
            Case {
                replicas: 2,
                scoped: true,
                room: true,
                want: RollingUpdateSurge,
            },
            Case {
                replicas: 3,
                scoped: true,
                room: false,
                want: RollingUpdate,
            },
            Case {
                replicas: 3,
                scoped: false,
                room: false,
                want: RollingUpdate,
            },
        ];
        for c in cases {
            assert_eq!(
                default_strategy(c.replicas, c.scoped, c.room),
                c.want,
                "{} replicas, scoped {}, room {}",
                c.replicas,
                c.scoped,
                c.room
            );
        }
    }

    #[test]
    fn kubernetes_versions_and_revision_scoping() {
        let v = |m| Some(KubeVersion { major: 1, minor: m });
        struct Version {
            given: Option<&'static str>,
            k3s: Option<&'static str>,
            want: Option<KubeVersion>,
            error: bool,
        }
        let cases = [
            Version {
                given: Some("1.35"),
                k3s: None,
                want: v(35),
                error: false,
            },
            Version {
                given: None,
                k3s: Some("v1.33.4+k3s1"),
                want: v(33),
                error: false,
            },
            Version {
                given: Some("v1.33.1"),
                k3s: Some("v1.33.4+k3s1"),
                want: v(33),
                error: false,
            },
            Version {
                given: Some("1.35"),
                k3s: Some("v1.33.4+k3s1"),
                want: v(35),
                error: true,
            },
            Version {
                given: None,
                k3s: None,
                want: None,
                error: false,
            },
        ];
        for c in cases {
            let (got, f) = kubernetes_version(c.given, c.k3s);
            assert_eq!(got, c.want, "{:?} {:?}", c.given, c.k3s);
            assert_eq!(
                f.is_some_and(|f| f.level == Level::Error),
                c.error,
                "{:?} {:?}",
                c.given,
                c.k3s
            );
        }
        struct Scoping {
            version: Option<KubeVersion>,
            scoped: bool,
            notice: bool,
        }
        let cases = [
            Scoping {
                version: v(35),
                scoped: true,
                notice: false,
            },
            Scoping {
                version: v(33),
                scoped: true,
                notice: false,
            },
            Scoping {
                version: v(32),
                scoped: true,
                notice: true,
            },
            Scoping {
                version: v(31),
                scoped: true,
                notice: true,
            },
            Scoping {
                version: v(30),
                scoped: false,
                notice: false,
            },
            Scoping {
                version: None,
                scoped: false,
                notice: false,
            },
        ];
        for c in cases {
            let (on, f) = revision_scoping(c.version);
            assert_eq!(
                (on, f.is_some_and(|f| f.level == Level::Notice)),
                (c.scoped, c.notice),
                "{:?}",
                c.version
            );
        }
        let values = Route::Values("affinity");
        assert!(revision_scoped(true, 2, AntiAffinity::Required, &values));
        assert!(revision_scoped(true, 2, AntiAffinity::Required, &Route::Patch));
        assert!(
            !revision_scoped(true, 1, AntiAffinity::Required, &values),
            "one replica: nothing to spread"
        );
        assert!(
            !revision_scoped(true, 2, AntiAffinity::Preferred, &values),
            "only the required term"
        );
        assert!(!revision_scoped(false, 2, AntiAffinity::Required, &values));
        assert!(!revision_scoped(
            true,
            2,
            AntiAffinity::Required,
            &Route::NotControllable("runtime")
        ));
    }

    #[test]
    fn surge_and_the_first_rollout() {
        struct Room {
            replicas: u32,
            anti_affinity: AntiAffinity,
            eligible: usize,
            /// Room for the first surge rollout.
            want: bool,
        }
        let cases = [
            Room {
                replicas: 2,
                anti_affinity: AntiAffinity::Required,
                eligible: 3,
                want: true,
            },
            Room {
                replicas: 3,
                anti_affinity: AntiAffinity::Required,
                eligible: 3,
                want: false,
            },
            Room {
                replicas: 3,
                anti_affinity: AntiAffinity::Preferred,
                eligible: 3,
                want: true,
            },
            Room {
                replicas: 2,
                anti_affinity: AntiAffinity::Required,
                eligible: 2,
                want: false,
            },
        ];
        for c in cases {
            assert_eq!(
                surge_has_room(c.replicas, c.anti_affinity, c.eligible),
                c.want,
                "{} on {}, {:?}",
                c.replicas,
                c.eligible,
                c.anti_affinity
            );
        }
        use Strategy::*;
        struct Warning {
            strategy: Strategy,
            scoped: bool,
            room: bool,
            warns: bool,
        }
        let cases = [
            Warning {
                strategy: RollingUpdateSurge,
                scoped: true,
                room: true,
                warns: false,
            },
            Warning {
                strategy: RollingUpdateSurge,
                scoped: true,
                room: false,
                warns: true,
            },
            Warning {
                strategy: RollingUpdateSurge,
                scoped: false,
                room: true,
                warns: true,
            },
            Warning {
                strategy: RollingUpdate,
                scoped: false,
                room: false,
                warns: false,
            },
            Warning {
                strategy: Recreate,
                scoped: true,
                room: false,
                warns: false,
            },
        ];
        for c in cases {
            let f = surge_needs_free_node("r/c", c.strategy, c.scoped, c.room);
            assert_eq!(
                f.is_some(),
                c.warns,
                "{:?} scoped {} room {}",
                c.strategy,
                c.scoped,
                c.room
            );
            if let Some(f) = f {
                assert_eq!(f.level, Level::Warning(Some("surge-needs-free-node")));
            }
        }
    }

    #[test]
    fn rollout_findings() {
        use RolloutFinding::*;
        use Strategy::*;
        struct Case {
            strategy: Strategy,
            replicas: u32,
            single_instance: bool,
            needs_lease: bool,
            want: Option<RolloutFinding>,
        }
        let cases = [
            Case {
                strategy: Recreate,
                replicas: 1,
                single_instance: true,
                needs_lease: false,
                want: None,
            },
            Case {
                strategy: Recreate,
                replicas: 1,
                single_instance: false,
                needs_lease: false,
                want: None,
            },
            Case {
                strategy: Recreate,
                replicas: 2,
                single_instance: false,
                needs_lease: false,
                want: Some(RecreateStopsAll),
            },
            Case {
                strategy: Recreate,
                replicas: 2,
                single_instance: false,
                needs_lease: true,
                want: Some(RecreateStopsAll),
            },
            Case {
                strategy: Recreate,
                replicas: 3,
                single_instance: true,
                needs_lease: false,
                want: Some(RecreateStopsAll),
            },
            Case {
                strategy: RollingUpdate,
                replicas: 2,
                single_instance: false,
                needs_lease: false,
                want: None,
            },
            Case {
                strategy: RollingUpdate,
                replicas: 2,
                single_instance: false,
                needs_lease: true,
                want: Some(StallsOnLease),
            },
            Case {
                strategy: RollingUpdate,
                replicas: 1,
                single_instance: false,
                needs_lease: true,
                want: None,
            },
            Case {
                strategy: RollingUpdate,
                replicas: 1,
                single_instance: true,
                needs_lease: false,
                want: Some(RollingMayOverlap),
            },
            Case {
                strategy: RollingUpdate,
                replicas: 1,
                single_instance: false,
                needs_lease: false,
                want: None,
            },
            Case {
                strategy: RollingUpdate,
                replicas: 2,
                single_instance: true,
                needs_lease: false,
                want: None,
            },
            Case {
                strategy: RollingUpdateSurge,
                replicas: 2,
                single_instance: false,
                needs_lease: false,
                want: None,
            },
            Case {
                strategy: RollingUpdateSurge,
                replicas: 2,
                single_instance: false,
                needs_lease: true,
                want: Some(StallsOnLease),
            },
            Case {
                strategy: RollingUpdateSurge,
                replicas: 1,
                single_instance: true,
                needs_lease: false,
                want: Some(RollingMayOverlap),
            },
        ];
        for c in cases {
            assert_eq!(
                rollout_finding(c.strategy, c.replicas, c.single_instance, c.needs_lease),
                c.want,
                "{:?} at {}, single {}, lease {}",
                c.strategy,
                c.replicas,
                c.single_instance,
                c.needs_lease
            );
        }
    }

    #[test]
    fn rollout_safety_in_words() {
        let lease = Readiness {
            needs_lease: true,
            text: "ready only as leader",
        };
        let free = Readiness {
            needs_lease: false,
            text: "",
        };
        let case = |strategy, replicas, controllable, single, readiness| RolloutCase {
            who: "r/c",
            strategy,
            replicas,
            controllable,
            single_instance: single,
            readiness,
            impact: "DNS stops.",
        };
        struct Case<'a> {
            name: &'static str,
            rollout: RolloutCase<'a>,
            want: Option<Level>,
        }
        let cases = [
            Case {
                name: "fine",
                rollout: case(Strategy::RollingUpdate, 2, true, false, &free),
                want: None,
            },
            Case {
                name: "runtime decides",
                rollout: case(Strategy::Recreate, 2, false, false, &free),
                want: None,
            },
            Case {
                name: "stalls",
                rollout: case(Strategy::RollingUpdate, 2, true, false, &lease),
                want: Some(Level::Error),
            },
            Case {
                name: "stops all",
                rollout: case(Strategy::Recreate, 2, true, false, &free),
                want: Some(Level::Warning(Some("recreate-stops-all"))),
            },
            Case {
                name: "overlaps",
                rollout: case(Strategy::RollingUpdate, 1, true, true, &free),
                want: Some(Level::Warning(Some("rolling-may-overlap"))),
            },
        ];
        for row in cases {
            let got = rollout_safe(&row.rollout);
            assert_eq!(got.as_ref().map(|f| f.level), row.want, "{}", row.name);
            assert!(got.is_none_or(|f| f.at == At::Strategy), "{}", row.name);
        }
        let stops = rollout_safe(&case(Strategy::Recreate, 2, true, false, &free)).unwrap();
        assert!(
            stops.message.contains("(while they are down: DNS stops)"),
            "{}",
            stops.message
        );
    }

    #[test]
    fn replicas_fit_nodes_rules() {
        let three = names(&["a", "b", "c"]);
        struct Case {
            name: &'static str,
            replicas: u32,
            anti: AntiAffinity,
            autoscaled: bool,
            want: Option<Level>,
        }
        let cases = [
            Case {
                name: "one replica",
                replicas: 1,
                anti: Required,
                autoscaled: false,
                want: None,
            },
            Case {
                name: "room to spare",
                replicas: 2,
                anti: Required,
                autoscaled: false,
                want: None,
            },
            Case {
                name: "no room",
                replicas: 3,
                anti: Required,
                autoscaled: false,
                want: Some(Level::Warning(Some("no-room-to-reschedule"))),
            },
            Case {
                name: "too many",
                replicas: 4,
                anti: Required,
                autoscaled: false,
                want: Some(Level::Error),
            },
            Case {
                name: "preferred may share",
                replicas: 4,
                anti: Preferred,
                autoscaled: false,
                want: None,
            },
            Case {
                name: "none may share",
                replicas: 4,
                anti: Spread0,
                autoscaled: false,
                want: None,
            },
        ];
        for c in cases {
            let got = replicas_fit_nodes("r/c", c.replicas, c.anti, &three, c.autoscaled);
            assert_eq!(got.as_ref().map(|f| f.level), c.want, "{}", c.name);
            assert!(got.is_none_or(|f| f.at == At::ReplicaCount), "{}", c.name);
        }
        let f = replicas_fit_nodes("r/c", 4, Required, &three, false).unwrap();
        assert!(f.message.ends_with("1 pod(s) would stay Pending"), "{}", f.message);
        let f = replicas_fit_nodes("r/c", 3, Required, &three, true).unwrap();
        assert!(
            f.message.contains("3 replicas at least (autoscale.min)"),
            "{}",
            f.message
        );
    }

    #[test]
    fn spread_and_drain_rules() {
        struct Spread {
            replicas: u32,
            anti: AntiAffinity,
            warns: bool,
        }
        let cases = [
            Spread {
                replicas: 1,
                anti: Spread0,
                warns: false,
            },
            Spread {
                replicas: 2,
                anti: Spread0,
                warns: true,
            },
            Spread {
                replicas: 2,
                anti: Preferred,
                warns: false,
            },
            Spread {
                replicas: 2,
                anti: Required,
                warns: false,
            },
        ];
        for c in cases {
            assert_eq!(
                replicas_spread("r/c", c.replicas, c.anti).is_some(),
                c.warns,
                "{} {:?}",
                c.replicas,
                c.anti
            );
        }
        struct Drain {
            replicas: u32,
            max_unavailable: u32,
            pdb: Option<u32>,
            refused: bool,
        }
        let cases = [
            Drain {
                replicas: 1,
                max_unavailable: 1,
                pdb: None,
                refused: false,
            },
            Drain {
                replicas: 2,
                max_unavailable: 1,
                pdb: Some(1),
                refused: false,
            },
            Drain {
                replicas: 2,
                max_unavailable: 2,
                pdb: Some(2),
                refused: true,
            },
            Drain {
                replicas: 3,
                max_unavailable: 2,
                pdb: Some(2),
                refused: false,
            },
            Drain {
                replicas: 3,
                max_unavailable: 3,
                pdb: Some(3),
                refused: true,
            },
        ];
        for c in cases {
            let (got, finding) = pdb_allows_drain(c.replicas, c.max_unavailable);
            assert_eq!(
                (got, finding.is_some()),
                (c.pdb, c.refused),
                "{} replicas, maxUnavailable {}",
                c.replicas,
                c.max_unavailable
            );
        }
    }

    #[test]
    fn failover_only_for_single_pods_hagen_can_tolerate() {
        struct Case {
            name: &'static str,
            replicas: u32,
            tolerations: Route,
            asked: Option<u32>,
            want: Option<u32>,
        }
        let cases = [
            Case {
                name: "values, one",
                replicas: 1,
                tolerations: Route::Patch,
                asked: None,
                want: Some(DEFAULT_FAILOVER_SECONDS),
            },
            Case {
                name: "asked",
                replicas: 1,
                tolerations: Route::Patch,
                asked: Some(10),
                want: Some(10),
            },
            Case {
                name: "two replicas",
                replicas: 2,
                tolerations: Route::Patch,
                asked: None,
                want: None,
            },
            Case {
                name: "hard-coded",
                replicas: 1,
                tolerations: Route::Hardcoded(1),
                asked: None,
                want: None,
            },
        ];
        for c in cases {
            assert_eq!(
                failover_seconds(c.replicas, &c.tolerations, c.asked),
                c.want,
                "{}",
                c.name
            );
        }
    }

    #[test]
    fn acknowledgeable_codes() {
        struct Case {
            code: &'static str,
            want: bool,
        }
        let cases = [
            Case {
                code: "recreate-stops-all",
                want: true,
            },
            Case {
                code: "no-room-to-reschedule",
                want: true,
            },
            Case {
                code: "duplicate-series",
                want: true,
            },
            Case {
                code: "sqlite-per-pod",
                want: false,
            },
            Case {
                code: "recreate",
                want: false,
            },
        ];
        for c in cases {
            assert_eq!(known_code(c.code, Some("duplicate-series")), c.want, "{}", c.code);
        }
    }

    #[test]
    fn acknowledgements_need_a_known_code_a_reason_and_a_warning() {
        let s = |a: &str| a.to_string();
        struct Case {
            name: &'static str,
            code: String,
            reason: String,
            errors: usize,
        }
        let cases = [
            Case {
                name: "fine",
                code: s("recreate-stops-all"),
                reason: s("the chart needs it here"),
                errors: 0,
            },
            Case {
                name: "typo",
                code: s("recreate-stop-all"),
                reason: s("the chart needs it here"),
                errors: 1,
            },
            Case {
                name: "short reason",
                code: s("recreate-stops-all"),
                reason: s("ok"),
                errors: 1,
            },
            Case {
                name: "caveat code",
                code: s("dup"),
                reason: s("we dedupe in the rules"),
                errors: 0,
            },
        ];
        for c in cases {
            let got = acknowledgements_valid("c", [(&c.code, &c.reason)], Some("dup"));
            assert_eq!(got.len(), c.errors, "{}: {got:?}", c.name);
        }
        let typo = acknowledgements_valid("c", [(&s("recreate-stop-all"), &s("long enough reason"))], None);
        assert!(
            typo[0].message.contains("did you mean `recreate-stops-all`?"),
            "{}",
            typo[0].message
        );
        let codes = [s("no-anti-affinity"), s("recreate-stops-all"), s("unknown")];
        let fired: HashSet<&str> = ["no-anti-affinity"].into();
        let unused = acknowledgements_used("r/c", &codes, &fired, None);
        assert_eq!(
            shape(&unused),
            [(Level::Notice, At::Exact("acknowledge/recreate-stops-all".into()))]
        );
    }

    #[test]
    fn shared_presets_agree() {
        struct Case {
            name: &'static str,
            runtime: &'static [(&'static str, u32, AntiAffinity)],
            want: Vec<Level>,
        }
        let cases = [
            Case {
                name: "agree",
                runtime: &[("a", 2, Required), ("b", 2, Required)],
                want: vec![],
            },
            Case {
                name: "differ",
                runtime: &[("a", 2, Required), ("b", 1, Spread0)],
                want: vec![Level::Error, Level::Notice],
            },
            Case {
                name: "all none at one",
                runtime: &[("a", 1, Spread0), ("b", 1, Spread0)],
                want: vec![],
            },
            Case {
                name: "none at two",
                runtime: &[("a", 2, Spread0), ("b", 2, Spread0)],
                want: vec![Level::Notice],
            },
        ];
        for c in cases {
            let got = shared_preset_agrees("rel", "owner", c.runtime);
            assert_eq!(got.iter().map(|f| f.level).collect::<Vec<_>>(), c.want, "{}", c.name);
        }
    }

    #[test]
    fn k3s_bundling_rules() {
        let charts = all_charts();
        let not_bundled = charts.iter().find(|c| c.k3s == K3s::NotBundled).unwrap();
        let helmchart = charts.iter().find(|c| matches!(c.k3s, K3s::HelmChart(_))).unwrap();
        let taken_over = charts
            .iter()
            .find(|c| matches!(c.k3s, K3s::PlainManifest(_)) && c.k3s_take_over.is_some())
            .unwrap();
        struct Bundled<'a> {
            name: &'static str,
            chart: &'a Chart,
            patched: bool,
            want: Option<Level>,
        }
        let cases = [
            Bundled {
                name: "not shipped",
                chart: not_bundled,
                patched: false,
                want: Some(Level::Error),
            },
            Bundled {
                name: "take-over known",
                chart: taken_over,
                patched: true,
                want: None,
            },
            Bundled {
                name: "helmchart, values only",
                chart: helmchart,
                patched: false,
                want: None,
            },
            Bundled {
                name: "helmchart with patches",
                chart: helmchart,
                patched: true,
                want: Some(Level::Warning(None)),
            },
        ];
        for c in cases {
            assert_eq!(
                k3s_bundled("rel", c.chart, c.patched).map(|f| f.level),
                c.want,
                "{}",
                c.name
            );
        }
        struct TakeOver<'a> {
            name: &'static str,
            chart: &'a Chart,
            bundled: bool,
            take_over: bool,
            want: Option<Level>,
        }
        let cases = [
            TakeOver {
                name: "in place (not asked)",
                chart: taken_over,
                bundled: true,
                take_over: false,
                want: None,
            },
            TakeOver {
                name: "take-over asked and known",
                chart: taken_over,
                bundled: true,
                take_over: true,
                want: None,
            },
            TakeOver {
                name: "take-over without k3sBundled",
                chart: taken_over,
                bundled: false,
                take_over: true,
                want: Some(Level::Error),
            },
            TakeOver {
                name: "no take-over known",
                chart: helmchart,
                bundled: true,
                take_over: true,
                want: Some(Level::Error),
            },
        ];
        for c in cases {
            let got = k3s_take_over_known("rel", c.chart, c.bundled, c.take_over).map(|f| f.level);
            assert_eq!(got, c.want, "{}", c.name);
        }
        assert_eq!(take_over_files_saved("rel", &[]), None, "saved");
        let lines = ["v1.35".to_string(), "v1.36".to_string()];
        struct Line {
            name: &'static str,
            version: Option<&'static str>,
            notice: bool,
        }
        let cases = [
            Line {
                name: "no version named",
                version: None,
                notice: false,
            },
            Line {
                name: "a known line",
                version: Some("v1.35.3+k3s1"),
                notice: false,
            },
            Line {
                name: "a known line without the suffix",
                version: Some("v1.36.2"),
                notice: false,
            },
            Line {
                name: "another line",
                version: Some("v1.37.0+k3s1"),
                notice: true,
            },
        ];
        for c in cases {
            let got = k3s_in_place_version_known("rel", c.version, &lines, "dns");
            assert_eq!(
                got.as_ref().map(|f| f.level),
                c.notice.then_some(Level::Notice),
                "{}",
                c.name
            );
        }
        let missing = take_over_files_saved("rel", &["catalog/k3s-NodeHosts".to_string()]).unwrap();
        assert_eq!(missing.level, Level::Warning(None));
        assert!(
            missing
                .message
                .contains("reads catalog/k3s-NodeHosts, which does not exist yet")
        );
        let v = &helmchart.version;
        let runs = |v: &str| Some((v.to_string(), "because".to_string()));
        struct Case {
            name: &'static str,
            runs: Option<(String, String)>,
            is_k3s: bool,
            want: Option<Level>,
        }
        let cases = [
            Case {
                name: "same",
                runs: runs(v),
                is_k3s: true,
                want: None,
            },
            Case {
                name: "same with a v",
                runs: runs(&format!("v{v}")),
                is_k3s: true,
                want: None,
            },
            Case {
                name: "other",
                runs: runs("0.0.1"),
                is_k3s: true,
                want: Some(Level::Error),
            },
            Case {
                name: "unknown on k3s",
                runs: None,
                is_k3s: true,
                want: Some(Level::Warning(None)),
            },
            Case {
                name: "unknown elsewhere",
                runs: None,
                is_k3s: false,
                want: None,
            },
        ];
        for c in cases {
            assert_eq!(
                k3s_version_matches("rel", helmchart, v, c.runs, c.is_k3s).map(|f| f.level),
                c.want,
                "{}",
                c.name
            );
        }
        assert_eq!(
            k3s_version_matches("rel", not_bundled, "1", runs("2"), true),
            None,
            "not a HelmChart"
        );
        let k3s = crate::catalog::K3sCluster {
            charts: [(helmchart.name.to_string(), "9.9.9".to_string())]
                .into_iter()
                .collect(),
            ..Default::default()
        };
        let (v, why) = k3s_chart_version(&k3s, helmchart).unwrap();
        assert_eq!(v, "9.9.9");
        assert!(why.starts_with("cluster.k3s.charts."), "{why}");
        assert_eq!(
            k3s_chart_version(&crate::catalog::K3sCluster::default(), helmchart),
            None
        );
    }

    #[test]
    fn catalogue_wide_rules() {
        assert!(alerts_have_carrier(true, false, &["x"]).is_some());
        assert!(alerts_have_carrier(true, true, &["x"]).is_none());
        assert!(alerts_have_carrier(false, false, &["x"]).is_none());
        assert_eq!(flux_parts_need_flux(true, false).map(|f| f.level), Some(Level::Error));
        assert!(flux_parts_need_flux(true, true).is_none());
        assert!(flux_parts_need_flux(false, false).is_none());
    }
}

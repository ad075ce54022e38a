//! Resolving the catalogue into one [`Intent`] per component: defaults → tier → component overrides, the safety
//! rules maintainers gave us, and placement arithmetic over the cluster's nodes.

use crate::catalog::load::Loaded;
use crate::catalog::{AntiAffinity, Autoscale, AvoidNodes, Release, Settings, Strategy, Strength, TierKey};
use crate::charts::{self, Chart, Delivery};
use crate::error::{Diagnostic, Error, Result, Severity};
use crate::k8s::LabelSelector;
use std::collections::HashSet;

/// Seconds a pod at one replica stays bound to a failed node, once the node is marked unreachable, when the
/// catalogue does not say (Kubernetes' DefaultTolerationSeconds admission plugin: 300).
const DEFAULT_FAILOVER_SECONDS: u32 = 30;

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
];

/// A warning the catalogue accepted for a component, with its reason (listed in out/README.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledged {
    pub code: String,
    pub message: String,
    pub reason: String,
}

/// What the catalogue asks of one component, fully resolved.
#[derive(Debug, Clone)]
pub struct Intent {
    pub release: String,
    pub namespace: String,
    pub component: String,
    pub knowledge: &'static charts::Component,
    pub tier: u8,
    pub purpose: String,
    pub impact: String,
    pub replicas: u32,
    pub anti_affinity: AntiAffinity,
    pub strategy: Strategy,
    /// `maxUnavailable` of the PDB; `None` at one replica (a PDB there would block every drain).
    pub pdb: Option<u32>,
    /// Fast-failover `tolerationSeconds`, for components at one replica.
    pub failover_seconds: Option<u32>,
    /// Why a single-instance component may run more than one replica, as the user wrote it.
    pub override_reason: Option<String>,
    /// The Deployment's name.
    pub workload: String,
    /// The component's own pods, and no other workload's.
    pub selector: LabelSelector,
    /// Nodes a replica may run on (all nodes but those a required `avoidNodes` excludes).
    pub eligible_nodes: Vec<String>,
    /// Nodes to keep off, delivered as node affinity.
    pub avoid: Option<AvoidNodes>,
    /// HPA bounds; `replicas` is then `min`.
    pub autoscale: Option<Autoscale>,
    /// Warnings the catalogue acknowledged for this component.
    pub acknowledged: Vec<Acknowledged>,
}

impl Intent {
    /// Whether a component needs the post-renderer (a patch or an extra manifest).
    pub fn needs_post_render(&self) -> bool {
        !self.patch_ops().is_empty()
            || (self.knowledge.pdb == crate::charts::PdbDelivery::Manifest && self.pdb.is_some())
    }

    /// The JSON 6902 operations for what the chart cannot express through values.
    pub fn patch_ops(&self) -> Vec<serde_json::Value> {
        let i = self;
        let k = i.knowledge;
        let mut ops = Vec::new();
        match k.replicas {
            Delivery::Hardcoded(n) if n != i.replicas => {
                ops.push(crate::patch::Patch::add("/spec/replicas", i.replicas.into()))
            }
            Delivery::Patch => ops.push(crate::patch::Patch::add("/spec/replicas", i.replicas.into())),
            _ => {}
        }
        if k.strategy.needs_patch(i.strategy) {
            ops.push(crate::patch::Patch::add(
                "/spec/strategy",
                crate::k8s::strategy(i.strategy),
            ));
        }
        if k.affinity == Delivery::Patch
            && let Some(a) = crate::k8s::affinity(
                crate::k8s::pod_anti_affinity(i.effective_anti_affinity(), &i.selector),
                i.avoid.as_ref(),
            )
        {
            ops.push(crate::patch::Patch::add("/spec/template/spec/affinity", a));
        }
        if let (Delivery::Patch, Some(s)) = (k.tolerations, i.failover_seconds) {
            ops.push(crate::patch::Patch::add(
                "/spec/template/spec/tolerations",
                crate::k8s::failover_tolerations(s),
            ));
        }
        ops
    }

    /// `release/component`, or just the component when the release has its name (`coredns`).
    pub fn label(&self) -> String {
        if self.release == self.component {
            self.component.clone()
        } else {
            format!("{}/{}", self.release, self.component)
        }
    }

    /// The anti-affinity hagen writes (none at one replica: there is nothing to spread).
    pub fn effective_anti_affinity(&self) -> AntiAffinity {
        if self.replicas >= 2 {
            self.anti_affinity
        } else {
            AntiAffinity::None
        }
    }
}

/// One release with its chart knowledge and its components' intents.
#[derive(Debug, Clone)]
pub struct ReleasePlan {
    pub release: Release,
    pub chart: &'static Chart,
    pub intents: Vec<Intent>,
    /// The user's own values (files in order, then inline), applied before hagen's overlay on every route.
    pub own_values: Vec<crate::catalog::values::OwnValues>,
}

/// The resolved catalogue.
#[derive(Debug, Clone)]
pub struct Plan {
    pub cluster: String,
    /// Each node's labels.
    pub node_labels: indexmap::IndexMap<String, indexmap::IndexMap<String, String>>,
    /// The opt-in delivery routes.
    pub delivery: crate::catalog::Delivery,
    /// The alert rule settings.
    pub alerts: crate::catalog::Alerts,
    pub nodes: Vec<String>,
    /// kube-controller-manager's node monitor grace period the failover times assume.
    pub node_monitor_grace_seconds: u32,
    pub releases: Vec<ReleasePlan>,
    /// The k3s facts, when the cluster is k3s (`distribution: k3s` or a `k3sBundled` release).
    pub k3s: Option<crate::catalog::K3sCluster>,
    /// Warnings to print (with `--strict` they are errors instead).
    pub warnings: Vec<Diagnostic>,
}

/// How strictly to resolve.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Warnings become errors.
    pub strict: bool,
    /// Generate for chart versions the knowledge was not proven on.
    pub allow_unproven: bool,
}

fn merge(base: &Settings, over: &Settings) -> Settings {
    Settings {
        replicas: over.replicas.or(base.replicas),
        anti_affinity: over.anti_affinity.or(base.anti_affinity),
        strategy: over.strategy.or(base.strategy),
        pdb: over.pdb.or(base.pdb),
        avoid_nodes: over.avoid_nodes.clone().or_else(|| base.avoid_nodes.clone()),
        failover_seconds: over.failover_seconds.or(base.failover_seconds),
    }
}

/// Resolves a loaded catalogue; every error is collected and returned at once.
impl Plan {
    /// The operator-created pods of every release's chart.
    pub fn operator_pods(&self) -> Vec<&'static crate::charts::file::OperatorPodsFile> {
        self.releases
            .iter()
            .flat_map(|r| r.chart.operator_pods.iter())
            .collect()
    }
}

pub fn resolve(loaded: &Loaded, known: &crate::lock::Knowledge, opts: Options) -> Result<Plan> {
    let cat = &loaded.catalogue;
    let k3s = (cat.cluster.distribution == crate::catalog::Distribution::K3s
        || cat.releases.iter().any(|r| r.k3s_bundled))
    .then(|| cat.cluster.k3s.clone().unwrap_or_default());
    let mut diags: Vec<Diagnostic> = Vec::new();
    let err = |d: &mut Vec<Diagnostic>, p: &str, m: String| d.push(loaded.at(Severity::Error, p, m));
    let warn = |d: &mut Vec<Diagnostic>, p: &str, m: String| {
        d.push(loaded.at(
            if opts.strict {
                Severity::Error
            } else {
                Severity::Warning
            },
            p,
            m,
        ))
    };

    let mut seen_nodes = HashSet::new();
    for (i, n) in cat.cluster.nodes.iter().enumerate() {
        if !seen_nodes.insert(n.name.as_str()) {
            err(
                &mut diags,
                &format!("/cluster/nodes/{i}/name"),
                format!("node `{}` is listed twice", n.name),
            );
        }
    }
    let nodes: Vec<String> = cat.cluster.nodes.iter().map(|n| n.name.clone()).collect();

    if let Some(a) = &cat.defaults.avoid_nodes {
        check_avoided_labels(loaded, "/defaults/avoidNodes", a, &mut diags);
    }
    for (t, settings) in &cat.tiers {
        if let Some(a) = &settings.avoid_nodes {
            let key = serde_json::to_value(t)
                .ok()
                .and_then(|v| v.as_str().map(String::from))
                .unwrap_or_default();
            check_avoided_labels(loaded, &format!("/tiers/{key}/avoidNodes"), a, &mut diags);
        }
    }
    let mut seen_releases = HashSet::new();
    let mut releases = Vec::new();
    for (ri, rel) in cat.releases.iter().enumerate() {
        let rp = format!("/releases/{ri}");
        if !seen_releases.insert(rel.name.as_str()) {
            err(
                &mut diags,
                &format!("{rp}/name"),
                format!("release `{}` is listed twice", rel.name),
            );
        }
        let Some(chart) = known.charts.chart(&rel.chart, &rel.version) else {
            let mut m = format!("hagen has no knowledge of chart `{}`", rel.chart);
            if let Some(s) = crate::suggest::did_you_mean(&rel.chart, known.charts.names()) {
                m.push_str(&format!("; did you mean `{s}`?"));
            }
            m.push_str(&format!(
                " (known charts: {}; describe another one in a `charts/` folder beside the catalogue)",
                known.charts.names().collect::<Vec<_>>().join(", ")
            ));
            err(&mut diags, &format!("{rp}/chart"), m);
            continue;
        };
        if let Some(lock) = &known.lock {
            let k = chart.knowledge;
            let sha = format!("sha256:{}", k.sha256);
            let proven = lock.proven_versions(chart.name, &sha);
            if !proven.contains(&rel.version.as_str()) {
                let why = match lock.proof(chart.name, &rel.version) {
                    Some(_) => format!(
                        "{} has a proof of chart {} {} made with other chart knowledge than {} has now",
                        lock.path.display(),
                        chart.name,
                        rel.version,
                        k.origin
                    ),
                    None => format!(
                        "{} has no proof of chart {} {} (proven: {})",
                        lock.path.display(),
                        chart.name,
                        rel.version,
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
                if opts.allow_unproven {
                    diags.push(loaded.at(Severity::Warning, &format!("{rp}/version"), m));
                } else {
                    err(&mut diags, &format!("{rp}/version"), m);
                }
            }
        }
        let mut seen_components = HashSet::new();
        let mut intents = Vec::new();
        for (ci, comp) in rel.components.iter().enumerate() {
            let cp = format!("{rp}/components/{ci}");
            if !seen_components.insert(comp.name.as_str()) {
                err(
                    &mut diags,
                    &format!("{cp}/name"),
                    format!("component `{}` is listed twice in release `{}`", comp.name, rel.name),
                );
                continue;
            }
            let Some(knowledge) = chart.component(&comp.name) else {
                let ids = chart.components.iter().map(|c| c.id);
                let mut m = format!("chart {} has no component `{}`", chart.name, comp.name);
                if let Some(s) = crate::suggest::did_you_mean(&comp.name, ids.clone()) {
                    m.push_str(&format!("; did you mean `{s}`?"));
                }
                m.push_str(&format!(" (known: {})", ids.collect::<Vec<_>>().join(", ")));
                err(&mut diags, &format!("{cp}/name"), m);
                continue;
            };
            let who = if rel.name == comp.name {
                comp.name.clone()
            } else {
                format!("{}/{}", rel.name, comp.name)
            };
            let tier = TierKey::of(comp.tier)
                .and_then(|t| cat.tiers.get(&t))
                .cloned()
                .unwrap_or_default();
            let s = merge(&merge(&cat.defaults, &tier), &comp.settings);
            let mut replicas = s.replicas.unwrap_or(2);
            let anti_affinity = s.anti_affinity.unwrap_or(AntiAffinity::Required);
            let max_unavailable = s.pdb.map_or(1, |p| p.max_unavailable);
            let at = |field: &str| {
                if comp.settings_named(field) {
                    format!("{cp}/{field}")
                } else {
                    cp.clone()
                }
            };
            // Warnings the component may acknowledge: known codes only, each with a reason.
            let caveat_code = knowledge.caveat.map(|c| c.code);
            check_acknowledgements(loaded, &cp, comp, caveat_code, &mut diags);
            let mut acknowledged = Vec::new();
            let mut fired: HashSet<&'static str> = HashSet::new();
            let mut cwarn = |d: &mut Vec<Diagnostic>, code: &'static str, p: &str, m: String| {
                fired.insert(code);
                match comp.acknowledge.get(code) {
                    Some(reason) => acknowledged.push(Acknowledged {
                        code: code.to_string(),
                        message: m,
                        reason: reason.clone(),
                    }),
                    None => warn(d, p, format!("{m} [{code}]")),
                }
            };
            // Node placement: the avoided labels must exist; a required rule shrinks the eligible nodes.
            let mut avoid = s.avoid_nodes.clone();
            if let Some(a) = &comp.settings.avoid_nodes {
                check_avoided_labels(loaded, &format!("{cp}/avoidNodes"), a, &mut diags);
            }
            if avoid.is_some() && !knowledge.rendered_by_helm() {
                if comp.settings.avoid_nodes.is_some() {
                    cwarn(
                        &mut diags,
                        "not-controllable",
                        &at("avoidNodes"),
                        format!(
                            "{}: node placement of the Deployments {} creates at runtime is not controllable by hagen ({})",
                            who,
                            chart.runtime.map_or("the chart", |r| r.owner),
                            chart.runtime.map_or("", |r| r.placement)
                        ),
                    );
                }
                avoid = None;
            }
            let eligible_nodes: Vec<String> = cat
                .cluster
                .nodes
                .iter()
                .filter(|n| match &avoid {
                    Some(a) if a.strength == Strength::Required => {
                        !a.labels.iter().any(|(k, v)| n.labels.get(k) == Some(v))
                    }
                    _ => true,
                })
                .map(|n| n.name.clone())
                .collect();
            if eligible_nodes.is_empty() {
                err(
                    &mut diags,
                    &at("avoidNodes"),
                    format!("avoidNodes leaves {} no node to run on", who),
                );
                continue;
            }
            // Autoscaling: only where the chart can create an HPA, bounded by placement.
            let autoscale = comp.autoscale;
            if let Some(a) = autoscale {
                let ap = format!("{cp}/autoscale");
                if !knowledge.autoscalable() {
                    let can = known.charts.autoscalable();
                    err(
                        &mut diags,
                        &ap,
                        format!(
                            "chart {} cannot create a HorizontalPodAutoscaler for {}; hagen autoscales only {}",
                            chart.name,
                            who,
                            can.join(", ")
                        ),
                    );
                }
                if a.max < a.min {
                    err(
                        &mut diags,
                        &format!("{ap}/max"),
                        format!("autoscale.max {} is below autoscale.min {}", a.max, a.min),
                    );
                }
                if comp.settings.replicas.is_some() {
                    err(
                        &mut diags,
                        &format!("{cp}/replicas"),
                        "set either replicas or autoscale: under an HPA the replica count is autoscale.min..max".into(),
                    );
                }
                let eligible = eligible_nodes.len() as u32;
                if anti_affinity == AntiAffinity::Required && a.max > eligible {
                    err(
                        &mut diags,
                        &format!("{ap}/max"),
                        format!(
                            "autoscale.max {} with required anti-affinity needs {} eligible nodes, but only {eligible} are eligible ({}): the HPA's extra pods would stay Pending",
                            a.max,
                            a.max,
                            eligible_nodes.join(", ")
                        ),
                    );
                }
                replicas = a.min;
            }

            if replicas == 0 {
                err(
                    &mut diags,
                    &at("replicas"),
                    "replicas must be at least 1: 0 stops the component".into(),
                );
                continue;
            }
            if let Some(reason) = knowledge.single_instance {
                if replicas > 1 && comp.single_instance_override.is_none() {
                    err(
                        &mut diags,
                        &at("replicas"),
                        format!(
                            "{} must run as a single instance: {reason}. Set `replicas: 1`, or add `singleInstanceOverride: <why it is safe here>` to the component",
                            who
                        ),
                    );
                } else if replicas > 1 {
                    diags.push(loaded.at(
                        Severity::Warning,
                        &format!("{cp}/singleInstanceOverride"),
                        format!(
                            "{} runs {replicas} replicas by explicit override although {reason}",
                            who
                        ),
                    ));
                }
            }
            if let (Some(caveat), true) = (knowledge.caveat, replicas > 1) {
                cwarn(
                    &mut diags,
                    caveat.code,
                    &at("replicas"),
                    format!("{} at {replicas} replicas: {}", who, caveat.text),
                );
            }
            // Rollouts: one pod at a time keeps the others serving; Recreate is for what must never run twice.
            let strategy = s.strategy.unwrap_or(default_strategy(replicas));
            // Point strategy findings at the line that chose it: the component, its tier, or the defaults.
            let strategy_at = if comp.settings.strategy.is_some() || s.strategy.is_none() {
                at("strategy")
            } else if tier.strategy.is_some() {
                format!("/tiers/{}/strategy", comp.tier)
            } else {
                "/defaults/strategy".to_string()
            };
            let finding = match knowledge.strategy {
                charts::StrategyDelivery::NotControllable(_) => None,
                _ => rollout_finding(
                    strategy,
                    replicas,
                    knowledge.single_instance.is_some(),
                    knowledge.readiness.needs_lease,
                ),
            };
            if finding == Some(RolloutFinding::StallsOnLease) {
                err(
                    &mut diags,
                    &strategy_at,
                    format!(
                        "{} becomes ready only while it holds its leader lease ({}): a one-at-a-time rollout would wait forever for the new pod, which cannot win the lease the old one holds (jumpstarter-dev/jumpstarter#1012); use `strategy: Recreate`",
                        who, knowledge.readiness.text
                    ),
                );
            }
            if finding == Some(RolloutFinding::RecreateStopsAll) {
                cwarn(
                    &mut diags,
                    "recreate-stops-all",
                    &strategy_at,
                    format!(
                        "{} rolls out with Recreate, which stops all {replicas} replicas together at every upgrade (while they are down: {}); RollingUpdate with maxSurge 0, maxUnavailable 1 replaces one pod at a time, keeps the others serving and never needs a free node",
                        who,
                        comp.impact.trim_end_matches('.')
                    ),
                );
            }
            if finding == Some(RolloutFinding::RollingMayOverlap) {
                cwarn(
                    &mut diags,
                    "rolling-may-overlap",
                    &strategy_at,
                    format!(
                        "{} must never run twice, but RollingUpdate creates the new pod as soon as the old one is told to stop, while the old one may still run for its termination grace period; Recreate waits until the old pod is gone",
                        who
                    ),
                );
            }
            let eligible = eligible_nodes.len() as u32;
            if replicas >= 2 && anti_affinity == AntiAffinity::Required {
                let replicas_at = if autoscale.is_some() {
                    format!("{cp}/autoscale/min")
                } else {
                    at("replicas")
                };
                if replicas > eligible {
                    err(
                        &mut diags,
                        &replicas_at,
                        format!(
                            "{replicas} replicas with required anti-affinity need {replicas} eligible nodes, but only {eligible} are eligible ({}): {} pod(s) would stay Pending",
                            eligible_nodes.join(", "),
                            replicas - eligible
                        ),
                    );
                } else if replicas == eligible {
                    cwarn(
                        &mut diags,
                        "no-room-to-reschedule",
                        &replicas_at,
                        format!(
                            "{} runs {replicas} replicas{} on {eligible} eligible nodes ({}) with required anti-affinity: no room to reschedule after a node failure (it runs reduced until the node returns)",
                            who,
                            if autoscale.is_some() {
                                " at least (autoscale.min)"
                            } else {
                                ""
                            },
                            eligible_nodes.join(", ")
                        ),
                    );
                }
            }
            if replicas >= 2 && anti_affinity == AntiAffinity::None {
                cwarn(
                    &mut diags,
                    "no-anti-affinity",
                    &at("antiAffinity"),
                    format!(
                        "{} has no anti-affinity: its {replicas} replicas may share one node",
                        who
                    ),
                );
            }
            let pdb = if replicas >= 2 {
                if max_unavailable >= replicas {
                    err(
                        &mut diags,
                        &at("pdb"),
                        format!(
                            "pdb.maxUnavailable {max_unavailable} with {replicas} replicas lets a drain take every pod down; use at most {}",
                            replicas - 1
                        ),
                    );
                }
                Some(max_unavailable)
            } else {
                None
            };
            let failover_seconds = (replicas == 1
                && matches!(knowledge.tolerations, Delivery::Values(_) | Delivery::Patch))
            .then(|| s.failover_seconds.unwrap_or(DEFAULT_FAILOVER_SECONDS));
            for code in comp.acknowledge.keys() {
                if !fired.contains(code.as_str()) && known_code(code, caveat_code) {
                    diags.push(loaded.at(
                        Severity::Warning,
                        &format!("{cp}/acknowledge/{}", code.replace('~', "~0").replace('/', "~1")),
                        format!("{who} acknowledges `{code}`, but hagen does not warn about it here: remove the acknowledgement"),
                    ));
                }
            }
            intents.push(Intent {
                release: rel.name.clone(),
                namespace: rel.namespace.clone(),
                component: comp.name.clone(),
                knowledge,
                tier: comp.tier,
                purpose: comp.purpose.clone(),
                impact: comp.impact.clone(),
                replicas,
                anti_affinity,
                strategy,
                pdb,
                failover_seconds,
                override_reason: comp.single_instance_override.clone(),
                avoid,
                autoscale,
                acknowledged,
                workload: knowledge.workload_name(&rel.name, &rel.namespace),
                selector: LabelSelector::of(knowledge.selector_labels(&rel.name, &rel.namespace)),
                eligible_nodes,
            });
        }
        check_shared_preset(loaded, &rp, rel, chart, &intents, &mut diags);
        if rel.k3s_bundled {
            let p = format!("{rp}/k3sBundled");
            match chart.k3s {
                charts::K3s::NotBundled => err(
                    &mut diags,
                    &p,
                    format!("k3s does not ship chart {}; remove `k3sBundled`", chart.name),
                ),
                charts::K3s::PlainManifest(name) if chart.k3s_take_over.is_none() => warn(
                    &mut diags,
                    &p,
                    format!(
                        "k3s ships {name} as plain manifests it rewrites at every start, and hagen knows no safe take-over for chart {}: start k3s with `--disable {name}` and install the chart with out/{}/values.yaml",
                        chart.name, rel.name
                    ),
                ),
                charts::K3s::PlainManifest(_) => {}
                charts::K3s::HelmChart(name) => {
                    if intents.iter().any(Intent::needs_post_render) {
                        warn(
                            &mut diags,
                            &p,
                            format!(
                                "k3s's own {name} HelmChart has no post-renderer: the settings hagen delivers by patch cannot reach it; disable the packaged {name} and install the chart"
                            ),
                        );
                    }
                    let k = k3s.clone().unwrap_or_default();
                    let known = k
                        .charts
                        .get(chart.name)
                        .map(|v| (v.clone(), format!("cluster.k3s.charts.{}", chart.name)))
                        .or_else(|| {
                            let v = k.version.as_deref()?;
                            let line = v.split('+').next().unwrap_or(v);
                            chart
                                .k3s_bundles
                                .iter()
                                .find(|b| b.k3s == line)
                                .map(|b| (b.chart.clone(), format!("k3s {line} bundles it ({})", b.source)))
                        });
                    let lookup = format!("kubectl get helmchart {name} -n kube-system -o jsonpath='{{.spec.chart}}'");
                    match known {
                        Some((v, why)) if v.trim_start_matches('v') != rel.version.trim_start_matches('v') => err(
                            &mut diags,
                            &format!("{rp}/version"),
                            format!(
                                "release `{}` is k3s's own {name}, which runs chart {} {v} ({why}), not {}: set `version: {v}` so that hagen proves the values on the chart k3s runs",
                                rel.name, chart.name, rel.version
                            ),
                        ),
                        Some(_) => {}
                        None if cat.cluster.distribution == crate::catalog::Distribution::K3s => warn(
                            &mut diags,
                            &p,
                            format!(
                                "the {} chart version k3s bundles is not known (no `cluster.k3s.version` hagen knows, no `cluster.k3s.charts.{}`): hagen proves the HelmChartConfig on {} {}; `{lookup}` shows the chart k3s runs (`…+up<version>.tgz`)",
                                chart.name, chart.name, chart.name, rel.version
                            ),
                        ),
                        None => {}
                    }
                }
            }
        }
        let own_values = crate::catalog::values::read(loaded, ri, rel, &mut diags);
        releases.push(ReleasePlan {
            release: rel.clone(),
            chart,
            intents,
            own_values,
        });
    }

    if cat.alerts.as_ref().is_some_and(|a| a.enabled) && !releases.iter().any(|r| r.chart.alert_rules.is_some()) {
        warn(
            &mut diags,
            "/alerts",
            format!(
                "alert rules are on but no release uses chart {}, which carries them; add it or set `alerts: {{enabled: false}}`",
                known.charts.alert_carriers().join(" or ")
            ),
        );
    }
    if cat.delivery.flux_parts && !cat.delivery.flux {
        err(
            &mut diags,
            "/delivery/fluxParts",
            "`fluxParts` chooses what the Flux route writes, which is off: add `flux: true`".into(),
        );
    }
    if diags.iter().any(|d| d.severity == Severity::Error) {
        // The catalogue's own problems first, then those in the values files it names.
        diags.sort_by_key(|d| (d.severity, d.file != loaded.file, d.pos, d.pointer.clone()));
        return Err(Error::Catalogue(diags));
    }
    Ok(Plan {
        cluster: cat.cluster.name.clone(),
        node_labels: cat
            .cluster
            .nodes
            .iter()
            .map(|n| (n.name.clone(), n.labels.clone()))
            .collect(),
        delivery: cat.delivery.clone(),
        alerts: cat.alerts.clone().unwrap_or_default(),
        nodes,
        node_monitor_grace_seconds: cat.cluster.node_monitor_grace_period_seconds,
        k3s,
        releases,
        warnings: diags,
    })
}

/// The strategy a component gets when the catalogue names none: one pod at a time while others keep serving,
/// and Recreate at one replica, where the old pod must be gone before the new one starts.
pub fn default_strategy(replicas: u32) -> Strategy {
    if replicas >= 2 {
        Strategy::RollingUpdate
    } else {
        Strategy::Recreate
    }
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
        Strategy::RollingUpdate if needs_lease && replicas >= 2 => Some(RolloutFinding::StallsOnLease),
        Strategy::RollingUpdate if single_instance && replicas == 1 => Some(RolloutFinding::RollingMayOverlap),
        Strategy::RollingUpdate => None,
    }
}

/// Whether `code` is a warning a component of this chart can acknowledge.
fn known_code(code: &str, caveat: Option<&str>) -> bool {
    WARNING_CODES.iter().any(|(c, _)| *c == code) || caveat == Some(code)
}

/// Every acknowledgement names a warning hagen gives for this component, with a reason a reviewer can judge.
fn check_acknowledgements(
    loaded: &Loaded,
    cp: &str,
    comp: &crate::catalog::Component,
    caveat: Option<&str>,
    diags: &mut Vec<Diagnostic>,
) {
    for (code, reason) in &comp.acknowledge {
        let p = format!("{cp}/acknowledge/{}", code.replace('~', "~0").replace('/', "~1"));
        if !known_code(code, caveat) {
            let codes: Vec<&str> = WARNING_CODES.iter().map(|(c, _)| *c).chain(caveat).collect();
            let mut m = format!("`{code}` is not a warning hagen gives for component `{}`", comp.name);
            if let Some(s) = crate::suggest::did_you_mean(code, codes.iter().copied()) {
                m.push_str(&format!("; did you mean `{s}`?"));
            }
            m.push_str(&format!(" (codes: {})", codes.join(", ")));
            diags.push(loaded.at(Severity::Error, &p, m));
        } else if reason.trim().chars().count() < 10 {
            diags.push(loaded.at(
                Severity::Error,
                &p,
                format!("acknowledging `{code}` needs a reason of at least 10 characters: why is it acceptable here?"),
            ));
        }
    }
}

/// Every label an `avoidNodes` names must be on some node, or the rule is a typo that silently does nothing.
fn check_avoided_labels(loaded: &Loaded, pointer: &str, a: &AvoidNodes, diags: &mut Vec<Diagnostic>) {
    let nodes = &loaded.catalogue.cluster.nodes;
    for (k, v) in &a.labels {
        if !nodes.iter().any(|n| n.labels.get(k) == Some(v)) {
            let known: Vec<String> = nodes
                .iter()
                .flat_map(|n| n.labels.iter().map(|(k, v)| format!("{k}={v}")))
                .collect();
            diags.push(loaded.at(
                Severity::Error,
                &format!("{pointer}/labels/{}", k.replace('~', "~0").replace('/', "~1")),
                format!(
                    "no node of cluster `{}` has the label {k}={v} (node labels: {})",
                    loaded.catalogue.cluster.name,
                    if known.is_empty() {
                        "none".to_string()
                    } else {
                        known.join(", ")
                    }
                ),
            ));
        }
    }
}

/// Components whose anti-affinity is one shared runtime preset (one values key for all) must agree on it.
fn check_shared_preset(
    loaded: &Loaded,
    rp: &str,
    rel: &Release,
    chart: &Chart,
    intents: &[Intent],
    diags: &mut Vec<Diagnostic>,
) {
    let runtime: Vec<&Intent> = intents
        .iter()
        .filter(|i| matches!(i.knowledge.affinity, Delivery::Runtime(_)))
        .collect();
    let modes: HashSet<AntiAffinity> = runtime.iter().map(|i| i.effective_anti_affinity()).collect();
    if modes.len() > 1 {
        diags.push(loaded.at(
            Severity::Error,
            &format!("{rp}/components"),
            format!(
                "release `{}`: the chart sets one anti-affinity preset for all of {}; give them the same antiAffinity (and replicas ≥ 2 or all 1)",
                rel.name,
                runtime.iter().map(|i| i.component.as_str()).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    if modes.contains(&AntiAffinity::None) && runtime.iter().any(|i| i.replicas >= 2) {
        diags.push(loaded.at(
            Severity::Warning,
            &format!("{rp}/components"),
            format!(
                "{}'s preset has no `none`: `antiAffinity: none` is delivered as preferred",
                chart.runtime.map_or(chart.name, |r| r.owner)
            ),
        ));
    }
}

impl crate::catalog::Component {
    /// Whether the component itself names `field` (camelCase), to point errors at the right line.
    fn settings_named(&self, field: &str) -> bool {
        let s = &self.settings;
        match field {
            "replicas" => s.replicas.is_some(),
            "antiAffinity" => s.anti_affinity.is_some(),
            "strategy" => s.strategy.is_some(),
            "pdb" => s.pdb.is_some(),
            "avoidNodes" => s.avoid_nodes.is_some(),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_strategy_keeps_others_serving_and_single_pods_apart() {
        for (replicas, want) in [
            (1, Strategy::Recreate),
            (2, Strategy::RollingUpdate),
            (3, Strategy::RollingUpdate),
        ] {
            assert_eq!(default_strategy(replicas), want, "{replicas} replicas");
        }
    }

    #[test]
    fn rollout_findings() {
        use RolloutFinding::*;
        use Strategy::*;
        // (strategy, replicas, single instance, readiness needs lease) → finding
        let table = [
            (Recreate, 1, true, false, None),
            (Recreate, 1, false, false, None),
            (Recreate, 2, false, false, Some(RecreateStopsAll)),
            (Recreate, 2, false, true, Some(RecreateStopsAll)),
            (Recreate, 3, true, false, Some(RecreateStopsAll)),
            (RollingUpdate, 2, false, false, None),
            (RollingUpdate, 2, false, true, Some(StallsOnLease)),
            (RollingUpdate, 1, false, true, None),
            (RollingUpdate, 1, true, false, Some(RollingMayOverlap)),
            (RollingUpdate, 1, false, false, None),
            (RollingUpdate, 2, true, false, None),
        ];
        for (strategy, replicas, single, lease, want) in table {
            assert_eq!(
                rollout_finding(strategy, replicas, single, lease),
                want,
                "{strategy:?} at {replicas}, single {single}, lease {lease}"
            );
        }
    }

    #[test]
    fn acknowledgeable_codes() {
        for (code, want) in [
            ("recreate-stops-all", true),
            ("no-room-to-reschedule", true),
            ("duplicate-series", true),
            ("sqlite-per-pod", false),
            ("recreate", false),
        ] {
            assert_eq!(known_code(code, Some("duplicate-series")), want, "{code}");
        }
    }
}

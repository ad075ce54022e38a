//! Resolving a loaded catalogue into the model (`crate::model`): defaults → tier → component settings, the chart
//! knowledge of each component, and the named [`rules`] that judge them, all reporting into one [`sink::Sink`].
//! Every error is collected and returned at once; nothing here knows a chart by name, and the only files read are
//! the values files a release names (through `catalog::values`) and, for a k3s take-over, whether the live data its
//! runbook saves beside the catalogue exists.

pub mod rules;
pub mod sink;

pub use rules::{RolloutFinding, WARNING_CODES, default_strategy, rollout_finding};

use crate::catalog::load::Loaded;
use crate::catalog::{AntiAffinity, AvoidNodes, Component, Distribution, K3sCluster, Release, Settings, TierKey};
use crate::charts::{Chart, Route, StrategyRoute};
use crate::error::Result;
use crate::lock::Known;
use crate::model::{Intent, Plan, ReleasePlan, label};
use rules::{At, AutoscaleCase, Finding, RolloutCase, exact};
use sink::{Acks, Place, Sink};

/// How strictly to resolve.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Warnings become errors.
    pub strict: bool,
    /// Generate for chart versions the knowledge was not proven on.
    pub allow_unproven: bool,
    /// Replicas that required anti-affinity cannot place on the eligible nodes are no error: `hagen plan` shows
    /// them (PLACEABLE NO) with the rest of its report, and fails itself.
    pub unplaceable_shown: bool,
}

/// Reads what resolving a catalogue file needs: the chart knowledge and proofs beside it first, then the catalogue,
/// whose unknown charts and components are reported with its schema errors, all at once. The one way in for
/// generate, verify, plan and audit; the knowledge's notes are the caller's to print.
pub fn load_inputs(catalog: &std::path::Path) -> Result<(Loaded, Known)> {
    let known = Known::beside(catalog)?;
    let loaded = crate::catalog::load::load_file_with(catalog, &|json| rules::names_known(&known.charts, json))?;
    Ok((loaded, known))
}

/// A catalogue loaded with the chart knowledge and proofs beside it, and resolved.
#[derive(Debug)]
pub struct Resolved {
    pub loaded: Loaded,
    pub known: Known,
    pub plan: Plan,
}

/// Loads the catalogue at `catalog` with what is beside it ([`load_inputs`]) and resolves it: the one way in for
/// every command. `proving` (`hagen verify`) resolves without holding versions to the proofs, whose making is
/// verify's job. The knowledge's notes (`known.notes`) are the caller's to print.
pub fn load_and_resolve(catalog: &std::path::Path, opts: Options, proving: bool) -> Result<Resolved> {
    let (loaded, mut known) = load_inputs(catalog)?;
    if proving {
        known.lock = None;
    }
    let plan = resolve(&loaded, &known, opts)?;
    Ok(Resolved { loaded, known, plan })
}

/// Resolves a loaded catalogue; every error is collected and returned at once.
pub fn resolve(loaded: &Loaded, known: &Known, opts: Options) -> Result<Plan> {
    let cat = &loaded.catalogue;
    let mut sink = Sink::new(loaded, opts.strict);
    let k3s = (cat.cluster.distribution == Distribution::K3s || cat.releases.iter().any(|r| r.k3s_bundled))
        .then(|| cat.cluster.k3s.clone().unwrap_or_default());
    check_cluster(loaded, &mut sink);
    let root = Place::plain(String::new());
    let k3s_version = k3s.as_ref().and_then(|k| k.version.as_deref());
    let (kube, mismatch) = rules::kubernetes_version(cat.cluster.kubernetes_version.as_deref(), k3s_version);
    sink.report(&root, mismatch);
    let (scoping, gate) = rules::revision_scoping(kube);
    sink.report(&root, gate);
    let repeats = rules::repeated(cat.releases.iter().map(|r| r.name.as_str()));
    let mut releases = Vec::new();
    for (ri, rel) in cat.releases.iter().enumerate() {
        if repeats[ri] {
            let m = format!("release `{}` is listed twice", rel.name);
            sink.report(
                &Place::plain(format!("/releases/{ri}")),
                [Finding::error(exact("name"), m)],
            );
        }
        let cx = ReleaseCx {
            loaded,
            known,
            opts,
            k3s: k3s.as_ref(),
            kube,
            scoping,
            ri,
            rel,
        };
        releases.extend(cx.resolve(&mut sink));
    }
    let alerts_on = cat.alerts.as_ref().is_some_and(|a| a.enabled);
    let carried = releases.iter().any(|r| r.chart.alert_rules.is_some());
    sink.report(
        &root,
        rules::alerts_have_carrier(alerts_on, carried, &known.charts.alert_carriers()),
    );
    sink.report(
        &root,
        rules::flux_parts_need_flux(cat.delivery.flux_parts, cat.delivery.flux),
    );
    if let Some(argo) = &cat.delivery.argocd {
        sink.report(&root, rules::repo_url_is_real(&argo.repo_url));
    }
    let warnings = sink.finish()?;
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
        nodes: cat.cluster.nodes.iter().map(|n| n.name.clone()).collect(),
        kubernetes_version: kube,
        node_monitor_grace_seconds: cat.cluster.node_monitor_grace_period_seconds,
        k3s,
        releases,
        warnings,
    })
}

/// The cluster's nodes are named once, and every label an `avoidNodes` of the defaults or a tier names exists.
fn check_cluster(loaded: &Loaded, sink: &mut Sink) {
    let cat = &loaded.catalogue;
    let root = Place::plain(String::new());
    for (i, (n, again)) in cat
        .cluster
        .nodes
        .iter()
        .zip(rules::repeated(cat.cluster.nodes.iter().map(|n| n.name.as_str())))
        .enumerate()
    {
        if again {
            let m = format!("node `{}` is listed twice", n.name);
            sink.report(&root, [Finding::error(At::Exact(format!("cluster/nodes/{i}/name")), m)]);
        }
    }
    let mut avoided = Vec::new();
    if let Some(a) = &cat.defaults.avoid_nodes {
        avoided.push(("/defaults/avoidNodes".to_string(), a));
    }
    for (t, settings) in &cat.tiers {
        if let Some(a) = &settings.avoid_nodes {
            avoided.push((format!("/tiers/{}/avoidNodes", t.key()), a));
        }
    }
    for (pointer, a) in avoided {
        sink.report(
            &Place::plain(pointer),
            rules::avoided_labels_exist(&cat.cluster.name, &cat.cluster.nodes, a),
        );
    }
}

/// One release being resolved, with what its rules need.
struct ReleaseCx<'a> {
    loaded: &'a Loaded,
    known: &'a Known,
    opts: Options,
    k3s: Option<&'a K3sCluster>,
    /// The cluster's Kubernetes version, when known.
    kube: Option<crate::k8s::KubeVersion>,
    /// Whether revision-scoped anti-affinity is written (`rules::revision_scoping`).
    scoping: bool,
    ri: usize,
    rel: &'a Release,
}

impl ReleaseCx<'_> {
    fn pointer(&self) -> String {
        format!("/releases/{}", self.ri)
    }

    /// The release's plan, or `None` when hagen does not know its chart.
    fn resolve(&self, sink: &mut Sink) -> Option<ReleasePlan> {
        let (rel, known) = (self.rel, self.known);
        let place = Place::plain(self.pointer());
        let Some(chart) = known.charts.chart(&rel.chart, &rel.version) else {
            let m = rules::chart_known(&known.charts, &rel.chart, &rel.version);
            sink.report(&place, m.map(|m| Finding::error(exact("chart"), m)));
            return None;
        };
        // k3s's packaged copy kept and made HA in place, unless the release takes it over (or no in-place route
        // is known for the chart): then no chart is installed and the intents are of k3s's Deployment.
        let in_place = chart.k3s_in_place.filter(|_| rel.k3s_bundled && !rel.k3s_take_over);
        sink.report(
            &place,
            rules::k3s_take_over_known(&rel.name, chart, rel.k3s_bundled, rel.k3s_take_over),
        );
        if let Some(p) = in_place {
            let version = self.k3s.and_then(|k| k.version.as_deref());
            let known = rules::k3s_in_place_version_known(&rel.name, version, &p.file.k3s, p.component.workload);
            sink.report(&place, known);
        }
        if let (Some(lock), None) = (&known.lock, in_place) {
            sink.report(
                &place,
                rules::chart_version_proven(lock, chart, &rel.version, self.opts.allow_unproven),
            );
        }
        let repeats = rules::repeated(rel.components.iter().map(|c| c.name.as_str()));
        let mut intents = Vec::new();
        for (ci, comp) in rel.components.iter().enumerate() {
            let cp = format!("{}/components/{ci}", self.pointer());
            if repeats[ci] {
                let m = format!("component `{}` is listed twice in release `{}`", comp.name, rel.name);
                sink.report(&Place::plain(cp), [Finding::error(exact("name"), m)]);
                continue;
            }
            intents.extend(self.component(chart, in_place, cp, comp, sink));
        }
        self.check_release(chart, &intents, sink);
        let beside = match std::path::Path::new(&self.loaded.file).parent() {
            Some(d) if !d.as_os_str().is_empty() => format!("{}/", d.display()).replace('\\', "/"),
            _ => String::new(),
        };
        if let Some(t) = chart.k3s_take_over.filter(|_| rel.k3s_bundled && in_place.is_none()) {
            let missing: Vec<String> = t
                .saved_files
                .iter()
                .map(|f| format!("{beside}{}", f.file))
                .filter(|f| !std::path::Path::new(f).exists())
                .collect();
            sink.report(&place, rules::take_over_files_saved(&rel.name, &missing));
        }
        let mut diags = Vec::new();
        let own_values = crate::catalog::values::read(self.loaded, self.ri, rel, &mut diags);
        sink.extend(diags);
        Some(ReleasePlan {
            release: rel.clone(),
            chart,
            intents,
            own_values,
            in_place,
            beside,
        })
    }

    /// What holds for the release as a whole: one shared preset, and what k3s lets hagen reach.
    fn check_release(&self, chart: &'static Chart, intents: &[Intent], sink: &mut Sink) {
        let (rel, place) = (self.rel, Place::plain(self.pointer()));
        let runtime: Vec<(&str, u32, AntiAffinity)> = intents
            .iter()
            .filter(|i| matches!(i.knowledge.affinity, Route::Runtime(_)))
            .map(|i| (i.component.as_str(), i.replicas, i.effective_anti_affinity()))
            .collect();
        let owner = chart.runtime.map_or(chart.name, |r| r.owner);
        sink.report(&place, rules::shared_preset_agrees(&rel.name, owner, &runtime));
        if rel.k3s_bundled {
            let patched = intents.iter().any(|i| crate::render::deliver(i).needs_post_render());
            sink.report(&place, rules::k3s_bundled(&rel.name, chart, patched));
            let runs = rules::k3s_chart_version(&self.k3s.cloned().unwrap_or_default(), chart);
            let is_k3s = self.loaded.catalogue.cluster.distribution == Distribution::K3s;
            sink.report(
                &place,
                rules::k3s_version_matches(&rel.name, chart, &rel.version, runs, is_k3s),
            );
        }
    }

    /// One component's intent, or `None` when a rule leaves nothing to resolve (unknown, no node, no replica).
    fn component(
        &self,
        chart: &'static Chart,
        in_place: Option<&'static crate::charts::InPlace>,
        cp: String,
        comp: &Component,
        sink: &mut Sink,
    ) -> Option<Intent> {
        let cat = &self.loaded.catalogue;
        let rel = self.rel;
        let known = match in_place {
            Some(p) => Some(p.component).filter(|c| c.id == comp.name),
            None => chart.component(&comp.name),
        };
        let Some(knowledge) = known else {
            let m = rules::component_known(chart, &comp.name);
            sink.report(&Place::plain(cp), m.map(|m| Finding::error(exact("name"), m)));
            return None;
        };
        let who = label(&rel.name, &comp.name);
        let tier = TierKey::of(comp.tier)
            .and_then(|t| cat.tiers.get(&t))
            .cloned()
            .unwrap_or_default();
        let s = rules::layer(&rules::layer(&cat.defaults, &tier), &comp.settings);
        let named = |f: &str| comp.settings_named(f);
        let place = Place {
            pointer: cp.clone(),
            named: &named,
            strategy: strategy_pointer(&cp, comp, &s, &tier),
            autoscaled: comp.autoscale.is_some(),
        };
        let caveat = knowledge.caveat.map(|c| c.code);
        let mut acks = Acks::new(&comp.acknowledge);
        sink.report(
            &place,
            rules::acknowledgements_valid(&comp.name, &comp.acknowledge, caveat),
        );

        let sub = Subject {
            chart,
            knowledge,
            comp,
            who: &who,
            in_place: in_place.is_some(),
        };
        let (avoid, eligible_nodes) = self.placement(&sub, &s, &place, &mut acks, sink)?;

        let anti_affinity = s.anti_affinity.unwrap_or(AntiAffinity::Required);
        let replicas = self.replicas(&sub, &s, anti_affinity, &eligible_nodes, &place, sink)?;
        let overridden = comp.single_instance_override.is_some();
        sink.report(
            &place,
            rules::single_instance(&who, replicas, knowledge.single_instance, overridden),
        );
        sink.report_component(
            &place,
            &mut acks,
            rules::chart_caveat(&who, replicas, knowledge.caveat.as_ref()),
        );

        let sizing = (replicas, anti_affinity, eligible_nodes.len());
        let (strategy, scoped) = self.rollout(&sub, &s, sizing, &place, &mut acks, sink);
        let autoscaled = comp.autoscale.is_some();
        let fit = rules::replicas_fit_nodes(&who, replicas, anti_affinity, &eligible_nodes, autoscaled)
            .filter(|f| !self.opts.unplaceable_shown || f.level != rules::Level::Error);
        sink.report_component(&place, &mut acks, fit);
        sink.report_component(&place, &mut acks, rules::replicas_spread(&who, replicas, anti_affinity));
        let max_unavailable = s.pdb.map_or(1, |p| p.max_unavailable);
        let (pdb, drain) = rules::pdb_allows_drain(replicas, max_unavailable);
        sink.report(&place, drain);
        let unused = rules::acknowledgements_used(&who, comp.acknowledge.keys(), &acks.fired, caveat);
        sink.report(&place, unused);
        Some(Intent {
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
            revision_scoped: scoped,
            pdb,
            // k3s's own HelmChart has no post-renderer: a PDB the chart cannot give the policy keeps its default.
            pdb_always_allow: pdb.is_some()
                && self.kube.is_some_and(|v| v.unhealthy_pod_eviction_policy())
                && !(rel.k3s_bundled && knowledge.pdb_patch_name(&rel.name, &rel.namespace).is_some()),
            failover_seconds: rules::failover_seconds(replicas, &knowledge.tolerations, s.failover_seconds),
            override_reason: comp.single_instance_override.clone(),
            avoid,
            // In place, hagen's HPA holds the count k3s's manifest leaves open: at the asked replicas when no range is.
            autoscale: comp.autoscale.or_else(|| {
                in_place.map(|_| crate::catalog::Autoscale {
                    min: replicas,
                    max: replicas,
                    cpu_utilization: crate::catalog::Autoscale::CPU_TARGET,
                })
            }),
            acknowledged: acks.accepted,
            beside: in_place.is_some(),
            workload: knowledge.workload_name(&rel.name, &rel.namespace),
            selector: crate::k8s::LabelSelector::of(knowledge.selector_labels(&rel.name, &rel.namespace)),
            eligible_nodes,
        })
    }
}

/// The component a rule runs on, as the catalogue and the chart knowledge name it.
struct Subject<'a> {
    chart: &'static Chart,
    knowledge: &'static crate::charts::ChartComponent,
    comp: &'a Component,
    /// Its label in messages (`release/component`).
    who: &'a str,
    /// k3s's packaged Deployment, made HA in place (k3s places it; hagen's HPA holds its count).
    in_place: bool,
}

impl ReleaseCx<'_> {
    /// How a component rolls out, and whether its anti-affinity is scoped to its revision: a surge keeps every
    /// replica serving where revision scoping lets the new pod share a node, one pod at a time keeps the others
    /// serving elsewhere; Recreate is for what must never run twice. `sizing`: replicas, anti-affinity, eligible
    /// nodes.
    fn rollout(
        &self,
        sub: &Subject,
        s: &Settings,
        (replicas, anti_affinity, eligible): (u32, AntiAffinity, usize),
        place: &Place,
        acks: &mut Acks,
        sink: &mut Sink,
    ) -> (crate::catalog::Strategy, bool) {
        let knowledge = sub.knowledge;
        let scoped = rules::revision_scoped(self.scoping, replicas, anti_affinity, &knowledge.affinity);
        // At the HPA's minimum: scaled up to every node, the first surge rollout waits until it scales down (plan).
        let room = rules::surge_has_room(replicas, anti_affinity, eligible);
        let strategy = s.strategy.unwrap_or(rules::default_strategy(replicas, scoped, room));
        let controllable = !matches!(knowledge.strategy, StrategyRoute::NotControllable(_));
        if controllable {
            let surge = rules::surge_needs_free_node(sub.who, strategy, scoped, room);
            sink.report_component(place, acks, surge);
        }
        let rollout = RolloutCase {
            who: sub.who,
            strategy,
            replicas,
            controllable,
            single_instance: knowledge.single_instance.is_some(),
            readiness: &knowledge.readiness,
            impact: &sub.comp.impact,
        };
        sink.report_component(place, acks, rules::rollout_safe(&rollout));
        (strategy, scoped)
    }

    /// Where a component may run: the avoided labels exist, a required rule shrinks the eligible nodes, and a
    /// runtime-created Deployment cannot be placed at all. `None` when no node is left.
    fn placement(
        &self,
        sub: &Subject,
        s: &Settings,
        place: &Place,
        acks: &mut Acks,
        sink: &mut Sink,
    ) -> Option<(Option<AvoidNodes>, Vec<String>)> {
        let (cat, comp, who) = (&self.loaded.catalogue, sub.comp, sub.who);
        if let Some(a) = &comp.settings.avoid_nodes {
            let labels = rules::avoided_labels_exist(&cat.cluster.name, &cat.cluster.nodes, a);
            sink.report(&Place::plain(format!("{}/avoidNodes", place.pointer)), labels);
        }
        let helm = sub.knowledge.rendered_by_helm() && !sub.in_place;
        let runtime = if sub.in_place {
            Some(("k3s", IN_PLACE_PLACEMENT))
        } else {
            sub.chart.runtime.map(|r| (r.owner, r.placement))
        };
        let asked = comp.settings.avoid_nodes.is_some();
        sink.report_component(place, acks, rules::placement_controllable(who, helm, asked, runtime));
        let avoid = s.avoid_nodes.clone().filter(|_| helm);
        let eligible = rules::eligible_nodes(&cat.cluster.nodes, avoid.as_ref());
        if let Some(f) = rules::has_eligible_node(who, &eligible) {
            sink.report(place, [f]);
            return None;
        }
        Some((avoid, eligible))
    }
}

impl ReleaseCx<'_> {
    /// Replicas: from the settings, or the HPA's minimum where the chart can autoscale. `None` at zero.
    fn replicas(
        &self,
        sub: &Subject,
        s: &Settings,
        anti_affinity: AntiAffinity,
        eligible: &[String],
        place: &Place,
        sink: &mut Sink,
    ) -> Option<u32> {
        let comp = sub.comp;
        let mut replicas = s.replicas.unwrap_or(rules::DEFAULT_REPLICAS);
        if let Some(bounds) = comp.autoscale {
            let can = self.known.charts.autoscalable();
            let case = AutoscaleCase {
                who: sub.who,
                chart: sub.chart.name,
                bounds,
                autoscalable: sub.knowledge.autoscalable() || sub.in_place,
                can: &can,
                names_replicas: comp.settings.replicas.is_some(),
                anti_affinity,
                eligible,
            };
            sink.report(place, rules::autoscale_bounds(&case));
            replicas = bounds.min;
        }
        if let Some(f) = rules::replicas_positive(replicas) {
            sink.report(place, [f]);
            return None;
        }
        Some(replicas)
    }
}

/// Why hagen cannot place k3s's packaged Deployment kept in place.
const IN_PLACE_PLACEMENT: &str = "k3s re-applies its packaged manifest at every start; hagen adds only an HPA and a PDB beside it, and k3s's topology spread places the pods";

/// Strategy findings point at the line that chose it: the component, its tier, or the defaults.
fn strategy_pointer(cp: &str, comp: &Component, s: &Settings, tier: &Settings) -> String {
    if comp.settings.strategy.is_some() {
        format!("{cp}/strategy")
    } else if s.strategy.is_none() {
        cp.to_string()
    } else if tier.strategy.is_some() {
        format!("/tiers/{}/strategy", comp.tier)
    } else {
        "/defaults/strategy".to_string()
    }
}

impl Component {
    /// Whether the component itself names `field` (camelCase), to point findings at the right line.
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
    use crate::error::{Error, Severity};

    fn resolve_text(text: &str, strict: bool) -> Result<Plan> {
        let loaded = crate::catalog::load_str(text, "c.yaml")?;
        let opts = Options {
            strict,
            ..Default::default()
        };
        resolve(&loaded, &Known::builtin(), opts)
    }

    const TWO_COMPONENTS: &str = "
cluster:
  name: lab
  nodes: [{name: n1}, {name: n2}, {name: n3}]
defaults: {replicas: 2, antiAffinity: required}
releases:
  - name: cm
    chart: cert-manager
    repository: https://charts.jetstack.io
    version: v1.21.1
    namespace: cert-manager
    components:
      - {name: webhook, tier: 1, purpose: Validates., impact: Nothing validates., REPLICAS}
      - {name: OTHER, tier: 1, purpose: Injects., impact: Nothing injects.}
";

    #[test]
    fn the_shipped_catalogue_resolves_every_component() {
        let loaded = crate::catalog::load_file(std::path::Path::new("catalog/cluster.yaml")).unwrap();
        let plan = resolve(&loaded, &Known::builtin(), Options::default()).unwrap();
        let cat = &loaded.catalogue;
        let components: usize = cat.releases.iter().map(|r| r.components.len()).sum();
        assert_eq!(plan.releases.len(), cat.releases.len());
        assert_eq!(plan.releases.iter().map(|r| r.intents.len()).sum::<usize>(), components);
        assert_eq!(plan.nodes.len(), cat.cluster.nodes.len());
        for i in plan.releases.iter().flat_map(|r| &r.intents) {
            assert!(i.replicas >= 1, "{}", i.label());
            assert_eq!(i.pdb.is_some(), i.replicas >= 2, "{}", i.label());
            assert!(!i.eligible_nodes.is_empty(), "{}", i.label());
        }
    }

    #[test]
    fn outcomes_of_small_catalogues() {
        struct Case {
            name: &'static str,
            /// The webhook's line replacing `REPLICAS`.
            replicas: &'static str,
            /// The other component's name.
            other: &'static str,
            strict: bool,
            /// Severities and pointers, in order.
            want: Vec<(Severity, &'static str)>,
        }
        let cases = [
            Case {
                name: "fine",
                replicas: "replicas: 2",
                other: "cainjector",
                strict: false,
                want: vec![],
            },
            Case {
                name: "two errors at once",
                replicas: "replicas: 0",
                other: "cainjectr",
                strict: false,
                want: vec![
                    (Severity::Error, "/releases/0/components/0/replicas"),
                    (Severity::Error, "/releases/0/components/1/name"),
                ],
            },
            Case {
                name: "no room, a warning",
                replicas: "replicas: 3",
                other: "cainjector",
                strict: false,
                want: vec![(Severity::Warning, "/releases/0/components/0/replicas")],
            },
            Case {
                name: "no room, strict",
                replicas: "replicas: 3",
                other: "cainjector",
                strict: true,
                want: vec![(Severity::Error, "/releases/0/components/0/replicas")],
            },
            Case {
                name: "rolling at two is quiet",
                replicas: "strategy: RollingUpdate",
                other: "cainjector",
                strict: false,
                want: vec![],
            },
        ];
        for c in cases {
            let text = TWO_COMPONENTS.replace("REPLICAS", c.replicas).replace("OTHER", c.other);
            let got = match resolve_text(&text, c.strict) {
                Ok(plan) => plan.warnings,
                Err(Error::Catalogue(d)) => d,
                Err(e) => panic!("{}: {e}", c.name),
            };
            let got: Vec<(Severity, &str)> = got.iter().map(|d| (d.severity, d.pointer.as_str())).collect();
            assert_eq!(got, c.want, "{}", c.name);
        }
    }

    #[test]
    fn strategy_findings_point_at_the_line_that_chose_it() {
        use crate::catalog::Strategy::{Recreate, RollingUpdate};
        let loaded = crate::catalog::load_str(
            &TWO_COMPONENTS.replace(", REPLICAS", "").replace("OTHER", "x"),
            "c.yaml",
        )
        .unwrap();
        let comp = |strategy| Component {
            settings: Settings {
                strategy,
                ..Settings::default()
            },
            ..loaded.catalogue.releases[0].components[0].clone()
        };
        let tier = |strategy| Settings {
            strategy,
            ..Settings::default()
        };
        struct Case {
            name: &'static str,
            component: Option<crate::catalog::Strategy>,
            tier: Option<crate::catalog::Strategy>,
            defaults: Option<crate::catalog::Strategy>,
            want: &'static str,
        }
        let cases = [
            Case {
                name: "component",
                component: Some(Recreate),
                tier: None,
                defaults: None,
                want: "/c/strategy",
            },
            Case {
                name: "tier",
                component: None,
                tier: Some(Recreate),
                defaults: Some(RollingUpdate),
                want: "/tiers/1/strategy",
            },
            Case {
                name: "defaults",
                component: None,
                tier: None,
                defaults: Some(Recreate),
                want: "/defaults/strategy",
            },
            Case {
                name: "nobody: the default strategy",
                component: None,
                tier: None,
                defaults: None,
                want: "/c",
            },
        ];
        for c in cases {
            let t = tier(c.tier);
            let s = rules::layer(&rules::layer(&tier(c.defaults), &t), &comp(c.component).settings);
            assert_eq!(strategy_pointer("/c", &comp(c.component), &s, &t), c.want, "{}", c.name);
        }
    }

    #[test]
    fn acknowledged_warnings_reach_the_model() {
        let text = TWO_COMPONENTS.replace(
            "REPLICAS",
            "replicas: 3, acknowledge: {no-room-to-reschedule: three nodes is all we have}",
        );
        let plan = resolve_text(&text.replace("OTHER", "cainjector"), true).unwrap();
        let webhook = &plan.releases[0].intents[0];
        assert_eq!(webhook.acknowledged.len(), 1);
        assert_eq!(webhook.acknowledged[0].code, "no-room-to-reschedule");
        assert!(plan.warnings.is_empty(), "{:?}", plan.warnings);
    }
}

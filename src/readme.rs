//! out/README.md: the document people read. The facts (table cells, commands, sentences) are prepared here; the
//! layout is the minijinja template `templates/out-readme.md.j2`.

use crate::delivery::helm_command;
use crate::describe::strategy_words;
use crate::error::{Error, InternalError, Result};
use crate::model::{Intent, Plan, ReleasePlan};
use crate::output::MARKER;
use crate::render::Rendered;
use crate::text::{comment, markdown_cell as md};
use serde::Serialize;

const TEMPLATE: &str = include_str!("../templates/out-readme.md.j2");

#[derive(Serialize)]
struct Context {
    marker: &'static str,
    version: &'static str,
    catalog: String,
    cluster: String,
    nodes: Vec<String>,
    rows: Vec<[String; 10]>,
    releases: Vec<ReleaseFacts>,
    warnings: Vec<String>,
    /// The `kubectl get … | hagen audit -` line that judges the live cluster.
    live_command: &'static str,
    /// The k3s section, for a k3s cluster.
    k3s: Option<K3sSection>,
}

#[derive(Serialize)]
struct K3sSection {
    cluster_dns: String,
    /// What k3s keeps owning (a HelmChart configured by a HelmChartConfig), one sentence each.
    /// (The in-place components are listed in `in_place`.)
    owned: Vec<String>,
    /// The names of `disable:`.
    disabled: Vec<String>,
    /// k3s's packaged components made HA in place (the default route).
    in_place: Vec<InPlaceEntry>,
    take_overs: Vec<TakeOver>,
}

#[derive(Serialize)]
struct InPlaceEntry {
    name: String,
    release: String,
    file: String,
    /// The HPA's range and the PDB, in words.
    objects: String,
    /// k3s's own placement of the pods, from the chart knowledge.
    placement: String,
}

#[derive(Serialize)]
struct TakeOver {
    name: String,
    release: String,
    namespace: String,
    down: String,
    before: Vec<[String; 2]>,
    wait: Vec<String>,
    install: String,
    /// The install line as `helm template` (it renders or it fails, before anything is disabled).
    preflight_template: String,
    /// The install line as a server-side dry run.
    preflight_dry_run: String,
    /// Lists the install line's images, to pull on every node.
    preflight_images: String,
    verify: Vec<[String; 2]>,
    differences: Option<String>,
}

fn k3s_section(plan: &Plan, rendered: &[Rendered], out: &str) -> Option<K3sSection> {
    let k = plan.k3s.as_ref()?;
    let mut owned = Vec::new();
    let mut in_place = Vec::new();
    let mut take_overs = Vec::new();
    for (rp, r) in plan.releases.iter().zip(rendered) {
        let rel = &rp.release;
        if crate::k3s::is_helm_chart(rp) {
            owned.push(format!(
                "release `{}`: k3s's own HelmChart, configured by {out}/k3s/{}-helmchartconfig.yaml (k3s's helm-install Job upgrades it in place, no cut-over)",
                rel.name,
                match rp.chart.k3s {
                    crate::charts::K3s::HelmChart(n) => n,
                    _ => "",
                }
            ));
        }
        let crate::charts::K3s::PlainManifest(name) = rp.chart.k3s else {
            continue;
        };
        if let Some(p) = rp.in_place {
            in_place.extend(in_place_entry(rp, p, name, out));
        }
        let Some(t) = crate::k3s::take_over(rp) else { continue };
        let sub = |x: &str| k.substitute(x);
        let line = helm_command(rp, r, out);
        let template = line
            .replacen("helm upgrade --install ", "helm template ", 1)
            .replace(" --create-namespace", "");
        let preflight_images = format!(
            "{template} | sed -n 's/^ *image: *//p' | tr -d '\"' | sort -u   # then on every node: sudo k3s crictl pull IMAGE"
        );
        let preflight_dry_run = format!("{line} --dry-run=server --take-ownership > /dev/null");
        let preflight_template = format!("{template} > /dev/null");
        let mut install = line;
        install.push_str(" --wait --timeout 5m");
        take_overs.push(TakeOver {
            name: name.to_string(),
            release: rel.name.clone(),
            namespace: rel.namespace.clone(),
            down: sub(&t.down),
            before: t
                .before
                .iter()
                .map(|b| [sub(&b.why), sub(&b.run)])
                .chain(t.saved_files.iter().map(|f| {
                    let path = crate::text::shell_word(&format!("{}{}", rp.beside, f.file));
                    [sub(&f.why), format!("{} > {path}", sub(&f.run))]
                }))
                .collect(),
            wait: t
                .wait_gone
                .iter()
                .map(|w| format!("kubectl wait --for=delete --timeout=5m {}", sub(w)))
                .collect(),
            install,
            preflight_template,
            preflight_dry_run,
            preflight_images,
            verify: t.verify.iter().map(|b| [sub(&b.why), sub(&b.run)]).collect(),
            differences: t.differences.as_deref().map(sub),
        });
    }
    Some(K3sSection {
        cluster_dns: k.cluster_dns.clone(),
        owned,
        disabled: crate::k3s::disabled(plan).into_iter().map(str::to_string).collect(),
        in_place,
        take_overs,
    })
}

/// What the README says about k3s's packaged `name`, kept in place with hagen's objects beside it.
fn in_place_entry(rp: &ReleasePlan, p: &crate::charts::InPlace, name: &str, out: &str) -> Vec<InPlaceEntry> {
    rp.intents
        .iter()
        .map(|i| InPlaceEntry {
            name: name.to_string(),
            release: rp.release.name.clone(),
            file: crate::text::shell_word(&format!("{out}/{}", crate::k3s::in_place_path(&rp.release.name))),
            objects: format!(
                "HorizontalPodAutoscaler {ns}/{w} ({range} replicas) and PodDisruptionBudget {ns}/{w} ({pdb}, selecting {sel})",
                ns = i.namespace,
                w = i.workload,
                range = i.autoscale.map_or_else(|| i.replicas.to_string(), |a| if a.min == a.max {
                    a.min.to_string()
                } else {
                    format!("{}–{}", a.min, a.max)
                }),
                pdb = crate::describe::asked_pdb(i),
                sel = i.selector.describe(),
            ),
            placement: match p.component.affinity {
                crate::charts::Route::NotControllable(why) => why.to_string(),
                _ => String::new(),
            },
        })
        .collect()
}

#[derive(Serialize)]
struct ReleaseFacts {
    name: String,
    chart: String,
    version: String,
    namespace: String,
    /// Which Helm the command line works with.
    helm_label: &'static str,
    helm: String,
    notes: String,
    k3s: Option<String>,
    components: Vec<String>,
}

/// One row of the components table.
fn row(plan: &Plan, i: &Intent, routes: &crate::describe::Routes) -> [String; 10] {
    let runtime = !i.knowledge.rendered_by_helm();
    let owners = || format!("— ({}'s)", i.knowledge.owner().unwrap_or_default());
    let pdb = match i.pdb {
        _ if runtime => owners(),
        _ => crate::describe::asked_pdb(i),
    };
    let replicas = match (i.autoscale, i.failover_seconds) {
        (Some(a), _) => format!("{}–{} (HPA)", a.min, a.max),
        (None, Some(t)) => format!("{} (failover ~{}s)", i.replicas, plan.node_monitor_grace_seconds + t),
        (None, None) => i.replicas.to_string(),
    };
    let placement = match &i.avoid {
        _ if runtime => owners(),
        Some(a) => format!(
            "{} off {}",
            match a.strength {
                crate::catalog::Strength::Required => "kept",
                crate::catalog::Strength::Preferred => "prefers",
            },
            crate::describe::avoided_labels(a)
        ),
        None => "any node".into(),
    };
    let strategy = if runtime {
        owners()
    } else if i.beside {
        "its manifest's RollingUpdate (a replica keeps serving)".to_string()
    } else {
        strategy_words(i.strategy).to_string()
    };
    let how: Vec<String> = routes.rows().iter().map(|(k, v)| format!("{k}: {v}")).collect();
    [
        i.tier.to_string(),
        i.component.clone(),
        i.release.clone(),
        i.namespace.clone(),
        replicas,
        md(&crate::describe::asked_anti_affinity(i, true)),
        placement,
        strategy,
        pdb,
        how.join("; "),
    ]
}

/// The sentence about one component under its release.
fn component_sentence(i: &Intent) -> String {
    let mut s = format!(
        "**{}** (tier {}): {} If down: {}",
        i.component,
        i.tier,
        md(&i.purpose),
        md(&i.impact)
    );
    if let Some(reason) = i.knowledge.single_instance {
        match &i.override_reason {
            Some(why) if i.replicas > 1 => s.push_str(&format!(
                " Runs {} replicas by override (\"{}\") although {reason}.",
                i.replicas,
                md(why)
            )),
            _ => s.push_str(&format!(" Single instance: {reason}.")),
        }
    }
    if let (Some(c), true) = (i.knowledge.caveat, i.replicas > 1) {
        s.push_str(&format!(" Caveat: {}.", c.text));
    }
    for a in &i.acknowledged {
        s.push_str(&format!(" Accepted trade-off `{}`: \"{}\".", a.code, md(&a.reason)));
    }
    s
}

/// out/README.md for `plan`, rendered as `rendered`, generated from `catalog` into `out`.
pub fn readme(plan: &Plan, rendered: &[Rendered], catalog: &str, out: &str) -> Result<String> {
    let mut rows: Vec<(&Intent, &crate::describe::Routes)> = plan
        .releases
        .iter()
        .zip(rendered)
        .flat_map(|(rp, r)| rp.intents.iter().zip(r.components.iter().map(|d| &d.routes)))
        .collect();
    rows.sort_by_key(|(i, _)| i.tier);
    let ctx = Context {
        marker: MARKER,
        version: env!("CARGO_PKG_VERSION"),
        catalog: comment(catalog),
        cluster: plan.cluster.clone(),
        nodes: plan.nodes.clone(),
        rows: rows.into_iter().map(|(i, routes)| row(plan, i, routes)).collect(),
        releases: plan
            .releases
            .iter()
            .zip(rendered)
            .map(|(rp, r)| ReleaseFacts {
                name: rp.release.name.clone(),
                chart: rp.chart.name.to_string(),
                version: rp.release.version.clone(),
                namespace: rp.release.namespace.clone(),
                helm_label: if crate::k3s::is_helm_chart(rp) {
                    "k3s installs it; apply only its HelmChartConfig (never a second release)"
                } else if rp.in_place.is_some() {
                    "k3s runs it; apply hagen's objects beside k3s's (never a second release)"
                } else if r.patches.is_empty() && r.resources.is_empty() {
                    "Helm 3 or 4"
                } else {
                    "Helm 3 (hagen on PATH) or Helm 4 (with the hagen plugin installed, see the project README)"
                },
                helm: match rp.chart.k3s {
                    _ if rp.in_place.is_some() => format!(
                        "kubectl apply -f {}",
                        crate::text::shell_word(&format!("{out}/{}", crate::k3s::in_place_path(&rp.release.name)))
                    ),
                    crate::charts::K3s::HelmChart(n) if crate::k3s::is_helm_chart(rp) => {
                        format!(
                            "kubectl apply -f {}",
                            crate::text::shell_word(&format!("{out}/k3s/{n}-helmchartconfig.yaml"))
                        )
                    }
                    _ => helm_command(rp, r, out),
                },
                // In place no chart is installed: what the chart cannot express does not apply.
                notes: if rp.in_place.is_some() {
                    String::new()
                } else {
                    rp.chart.notes.to_string()
                },
                k3s: crate::delivery::k3s_explanation(rp, !r.patches.is_empty(), out),
                components: rp.intents.iter().map(component_sentence).collect(),
            })
            .collect(),
        live_command: crate::live::LIVE_COMMAND,
        k3s: k3s_section(plan, rendered, out),
        warnings: plan
            .warnings
            .iter()
            .map(|w| format!("{}: {}", w.path(), w.message))
            .collect(),
    };
    let broken = |source: minijinja::Error| {
        Error::Internal(InternalError::Template {
            name: "templates/out-readme.md.j2",
            source,
        })
    };
    let mut env = minijinja::Environment::new();
    env.set_syntax(
        minijinja::syntax::SyntaxConfig::builder()
            .keep_trailing_newline(true)
            .build()
            .map_err(broken)?,
    );
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.add_template("out-readme.md", TEMPLATE).map_err(broken)?;
    env.get_template("out-readme.md")
        .and_then(|t| t.render(minijinja::Value::from(minijinja::value::Serde(&ctx))))
        .map_err(broken)
}

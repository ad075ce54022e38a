//! `hagen generate`: the resolved plan → the files of out/ (values overlays, patches, extra manifests, README).

use crate::catalog::{AntiAffinity, Strategy};
use crate::charts::{Delivery, StrategyDelivery};
use crate::error::{Error, Result};
use crate::intent::{Intent, Plan, ReleasePlan};
use crate::output::{FileSet, MARKER};
use crate::patch::PatchEntry;
use crate::render::{Rendered, render_release};

/// Where the generated files of one release are, relative to the output folder.
pub fn values_path(release: &str) -> String {
    format!("{release}/values.yaml")
}
pub fn patches_path(release: &str) -> String {
    format!("{release}/patches.yaml")
}
pub fn resources_path(release: &str) -> String {
    format!("{release}/resources.yaml")
}

/// Renders every release of the plan into the files of out/. `catalog` and `out` are shown as given.
pub fn generate(plan: &Plan, catalog: &str, out: &str) -> Result<(FileSet, Vec<Rendered>)> {
    let mut files = FileSet::default();
    let mut all = Vec::new();
    let alerts = crate::alerts::rules_map(plan)?;
    let mut carried = false;
    for rp in &plan.releases {
        let carries = !carried && rp.chart.name == crate::alerts::CARRIER_CHART;
        carried |= carries;
        let r = render_release(rp, if carries { alerts.as_ref() } else { None })?;
        let rel = &rp.release;
        let header = format!(
            "{MARKER} {} from {catalog}; do not edit: change the catalogue and run `hagen generate`.\n# Chart {} {} ({}), release {} in namespace {}.\n# Use it with:\n#   {}\n",
            env!("CARGO_PKG_VERSION"),
            rp.chart.name,
            rel.version,
            rel.repository,
            rel.name,
            rel.namespace,
            helm_command(rp, &r, out, 3)
        );
        let body = serde_yaml::to_string(&r.values).map_err(|e| Error::Tool(e.to_string()))?;
        let body = if body.trim() == "{}" { String::new() } else { body };
        files.add(&values_path(&rel.name), format!("{header}{body}"))?;
        if !r.patches.is_empty() {
            let entries: Vec<PatchEntry> = r.patches.iter().map(|p| p.entry()).collect();
            let text = serde_yaml::to_string(&entries).map_err(|e| Error::Tool(e.to_string()))?;
            files.add(
                &patches_path(&rel.name),
                format!("{MARKER} {} from {catalog}; do not edit.\n# What chart {} {} cannot express through values: kustomize `patches:` entries (JSON 6902),\n# applied by `hagen post-render` as Helm's post-renderer.\n{text}", env!("CARGO_PKG_VERSION"), rp.chart.name, rel.version),
            )?;
        }
        if !r.resources.is_empty() {
            let mut text = format!(
                "{MARKER} {} from {catalog}; do not edit.\n# Objects chart {} {} cannot create; `hagen post-render --resources` adds them to the release.\n",
                env!("CARGO_PKG_VERSION"),
                rp.chart.name,
                rel.version
            );
            for v in &r.resources {
                text.push_str("---\n");
                text.push_str(&serde_yaml::to_string(v).map_err(|e| Error::Tool(e.to_string()))?);
            }
            files.add(&resources_path(&rel.name), text)?;
        }
        all.push(r);
    }
    let routes = &plan.delivery;
    if routes.flux {
        crate::delivery::flux(plan, &all, catalog, &mut files)?;
    }
    if let Some(argo) = &routes.argocd {
        crate::delivery::argocd(plan, &all, argo, catalog, &mut files)?;
    }
    if routes.helmfile {
        crate::delivery::helmfile(plan, &all, catalog, &mut files)?;
    }
    crate::delivery::k3s(plan, &all, catalog, &mut files)?;
    files.add("README.md", readme(plan, &all, catalog, out))?;
    Ok((files, all))
}

/// The `helm upgrade` command for a release, for Helm major version 3 or 4.
pub fn helm_command(rp: &ReleasePlan, r: &Rendered, out: &str, helm_major: u8) -> String {
    let rel = &rp.release;
    let mut cmd = format!(
        "helm upgrade --install {} {} --repo {} --version {} -n {} --create-namespace -f {out}/{}",
        rel.name,
        rp.chart.name,
        rel.repository,
        rel.version,
        rel.namespace,
        values_path(&rel.name)
    );
    let mut args: Vec<String> = Vec::new();
    if !r.patches.is_empty() {
        args.push(format!("{out}/{}", patches_path(&rel.name)));
    }
    if !r.resources.is_empty() {
        args.push("--resources".into());
        args.push(format!("{out}/{}", resources_path(&rel.name)));
    }
    if !args.is_empty() {
        if helm_major >= 4 {
            cmd.push_str(" --post-renderer hagen");
        } else {
            cmd.push_str(" --post-renderer hagen --post-renderer-args post-render");
        }
        for a in args {
            cmd.push_str(&format!(" --post-renderer-args {a}"));
        }
    }
    cmd
}

fn delivery(d: Delivery) -> &'static str {
    match d {
        Delivery::Values => "values",
        Delivery::Hardcoded(_) | Delivery::Patch => "patch",
        Delivery::Runtime(_) => "runtime (Longhorn)",
        Delivery::NotControllable(_) => "not controllable",
    }
}

/// How each setting of a component reaches its workload, for the README table.
pub fn deliveries(i: &Intent) -> [(&'static str, &'static str); 4] {
    let k = i.knowledge;
    let replicas = match k.replicas {
        Delivery::Hardcoded(n) if n == i.replicas => "chart default",
        d => delivery(d),
    };
    let strategy = match k.strategy {
        StrategyDelivery::NotControllable(_) => "not controllable",
        s if s.needs_patch(i.strategy) => "patch",
        _ => "values",
    };
    let pdb = if i.pdb.is_none() && k.rendered_by_helm() {
        "none needed"
    } else {
        delivery(k.pdb)
    };
    [
        ("replicas", replicas),
        ("anti-affinity", delivery(k.affinity)),
        ("strategy", strategy),
        ("PDB", pdb),
    ]
}

/// Short words for a strategy.
pub fn strategy_words(s: Strategy) -> &'static str {
    match s {
        Strategy::Recreate => "Recreate",
        Strategy::RollingUpdate => "RollingUpdate (maxSurge 0, maxUnavailable 1)",
    }
}

fn anti_words(i: &Intent) -> String {
    match i.effective_anti_affinity() {
        AntiAffinity::Required => format!("required on hostname, `{}`", i.selector.describe()),
        AntiAffinity::Preferred => format!("preferred on hostname, `{}`", i.selector.describe()),
        AntiAffinity::None if i.replicas == 1 => "— (1 replica)".into(),
        AntiAffinity::None => "none".into(),
    }
}

fn readme(plan: &Plan, rendered: &[Rendered], catalog: &str, out: &str) -> String {
    let mut s = format!(
        "{MARKER} {} from {catalog}; do not edit.\n\n# HA overlays for cluster `{}` ({} nodes: {})\n\n",
        env!("CARGO_PKG_VERSION"),
        plan.cluster,
        plan.nodes.len(),
        plan.nodes.join(", ")
    );
    s.push_str("| tier | component | release | namespace | replicas | anti-affinity | node placement | strategy | PDB | delivered by |\n|---|---|---|---|---|---|---|---|---|---|\n");
    let mut rows: Vec<&Intent> = plan.releases.iter().flat_map(|r| &r.intents).collect();
    rows.sort_by_key(|i| i.tier);
    for i in rows {
        let runtime = !i.knowledge.rendered_by_helm();
        let pdb = match i.pdb {
            _ if runtime => "— (Longhorn's)".into(),
            Some(m) => format!("maxUnavailable {m}"),
            None => "none (1 replica)".into(),
        };
        let replicas = match (i.autoscale, i.failover_seconds) {
            (Some(a), _) => format!("{}–{} (HPA)", a.min, a.max),
            (None, Some(t)) => format!("{} (failover ~{}s)", i.replicas, plan.node_monitor_grace_seconds + t),
            (None, None) => i.replicas.to_string(),
        };
        let placement = match &i.avoid {
            _ if runtime => "— (Longhorn's)".to_string(),
            Some(a) => format!(
                "{} off {}",
                match a.strength {
                    crate::catalog::Strength::Required => "kept",
                    crate::catalog::Strength::Preferred => "prefers",
                },
                a.labels
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            ),
            None => "any node".into(),
        };
        let strategy = if runtime {
            "— (Longhorn's)"
        } else {
            strategy_words(i.strategy)
        };
        let how: Vec<String> = deliveries(i).iter().map(|(k, v)| format!("{k}: {v}")).collect();
        s.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            i.tier,
            i.component,
            i.release,
            i.namespace,
            replicas,
            anti_words(i),
            placement,
            strategy,
            pdb,
            how.join("; ")
        ));
    }
    s.push_str("\n## Releases\n");
    for (rp, r) in plan.releases.iter().zip(rendered) {
        s.push_str(&format!(
            "\n### {} ({} {}, namespace {})\n\nHelm 3:\n\n```sh\n{}\n```\n\nHelm 4 (with the hagen plugin installed, see the project README):\n\n```sh\n{}\n```\n\n{}\n",
            rp.release.name,
            rp.chart.name,
            rp.release.version,
            rp.release.namespace,
            helm_command(rp, r, out, 3),
            helm_command(rp, r, out, 4),
            rp.chart.notes
        ));
        if let Some(k3s) = crate::delivery::k3s_explanation(rp, !r.patches.is_empty()) {
            s.push_str(&format!("\n**k3s:** {k3s}\n"));
        }
        for i in &rp.intents {
            s.push_str(&format!(
                "\n- **{}** (tier {}): {} If down: {}",
                i.component, i.tier, i.purpose, i.impact
            ));
            if let Some(reason) = i.knowledge.single_instance {
                match &i.override_reason {
                    Some(why) if i.replicas > 1 => s.push_str(&format!(
                        " Runs {} replicas by override (\"{why}\") although {reason}.",
                        i.replicas
                    )),
                    _ => s.push_str(&format!(" Single instance: {reason}.")),
                }
            }
            if let (Some(c), true) = (i.knowledge.caveat, i.replicas > 1) {
                s.push_str(&format!(" Caveat: {}.", c.text));
            }
            for a in &i.acknowledged {
                s.push_str(&format!(" Accepted trade-off `{}`: \"{}\".", a.code, a.reason));
            }
        }
        s.push('\n');
    }
    s.push_str(&format!(
        "\n## Checking the live cluster\n\nAfter the upgrades, judge the cluster as the API server reports it (exit status 1 on any finding: a component short of serving pods, a node down or cordoned, a PDB that blocks drains, placement above `alerts.podsPerNode`):\n\n```sh\n{}\n```\n",
        crate::audit::LIVE_COMMAND
    ));
    if !plan.warnings.is_empty() {
        s.push_str("\n## Warnings\n\n");
        for w in &plan.warnings {
            s.push_str(&format!("- {}: {}\n", w.path(), w.message));
        }
    }
    s
}

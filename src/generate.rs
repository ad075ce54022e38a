//! `hagen generate`: the resolved plan → the files of out/ (values overlays, patches, extra manifests, README).

use crate::catalog::AntiAffinity;
use crate::delivery::helm_command;
use crate::describe::strategy_words;
use crate::error::Diagnostic;
use crate::error::{Error, Result};
use crate::model::{Intent, Plan, ReleasePlan};
use crate::output::{FileSet, MARKER};
use crate::patch::PatchEntry;
use crate::paths::{own_values_path, patches_path, resources_path, values_path};
use crate::render::{Rendered, render_release};
use crate::text::comment;

/// Renders every release of the plan into the files of out/. `catalog` and `out` are shown as given.
pub fn generate(plan: &Plan, catalog: &str, out: &str) -> Result<(FileSet, Vec<Rendered>)> {
    let mut files = FileSet::default();
    let mut all = Vec::new();
    let alerts = crate::alerts::rules_map(plan)?;
    let mut carried = false;
    let mut conflicts = Vec::new();
    for rp in &plan.releases {
        // The first release whose chart can carry alert rules carries them all.
        let carries = !carried && rp.chart.alert_rules.is_some();
        carried |= carries;
        let r = render_release(rp, if carries { alerts.as_ref() } else { None })?;
        conflicts.extend(own_values_conflicts(rp, &r, carries && alerts.is_some(), out)?);
        add_own_values(rp, catalog, &mut files)?;
        add_release_files(plan, rp, &r, catalog, out, &mut files)?;
        all.push(r);
    }
    if !conflicts.is_empty() {
        return Err(Error::Catalogue(conflicts));
    }
    let routes = &plan.delivery;
    if routes.flux {
        crate::delivery::flux(plan, &all, catalog, &mut files)?;
    }
    if let Some(argo) = &routes.argocd {
        crate::delivery::argocd(plan, &all, argo, catalog, out, &mut files)?;
    }
    if routes.helmfile {
        crate::delivery::helmfile(plan, &all, catalog, out, &mut files)?;
    }
    crate::delivery::k3s(plan, &all, catalog, &mut files)?;
    files.add(
        "README.md",
        crate::readme::readme(plan, &all, catalog, out)?,
        "the README",
    )?;
    Ok((files, all))
}

/// Every user value of the release at a key path its rendered overlay `r` writes, naming the setting behind the
/// key (`alert_rules`: the release carries hagen's alert rules, the owner of keys no component writes).
fn own_values_conflicts(rp: &ReleasePlan, r: &Rendered, alert_rules: bool, out: &str) -> Result<Vec<Diagnostic>> {
    let overlay = r.values.clone();
    if rp.own_values.is_empty() {
        return Ok(vec![]);
    }
    let rel = &rp.release;
    let solo = solo_overlays(rp)?;
    let owner = |path: &[String]| key_owner(&solo, path, alert_rules);
    let overlay_file = format!("{out}/{}", values_path(&rel.name));
    Ok(rp
        .own_values
        .iter()
        .flat_map(|own| crate::catalog::values::conflicts(own, &overlay, &overlay_file, &rel.name, &owner))
        .collect())
}

/// The overlay each component alone gets, with the component's settings in words: what names the setting behind
/// a conflicting key.
fn solo_overlays(rp: &ReleasePlan) -> Result<Vec<(String, serde_json::Value)>> {
    rp.intents
        .iter()
        .map(|i| {
            let mut one = rp.clone();
            one.intents.retain(|j| j.component == i.component);
            Ok((describe_intent(i), render_release(&one, None)?.values))
        })
        .collect()
}

/// Who writes the overlay's key `path`: the components whose solo overlay has it, else hagen's alert rules when
/// the release carries them (`alert_rules`), else nobody known.
fn key_owner(solo: &[(String, serde_json::Value)], path: &[String], alert_rules: bool) -> Option<String> {
    let owners: Vec<&str> = solo
        .iter()
        .filter(|(_, v)| crate::catalog::values::has_path(v, path))
        .map(|(d, _)| d.as_str())
        .collect();
    if owners.is_empty() {
        alert_rules.then(|| "hagen's alert rules".to_string())
    } else {
        Some(owners.join("; "))
    }
}

/// out/<release>/own-values.yaml for a release's inline `values:` (files the user wrote are used where they are).
fn add_own_values(rp: &ReleasePlan, catalog: &str, files: &mut FileSet) -> Result<()> {
    let rel = &rp.release;
    for own in rp.own_values.iter().filter(|o| o.file.is_none()) {
        let body = crate::yaml::value_to_string(&own.values).map_err(Error::Internal)?;
        files.add(
            &own_values_path(&rel.name),
            format!(
                "{MARKER} {} from {}; do not edit: these are release {}'s `values:` in the catalogue.\n# Your own values, applied before hagen's overlay (values.yaml).\n{body}",
                env!("CARGO_PKG_VERSION"),
                comment(catalog),
                rel.name
            ),
            &format!("release `{}`'s own values", rel.name),
        )?;
    }
    Ok(())
}

/// A release's files of out/<release>/: the k3s take-over values, values.yaml, and patches.yaml and
/// resources.yaml when it has any.
fn add_release_files(
    plan: &Plan,
    rp: &ReleasePlan,
    r: &Rendered,
    catalog: &str,
    out: &str,
    files: &mut FileSet,
) -> Result<()> {
    let rel = &rp.release;
    if rp.in_place.is_some() {
        // No chart is installed: hagen's objects beside k3s's go to out/k3s/ (`crate::delivery::k3s`).
        return Ok(());
    }
    if let Some(t) = crate::k3s::take_over(rp) {
        let body = crate::yaml::to_string(&crate::k3s::take_over_values(plan, t)).map_err(Error::Internal)?;
        files.add(
            &crate::k3s::values_path(&rel.name),
            format!(
                "{MARKER} {} from {}; do not edit.\n# Chart values that make release {} render what k3s's packaged manifests create (taking them over\n# after `disable:`), applied before your own values and hagen's overlay. See out/README.md, \"k3s\".\n{body}",
                env!("CARGO_PKG_VERSION"),
                comment(catalog),
                rel.name
            ),
            &format!("release `{}`'s k3s take-over values", rel.name),
        )?;
    }
    let owner = format!("release `{}`", rel.name);
    files.add(&values_path(&rel.name), values_file(rp, r, catalog, out)?, &owner)?;
    if !r.patches.is_empty() {
        files.add(&patches_path(&rel.name), patches_file(rp, r, catalog)?, &owner)?;
    }
    if !r.resources.is_empty() {
        files.add(&resources_path(&rel.name), resources_file(rp, r, catalog)?, &owner)?;
    }
    Ok(())
}

/// The text of out/<release>/values.yaml: a header naming the chart, the release and the command that uses it,
/// then the overlay (nothing for an empty one).
fn values_file(rp: &ReleasePlan, r: &Rendered, catalog: &str, out: &str) -> Result<String> {
    let rel = &rp.release;
    let use_line = if crate::k3s::is_helm_chart(rp) {
        "k3s's own HelmChart reads it through out/k3s/ (a HelmChartConfig); never install a second release".to_string()
    } else {
        helm_command(rp, r, out)
    };
    let header = format!(
        "{MARKER} {} from {}; do not edit: change the catalogue and run `hagen generate`.\n# Chart {} {} ({}), release {} in namespace {}.\n# Use it with:\n#   {}\n",
        env!("CARGO_PKG_VERSION"),
        comment(catalog),
        rp.chart.name,
        comment(&rel.version),
        comment(&rel.repository),
        rel.name,
        rel.namespace,
        comment(&use_line)
    );
    let body = crate::yaml::value_to_string(&r.values).map_err(Error::Internal)?;
    let body = if body.trim() == "{}" { String::new() } else { body };
    Ok(format!("{header}{body}"))
}

/// The text of out/<release>/patches.yaml: a header, then the patches as kustomize `patches:` entries.
fn patches_file(rp: &ReleasePlan, r: &Rendered, catalog: &str) -> Result<String> {
    let entries: Vec<PatchEntry> = r.patches.iter().map(|p| p.entry()).collect();
    let text = crate::yaml::to_string(&entries).map_err(Error::Internal)?;
    Ok(format!(
        "{MARKER} {} from {}; do not edit.\n# What chart {} {} cannot express through values: kustomize `patches:` entries (JSON 6902),\n# applied by `hagen post-render` as Helm's post-renderer.\n{text}",
        env!("CARGO_PKG_VERSION"),
        comment(catalog),
        rp.chart.name,
        comment(&rp.release.version)
    ))
}

/// The text of out/<release>/resources.yaml: a header, then the extra manifests as YAML documents.
fn resources_file(rp: &ReleasePlan, r: &Rendered, catalog: &str) -> Result<String> {
    let mut text = format!(
        "{MARKER} {} from {}; do not edit.\n# Objects chart {} {} cannot create; `hagen post-render --resources` adds them to the release.\n",
        env!("CARGO_PKG_VERSION"),
        comment(catalog),
        rp.chart.name,
        comment(&rp.release.version)
    );
    for v in &r.resources {
        text.push_str("---\n");
        text.push_str(&crate::yaml::value_to_string(v).map_err(Error::Internal)?);
    }
    Ok(text)
}

/// A component's HA settings in a few words, for messages: `component webhook (replicas 2, required
/// anti-affinity, RollingUpdate, PDB maxUnavailable 1)`.
fn describe_intent(i: &Intent) -> String {
    let replicas = match i.autoscale {
        Some(a) => format!("{}–{} replicas (HPA)", a.min, a.max),
        None => format!("{} replica{}", i.replicas, if i.replicas == 1 { "" } else { "s" }),
    };
    let anti = match i.effective_anti_affinity() {
        AntiAffinity::Required => "required anti-affinity",
        AntiAffinity::Preferred => "preferred anti-affinity",
        AntiAffinity::None => "no anti-affinity",
    };
    let mut parts = vec![replicas, anti.to_string(), strategy_words(i.strategy).to_string()];
    if let Some(m) = i.pdb {
        parts.push(format!("PDB maxUnavailable {m}"));
    }
    if let Some(t) = i.failover_seconds {
        parts.push(format!("failover after {t}s"));
    }
    format!("component `{}` ({})", i.component, parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::tests::{TINY, patch, plan_of, rendered};
    use serde_json::json;

    #[test]
    fn a_conflicting_key_names_the_setting_that_writes_it() {
        let solo = vec![
            (
                "component `a`".to_string(),
                json!({"replicaCount": 2, "pdb": {"create": true}}),
            ),
            ("component `b`".to_string(), json!({"pdb": {"create": true}})),
        ];
        let path = |p: &str| p.split('.').map(String::from).collect::<Vec<_>>();
        let cases = [
            ("one component", "replicaCount", false, Some("component `a`")),
            (
                "two components",
                "pdb.create",
                false,
                Some("component `a`; component `b`"),
            ),
            (
                "nobody, alert rules carried",
                "prometheus.rules",
                true,
                Some("hagen's alert rules"),
            ),
            ("nobody at all", "prometheus.rules", false, None),
        ];
        for (name, key, alert_rules, want) in cases {
            assert_eq!(key_owner(&solo, &path(key), alert_rules).as_deref(), want, "{name}");
        }
    }

    #[test]
    fn a_component_in_a_few_words() {
        let plan = plan_of(TINY);
        let cases = [
            (
                "two replicas",
                0,
                "component `coredns` (2 replicas, required anti-affinity, RollingUpdate (maxSurge 0, maxUnavailable 1), PDB maxUnavailable 1)",
            ),
            (
                "alone, failing over fast",
                1,
                "component `controller` (1 replica, no anti-affinity, Recreate, failover after 30s)",
            ),
        ];
        for (name, release, want) in cases {
            assert_eq!(describe_intent(&plan.releases[release].intents[0]), want, "{name}");
        }
    }

    #[test]
    fn values_yaml_names_its_chart_and_command_then_the_overlay() {
        let plan = plan_of(TINY);
        let header = format!(
            "{MARKER} {} from catalog/cluster.yaml; do not edit: change the catalogue and run `hagen generate`.\n",
            env!("CARGO_PKG_VERSION")
        ) + "# Chart coredns 1.46.2 (https://coredns.github.io/helm), release dns in namespace kube-system.\n\
            # Use it with:\n\
            #   helm upgrade --install dns coredns --repo https://coredns.github.io/helm --version 1.46.2 -n kube-system --create-namespace -f out/dns/values.yaml\n";
        let cases = [
            ("an empty overlay writes no body", "{}", ""),
            ("the overlay as YAML", "replicaCount: 2", "replicaCount: 2\n"),
        ];
        for (name, values, body) in cases {
            let r = rendered(values, vec![], vec![]);
            let text = values_file(&plan.releases[0], &r, "catalog/cluster.yaml", "out").unwrap();
            assert_eq!(text, format!("{header}{body}"), "{name}");
        }
    }

    #[test]
    fn patches_and_manifests_files_carry_a_header_then_their_entries() {
        let plan = plan_of(TINY);
        let rp = &plan.releases[0];
        let pdb = json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "p"}});
        let r = rendered("{}", vec![patch("dns-coredns")], vec![pdb.clone(), pdb]);
        let cases = [
            (
                "patches.yaml",
                patches_file(rp, &r, "c.yaml").unwrap(),
                "# What chart coredns 1.46.2 cannot express through values",
                "- target:\n    group: apps\n    version: v1\n    kind: Deployment\n    name: dns-coredns\n  patch: |\n    - op: remove\n      path: /spec/strategy\n",
            ),
            (
                "resources.yaml",
                resources_file(rp, &r, "c.yaml").unwrap(),
                "# Objects chart coredns 1.46.2 cannot create",
                "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: p\n---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: p\n",
            ),
        ];
        for (name, text, second_line, body) in cases {
            let mut lines = text.lines();
            let first = format!("{MARKER} {} from c.yaml; do not edit.", env!("CARGO_PKG_VERSION"));
            assert_eq!(lines.next(), Some(first.as_str()), "{name}");
            assert!(lines.next().unwrap().starts_with(second_line), "{name}: {text}");
            assert!(text.ends_with(body), "{name}: {text}");
        }
    }
}

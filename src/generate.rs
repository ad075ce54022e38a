//! `hagen generate`: the resolved plan → the files of out/ (values overlays, patches, extra manifests, README).

use crate::catalog::AntiAffinity;
use crate::delivery::helm_command;
use crate::describe::strategy_words;
use crate::error::{Diagnostic, Error, Result, Severity};
use crate::helm::ChartSource;
use crate::model::{Intent, Plan, ReleasePlan};
use crate::output::{FileSet, header};
use crate::patch::PatchEntry;
use crate::paths::{own_values_path, patches_path, resources_path, values_path};
use crate::render::{ALERT_RULES, Rendered, Writer, render_release};
use crate::resolve::{Options, Resolved};
use std::path::Path;

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
        conflicts.extend(own_values_conflicts(rp, &r, out));
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
/// key (from the overlay's writers: a component's settings in words, or hagen's alert rules).
fn own_values_conflicts(rp: &ReleasePlan, r: &Rendered, out: &str) -> Vec<Diagnostic> {
    let rel = &rp.release;
    let owner = |path: &[String]| key_owner(&rp.intents, &r.writers, path);
    let overlay_file = format!("{out}/{}", values_path(&rel.name));
    rp.own_values
        .iter()
        .flat_map(|own| crate::catalog::values::conflicts(own, &r.values, &overlay_file, &rel.name, &owner))
        .collect()
}

/// Who writes the overlay's key `path`: the components with a writer of it, with their settings in words, else
/// hagen's alert rules when they do, else nobody known.
fn key_owner(intents: &[Intent], writers: &[Writer], path: &[String]) -> Option<String> {
    let writes = |w: &Writer| {
        let key: Vec<&str> = w.key.split('.').collect();
        let n = key.len().min(path.len());
        key[..n].iter().zip(&path[..n]).all(|(a, b)| a == b)
            && (path.len() <= key.len() || crate::catalog::values::has_path(&w.value, &path[key.len()..]))
    };
    let by: Vec<&str> = writers.iter().filter(|w| writes(w)).map(|w| w.by.as_str()).collect();
    let owners: Vec<String> = intents
        .iter()
        .filter(|i| by.contains(&i.label().as_str()))
        .map(describe_intent)
        .collect();
    if !owners.is_empty() {
        Some(owners.join("; "))
    } else {
        by.contains(&ALERT_RULES).then(|| ALERT_RULES.to_string())
    }
}

/// out/<release>/own-values.yaml for a release's inline `values:` (files the user wrote are used where they are).
fn add_own_values(rp: &ReleasePlan, catalog: &str, files: &mut FileSet) -> Result<()> {
    let rel = &rp.release;
    for own in rp.own_values.iter().filter(|o| o.file.is_none()) {
        let body = crate::yaml::value_to_string(&own.values).map_err(Error::Internal)?;
        files.add(
            &own_values_path(&rel.name),
            header(
                catalog,
                Some(&format!("these are release {}'s `values:` in the catalogue", rel.name)),
                &["Your own values, applied before hagen's overlay (values.yaml)."],
            ) + &body,
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
            header(
                catalog,
                None,
                &[
                    &format!(
                        "Chart values that make release {} render what k3s's packaged manifests create (taking them over",
                        rel.name
                    ),
                    "after `disable:`), applied before your own values and hagen's overlay. See out/README.md, \"k3s\".",
                ],
            ) + &body,
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
    let header = header(
        catalog,
        Some("change the catalogue and run `hagen generate`"),
        &[
            &format!(
                "Chart {} {} ({}), release {} in namespace {}.",
                rp.chart.name, rel.version, rel.repository, rel.name, rel.namespace
            ),
            "Use it with:",
            &format!("  {use_line}"),
        ],
    );
    let body = r.values_yaml().map_err(Error::Internal)?;
    let body = if body.trim() == "{}" { "" } else { body };
    Ok(format!("{header}{body}"))
}

/// The text of out/<release>/patches.yaml: a header, then the patches as kustomize `patches:` entries.
fn patches_file(rp: &ReleasePlan, r: &Rendered, catalog: &str) -> Result<String> {
    let entries: Vec<PatchEntry> = r.patches.iter().map(|p| p.entry()).collect();
    let text = crate::yaml::to_string(&entries).map_err(Error::Internal)?;
    let about = format!(
        "What chart {} {} cannot express through values: kustomize `patches:` entries (JSON 6902),",
        rp.chart.name, rp.release.version
    );
    Ok(header(
        catalog,
        None,
        &[&about, "applied by `hagen post-render` as Helm's post-renderer."],
    ) + &text)
}

/// The text of out/<release>/resources.yaml: a header, then the extra manifests as YAML documents.
fn resources_file(rp: &ReleasePlan, r: &Rendered, catalog: &str) -> Result<String> {
    let mut text = header(
        catalog,
        None,
        &[&format!(
            "Objects chart {} {} cannot create; `hagen post-render --resources` adds them to the release.",
            rp.chart.name, rp.release.version
        )],
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
        AntiAffinity::None => "no anti-affinity".to_string(),
        a => format!("{} anti-affinity", crate::describe::anti_affinity_word(a)),
    };
    let mut parts = vec![replicas, anti, strategy_words(i.strategy).to_string()];
    if let Some(m) = i.pdb {
        parts.push(format!("PDB maxUnavailable {m}"));
    }
    if let Some(t) = i.failover_seconds {
        parts.push(format!("failover after {t}s"));
    }
    format!("component `{}` ({})", i.component, parts.join(", "))
}

/// What `hagen generate` made of a catalogue, before anything is written.
pub struct Generated {
    pub plan: Plan,
    pub files: FileSet,
    /// Notes and warnings to print, in order: the knowledge's notes, own values left unchecked, proofs that do not
    /// cover what is now delivered (with `--allow-unproven`). The plan's own warnings follow them.
    pub notes: Vec<String>,
}

/// Loads the catalogue at `catalog` and renders the files of the output folder `out` (nothing is written). With
/// `compare_only` (`generate --check`) the YAML is not parsed back ([`crate::yaml::comparing_only`]): such files
/// are only compared, never written.
pub fn generate_files(
    catalog: &Path,
    out: &Path,
    opts: Options,
    charts: &ChartSource,
    compare_only: bool,
) -> Result<Generated> {
    let Resolved { loaded, known, plan } = crate::resolve::load_and_resolve(catalog, opts, false)?;
    let mut notes = known.notes.clone();
    let unchecked = check_own_values(&plan, &|chart, version| charts.find_local(chart, version))?;
    if !unchecked.is_empty() {
        notes.push(format!(
            "note: own values not checked against their chart (no archive here; `hagen verify` checks them): {}",
            unchecked.join(", ")
        ));
    }
    let render = || generate(&plan, &shown(catalog), &shown(out));
    let (files, rendered) = if compare_only {
        crate::yaml::comparing_only(render)?
    } else {
        render()?
    };
    let unproven = check_proven(&loaded, &known, &plan, &rendered, opts)?;
    notes.extend(unproven.iter().map(ToString::to_string));
    Ok(Generated { plan, files, notes })
}

/// Every release's own values against its chart's values at that version (the archive `find` locates, by
/// chart and version): a key the chart does not take is an error at its place, with the closest key it has.
/// Returns the releases with own values whose archive `find` did not have.
pub fn check_own_values(plan: &Plan, find: &dyn Fn(&str, &str) -> Option<std::path::PathBuf>) -> Result<Vec<String>> {
    let mut diags = Vec::new();
    let mut unchecked = Vec::new();
    let mut read: indexmap::IndexMap<std::path::PathBuf, crate::archive::ChartDefaults> = indexmap::IndexMap::new();
    for rp in plan.releases.iter().filter(|rp| !rp.own_values.is_empty()) {
        let rel = &rp.release;
        let Some(path) = find(&rel.chart, &rel.version) else {
            unchecked.push(format!("{} ({} {})", rel.name, rel.chart, rel.version));
            continue;
        };
        if !read.contains_key(&path) {
            let d = crate::archive::read(&path)?;
            read.insert(path.clone(), d);
        }
        let chart = &read[&path];
        let shown = format!("{} {}", rel.chart, rel.version);
        for own in &rp.own_values {
            diags.extend(crate::catalog::values::unknown_keys(own, chart, &rel.name, &shown));
        }
    }
    if diags.is_empty() {
        Ok(unchecked)
    } else {
        Err(Error::Catalogue(diags))
    }
}

/// Everything hagen delivers for a release must have been seen to take effect by `hagen verify` for that chart
/// version and knowledge: a catalogue change that makes hagen write a key the proof does not list (a component
/// raised from 1 to 2 replicas now writes anti-affinity, say) needs verify again. Returns the warnings, with
/// `--allow-unproven`.
fn check_proven(
    loaded: &crate::catalog::load::Loaded,
    known: &crate::lock::Known,
    plan: &Plan,
    rendered: &[Rendered],
    opts: Options,
) -> Result<Vec<Diagnostic>> {
    let Some(lock) = &known.lock else {
        return Ok(vec![]);
    };
    let mut diags = Vec::new();
    // In place, no chart is installed: hagen's objects are judged against k3s's packaged Deployment by verify,
    // and there is no chart proof to cover them.
    for (rp, r) in plan
        .releases
        .iter()
        .zip(rendered)
        .filter(|(rp, _)| rp.in_place.is_none())
    {
        let sha = format!("sha256:{}", rp.chart.knowledge.sha256);
        // A version with no proof at all was reported by resolve already.
        if !lock
            .proven_versions(rp.chart.name, &sha)
            .contains(&rp.release.version.as_str())
        {
            continue;
        }
        let missing = lock.unproven_keys(rp.chart.name, &rp.release.version, &sha, &r.keys);
        if missing.is_empty() {
            continue;
        }
        let index = loaded
            .catalogue
            .releases
            .iter()
            .position(|x| x.name == rp.release.name)
            .unwrap_or_default();
        let severity = if opts.allow_unproven {
            Severity::Warning
        } else {
            Severity::Error
        };
        diags.push(loaded.at(
            severity,
            &format!("/releases/{index}/version"),
            format!(
                "the proof of chart {} {} in {} does not cover what this catalogue now makes hagen deliver: {}; run `hagen verify`{}",
                rp.chart.name,
                rp.release.version,
                lock.path.display(),
                missing.join(", "),
                if opts.allow_unproven { "" } else { ", or pass --allow-unproven" }
            ),
        ));
    }
    if diags.iter().any(|d| d.severity == Severity::Error) {
        return Err(Error::Catalogue(diags));
    }
    Ok(diags)
}

/// A path as shown in generated files: as given, with forward slashes.
pub fn shown(p: &Path) -> String {
    p.display().to_string().replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::delivery::tests::{TINY, patch, plan_of, rendered};
    use crate::output::MARKER;
    use serde_json::json;

    #[test]
    fn a_conflicting_key_names_the_setting_that_writes_it() {
        let component = |name: &str| Intent {
            component: name.into(),
            ..crate::check::fixtures::intent(2)
        };
        let intents = [component("a"), component("b")];
        let (a, b) = (describe_intent(&intents[0]), describe_intent(&intents[1]));
        let writer = |key: &str, by: &str, value| Writer {
            key: key.into(),
            by: by.into(),
            value,
        };
        let writers = [
            writer("replicaCount", &intents[0].label(), json!(2)),
            writer("pdb", &intents[0].label(), json!({"create": true})),
            writer("pdb.create", &intents[1].label(), json!(true)),
            writer("prometheus.rules", ALERT_RULES, json!({})),
        ];
        struct Case {
            name: &'static str,
            key: &'static str,
            writers: usize,
            want: Option<String>,
        }
        let cases = [
            Case {
                name: "one component",
                key: "replicaCount",
                writers: 4,
                want: Some(a.clone()),
            },
            Case {
                name: "two components, one above the key",
                key: "pdb.create",
                writers: 4,
                want: Some(format!("{a}; {b}")),
            },
            Case {
                name: "a key inside one written",
                key: "pdb",
                writers: 4,
                want: Some(format!("{a}; {b}")),
            },
            Case {
                name: "hagen's alert rules",
                key: "prometheus.rules.groups",
                writers: 4,
                want: None,
            },
            Case {
                name: "the alert rules' key",
                key: "prometheus.rules",
                writers: 4,
                want: Some(ALERT_RULES.into()),
            },
            Case {
                name: "nobody at all",
                key: "prometheus.rules",
                writers: 3,
                want: None,
            },
        ];
        for c in cases {
            let path: Vec<String> = c.key.split('.').map(String::from).collect();
            assert_eq!(key_owner(&intents, &writers[..c.writers], &path), c.want, "{}", c.name);
        }
    }

    #[test]
    fn a_component_in_a_few_words() {
        let plan = plan_of(TINY);
        struct Case {
            name: &'static str,
            release: usize,
            want: &'static str,
        }
        let cases = [
            Case {
                name: "two replicas",
                release: 0,
                want: "component `coredns` (2 replicas, required anti-affinity, RollingUpdate (maxSurge 0, maxUnavailable 1), PDB maxUnavailable 1)",
            },
            Case {
                name: "alone, failing over fast",
                release: 1,
                want: "component `controller` (1 replica, no anti-affinity, Recreate, failover after 30s)",
            },
        ];
        for c in cases {
            assert_eq!(
                describe_intent(&plan.releases[c.release].intents[0]),
                c.want,
                "{}",
                c.name
            );
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
        struct Case {
            name: &'static str,
            values: &'static str,
            body: &'static str,
        }
        let cases = [
            Case {
                name: "an empty overlay writes no body",
                values: "{}",
                body: "",
            },
            Case {
                name: "the overlay as YAML",
                values: "replicaCount: 2",
                body: "replicaCount: 2\n",
            },
        ];
        for c in cases {
            let r = rendered(c.values, vec![], vec![]);
            let text = values_file(&plan.releases[0], &r, "catalog/cluster.yaml", "out").unwrap();
            assert_eq!(text, format!("{header}{}", c.body), "{}", c.name);
        }
    }

    #[test]
    fn patches_and_manifests_files_carry_a_header_then_their_entries() {
        let plan = plan_of(TINY);
        let rp = &plan.releases[0];
        let pdb = json!({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "p"}});
        let r = rendered("{}", vec![patch("dns-coredns")], vec![pdb.clone(), pdb]);
        struct Case {
            file: &'static str,
            text: String,
            second_line: &'static str,
            body: &'static str,
        }
        let cases = [
            Case {
                file: "patches.yaml",
                text: patches_file(rp, &r, "c.yaml").unwrap(),
                second_line: "# What chart coredns 1.46.2 cannot express through values",
                body: "- target:\n    group: apps\n    version: v1\n    kind: Deployment\n    name: dns-coredns\n  patch: |\n    - op: remove\n      path: /spec/strategy\n",
            },
            Case {
                file: "resources.yaml",
                text: resources_file(rp, &r, "c.yaml").unwrap(),
                second_line: "# Objects chart coredns 1.46.2 cannot create",
                body: "---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: p\n---\napiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata:\n  name: p\n",
            },
        ];
        for c in cases {
            let mut lines = c.text.lines();
            let first = format!("{MARKER} {} from c.yaml; do not edit.", env!("CARGO_PKG_VERSION"));
            assert_eq!(lines.next(), Some(first.as_str()), "{}", c.file);
            assert!(
                lines.next().unwrap().starts_with(c.second_line),
                "{}: {}",
                c.file,
                c.text
            );
            assert!(c.text.ends_with(c.body), "{}: {}", c.file, c.text);
        }
    }
}

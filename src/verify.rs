//! `hagen verify`: render every release's real chart twice (bare and with out/), and judge each component on the
//! rendered objects against the catalogue's intent.

use crate::check::{self, Object, Report};
use crate::error::{Error, Result};
use crate::helm::{ChartSource, Helm};
use crate::intent::{Intent, Plan, ReleasePlan};
use crate::paths::{patches_path, resources_path, values_path};
use serde::Serialize;
use serde_json::Value;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The verdicts on one release.
#[derive(Debug, Serialize)]
pub struct ReleaseResult {
    pub release: String,
    pub chart: String,
    pub version: String,
    pub namespace: String,
    pub components: Vec<Report>,
    /// Objects that appear or disappear between the bare and the overlay render (beyond expected PDBs).
    pub drift: Vec<String>,
    /// Release-level checks (the alert rules, for the release that carries them).
    pub checks: Vec<crate::check::Check>,
    /// For failed settings: keys hagen writes that the chart's values.yaml does not have, and where a key of the
    /// same name now lives.
    pub hints: Vec<String>,
    /// `sha256:<hex>` of the chart archive (or folder) that was rendered.
    #[serde(skip)]
    pub chart_digest: String,
}

impl ReleaseResult {
    /// Every ✗ of this release: failed component checks, drift, failed release-level checks.
    pub fn failed(&self) -> usize {
        self.components.iter().map(Report::failed).sum::<usize>()
            + self.drift.len()
            + self.checks.iter().filter(|c| c.ok == Some(false)).count()
    }
}

/// Everything `verify` found.
#[derive(Debug, Serialize)]
pub struct Outcome {
    pub helm: String,
    pub releases: Vec<ReleaseResult>,
}

impl Outcome {
    /// Every ✗ the table prints: failed component checks, unexpected object changes and failed release checks.
    pub fn failures(&self) -> usize {
        self.releases.iter().map(ReleaseResult::failed).sum()
    }
    pub fn checks(&self) -> (usize, usize, usize) {
        let all = self.releases.iter().flat_map(|r| &r.components).flat_map(|c| &c.checks);
        let (mut ok, mut bad, mut unseen) = (0, 0, 0);
        for c in all {
            match c.ok {
                Some(true) => ok += 1,
                Some(false) => bad += 1,
                None => unseen += 1,
            }
        }
        (ok, bad, unseen)
    }
}

/// Parses a manifest stream (or a `kubectl get -o yaml|json` List) into objects.
pub fn objects_from_stream(text: &str, default_namespace: &str) -> Result<Vec<Object>> {
    let trimmed = text.trim_start();
    let values: Vec<Value> = if trimmed.starts_with('{') {
        crate::yaml::check_bounds(trimmed, crate::yaml::STREAM).map_err(|e| Error::Tool(e.message))?;
        vec![serde_json::from_str(trimmed).map_err(|e| Error::Tool(format!("not JSON: {e}")))?]
    } else {
        crate::patch::parse_manifests(text, "the manifests", crate::yaml::STREAM)
            .map_err(|e| Error::Tool(e.to_string()))?
    };
    let mut out = Vec::new();
    for v in values {
        if v.get("kind")
            .and_then(Value::as_str)
            .is_some_and(|k| k.ends_with("List"))
            && let Some(items) = v.get("items").and_then(Value::as_array)
        {
            out.extend(items.iter().filter_map(|i| Object::new(i.clone(), default_namespace)));
        } else if let Some(o) = Object::new(v, default_namespace) {
            out.push(o);
        }
    }
    Ok(out)
}

struct Rendered {
    bare: Vec<Object>,
    overlay: Vec<Object>,
    chart_path: PathBuf,
}

fn render(rp: &ReleasePlan, out: &Path, helm: &Helm, source: &ChartSource) -> Result<Rendered> {
    let rel = &rp.release;
    let chart_path = source.locate(helm, &rel.repository, &rel.chart, &rel.version)?;
    let values = out.join(values_path(&rel.name));
    if !values.exists() {
        return Err(Error::Tool(format!(
            "{} is missing: run `hagen generate` first",
            values.display()
        )));
    }
    // What the cluster gets: the user's own values first (in both renders, so that objects they switch on, such
    // as a chart's CRDs, are not taken for changes hagen made), then hagen's overlay.
    // A k3s take-over's values come first on every route, so both renders carry them.
    let take_over = crate::k3s::take_over(rp).map(|_| out.join(crate::k3s::values_path(&rel.name)));
    let own: Vec<PathBuf> = take_over
        .into_iter()
        .chain(rp.own_values.iter().map(|o| {
            o.file
                .clone()
                .unwrap_or_else(|| out.join(crate::paths::own_values_path(&rel.name)))
        }))
        .collect();
    let bare = helm.template(&rel.name, &chart_path, &rel.namespace, &own)?;
    let mut with_overlay = own;
    with_overlay.push(values);
    let mut overlay = helm.template(&rel.name, &chart_path, &rel.namespace, &with_overlay)?;
    let patches = out.join(patches_path(&rel.name));
    let resources = out.join(resources_path(&rel.name));
    if patches.exists() || resources.exists() {
        let read = |p: &Path| crate::yaml::read_file(p, crate::yaml::SMALL.size);
        let parsed = if patches.exists() {
            crate::patch::parse_patches(&read(&patches)?, &patches.display().to_string())?
        } else {
            vec![]
        };
        let extra = if resources.exists() {
            crate::patch::parse_manifests(&read(&resources)?, &resources.display().to_string(), crate::yaml::SMALL)?
        } else {
            vec![]
        };
        overlay = crate::patch::post_render(&overlay, &parsed, &extra).map_err(|e| Error::Tool(e.to_string()))?;
    }
    Ok(Rendered {
        bare: objects_from_stream(&bare, &rel.namespace)?,
        overlay: objects_from_stream(&overlay, &rel.namespace)?,
        chart_path,
    })
}

/// Renders every release (in parallel) and judges every component.
pub fn verify(plan: &Plan, out: &Path, helm: &Helm, source: &ChartSource) -> Result<Outcome> {
    let renders: Vec<Result<Rendered>> = std::thread::scope(|s| {
        let handles: Vec<_> = plan
            .releases
            .iter()
            .map(|rp| s.spawn(move || render(rp, out, helm, source)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Error::Tool("a render thread panicked".into())))
            })
            .collect()
    });
    let mut rendered = Vec::new();
    let mut errors = Vec::new();
    for (rp, r) in plan.releases.iter().zip(renders) {
        match r {
            Ok(r) => rendered.push(r),
            Err(e) => errors.push(format!("release {}: {e}", rp.release.name)),
        }
    }
    if !errors.is_empty() {
        return Err(Error::Tool(errors.join("\n")));
    }
    let all: Vec<Object> = rendered.iter().flat_map(|r| r.overlay.iter().cloned()).collect();
    let templates = check::pod_templates(&all, &plan.operator_pods());
    let rules = crate::alerts::rules_map(plan)?;
    let carrier = plan
        .releases
        .iter()
        .position(|rp| rp.chart.alert_rules.is_some())
        .filter(|_| rules.is_some());
    let mut releases = Vec::new();
    for (n, (rp, r)) in plan.releases.iter().zip(&rendered).enumerate() {
        let components: Vec<Report> = rp.intents.iter().map(|i| check::judge(i, &all, &templates)).collect();
        let intents: Vec<&Intent> = rp.intents.iter().collect();
        let mut checks = Vec::new();
        let mut rule_name = None;
        if carrier == Some(n) {
            let want = rules
                .as_ref()
                .and_then(|m| m.pointer(&format!("/{g}/groups/0/rules", g = crate::alerts::GROUP)))
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            let found = r.overlay.iter().find(|o| {
                o.kind == "PrometheusRule"
                    && o.value.pointer("/spec/groups/0/name").and_then(Value::as_str) == Some(crate::alerts::GROUP)
            });
            let got = found
                .and_then(|o| o.value.pointer("/spec/groups/0/rules"))
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            rule_name = found.map(|o| o.name.clone());
            checks.push(crate::check::Check {
                setting: "alert rules",
                asked: format!("group {} with {want} rules", crate::alerts::GROUP),
                found: match found {
                    Some(o) => format!("PrometheusRule {} with {got} rules", o.name),
                    None => "no PrometheusRule carries them".into(),
                },
                ok: Some(found.is_some() && got == want),
                delivered_by: "values".into(),
            });
        }
        if let (Some(t), Some(k)) = (crate::k3s::take_over(rp), plan.k3s.as_ref()) {
            checks.extend(crate::k3s::judge(k, t, &r.overlay));
        }
        let drift = check::render_drift(&r.bare, &r.overlay, &intents, rule_name.as_deref());
        let hints = if components.iter().any(|c| c.failed() > 0) {
            moved_keys(helm, &r.chart_path, &out.join(values_path(&rp.release.name)))
        } else {
            vec![]
        };
        releases.push(ReleaseResult {
            release: rp.release.name.clone(),
            chart: rp.chart.name.to_string(),
            version: rp.release.version.clone(),
            namespace: rp.release.namespace.clone(),
            components,
            checks,
            drift,
            hints,
            chart_digest: crate::lock::digest_path(&r.chart_path).unwrap_or_default(),
        });
    }
    Ok(Outcome {
        helm: helm.version.clone(),
        releases,
    })
}

/// What `hagen verify` did to a catalogue: the judgement, the proofs it recorded or dropped, and whether out/ is
/// what the catalogue generates.
pub struct Verified {
    pub outcome: Outcome,
    /// `chart version` proven and recorded in the lock.
    pub recorded: Vec<String>,
    /// `chart version` whose proof was dropped (a ✗ on it).
    pub dropped: Vec<String>,
    /// The lock file, when it changed.
    pub lock_written: Option<PathBuf>,
    /// The difference between out/ and a fresh generation (empty when out/ is current).
    pub stale: String,
}

/// Generates the catalogue's output into a scratch folder, renders and judges every release with it, records a
/// proof in the lock beside the catalogue for each chart version whose every release passed (and drops it for a
/// version with a ✗), and compares the committed out/ with what was proven.
pub fn verify_catalogue(catalog: &Path, out: &Path, helm: &Helm, source: &ChartSource) -> Result<Verified> {
    let opts = crate::intent::Options {
        strict: false,
        allow_unproven: false,
    };
    // Proving is verify's job: generate as `hagen generate` would once the proofs are in (no proof warnings).
    let loaded = crate::catalog::load_file(catalog)?;
    let mut known = crate::lock::Knowledge::beside(catalog).map_err(Error::Knowledge)?;
    for n in &known.notes {
        let _ = writeln!(std::io::stderr(), "{n}");
    }
    known.lock = None;
    let plan = crate::intent::resolve(&loaded, &known, opts)?;
    let shown = |p: &Path| p.display().to_string().replace('\\', "/");
    let (files, rendered) = crate::generate::generate(&plan, &shown(catalog), &shown(out))?;
    let scratch = tempfile::Builder::new()
        .prefix("hagen-verify-")
        .tempdir()
        .map_err(|source| Error::Write {
            path: std::env::temp_dir(),
            source,
        })?;
    files.write(scratch.path())?;
    let outcome = verify(&plan, scratch.path(), helm, source)?;
    let mut lock = crate::lock::Lock::beside(catalog).map_err(Error::Knowledge)?;
    // Per chart version: whether every release of it passed, the archive, the knowledge, what was delivered.
    type Tally = (bool, String, String, Vec<String>);
    let mut passed: indexmap::IndexMap<(String, String), Tally> = indexmap::IndexMap::new();
    for ((rp, r), delivered) in plan.releases.iter().zip(&outcome.releases).zip(&rendered) {
        let e = passed.entry((r.chart.clone(), r.version.clone())).or_insert((
            true,
            r.chart_digest.clone(),
            format!("sha256:{}", rp.chart.knowledge.sha256),
            vec![],
        ));
        e.0 &= r.failed() == 0;
        e.3.extend(delivered.keys.iter().cloned());
    }
    let (mut recorded, mut dropped) = (vec![], vec![]);
    for ((chart, version), (ok, archive, knowledge, mut keys)) in passed {
        if ok {
            // Keys proven earlier with the same knowledge (by another catalogue of this folder) stay proven.
            if let Some(p) = lock
                .own_proof(&chart, &version)
                .filter(|p| p.knowledge == knowledge && !p.failed)
            {
                keys.extend(p.keys.iter().cloned());
            }
            keys.sort();
            keys.dedup();
            recorded.push(format!("{chart} {version}"));
            lock.record(crate::lock::Proof {
                chart,
                version,
                archive,
                knowledge,
                hagen: env!("CARGO_PKG_VERSION").into(),
                keys,
                failed: false,
            });
        } else {
            dropped.push(format!("{chart} {version}"));
            lock.refute(&chart, &version, &knowledge);
        }
    }
    let lock_written = lock
        .write()
        .map_err(|source| Error::Write {
            path: lock.path.clone(),
            source,
        })?
        .then(|| lock.path.clone());
    Ok(Verified {
        outcome,
        recorded,
        dropped,
        lock_written,
        stale: files.diff(out),
    })
}

/// Leaf key paths of a YAML mapping.
fn leaf_paths(v: &serde_yaml::Value, prefix: &str, out: &mut Vec<(String, serde_yaml::Value)>) {
    if let serde_yaml::Value::Mapping(m) = v {
        for (k, v) in m {
            let key = k.as_str().unwrap_or_default();
            let p = if prefix.is_empty() {
                key.to_string()
            } else {
                format!("{prefix}.{key}")
            };
            if matches!(v, serde_yaml::Value::Mapping(m) if !m.is_empty()) {
                leaf_paths(v, &p, out);
            } else {
                out.push((p, v.clone()));
            }
        }
    }
}

/// Keys of the overlay that the chart's own values.yaml does not know, with where a key of that name lives now.
/// A key under a map the chart leaves empty (`affinity: {}`) is free-form and not reported.
fn moved_keys(helm: &Helm, chart: &Path, values: &Path) -> Vec<String> {
    let parse = |t: String| {
        crate::yaml::check_bounds(&t, crate::yaml::STREAM)
            .ok()
            .and_then(|()| serde_yaml::from_str::<serde_yaml::Value>(&t).ok())
            .unwrap_or_default()
    };
    let Ok(defaults) = helm.show_values(chart).map(parse) else {
        return vec![];
    };
    let Ok(overlay) = crate::yaml::read_file(values, crate::yaml::SMALL.size).map(parse) else {
        return vec![];
    };
    let mut ours = Vec::new();
    leaf_paths(&overlay, "", &mut ours);
    let mut theirs = Vec::new();
    leaf_paths(&defaults, "", &mut theirs);
    let mut hints = Vec::new();
    for (path, _) in ours {
        let segs: Vec<&str> = path.split('.').collect();
        let mut node = &defaults;
        let mut unknown_at = None;
        for (n, seg) in segs.iter().enumerate() {
            match node {
                serde_yaml::Value::Mapping(m) if m.is_empty() => break,
                serde_yaml::Value::Mapping(m) => match m.get(*seg) {
                    Some(next) => node = next,
                    None => {
                        unknown_at = Some(n);
                        break;
                    }
                },
                _ => break,
            }
        }
        let Some(n) = unknown_at else { continue };
        let name = segs[n];
        let moved: Vec<&str> = theirs
            .iter()
            .map(|(p, _)| p.as_str())
            .filter(|p| p.split('.').any(|s| s == name) && !p.starts_with(&segs[..=n].join(".")))
            .map(|p| {
                let parts: Vec<&str> = p.split('.').collect();
                let i = parts.iter().position(|s| *s == name).unwrap_or(0);
                &p[..parts[..=i].iter().map(|s| s.len() + 1).sum::<usize>() - 1]
            })
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let key = segs[..=n].join(".");
        if moved.is_empty() {
            hints.push(format!("`{key}` is not in the chart's values.yaml"));
        } else {
            hints.push(format!(
                "`{key}` is not in the chart's values.yaml; it now appears as `{}`",
                moved.join("`, `")
            ));
        }
    }
    hints.sort();
    hints.dedup();
    hints
}

/// The human report.
pub fn table(o: &Outcome) -> String {
    let mut s = String::new();
    for r in &o.releases {
        s.push_str(&format!(
            "{} ({} {}, namespace {})\n",
            r.release, r.chart, r.version, r.namespace
        ));
        for c in &r.components {
            s.push_str(&format!("  {} (Deployment {})\n", c.component, c.workload));
            for k in &c.checks {
                let mark = match k.ok {
                    Some(true) => "✓",
                    Some(false) => "✗",
                    None => "–",
                };
                s.push_str(&format!(
                    "    {mark} {:<13} asked: {}\n      {:<13} rendered: {}   [{}]\n",
                    k.setting, k.asked, "", k.found, k.delivered_by
                ));
            }
        }
        for k in &r.checks {
            let mark = if k.ok == Some(false) { "✗" } else { "✓" };
            s.push_str(&format!(
                "  {mark} {}: asked {}; rendered {}   [{}]\n",
                k.setting, k.asked, k.found, k.delivered_by
            ));
        }
        for d in &r.drift {
            s.push_str(&format!("  ✗ {d}\n"));
        }
        for h in &r.hints {
            s.push_str(&format!("  hint: {h}\n"));
        }
    }
    let (ok, bad, unseen) = o.checks();
    let components: usize = o.releases.iter().map(|r| r.components.len()).sum();
    let failed: usize = o
        .releases
        .iter()
        .flat_map(|r| &r.components)
        .filter(|c| c.failed() > 0)
        .count();
    let drift: usize = o.releases.iter().map(|r| r.drift.len()).sum();
    let release_failed: usize = o
        .releases
        .iter()
        .flat_map(|r| &r.checks)
        .filter(|c| c.ok == Some(false))
        .count();
    let release_note = if release_failed > 0 {
        format!("; {release_failed} release check(s) failed")
    } else {
        String::new()
    };
    s.push_str(&format!(
        "verify: {components} components in {} releases, {} ✓ / {} ✗ ({ok} checks passed, {bad} failed, {unseen} not controllable; {drift} unexpected object changes{release_note}) with helm {}\n",
        o.releases.len(),
        components - failed,
        failed,
        o.helm
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(ok: Option<bool>) -> crate::check::Check {
        crate::check::Check {
            setting: "alert rules",
            asked: "PrometheusRule".into(),
            found: "none".into(),
            ok,
            delivered_by: "values".into(),
        }
    }

    #[test]
    fn every_printed_cross_is_a_failure() {
        let outcome = |checks| Outcome {
            helm: "v4".into(),
            releases: vec![ReleaseResult {
                release: "monitoring".into(),
                chart: "stack".into(),
                version: "1.0.0".into(),
                namespace: "monitoring".into(),
                components: vec![],
                drift: vec![],
                checks,
                hints: vec![],
                chart_digest: String::new(),
            }],
        };
        let failed = outcome(vec![check(Some(true)), check(Some(false))]);
        assert_eq!(failed.failures(), 1);
        assert!(table(&failed).contains("✗ alert rules"));
        assert!(table(&failed).contains("; 1 release check(s) failed)"));
        assert_eq!(outcome(vec![check(Some(true)), check(None)]).failures(), 0);
    }
}

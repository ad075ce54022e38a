//! `hagen verify`: render every release's real chart twice (bare and with out/), and judge each component on the
//! rendered objects against the catalogue's intent.

use crate::check::{self, ComponentVerdict};
use crate::describe::Setting;
use crate::error::{Error, InputError, InternalError, OutputError, Result};
use crate::helm::{ChartSource, Helm};
use crate::k8s::{Object, objects_from_stream};
use crate::model::{Intent, Plan, ReleasePlan};
use crate::paths::{patches_path, resources_path, values_path};
use crate::resolve::{Options, Resolved};
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The verdicts on one release.
#[derive(Debug, Serialize)]
pub struct ReleaseResult {
    pub release: String,
    pub chart: String,
    pub version: String,
    pub namespace: String,
    pub components: Vec<ComponentVerdict>,
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
        self.components.iter().map(ComponentVerdict::failed).sum::<usize>()
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

struct ReleaseRender {
    bare: Vec<Object>,
    overlay: Vec<Object>,
    chart_path: PathBuf,
    /// `sha256:<hex>` of the chart that was rendered (what a proof in the lock names).
    chart_digest: String,
    /// The values files of the overlay render, in order (the user's own, then hagen's overlay last).
    files: Vec<PathBuf>,
    /// The overlay render as helm printed it (before the post-renderer).
    overlay_text: String,
    /// The release's values as Helm merges them, when a requirement reads a chart value.
    values: Option<Value>,
    /// The Kubernetes version it was rendered for (`--kube-version`).
    kube: Option<KubeVersion>,
}

use crate::k8s::KubeVersion;

/// An in-place release: no chart, k3s's packaged Deployment (the knowledge's data) with hagen's objects from
/// out/k3s/ beside it.
fn render_in_place(rp: &ReleasePlan, p: &crate::charts::InPlace, out: &Path) -> Result<ReleaseRender> {
    let path = out.join(crate::k3s::in_place_path(&rp.release.name));
    let text = crate::yaml::read_file(&path, crate::yaml::SMALL.size)?;
    let hagens = crate::patch::parse_manifests(&text, &path.display().to_string(), crate::yaml::SMALL)?;
    let bare = crate::k3s::packaged_objects(p);
    let mut overlay = bare.clone();
    overlay.extend(hagens.into_iter().filter_map(|v| Object::new(v, &rp.release.namespace)));
    Ok(ReleaseRender {
        bare,
        overlay,
        chart_path: PathBuf::new(),
        chart_digest: String::new(),
        files: Vec::new(),
        overlay_text: text,
        values: None,
        kube: None,
    })
}

fn render(
    rp: &ReleasePlan,
    kube: Option<KubeVersion>,
    out: &Path,
    helm: &Helm,
    source: &ChartSource,
) -> Result<ReleaseRender> {
    if let Some(p) = rp.in_place {
        return render_in_place(rp, p, out);
    }
    let rel = &rp.release;
    let chart_path = source.locate(helm, &rel.repository, &rel.chart, &rel.version)?;
    let values = out.join(values_path(&rel.name));
    if !values.exists() {
        return Err(Error::Output(OutputError::NotGenerated { path: values }));
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
    let bare = helm.template(&rel.name, &chart_path, &rel.namespace, kube, &own)?;
    let mut with_overlay = own;
    with_overlay.push(values);
    let overlay_text = helm.template(&rel.name, &chart_path, &rel.namespace, kube, &with_overlay)?;
    let overlay = crate::patch::post_render_files(
        overlay_text.clone(),
        &out.join(patches_path(&rel.name)),
        &out.join(resources_path(&rel.name)),
    )?;
    let chart_digest = crate::lock::digest_path(&chart_path).map_err(|source| Error::Read {
        path: chart_path.clone(),
        source,
    })?;
    let reads_values = rp.intents.iter().any(|i| {
        i.knowledge
            .requires
            .iter()
            .any(|r| matches!(r.check, crate::charts::file::RequiredCheck::Value(_)))
    });
    let values = if reads_values {
        Some(merged_values(helm, &chart_path, &with_overlay)?)
    } else {
        None
    };
    Ok(ReleaseRender {
        bare: objects_from_stream(&bare, &rel.namespace)?,
        overlay: objects_from_stream(&overlay, &rel.namespace)?,
        chart_path,
        chart_digest,
        files: with_overlay,
        overlay_text,
        values,
        kube,
    })
}

/// The values a release renders with, merged as Helm merges them: the chart's defaults, then each file in order
/// (maps merge key by key, a `null` removes the key, anything else replaces).
fn merged_values(helm: &Helm, chart: &Path, files: &[PathBuf]) -> Result<Value> {
    let mut merged = yaml_to_json(parse_values(&helm.show_values(chart)?, "the chart's values.yaml")?);
    for f in files {
        let text = crate::yaml::read_file(f, crate::yaml::SMALL.size)?;
        merge(
            &mut merged,
            yaml_to_json(parse_values(&text, &f.display().to_string())?),
        );
    }
    Ok(merged)
}

/// A values document as JSON (an empty document is an empty map).
fn yaml_to_json(v: serde_yaml::Value) -> Value {
    match serde_json::to_value(v) {
        Ok(Value::Null) | Err(_) => Value::Object(serde_json::Map::new()),
        Ok(v) => v,
    }
}

/// Merges `over` into `base` the way Helm merges values files.
fn merge(base: &mut Value, over: Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, v) in o {
                if v.is_null() {
                    b.remove(&k);
                } else if let Some(slot) = b.get_mut(&k) {
                    merge(slot, v);
                } else {
                    b.insert(k, v);
                }
            }
        }
        (b, o) => *b = o,
    }
}

/// Renders every release (in parallel) and judges every component.
pub fn verify(plan: &Plan, out: &Path, helm: &Helm, source: &ChartSource) -> Result<Outcome> {
    // Render for the cluster's version: charts gate templates on it (metrics-server writes the PDB's
    // unhealthyPodEvictionPolicy only from 1.27), and Helm 3 and 4 assume different ones.
    let kube = plan.kubernetes_version;
    let renders: Vec<Result<ReleaseRender>> = std::thread::scope(|s| {
        let handles: Vec<_> = plan
            .releases
            .iter()
            .map(|rp| s.spawn(move || render(rp, kube, out, helm, source)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Error::Internal(InternalError::ThreadPanicked)))
            })
            .collect()
    });
    let mut rendered = Vec::new();
    let mut errors = Vec::new();
    for (rp, r) in plan.releases.iter().zip(renders) {
        match r {
            Ok(r) => rendered.push(r),
            Err(e) => errors.push((rp.release.name.clone(), e)),
        }
    }
    if !errors.is_empty() {
        return Err(Error::Render(errors));
    }
    let all: Vec<Object> = rendered.iter().flat_map(|r| r.overlay.iter().cloned()).collect();
    let mut templates = check::pod_templates(&all, &plan.operator_pods());
    // The pods k3s itself runs in kube-system, beside an in-place component: a selector must match none of them.
    templates.extend(
        plan.releases
            .iter()
            .filter_map(|rp| rp.in_place)
            .flat_map(crate::k3s::neighbour_templates),
    );
    let rules = crate::alerts::rules_map(plan)?;
    let carrier = plan
        .releases
        .iter()
        .position(|rp| rp.chart.alert_rules.is_some())
        .filter(|_| rules.is_some());
    let mut releases = Vec::new();
    for (n, (rp, r)) in plan.releases.iter().zip(&rendered).enumerate() {
        let components: Vec<ComponentVerdict> = rp
            .intents
            .iter()
            .map(|i| check::judge(i, &all, &templates, r.values.as_ref()))
            .collect();
        let intents: Vec<&Intent> = rp.intents.iter().collect();
        let mut checks = Vec::new();
        let mut rule_name = None;
        if carrier == Some(n) {
            let (check, name) = alert_rules_check(rules.as_ref(), &r.overlay);
            checks.push(check);
            rule_name = name;
        }
        if let (Some(t), Some(k)) = (crate::k3s::take_over(rp), plan.k3s.as_ref()) {
            checks.extend(check::k3s::judge_take_over(k, t, &r.overlay));
            checks.extend(t.saved_files.iter().map(|f| check::k3s::judge_saved(&rp.beside, f)));
        }
        if rp.in_place.is_some() {
            let hagens: Vec<Object> = r.overlay[r.bare.len()..].to_vec();
            checks.push(check::k3s::judge_in_place(&hagens));
        }
        let drift = check::render_drift(&r.bare, &r.overlay, &intents, rule_name.as_deref());
        let hints = if rp.in_place.is_none() && components.iter().any(|c| c.failed() > 0) {
            moved_keys(helm, rp, r)
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
            chart_digest: r.chart_digest.clone(),
        });
    }
    Ok(Outcome {
        helm: helm.version.clone(),
        releases,
    })
}

/// The alert rules, in the release whose chart carries them: a PrometheusRule holding hagen's group with every
/// rule of `rules`; with that PrometheusRule's name (it is added on purpose, not drift).
fn alert_rules_check(rules: Option<&Value>, overlay: &[Object]) -> (crate::check::Check, Option<String>) {
    let want = rules
        .and_then(|m| m.pointer(&format!("/{g}/groups/0/rules", g = crate::alerts::GROUP)))
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let found = overlay.iter().find(|o| {
        o.kind == "PrometheusRule"
            && o.value.pointer("/spec/groups/0/name").and_then(Value::as_str) == Some(crate::alerts::GROUP)
    });
    let got = found
        .and_then(|o| o.value.pointer("/spec/groups/0/rules"))
        .and_then(Value::as_array)
        .map_or(0, Vec::len);
    let check = crate::check::Check {
        setting: Setting::AlertRules,
        asked: format!("group {} with {want} rules", crate::alerts::GROUP),
        found: match found {
            Some(o) => format!("PrometheusRule {} with {got} rules", o.name),
            None => "no PrometheusRule carries them".into(),
        },
        ok: Some(found.is_some() && got == want),
        delivered_by: "values".into(),
    };
    (check, found.map(|o| o.name.clone()))
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
    /// How the output folder compares with a fresh generation.
    pub out: OutState,
}

/// The output folder against what the catalogue generates.
#[derive(Debug, PartialEq, Eq)]
pub enum OutState {
    /// It is what the catalogue generates.
    Current,
    /// It does not exist yet (`hagen generate` has not run).
    Missing,
    /// It differs: one line per file, and the full unified diff.
    Stale { summary: Vec<String>, diff: String },
}

/// How verify resolves: as `hagen generate` would once the proofs are in (no proof warnings), and without holding
/// versions to the proofs (`load_and_resolve`'s `proving`), whose making is verify's job.
pub const PROVING: Options = Options {
    strict: false,
    allow_unproven: false,
    unplaceable_shown: false,
};

/// Generates the catalogue's output into a scratch folder, renders and judges every release with it, records a
/// proof in the lock beside the catalogue for each chart version whose every release passed (and drops it for a
/// version with a ✗), and compares the committed out/ with what was proven. `resolved` is the catalogue at
/// `catalog`, resolved for proving ([`PROVING`]).
pub fn verify_catalogue(
    resolved: &Resolved,
    catalog: &Path,
    out: &Path,
    helm: &Helm,
    source: &ChartSource,
) -> Result<Verified> {
    let plan = &resolved.plan;
    // Own values against the chart they go to: the archive is at hand here (fetched when it was not).
    let found = |chart: &str, version: &str| {
        let rel = plan
            .releases
            .iter()
            .find(|rp| rp.release.chart == chart && rp.release.version == version)?;
        source.locate(helm, &rel.release.repository, chart, version).ok()
    };
    crate::generate::check_own_values(plan, &found)?;
    let shown = crate::generate::shown;
    let (files, rendered) = crate::generate::generate(plan, &shown(catalog), &shown(out))?;
    let scratch = files.write_scratch("hagen-verify-")?;
    let outcome = verify(plan, scratch.path(), helm, source)?;
    let mut lock = crate::lock::Lock::beside(catalog)?;
    // Per chart version: whether every release of it passed, the archive, the knowledge, what was delivered.
    type Tally = (bool, String, String, Vec<String>);
    let mut passed: indexmap::IndexMap<(String, String), Tally> = indexmap::IndexMap::new();
    for ((rp, r), delivered) in plan.releases.iter().zip(&outcome.releases).zip(&rendered) {
        if rp.in_place.is_some() {
            // No chart is installed in place: nothing about the chart version is proven or refuted.
            continue;
        }
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
        out: if !out.exists() {
            OutState::Missing
        } else {
            match files.diff(out) {
                d if d.is_empty() => OutState::Current,
                diff => OutState::Stale {
                    summary: files.summary(out),
                    diff,
                },
            }
        },
    })
}

/// Leaf key paths of a YAML mapping.
fn leaf_paths(v: &serde_yaml::Value, prefix: &str, out: &mut Vec<(String, serde_yaml::Value)>) {
    if let serde_yaml::Value::Mapping(m) = v {
        for (k, v) in m {
            // Values keys are strings; another key (a number, a boolean) has no dotted path and no hint is
            // built from it, so it stands as an empty segment rather than stopping the hints.
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

/// Keys of the overlay that the chart's own values.yaml does not know and its templates do not read, with where a
/// key of that name lives now. A key is read when the render without it differs (a key commented out in
/// values.yaml, like a PDB's `maxUnavailable`, is read all the same). The hints are an aid beside a ✗ already
/// reported: when the two cannot be compared, one hint says why, rather than failing the verification or blaming
/// every key.
fn moved_keys(helm: &Helm, rp: &ReleasePlan, r: &ReleaseRender) -> Vec<String> {
    let Some(values) = r.files.last() else {
        return vec![];
    };
    let compared = helm
        .show_values(&r.chart_path)
        .and_then(|t| parse_values(&t, "the chart's values.yaml"))
        .and_then(|defaults| {
            let overlay = crate::yaml::read_file(values, crate::yaml::SMALL.size)?;
            Ok((defaults, parse_values(&overlay, &values.display().to_string())?))
        });
    let (defaults, overlay) = match compared {
        Ok(c) => c,
        Err(e) => return vec![format!("no hint on moved keys: {e}")],
    };
    let mut hints = Vec::new();
    for (key, hint) in key_hints(&defaults, &overlay) {
        match templates_read(helm, rp, r, &overlay, &key) {
            Ok(true) => {}
            Ok(false) => hints.push(hint),
            Err(e) => hints.push(format!("{hint} (whether the templates read it is unknown: {e})")),
        }
    }
    hints
}

/// Whether the chart's templates read `key` of the overlay: the render without it differs from the render with it.
fn templates_read(
    helm: &Helm,
    rp: &ReleasePlan,
    r: &ReleaseRender,
    overlay: &serde_yaml::Value,
    key: &str,
) -> Result<bool> {
    let mut without = yaml_to_json(overlay.clone());
    let segs: Vec<&str> = key.split('.').collect();
    if let Some((last, parents)) = segs.split_last()
        && let Some(Value::Object(m)) = parents.iter().try_fold(&mut without, |node, s| node.get_mut(*s))
    {
        m.remove(*last);
    }
    let dir = tempfile::tempdir().map_err(|source| Error::Write {
        path: std::env::temp_dir(),
        source,
    })?;
    let file = dir.path().join("values.yaml");
    std::fs::write(&file, crate::yaml::emit(&without)).map_err(|source| Error::Write {
        path: file.clone(),
        source,
    })?;
    let mut files = r.files.clone();
    files.pop();
    files.push(file);
    let rel = &rp.release;
    Ok(helm.template(&rel.name, &r.chart_path, &rel.namespace, r.kube, &files)? != r.overlay_text)
}

/// A values file (`what` names it in the error), bounded like every stream hagen reads.
fn parse_values(text: &str, what: &str) -> Result<serde_yaml::Value> {
    crate::yaml::check_bounds(text, crate::yaml::STREAM).map_err(|e| {
        Error::Input(InputError::OutOfBounds {
            what: Some(what.to_string()),
            reason: e.message,
        })
    })?;
    serde_yaml::from_str(text).map_err(|source| {
        Error::Input(InputError::NotYaml {
            what: what.to_string(),
            source,
        })
    })
}

/// The overlay's keys the chart's `defaults` do not know (each with its hint), with where a key of that name lives
/// now; a key under a map the chart leaves empty (`affinity: {}`) is free-form and not reported.
fn key_hints(defaults: &serde_yaml::Value, overlay: &serde_yaml::Value) -> Vec<(String, String)> {
    let mut ours = Vec::new();
    leaf_paths(overlay, "", &mut ours);
    let mut theirs = Vec::new();
    leaf_paths(defaults, "", &mut theirs);
    let mut hints: Vec<(String, String)> = ours
        .iter()
        .filter_map(|(path, _)| key_hint(path, defaults, &theirs))
        .collect();
    hints.sort();
    hints.dedup();
    hints
}

/// The hint for one leaf `path` of the overlay: none when `defaults` know it (or it lies under an empty map).
fn key_hint(
    path: &str,
    defaults: &serde_yaml::Value,
    theirs: &[(String, serde_yaml::Value)],
) -> Option<(String, String)> {
    let segs: Vec<&str> = path.split('.').collect();
    let mut node = defaults;
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
    let n = unknown_at?;
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
    let hint = if moved.is_empty() {
        format!("`{key}` is not in the chart's values.yaml")
    } else {
        format!(
            "`{key}` is not in the chart's values.yaml; it now appears as `{}`",
            moved.join("`, `")
        )
    };
    Some((key, hint))
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
            let mark = match k.ok {
                Some(false) => "✗",
                Some(true) => "✓",
                None => "–",
            };
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
        format!("; {} failed", crate::text::count(release_failed, "release check"))
    } else {
        String::new()
    };
    s.push_str(&format!(
        "verify: {} in {}, {} ✓ / {} ✗ ({} passed, {bad} failed, {unseen} not controllable; {}{release_note}) with helm {}\n",
        crate::text::count(components, "component"),
        crate::text::count(o.releases.len(), "release"),
        components - failed,
        failed,
        crate::text::count(ok, "check"),
        crate::text::count(drift, "unexpected object change"),
        o.helm
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(ok: Option<bool>) -> crate::check::Check {
        crate::check::Check {
            setting: Setting::AlertRules,
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
        assert!(table(&failed).contains("; 1 release check failed)"));
        assert_eq!(outcome(vec![check(Some(true)), check(None)]).failures(), 0);
    }

    #[test]
    fn hints_name_keys_the_chart_does_not_know() {
        let defaults = parse_values(
            "replicaCount: 1\naffinity: {}\ncontroller:\n  replicas: 1\n  pdb: {}\nwebhook:\n  replicas: 1\n",
            "d",
        )
        .unwrap();
        struct Case {
            name: &'static str,
            overlay: &'static str,
            want: &'static [&'static str],
        }
        let cases = [
            Case {
                name: "known",
                overlay: "replicaCount: 2\ncontroller: {replicas: 2}",
                want: &[],
            },
            Case {
                name: "under an empty map",
                overlay: "affinity: {podAntiAffinity: {x: 1}}\ncontroller: {pdb: {enabled: true}}",
                want: &[],
            },
            Case {
                name: "moved",
                overlay: "replicas: 2",
                want: &[
                    "`replicas` is not in the chart's values.yaml; it now appears as `controller.replicas`, `webhook.replicas`",
                ],
            },
            Case {
                name: "unknown",
                overlay: "strategy: {type: Recreate}",
                want: &["`strategy` is not in the chart's values.yaml"],
            },
            Case {
                name: "unknown below a known key, once",
                overlay: "controller: {strategy: {type: Recreate, rollingUpdate: null}}",
                want: &["`controller.strategy` is not in the chart's values.yaml"],
            },
            Case {
                name: "empty overlay",
                overlay: "",
                want: &[],
            },
        ];
        for c in cases {
            let hints: Vec<String> = key_hints(&defaults, &parse_values(c.overlay, "o").unwrap())
                .into_iter()
                .map(|(_, h)| h)
                .collect();
            assert_eq!(hints, c.want, "{}", c.name);
        }
    }

    #[test]
    fn values_merge_as_helm_merges_them() {
        use serde_json::json;
        struct Case {
            name: &'static str,
            base: Value,
            over: Value,
            want: Value,
        }
        let cases = [
            Case {
                name: "maps merge",
                base: json!({"a": {"b": 1, "c": 2}}),
                over: json!({"a": {"c": 3}}),
                want: json!({"a": {"b": 1, "c": 3}}),
            },
            Case {
                name: "null removes",
                base: json!({"a": {"b": 1, "c": 2}}),
                over: json!({"a": {"b": null}}),
                want: json!({"a": {"c": 2}}),
            },
            Case {
                name: "lists replace",
                base: json!({"a": [1, 2]}),
                over: json!({"a": [3]}),
                want: json!({"a": [3]}),
            },
            Case {
                name: "a scalar replaces a map",
                base: json!({"a": {"b": 1}}),
                over: json!({"a": false}),
                want: json!({"a": false}),
            },
            Case {
                name: "new keys join",
                base: json!({}),
                over: json!({"leaderElect": true}),
                want: json!({"leaderElect": true}),
            },
        ];
        for c in cases {
            let mut base = c.base;
            merge(&mut base, c.over);
            assert_eq!(base, c.want, "{}", c.name);
        }
    }

    #[test]
    fn values_files() {
        struct Case {
            name: &'static str,
            text: &'static str,
            want: Result<serde_yaml::Value, &'static str>,
        }
        let cases = [
            Case {
                name: "empty",
                text: "",
                want: Ok(serde_yaml::Value::Null),
            },
            Case {
                name: "a comment only",
                text: "# nothing\n",
                want: Ok(serde_yaml::Value::Null),
            },
            Case {
                name: "a map",
                text: "a: 1",
                want: Ok(serde_yaml::from_str("a: 1").unwrap()),
            },
            Case {
                name: "not YAML",
                text: "a: [",
                want: Err("the values: "),
            },
        ];
        for row in cases {
            let name = row.name;
            match (parse_values(row.text, "the values"), row.want) {
                (Ok(got), Ok(want)) => assert_eq!(got, want, "{name}"),
                (Err(e), Err(start)) => assert!(e.to_string().starts_with(start), "{name}: {e}"),
                (got, want) => panic!("{name}: {got:?}, want {want:?}"),
            }
        }
    }

    #[test]
    fn alert_rules_in_the_carrying_release() {
        use crate::alerts::GROUP;
        use serde_json::json;
        let rules = json!({GROUP: {"groups": [{"name": GROUP, "rules": [{"alert": "A"}, {"alert": "B"}]}]}});
        let prometheus_rule = |rules: Value| {
            Object::new(
                json!({"kind": "PrometheusRule", "metadata": {"name": "r"}, "spec": {"groups": [{"name": GROUP, "rules": rules}]}}),
                "ns",
            )
            .unwrap()
        };
        struct Case {
            name: &'static str,
            objects: Vec<Object>,
            found: &'static str,
            ok: bool,
            rule: Option<&'static str>,
        }
        let cases = [
            Case {
                name: "every rule",
                objects: vec![prometheus_rule(json!([{}, {}]))],
                found: "PrometheusRule r with 2 rules",
                ok: true,
                rule: Some("r"),
            },
            Case {
                name: "one missing",
                objects: vec![prometheus_rule(json!([{}]))],
                found: "PrometheusRule r with 1 rules",
                ok: false,
                rule: Some("r"),
            },
            Case {
                name: "none",
                objects: vec![],
                found: "no PrometheusRule carries them",
                ok: false,
                rule: None,
            },
        ];
        for row in cases {
            let (c, r) = alert_rules_check(Some(&rules), &row.objects);
            assert_eq!(c.asked, format!("group {GROUP} with 2 rules"), "{}", row.name);
            assert_eq!(
                (c.found.as_str(), c.ok, r.as_deref()),
                (row.found, Some(row.ok), row.rule),
                "{}",
                row.name
            );
        }
    }
}

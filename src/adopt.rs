//! Adopting a running cluster: `hagen init` from live state, written only after the catalogue it makes was read
//! back and resolved, never over a catalogue; a second run compares instead and says what changed.

use crate::catalog::{self, values};
use crate::error::{Diagnostic, Error, OutputError, Result};
use crate::init::Imported;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The one command line whose output `hagen init` and `hagen diff` read (docs/adoption.md).
#[macro_export]
macro_rules! adopt_command {
    () => {
        "{ kubectl get nodes,deployments,helmcharts.helm.cattle.io,helmchartconfigs.helm.cattle.io -A -o json; kubectl get secrets -A -l owner=helm -o json; } > live.json"
    };
}

/// What `hagen init` did.
#[derive(Debug)]
pub struct InitReport {
    /// What to tell the user, one line each, in order.
    pub lines: Vec<String>,
    /// The catalogue existed and the cluster differs from it.
    pub changes: usize,
}

/// `hagen init`: the catalogue for `inputs` (each its name and text) at `catalog`, for a cluster named `name`.
pub fn init(inputs: &[(String, String)], catalog: &Path, name: &str) -> Result<InitReport> {
    let live = crate::live::read_all(inputs)?;
    let source = inputs.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(" + ");
    let dir = catalog.parent().unwrap_or(Path::new("")).to_path_buf();
    let (registry, _) = crate::charts::Registry::with_dir(&dir.join("charts"))?;
    let imported = crate::init::init(&live, &source, name, &registry)?;
    if catalog.exists() {
        return compare(catalog, &imported);
    }
    let conflicts = check_staged(catalog, &imported)?;
    for (entry, _) in &imported.values_files {
        let p = dir.join(entry);
        if p.exists() {
            return Err(Error::Output(OutputError::ValuesFileExists { path: p }));
        }
    }
    write_new(catalog, &imported)?;
    let releases = catalog::load_str(&imported.catalogue, &catalog.display().to_string())?
        .catalogue
        .releases
        .len();
    let mut lines = imported.notes.clone();
    lines.extend(
        conflicts
            .iter()
            .map(|d| format!("{d} (resolve this before `hagen generate`)")),
    );
    lines.push(format!(
        "wrote {} ({releases} releases{}); review it, then `hagen diff` and `hagen generate --catalog {}`",
        catalog.display(),
        match imported.values_files.len() {
            0 => String::new(),
            n => format!(", {n} values files in {}", dir.join("values").display()),
        },
        catalog.display()
    ));
    Ok(InitReport { lines, changes: 0 })
}

/// The imported catalogue, written to a scratch folder (placeholders standing in for secrets) and resolved and
/// generated there: an error is a bug in init or a user's chart knowledge, except own values at a key path hagen
/// writes, which are returned (placed in the real catalogue's folder) for the user to resolve.
fn check_staged(catalog: &Path, imported: &Imported) -> Result<Vec<Diagnostic>> {
    let scratch = tempfile::tempdir().map_err(|source| Error::Write {
        path: std::env::temp_dir(),
        source,
    })?;
    let staged = scratch.path().join("cluster.yaml");
    let wr = |p: &Path, text: &str| {
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).map_err(|source| Error::Write {
                path: d.to_path_buf(),
                source,
            })?;
        }
        std::fs::write(p, text).map_err(|source| Error::Write {
            path: p.to_path_buf(),
            source,
        })
    };
    wr(&staged, &imported.catalogue)?;
    for (entry, text) in &imported.values_files {
        wr(
            &scratch.path().join(entry),
            &text.replace(catalog::secrets::PLACEHOLDER, "placeholder"),
        )?;
    }
    let loaded = catalog::load_file(&staged)?;
    let known = crate::lock::Known::beside(catalog)?;
    let opts = crate::resolve::Options {
        allow_unproven: true,
        ..Default::default()
    };
    let plan = crate::resolve::resolve(&loaded, &known, opts)?;
    let shown_dir = catalog.parent().unwrap_or(Path::new("")).display().to_string();
    let scratch_dir = scratch.path().display().to_string();
    match crate::generate::generate(&plan, "catalog/cluster.yaml", "out") {
        Ok(_) => Ok(vec![]),
        Err(Error::Catalogue(diags)) => Ok(diags
            .into_iter()
            .map(|mut d| {
                let rest = d
                    .file
                    .strip_prefix(&scratch_dir)
                    .unwrap_or(&d.file)
                    .trim_start_matches('/');
                d.file = if shown_dir.is_empty() {
                    rest.to_string()
                } else {
                    format!("{shown_dir}/{rest}")
                };
                d
            })
            .collect()),
        Err(e) => Err(e),
    }
}

/// Writes a new catalogue, its schema beside it (unless one is there) and its values files.
fn write_new(catalog: &Path, imported: &Imported) -> Result<()> {
    let dir = catalog.parent().unwrap_or(Path::new("")).to_path_buf();
    let werr = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Write { path, source }
    };
    if !dir.as_os_str().is_empty() {
        std::fs::create_dir_all(&dir).map_err(werr(&dir))?;
    }
    for (entry, text) in &imported.values_files {
        let p: PathBuf = dir.join(entry);
        if let Some(d) = p.parent() {
            std::fs::create_dir_all(d).map_err(werr(d))?;
        }
        std::fs::write(&p, text).map_err(werr(&p))?;
    }
    std::fs::write(catalog, &imported.catalogue).map_err(werr(catalog))?;
    let schema = catalog.with_file_name("cluster.schema.json");
    if !schema.exists() {
        let text = serde_json::to_string_pretty(&catalog::schema()).map_err(Error::internal)?;
        std::fs::write(&schema, format!("{text}\n")).map_err(werr(&schema))?;
    }
    Ok(())
}

/// A second run: what differs between the cluster and the catalogue already at `catalog` (nodes, releases,
/// versions, namespaces, own values), which is never overwritten.
fn compare(catalog: &Path, imported: &Imported) -> Result<InitReport> {
    let existing = catalog::load_file(catalog)?;
    let fresh = catalog::load_str(&imported.catalogue, &catalog.display().to_string())?;
    let (old, new) = (&existing.catalogue, &fresh.catalogue);
    let mut changes = Vec::new();
    let names = |c: &catalog::Catalogue| c.cluster.nodes.iter().map(|n| n.name.clone()).collect::<Vec<_>>();
    let (old_nodes, new_nodes) = (names(old), names(new));
    for n in new_nodes.iter().filter(|n| !old_nodes.contains(n)) {
        changes.push(format!("node {n} is in the cluster, not in the catalogue"));
    }
    for n in old_nodes.iter().filter(|n| !new_nodes.contains(n)) {
        changes.push(format!("node {n} is in the catalogue, not in the cluster"));
    }
    for r in &new.releases {
        let Some((i, o)) = old.releases.iter().enumerate().find(|(_, o)| o.name == r.name) else {
            changes.push(format!(
                "release `{}` (chart {} {}, namespace {}) is in the cluster, not in the catalogue",
                r.name, r.chart, r.version, r.namespace
            ));
            continue;
        };
        for (what, was, is) in [
            ("chart", &o.chart, &r.chart),
            ("version", &o.version, &r.version),
            ("namespace", &o.namespace, &r.namespace),
        ] {
            if was != is {
                changes.push(format!(
                    "release `{}`: the cluster has {what} {is}, the catalogue {was}",
                    r.name
                ));
            }
        }
        let mut diags = Vec::new();
        let mut mine = Value::Object(Default::default());
        for own in values::read(&existing, i, o, &mut diags) {
            values::merge(&mut mine, &own.values);
        }
        let theirs = imported
            .values
            .get(&r.name)
            .cloned()
            .unwrap_or(Value::Object(Default::default()));
        let differ = differing_paths(&theirs, &mine);
        if !differ.is_empty() {
            changes.push(format!(
                "release `{}`: own values differ from the cluster's at {}",
                r.name,
                differ.join(", ")
            ));
        }
    }
    for o in old
        .releases
        .iter()
        .filter(|o| !new.releases.iter().any(|r| r.name == o.name))
    {
        changes.push(format!(
            "release `{}` is in the catalogue, not among the cluster's releases (not installed yet?)",
            o.name
        ));
    }
    let mut lines = vec![format!(
        "{} exists; hagen init never overwrites a catalogue (choose another --catalog for a fresh one)",
        catalog.display()
    )];
    if changes.is_empty() {
        lines.push("the cluster matches it: nothing changed since it was written".into());
    } else {
        lines.push(format!("the cluster and the catalogue differ ({}):", changes.len()));
        lines.extend(changes.iter().map(|c| format!("  {c}")));
    }
    Ok(InitReport {
        lines,
        changes: changes.len(),
    })
}

/// The key paths where `cluster` and `catalogue` values differ, a secret placeholder matching anything.
fn differing_paths(cluster: &Value, catalogue: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for (path, v) in values::leaves(cluster) {
        if v == Value::String(catalog::secrets::PLACEHOLDER.into()) {
            continue;
        }
        if values::at_path(catalogue, &path) != Some(&v) {
            out.push(path.join("."));
        }
    }
    for (path, _) in values::leaves(catalogue) {
        if values::at_path(cluster, &path).is_none() && !out.contains(&path.join(".")) {
            out.push(path.join("."));
        }
    }
    out
}

/// `hagen diff`: what upgrading the cluster in `inputs` (each its name and text) to the catalogue at `catalog`
/// changes; objects compared when the chart archives are in `charts` (and `helm` can render them).
pub fn diff(
    inputs: &[(String, String)],
    catalog: &Path,
    charts: Option<&Path>,
    helm: Option<&Path>,
) -> Result<(crate::diff::Report, Vec<String>)> {
    let live = crate::live::read_all(inputs)?;
    let opts = crate::resolve::Options {
        allow_unproven: true,
        ..Default::default()
    };
    let resolved = crate::resolve::load_and_resolve(catalog, opts, false)?;
    let plan = resolved.plan;
    let (files, rendered) = crate::generate::generate(&plan, &catalog.display().to_string(), "out")?;
    let source = crate::helm::ChartSource::choose(charts);
    let mut notes = resolved.known.notes;
    notes.extend(plan.warnings.iter().map(ToString::to_string));
    let helm = match crate::helm::Helm::find(helm) {
        Ok(h) => Some(h),
        Err(e) => {
            notes.push(format!("objects not compared: {e}"));
            None
        }
    };
    let report = crate::diff::diff(&plan, &rendered, &files, &live, helm.as_ref().map(|h| (h, &source)))?;
    Ok((report, notes))
}

//! hagen: one declarative catalogue → Helm values overlays (and post-render patches) that make a cluster's
//! infrastructure highly available, proven on the real charts. ARCHITECTURE.md draws how the modules fit.

// No function over 100 lines (clippy.toml): tests aside, where a table may run long.
#![cfg_attr(not(test), warn(clippy::too_many_lines))]

pub mod adopt;
pub mod alerts;
pub mod archive;
pub mod audit;
pub mod catalog;
pub mod charts;
pub mod check;
pub mod cli;
pub mod delivery;
pub mod describe;
pub mod diff;
pub mod error;
pub mod generate;
pub mod helm;
pub mod init;
pub mod k3s;
pub mod k8s;
pub mod live;
pub mod lock;
pub mod model;
pub mod output;
pub mod patch;
pub mod paths;
pub mod readme;
pub mod render;
pub mod resolve;
pub mod scaffold;
pub mod scenarios;
mod suggest;
pub mod text;
pub mod verify;
pub mod yaml;

use std::io::Write as _;
use std::path::Path;

/// Loads the catalogue at `catalog` and renders the files of the output folder `out` (nothing is written). With
/// `compare_only` (`generate --check`) the YAML is not parsed back ([`yaml::comparing_only`]): such files are
/// only compared, never written.
pub fn generate_files(
    catalog: &Path,
    out: &Path,
    opts: resolve::Options,
    charts: &helm::ChartSource,
    compare_only: bool,
) -> error::Result<(model::Plan, output::FileSet)> {
    let (loaded, known) = resolve::load_inputs(catalog)?;
    for n in &known.notes {
        let _ = writeln!(std::io::stderr(), "{n}");
    }
    let plan = resolve::resolve(&loaded, &known, opts)?;
    let unchecked = check_own_values(&plan, &|chart, version| charts.find_local(chart, version))?;
    if !unchecked.is_empty() {
        let _ = writeln!(
            std::io::stderr(),
            "note: own values not checked against their chart (no archive here; `hagen verify` checks them): {}",
            unchecked.join(", ")
        );
    }
    let render = || generate::generate(&plan, &display(catalog), &display(out));
    let (files, rendered) = if compare_only {
        yaml::comparing_only(render)?
    } else {
        render()?
    };
    check_proven(&loaded, &known, &plan, &rendered, opts)?;
    Ok((plan, files))
}

/// Every release's own values against its chart's values at that version (the archive `find` locates, by
/// chart and version): a key the chart does not take is an error at its place, with the closest key it has.
/// Returns the releases with own values whose archive `find` did not have.
pub fn check_own_values(
    plan: &model::Plan,
    find: &dyn Fn(&str, &str) -> Option<std::path::PathBuf>,
) -> error::Result<Vec<String>> {
    let mut diags = Vec::new();
    let mut unchecked = Vec::new();
    let mut read: indexmap::IndexMap<std::path::PathBuf, archive::ChartDefaults> = indexmap::IndexMap::new();
    for rp in plan.releases.iter().filter(|rp| !rp.own_values.is_empty()) {
        let rel = &rp.release;
        let Some(path) = find(&rel.chart, &rel.version) else {
            unchecked.push(format!("{} ({} {})", rel.name, rel.chart, rel.version));
            continue;
        };
        if !read.contains_key(&path) {
            let d = archive::read(&path)?;
            read.insert(path.clone(), d);
        }
        let chart = &read[&path];
        let shown = format!("{} {}", rel.chart, rel.version);
        for own in &rp.own_values {
            diags.extend(catalog::values::unknown_keys(own, chart, &rel.name, &shown));
        }
    }
    if diags.is_empty() {
        Ok(unchecked)
    } else {
        Err(error::Error::Catalogue(diags))
    }
}

/// Everything hagen delivers for a release must have been seen to take effect by `hagen verify` for that chart
/// version and knowledge: a catalogue change that makes hagen write a key the proof does not list (a component
/// raised from 1 to 2 replicas now writes anti-affinity, say) needs verify again.
fn check_proven(
    loaded: &catalog::load::Loaded,
    known: &lock::Known,
    plan: &model::Plan,
    rendered: &[render::Rendered],
    opts: resolve::Options,
) -> error::Result<()> {
    let Some(lock) = &known.lock else {
        return Ok(());
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
            error::Severity::Warning
        } else {
            error::Severity::Error
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
    if diags.iter().any(|d| d.severity == error::Severity::Error) {
        return Err(error::Error::Catalogue(diags));
    }
    for d in diags {
        let _ = writeln!(std::io::stderr(), "{d}");
    }
    Ok(())
}

/// A path as shown in generated files: as given, with forward slashes.
fn display(p: &Path) -> String {
    p.display().to_string().replace('\\', "/")
}

//! hagen: one declarative catalogue → Helm values overlays (and post-render patches) that make a cluster's
//! infrastructure highly available, proven on the real charts.

pub mod alerts;
pub mod audit;
pub mod catalog;
pub mod charts;
pub mod check;
pub mod cli;
pub mod delivery;
pub mod error;
pub mod generate;
pub mod helm;
pub mod init;
pub mod intent;
pub mod k3s;
pub mod k8s;
pub mod lock;
pub mod output;
pub mod patch;
pub mod plan;
pub mod readme;
pub mod render;
mod suggest;
pub mod text;
pub mod verify;
pub mod yaml;

use std::path::Path;

/// Loads the catalogue at `catalog` and renders the files of the output folder `out` (nothing is written).
pub fn generate_files(
    catalog: &Path,
    out: &Path,
    opts: intent::Options,
) -> error::Result<(intent::Plan, output::FileSet)> {
    let plan = cli::load_and_resolve(catalog, opts)?;
    let (files, _) = generate::generate(&plan, &display(catalog), &display(out))?;
    Ok((plan, files))
}

/// A path as shown in generated files: as given, with forward slashes.
fn display(p: &Path) -> String {
    p.display().to_string().replace('\\', "/")
}

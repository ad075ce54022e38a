//! Where hagen's files are inside the output folder: one place for every path the routes, the README and verify
//! name.

use crate::model::ReleasePlan;

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
/// The catalogue's inline `values:` of a release, as a file Helm can take with `-f`.
pub fn own_values_path(release: &str) -> String {
    format!("{release}/own-values.yaml")
}

/// The user's own values files of a release as `helm -f` takes them from the working folder, in order, before
/// hagen's overlay: each `valuesFiles` entry, then out/<release>/own-values.yaml for the inline `values:`.
pub fn own_values_files(rp: &ReleasePlan, out: &str) -> Vec<String> {
    rp.own_values
        .iter()
        .map(|o| {
            o.file_shown()
                .unwrap_or_else(|| format!("{out}/{}", own_values_path(&rp.release.name)))
        })
        .collect()
}

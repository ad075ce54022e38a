//! `hagen.lock`, beside the catalogue: the proofs `hagen verify` recorded. A proof ties a chart version (and the
//! archive's digest) to the digest of the chart knowledge it was proven with; `generate` accepts a release only when
//! its chart version is proven with the knowledge in use, so a bump or a knowledge edit needs `hagen verify` first.

use crate::error::{Error, KnowledgeError};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// One chart version, proven.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Proof {
    pub chart: String,
    pub version: String,
    /// `sha256:<hex>` of the chart archive that was rendered.
    pub archive: String,
    /// `sha256:<hex>` of the chart knowledge file.
    pub knowledge: String,
    /// The hagen version that recorded it.
    pub hagen: String,
    /// What verify saw take effect: values key paths, patch operations, extra manifests (see `Rendered::keys`).
    /// A catalogue that makes hagen deliver anything else for this chart version needs `hagen verify` again.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keys: Vec<String>,
    /// verify found a ✗ on this version with this knowledge: it is not proven, whatever else says so (a proof
    /// shipped with hagen included).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub failed: bool,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    proofs: Vec<Proof>,
}

/// The proofs of one catalogue folder, and the ones hagen ships for its built-in chart knowledge.
#[derive(Debug, Clone, Default)]
pub struct Lock {
    pub path: PathBuf,
    proofs: Vec<Proof>,
    /// The proofs hagen's own `hagen verify` recorded for the shipped catalogue (catalog/hagen.lock, embedded at
    /// build time): a catalogue anywhere may use those chart versions with the built-in knowledge.
    shipped: Vec<Proof>,
}

include!(concat!(env!("OUT_DIR"), "/shipped_locks.rs"));

/// The proofs embedded in hagen: those its own `hagen verify` recorded for the shipped catalogue (a k3s cluster),
/// the plain-Kubernetes example (every component a chart release) and the test catalogues that exercise the other settings of the built-in charts (tests/catalogs/: autoscaling, longhorn-ui,
/// Recreate patches, single-instance overrides, …).
fn shipped() -> Vec<Proof> {
    SHIPPED
        .iter()
        // Both files are hagen's own, checked by `shipped_proofs_parse` below: a broken one is a bug, not a user
        // error. build.rs embeds them as JSON (a tenth of the parsing time of the YAML).
        .map(|json| serde_json::from_str::<File>(json).expect("the lock files built into hagen parse"))
        .flat_map(|f| f.proofs)
        .filter(|p| !p.failed)
        .collect()
}

const HEADER: &str = "# hagen.lock: chart versions `hagen verify` proved on the real chart, with the digest of the chart knowledge\n# used. `hagen generate` accepts a chart version only when it is proven here. Written by `hagen verify`; commit it.\n";

/// A lock file's proofs: read in one pass when that reading is certainly serde_yaml's
/// ([`crate::catalog::position::read_json`]), else by serde_yaml, whose error a broken file reports.
fn read_file(text: &str) -> Result<File, serde_yaml::Error> {
    match crate::catalog::position::read_json(text).and_then(|json| serde_json::from_value::<File>(json).ok()) {
        Some(file) => Ok(file),
        None => serde_yaml::from_str::<File>(text),
    }
}

impl Lock {
    /// The lock beside `catalog` (`<folder>/hagen.lock`); a missing file is an empty lock.
    pub fn beside(catalog: &Path) -> Result<Lock, Error> {
        let path = catalog.parent().unwrap_or(Path::new(".")).join("hagen.lock");
        let proofs = match std::fs::symlink_metadata(&path) {
            Ok(m) if !m.is_file() => {
                return Err(KnowledgeError::LockNotFile { path }.into());
            }
            _ => match std::fs::read_to_string(&path) {
                Ok(text) => match read_file(&text) {
                    Ok(f) => f.proofs,
                    Err(source) => return Err(KnowledgeError::LockParse { path, source }.into()),
                },
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => vec![],
                Err(source) => return Err(Error::Read { path, source }),
            },
        };
        Ok(Lock {
            path,
            proofs,
            shipped: shipped(),
        })
    }

    /// The proof of `chart` at `version`, if any (a failed one included).
    pub fn proof(&self, chart: &str, version: &str) -> Option<&Proof> {
        self.proofs
            .iter()
            .chain(&self.shipped)
            .find(|p| p.chart == chart && p.version == version)
    }

    /// This folder's own proof of `chart` at `version`, if any.
    pub fn own_proof(&self, chart: &str, version: &str) -> Option<&Proof> {
        self.proofs.iter().find(|p| p.chart == chart && p.version == version)
    }

    /// Whether this folder's lock says verify failed on `chart` at `version`.
    fn refuted(&self, chart: &str, version: &str) -> bool {
        self.proofs
            .iter()
            .any(|p| p.chart == chart && p.version == version && p.failed)
    }

    /// The proofs of `chart` at `version` made with `knowledge` (none when refuted).
    fn valid(&self, chart: &str, version: &str, knowledge: &str) -> Vec<&Proof> {
        if self.refuted(chart, version) {
            return vec![];
        }
        self.proofs
            .iter()
            .chain(&self.shipped)
            .filter(|p| p.chart == chart && p.version == version && p.knowledge == knowledge && !p.failed)
            .collect()
    }

    /// Of `keys` (what a catalogue makes hagen deliver for `chart` at `version`), those no valid proof covers.
    pub fn unproven_keys(&self, chart: &str, version: &str, knowledge: &str, keys: &[String]) -> Vec<String> {
        let proofs = self.valid(chart, version, knowledge);
        keys.iter()
            .filter(|k| !proofs.iter().any(|p| p.keys.contains(k)))
            .cloned()
            .collect()
    }

    /// Records that verify failed on `chart` at `version` with `knowledge`.
    pub fn refute(&mut self, chart: &str, version: &str, knowledge: &str) {
        self.forget(chart, version);
        self.proofs.push(Proof {
            chart: chart.into(),
            version: version.into(),
            archive: String::new(),
            knowledge: knowledge.into(),
            hagen: env!("CARGO_PKG_VERSION").into(),
            keys: vec![],
            failed: true,
        });
    }

    /// The versions of `chart` proven with the knowledge whose digest is `knowledge`.
    pub fn proven_versions(&self, chart: &str, knowledge: &str) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .proofs
            .iter()
            .chain(&self.shipped)
            .filter(|p| p.chart == chart && p.knowledge == knowledge && !p.failed)
            .filter(|p| !self.refuted(chart, &p.version))
            .map(|p| p.version.as_str())
            .collect();
        v.sort_by(|a, b| crate::charts::version_cmp(a, b));
        v.dedup();
        v
    }

    /// Records (or replaces) a proof.
    pub fn record(&mut self, proof: Proof) {
        self.forget(&proof.chart.clone(), &proof.version.clone());
        self.proofs.push(proof);
    }

    /// Removes the proof of `chart` at `version`.
    pub fn forget(&mut self, chart: &str, version: &str) {
        self.proofs.retain(|p| !(p.chart == chart && p.version == version));
    }

    /// The file's text: sorted, so the same proofs give the same bytes.
    pub fn to_text(&self) -> String {
        let mut proofs = self.proofs.clone();
        proofs.sort_by(|a, b| (a.chart.as_str(), a.version.as_str()).cmp(&(b.chart.as_str(), b.version.as_str())));
        // Strings, numbers and lists only: serialising them cannot fail.
        let body = serde_yaml::to_string(&File { proofs }).expect("proofs serialise");
        format!("{HEADER}{body}")
    }

    /// Writes the lock (through a temporary file and a rename); unchanged content is not rewritten.
    pub fn write(&self) -> std::io::Result<bool> {
        let text = self.to_text();
        if std::fs::read_to_string(&self.path).is_ok_and(|old| old == text) {
            return Ok(false);
        }
        // A fresh temporary file beside the lock (never an existing path, never through a link), then one rename.
        let dir = self
            .path
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let mut tmp = tempfile::Builder::new().prefix(".hagen.lock.").tempfile_in(dir)?;
        std::io::Write::write_all(&mut tmp, text.as_bytes())?;
        tmp.persist(&self.path).map_err(|e| e.error)?;
        Ok(true)
    }
}

/// The chart knowledge a catalogue is resolved with, and the proofs it is held to.
#[derive(Debug, Clone)]
pub struct Known {
    /// Built in, plus the files of a `charts/` folder beside the catalogue.
    pub charts: crate::charts::Registry,
    /// The proofs beside the catalogue (`hagen.lock`); `None` where versions are not checked against proofs (text
    /// given to the library, or `hagen verify`, whose job is proving).
    pub lock: Option<Lock>,
    /// Notes to print (a user's chart knowledge replacing a built-in one).
    pub notes: Vec<String>,
}

impl Known {
    /// Only hagen's built-in chart knowledge, no proofs checked.
    pub fn builtin() -> Known {
        Known {
            charts: crate::charts::Registry::builtin(),
            lock: None,
            notes: vec![],
        }
    }

    /// The knowledge and proofs for the catalogue at `catalog`: `charts/` and `hagen.lock` beside it.
    pub fn beside(catalog: &Path) -> Result<Known, Error> {
        let dir = catalog.parent().unwrap_or(Path::new(""));
        let (charts, notes) = crate::charts::Registry::with_dir(&dir.join("charts"))?;
        Ok(Known {
            charts,
            lock: Some(Lock::beside(catalog)?),
            notes,
        })
    }
}

/// `sha256:<hex>` of a chart archive's bytes, or of an unpacked chart folder (each file's relative path, length
/// and bytes, in sorted order; symlinks are not followed).
pub fn digest_path(path: &Path) -> std::io::Result<String> {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    if path.is_dir() {
        let mut files = Vec::new();
        walk(path, path, &mut files)?;
        files.sort();
        for rel in files {
            let bytes = std::fs::read(path.join(&rel))?;
            h.update(rel.as_bytes());
            h.update([0]);
            h.update(bytes.len().to_le_bytes());
            h.update(&bytes);
        }
    } else {
        h.update(std::fs::read(path)?);
    }
    Ok(format!(
        "sha256:{}",
        h.finalize().iter().map(|b| format!("{b:02x}")).collect::<String>()
    ))
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let e = e?;
        let t = e.file_type()?;
        if t.is_dir() {
            walk(root, &e.path(), out)?;
        } else if t.is_file() {
            // read_dir below `root` yields paths below `root`.
            let rel = e
                .path()
                .strip_prefix(root)
                .map(|p| p.to_string_lossy().replace('\\', "/"))
                .unwrap_or_default();
            out.push(rel);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_proofs_parse() {
        assert!(!shipped().is_empty(), "hagen ships proofs of its built-in charts");
        // The JSON build.rs embeds reads as the YAML files do.
        let yaml: Vec<Proof> = [
            include_str!("../catalog/hagen.lock"),
            include_str!("../examples/kubernetes/hagen.lock"),
            include_str!("../tests/catalogs/hagen.lock"),
        ]
        .iter()
        .flat_map(|t| serde_yaml::from_str::<File>(t).unwrap().proofs)
        .filter(|p| !p.failed)
        .collect();
        assert_eq!(format!("{yaml:?}"), format!("{:?}", shipped()));
    }

    #[test]
    fn lock_files_read_in_one_pass_as_serde_yaml_reads_them() {
        for text in [
            include_str!("../catalog/hagen.lock"),
            include_str!("../examples/kubernetes/hagen.lock"),
            include_str!("../examples/byo-chart/hagen.lock"),
            include_str!("../tests/catalogs/hagen.lock"),
        ] {
            let once = crate::catalog::position::read(text)
                .json
                .expect("a lock file is read in one pass");
            let once: File = serde_json::from_value(once).expect("a lock file");
            let yaml: File = serde_yaml::from_str(text).expect("a lock file");
            assert_eq!(once.proofs, yaml.proofs);
        }
    }

    fn proof(chart: &str, version: &str, knowledge: &str) -> Proof {
        Proof {
            chart: chart.into(),
            version: version.into(),
            archive: "sha256:a".into(),
            knowledge: knowledge.into(),
            hagen: "0".into(),
            keys: vec!["values replicas".into()],
            failed: false,
        }
    }

    #[test]
    fn keys_outside_the_proof_and_refuted_versions_are_unproven() {
        let mut l = Lock::default();
        l.record(proof("c", "1", "k"));
        let asked = ["values replicas".to_string(), "values affinity".to_string()];
        assert_eq!(l.unproven_keys("c", "1", "k", &asked), ["values affinity"]);
        assert_eq!(l.unproven_keys("c", "1", "other", &asked), asked);
        l.shipped.push(proof("c", "2", "k"));
        assert_eq!(l.proven_versions("c", "k"), ["1", "2"]);
        l.refute("c", "2", "k");
        assert_eq!(
            l.proven_versions("c", "k"),
            ["1"],
            "a failed verify overrides a shipped proof"
        );
        assert_eq!(l.unproven_keys("c", "2", "k", &asked), asked);
    }

    #[test]
    fn shipped_proofs_parse_and_cover_the_built_in_charts() {
        let s = shipped();
        let builtin = crate::charts::Registry::builtin();
        for name in builtin.names() {
            assert!(s.iter().any(|p| p.chart == name), "no shipped proof of {name}");
        }
    }

    #[test]
    fn record_replaces_and_text_is_sorted() {
        let mut l = Lock::default();
        l.record(proof("b", "1", "k"));
        l.record(proof("a", "2", "k"));
        l.record(proof("a", "1", "k"));
        l.record(proof("a", "1", "k2"));
        assert_eq!(l.proven_versions("a", "k"), ["2"]);
        assert_eq!(l.proven_versions("a", "k2"), ["1"]);
        let text = l.to_text();
        let a1 = text.find("version: '1'").unwrap();
        let b = text.find("chart: b").unwrap();
        assert!(a1 < b, "{text}");
        let back: File = serde_yaml::from_str(&text).unwrap();
        assert_eq!(back.proofs.len(), 3);
        l.forget("a", "1");
        assert!(l.proof("a", "1").is_none());
    }
}

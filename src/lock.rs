//! `hagen.lock`, beside the catalogue: the proofs `hagen verify` recorded. A proof ties a chart version (and the
//! archive's digest) to the digest of the chart knowledge it was proven with; `generate` accepts a release only when
//! its chart version is proven with the knowledge in use, so a bump or a knowledge edit needs `hagen verify` first.

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

/// The proofs embedded in hagen.
fn shipped() -> Vec<Proof> {
    serde_yaml::from_str::<File>(include_str!("../catalog/hagen.lock")).map_or_else(|_| vec![], |f| f.proofs)
}

const HEADER: &str = "# hagen.lock: chart versions `hagen verify` proved on the real chart, with the digest of the chart knowledge\n# used. `hagen generate` accepts a chart version only when it is proven here. Written by `hagen verify`; commit it.\n";

impl Lock {
    /// The lock beside `catalog` (`<folder>/hagen.lock`); a missing file is an empty lock.
    pub fn beside(catalog: &Path) -> Result<Lock, String> {
        let path = catalog.parent().unwrap_or(Path::new(".")).join("hagen.lock");
        let proofs = match std::fs::symlink_metadata(&path) {
            Ok(m) if !m.is_file() => {
                return Err(format!("{} is not a regular file", path.display()));
            }
            _ => match std::fs::read_to_string(&path) {
                Ok(text) => {
                    let f: File = serde_yaml::from_str(&text)
                        .map_err(|e| format!("{}: not a hagen lock file: {e}", path.display()))?;
                    f.proofs
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => vec![],
                Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
            },
        };
        Ok(Lock {
            path,
            proofs,
            shipped: shipped(),
        })
    }

    /// The proof of `chart` at `version`, if any.
    pub fn proof(&self, chart: &str, version: &str) -> Option<&Proof> {
        self.proofs
            .iter()
            .chain(&self.shipped)
            .find(|p| p.chart == chart && p.version == version)
    }

    /// The versions of `chart` proven with the knowledge whose digest is `knowledge`.
    pub fn proven_versions(&self, chart: &str, knowledge: &str) -> Vec<&str> {
        let mut v: Vec<&str> = self
            .proofs
            .iter()
            .chain(&self.shipped)
            .filter(|p| p.chart == chart && p.knowledge == knowledge)
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
        let body = serde_yaml::to_string(&File { proofs }).unwrap_or_default();
        format!("{HEADER}{body}")
    }

    /// Writes the lock (through a temporary file and a rename); unchanged content is not rewritten.
    pub fn write(&self) -> std::io::Result<bool> {
        let text = self.to_text();
        if std::fs::read_to_string(&self.path).is_ok_and(|old| old == text) {
            return Ok(false);
        }
        let tmp = self.path.with_extension(format!("lock.tmp-{}", std::process::id()));
        std::fs::write(&tmp, &text)?;
        std::fs::rename(&tmp, &self.path)?;
        Ok(true)
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

    fn proof(chart: &str, version: &str, knowledge: &str) -> Proof {
        Proof {
            chart: chart.into(),
            version: version.into(),
            archive: "sha256:a".into(),
            knowledge: knowledge.into(),
            hagen: "0".into(),
        }
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

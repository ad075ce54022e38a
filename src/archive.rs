//! A chart's default values and values schema, read from its archive (`<chart>-<version>.tgz`, as `helm pull`
//! writes it) or an unpacked chart folder, without helm or a network: what `helm show values` prints, with each
//! subchart's defaults under its alias or name (as Helm coalesces them), and the chart's `values.schema.json`.
//! Every size is bounded: the archive by [`MAX_ARCHIVE_BYTES`], each file read by [`MAX_FILE_BYTES`].

use serde_json::Value;
use std::io::Read as _;
use std::path::Path;

/// The largest chart archive read (kube-prometheus-stack is under 1 MiB).
pub const MAX_ARCHIVE_BYTES: u64 = 64 * 1024 * 1024;
/// The largest values file or schema read inside it.
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;

pub use crate::error::ArchiveError;

/// A problem inside an archive, before the archive's name is added.
enum Inner {
    Io(std::io::Error),
    File(String, String),
    Deep,
}

impl Inner {
    fn at(self, path: &Path) -> ArchiveError {
        let path = path.display().to_string();
        match self {
            Inner::Io(source) => ArchiveError::NotArchive { path, source },
            Inner::File(file, message) => ArchiveError::BadFile { path, file, message },
            Inner::Deep => ArchiveError::TooDeep { path },
        }
    }
}

/// A chart's defaults, subcharts merged in, and what its values.yaml documents in comments.
#[derive(Debug, Clone, Default)]
pub struct ChartDefaults {
    /// The default values (a mapping), each subchart's under its key.
    pub values: Value,
    /// The chart's values.schema.json, if it has one (subcharts' schemas are not merged).
    pub schema: Option<Value>,
    /// Keys the values files name in comments only (`# hostPort: 8000`): documented, so accepted.
    pub commented: Vec<String>,
}

/// The files of a chart that matter here, by path inside the archive (`traefik/values.yaml`).
type Files = Vec<(String, Vec<u8>)>;

fn wanted(path: &str) -> bool {
    path.ends_with("/Chart.yaml")
        || path.ends_with("/values.yaml")
        || path.ends_with("/values.schema.json")
        || (path.contains("/charts/") && path.ends_with(".tgz"))
}

/// Reads the chart at `path`: an archive, or a folder holding an unpacked chart.
pub fn read(path: &Path) -> Result<ChartDefaults, ArchiveError> {
    let read_err = |p: &Path, source| ArchiveError::Read {
        path: p.display().to_string(),
        source,
    };
    let files = if path.is_dir() {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let mut files = Vec::new();
        walk_dir(path, &name, &mut files).map_err(|(p, e)| read_err(&p, e))?;
        files
    } else {
        let f = std::fs::File::open(path).map_err(|e| read_err(path, e))?;
        let mut bytes = Vec::new();
        f.take(MAX_ARCHIVE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| read_err(path, e))?;
        if bytes.len() as u64 > MAX_ARCHIVE_BYTES {
            return Err(ArchiveError::TooLarge {
                path: path.display().to_string(),
                limit: MAX_ARCHIVE_BYTES,
            });
        }
        untar(&bytes).map_err(|e| Inner::Io(e).at(path))?
    };
    let root = files
        .iter()
        .filter_map(|(p, _)| p.strip_suffix("/Chart.yaml"))
        .min_by_key(|p| p.len())
        .ok_or_else(|| ArchiveError::NoChart {
            path: path.display().to_string(),
        })?
        .to_string();
    chart_at(&files, &root, 0).map_err(|e| e.at(path))
}

/// The wanted files under `dir`, or the file that could not be read and why.
fn walk_dir(dir: &Path, prefix: &str, out: &mut Files) -> Result<(), (std::path::PathBuf, std::io::Error)> {
    let entries = std::fs::read_dir(dir).map_err(|e| (dir.to_path_buf(), e))?;
    for e in entries.flatten() {
        let p = e.path();
        let name = format!("{prefix}/{}", e.file_name().to_string_lossy());
        if p.is_dir() && !p.is_symlink() {
            walk_dir(&p, &name, out)?;
        } else if wanted(&name) {
            let f = std::fs::File::open(&p).map_err(|e| (p.clone(), e))?;
            let mut bytes = Vec::new();
            f.take(MAX_FILE_BYTES)
                .read_to_end(&mut bytes)
                .map_err(|e| (p.clone(), e))?;
            out.push((name, bytes));
        }
    }
    Ok(())
}

fn untar(gz: &[u8]) -> Result<Files, std::io::Error> {
    let mut out = Vec::new();
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(gz).take(MAX_ARCHIVE_BYTES * 4));
    for entry in archive.entries()? {
        let entry = entry?;
        let path = entry.path()?.to_string_lossy().to_string();
        if !wanted(&path) {
            continue;
        }
        let mut bytes = Vec::new();
        entry.take(MAX_FILE_BYTES).read_to_end(&mut bytes)?;
        out.push((path, bytes));
    }
    Ok(out)
}

fn yaml_value(bytes: &[u8], what: &str) -> Result<Value, Inner> {
    let bad = |m: String| Inner::File(what.to_string(), m);
    let text = std::str::from_utf8(bytes).map_err(|_| bad("not UTF-8".into()))?;
    if text.trim().is_empty() {
        return Ok(Value::Object(Default::default()));
    }
    let v: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| bad(e.to_string()))?;
    match serde_json::to_value(v).map_err(|e| bad(e.to_string()))? {
        Value::Null => Ok(Value::Object(Default::default())),
        v => Ok(v),
    }
}

/// Keys named in comments: `#   hostPort: 8000` and `# -- tls.key: …` give `hostPort`.
fn commented_keys(text: &str) -> Vec<String> {
    let mut keys: Vec<String> = text
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix('#'))
        .filter_map(|c| {
            let c = c.trim_start_matches(['#', ' ', '-']);
            let (k, _) = c.split_once(':')?;
            (!k.is_empty() && k.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == '-'))
                .then(|| k.to_string())
        })
        .collect();
    keys.sort();
    keys.dedup();
    keys
}

/// The chart whose Chart.yaml is at `root/Chart.yaml`, with its subcharts (folders or archives in `root/charts/`).
fn chart_at(files: &Files, root: &str, depth: usize) -> Result<ChartDefaults, Inner> {
    if depth > 8 {
        return Err(Inner::Deep);
    }
    let file = |name: &str| {
        files
            .iter()
            .find(|(p, _)| p == &format!("{root}/{name}"))
            .map(|(_, b)| b.as_slice())
    };
    let mut values = match file("values.yaml") {
        Some(b) => yaml_value(b, &format!("{root}/values.yaml"))?,
        None => Value::Object(Default::default()),
    };
    let mut commented = file("values.yaml")
        .map(|b| commented_keys(&String::from_utf8_lossy(b)))
        .unwrap_or_default();
    let schema = match file("values.schema.json") {
        Some(b) => Some(
            serde_json::from_slice(b).map_err(|e| Inner::File(format!("{root}/values.schema.json"), e.to_string()))?,
        ),
        None => None,
    };
    let meta = file("Chart.yaml")
        .map(|b| yaml_value(b, &format!("{root}/Chart.yaml")))
        .transpose()?
        .unwrap_or(Value::Null);
    let aliases: Vec<(String, String)> = meta
        .get("dependencies")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|d| {
            let name = d.get("name")?.as_str()?.to_string();
            let key = d.get("alias").and_then(Value::as_str).unwrap_or(&name).to_string();
            Some((name, key))
        })
        .collect();
    for (sub_name, sub) in subcharts(files, root, depth)? {
        let key = aliases
            .iter()
            .find(|(n, _)| *n == sub_name)
            .map_or(sub_name.clone(), |(_, k)| k.clone());
        commented.extend(sub.commented);
        if let Value::Object(m) = &mut values {
            let slot = m.entry(key).or_insert_with(|| Value::Object(Default::default()));
            // The parent's values win over the subchart's defaults (Helm's coalescing).
            let mut merged = sub.values;
            coalesce(&mut merged, slot);
            *slot = merged;
        }
    }
    commented.sort();
    commented.dedup();
    Ok(ChartDefaults {
        values,
        schema,
        commented,
    })
}

/// `over` laid on `base`, mappings merged key by key.
fn coalesce(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, ov) in o {
                match b.get_mut(k) {
                    Some(bv) => coalesce(bv, ov),
                    None => {
                        b.insert(k.clone(), ov.clone());
                    }
                }
            }
        }
        (b, o) => *b = o.clone(),
    }
}

/// The subcharts in `root/charts/`, by their Chart.yaml name.
fn subcharts(files: &Files, root: &str, depth: usize) -> Result<Vec<(String, ChartDefaults)>, Inner> {
    let prefix = format!("{root}/charts/");
    let mut out = Vec::new();
    let mut roots: Vec<&str> = files
        .iter()
        .filter_map(|(p, _)| p.strip_prefix(&prefix)?.strip_suffix("/Chart.yaml"))
        .filter(|rest| !rest.contains('/'))
        .collect();
    roots.sort();
    for dir in roots {
        let sub_root = format!("{prefix}{dir}");
        let name = chart_name(files, &sub_root).unwrap_or_else(|| dir.to_string());
        out.push((name, chart_at(files, &sub_root, depth + 1)?));
    }
    for (p, bytes) in files {
        let Some(rest) = p.strip_prefix(&prefix) else { continue };
        if rest.contains('/') || !rest.ends_with(".tgz") {
            continue;
        }
        let inner = untar(bytes).map_err(|e| Inner::File(p.clone(), e.to_string()))?;
        let Some(sub_root) = inner
            .iter()
            .filter_map(|(q, _)| q.strip_suffix("/Chart.yaml"))
            .min_by_key(|q| q.len())
        else {
            continue;
        };
        let name = chart_name(&inner, sub_root).unwrap_or_else(|| sub_root.to_string());
        out.push((name, chart_at(&inner, sub_root, depth + 1)?));
    }
    Ok(out)
}

fn chart_name(files: &Files, root: &str) -> Option<String> {
    let (_, b) = files.iter().find(|(p, _)| p == &format!("{root}/Chart.yaml"))?;
    let v = yaml_value(b, "Chart.yaml").ok()?;
    v.get("name")?.as_str().map(String::from)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_document_keys() {
        let text = "a: 1\n# hostPort: 8000\n  # -- tls.key: x\n# just a sentence: here\n#containerPort: 1\n";
        assert_eq!(commented_keys(text), ["containerPort", "hostPort"]);
    }

    #[test]
    fn a_folder_chart_with_a_subchart_under_its_alias() {
        let dir = tempfile::tempdir().unwrap();
        let c = dir.path().join("top");
        std::fs::create_dir_all(c.join("charts/sub")).unwrap();
        std::fs::write(
            c.join("Chart.yaml"),
            "name: top\nversion: 1.0.0\ndependencies: [{name: sub, alias: s, version: 1.0.0}]\n",
        )
        .unwrap();
        std::fs::write(c.join("values.yaml"), "a: 1\ns: {x: 2}\n").unwrap();
        std::fs::write(c.join("charts/sub/Chart.yaml"), "name: sub\nversion: 1.0.0\n").unwrap();
        std::fs::write(c.join("charts/sub/values.yaml"), "x: 1\ny: {}\n").unwrap();
        let d = read(&c).unwrap();
        assert_eq!(d.values, serde_json::json!({"a": 1, "s": {"x": 2, "y": {}}}));
    }
}

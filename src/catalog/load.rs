//! Reading a catalogue file: bytes → YAML → JSON Schema validation → typed [`Catalogue`], every error with its place.

use super::Catalogue;
use super::position::{Pos, Positions};
use crate::error::{Diagnostic, Error, Result, Severity};
use serde_json::Value;
use std::path::Path;
use std::sync::OnceLock;

/// A catalogue and what is needed to point back into its file.
#[derive(Debug)]
pub struct Loaded {
    pub catalogue: Catalogue,
    /// The file name as the user gave it, used in every message.
    pub file: String,
    pub positions: Positions,
    /// The chart knowledge: built in, plus the files of a `charts/` folder beside the catalogue.
    pub charts: crate::charts::Registry,
    /// The proofs beside the catalogue (`hagen.lock`); `None` when the catalogue came without a folder (text given
    /// to the library), where versions are not checked against proofs.
    pub lock: Option<crate::lock::Lock>,
    /// Notes to print (a user's chart knowledge replacing a built-in one).
    pub notes: Vec<String>,
}

impl Loaded {
    /// A diagnostic at the node `pointer` of this catalogue.
    pub fn at(&self, severity: Severity, pointer: &str, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity,
            file: self.file.clone(),
            pos: self.positions.find(pointer),
            pointer: pointer.to_string(),
            message: message.into(),
        }
    }
}

/// The catalogue's JSON Schema, derived from the serde types.
pub fn schema() -> Value {
    let schema = schemars::schema_for!(Catalogue);
    let mut v = serde_json::to_value(schema).unwrap_or(Value::Null);
    drop_nulls(&mut v);
    v
}

/// Optional keys are optional by being absent, never `null`: drop the `null` alternatives schemars derives for
/// `Option`, so that editors and messages show the one expected form.
fn drop_nulls(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let t = types.remove(0);
                    map.insert("type".into(), t);
                }
            }
            if let Some(Value::Array(any)) = map.get_mut("anyOf") {
                any.retain(|s| s.get("type").is_none_or(|t| t != "null"));
                if any.len() == 1
                    && let Some(Value::Object(only)) = any.pop()
                {
                    map.remove("anyOf");
                    for (k, v) in only {
                        map.entry(k).or_insert(v);
                    }
                }
            }
            map.values_mut().for_each(drop_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(drop_nulls),
        _ => {}
    }
}

/// The allowed constants of an enum whose schema is a `oneOf` of `const` alternatives (at `schema_path`).
fn enum_options(schema: &Value, schema_path: &str) -> Vec<String> {
    schema
        .pointer(schema_path)
        .and_then(Value::as_array)
        .map(|alts| {
            alts.iter()
                .filter_map(|a| a.get("const").and_then(Value::as_str).map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

fn validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        // The schema is derived at compile time from our own types; failing to compile it is a bug in hagen.
        jsonschema::validator_for(&schema()).expect("hagen's own catalogue schema compiles")
    })
}

/// Reads and validates the catalogue at `path`.
pub fn load_file(path: &Path) -> Result<Loaded> {
    let bytes = std::fs::read(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let mut loaded = load_bytes(&bytes, &path.display().to_string())?;
    let dir = path.parent().unwrap_or(Path::new(""));
    let (charts, notes) = crate::charts::Registry::with_dir(&dir.join("charts")).map_err(Error::Knowledge)?;
    loaded.charts = charts;
    loaded.notes = notes;
    loaded.lock = Some(crate::lock::Lock::beside(path).map_err(Error::Knowledge)?);
    Ok(loaded)
}

/// Validates catalogue text; `file` names it in messages.
pub fn load_str(text: &str, file: &str) -> Result<Loaded> {
    load_bytes(text.as_bytes(), file)
}

fn one(file: &str, pos: Option<Pos>, pointer: &str, message: impl Into<String>) -> Error {
    Error::Catalogue(vec![Diagnostic {
        severity: Severity::Error,
        file: file.to_string(),
        pos,
        pointer: pointer.to_string(),
        message: message.into(),
    }])
}

fn pos_of_offset(bytes: &[u8], offset: usize) -> Pos {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|b| **b == b'\n').count() + 1;
    let line_start = before.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
    Pos { line, column }
}

fn load_bytes(bytes: &[u8], file: &str) -> Result<Loaded> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        one(
            file,
            Some(pos_of_offset(bytes, e.valid_up_to())),
            "",
            "the file is not valid UTF-8; save it as UTF-8",
        )
    })?;
    if text.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || t == "---"
    }) {
        return Err(one(
            file,
            None,
            "",
            "the catalogue is empty; expected a mapping with `cluster`, `defaults` and `releases` (see `hagen schema`)",
        ));
    }
    if let Some((n, line)) = text
        .lines()
        .enumerate()
        .find(|(_, l)| l.trim_start_matches(' ').starts_with('\t'))
    {
        let column = line.find('\t').unwrap_or(0) + 1;
        return Err(one(
            file,
            Some(Pos { line: n + 1, column }),
            "",
            "a tab is used for indentation; YAML indents with spaces only",
        ));
    }
    let yaml: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
        let pos = e.location().map(|l| Pos {
            line: l.line(),
            column: l.column(),
        });
        one(
            file,
            pos,
            "",
            format!("not valid YAML: {}", strip_location(&e.to_string())),
        )
    })?;
    let positions = Positions::of(text);
    let json = serde_json::to_value(&yaml).map_err(|e| one(file, None, "", format!("not a catalogue: {e}")))?;
    if !json.is_object() {
        return Err(one(
            file,
            positions.find(""),
            "",
            "expected a mapping with `cluster`, `defaults` and `releases`",
        ));
    }
    let mut diags: Vec<Diagnostic> = Vec::new();
    let schema = schema();
    for err in validator().iter_errors(&json) {
        let pointer = err.instance_path().as_str().to_string();
        match err.kind() {
            jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } => {
                let known = known_properties(&schema, err.schema_path().as_str());
                for key in unexpected {
                    let p = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                    let mut message = format!("unknown key `{key}`");
                    if let Some(s) = crate::suggest::did_you_mean(key, known.iter().map(String::as_str)) {
                        message.push_str(&format!("; did you mean `{s}`?"));
                    }
                    if !known.is_empty() {
                        message.push_str(&format!(" (expected one of: {})", known.join(", ")));
                    }
                    diags.push(diag(file, &positions, &p, message));
                }
            }
            _ if !enum_options(&schema, err.schema_path().as_str()).is_empty() => {
                let opts = enum_options(&schema, err.schema_path().as_str());
                let found = err.instance().to_string();
                let mut message = format!("{found} is not one of: {}", opts.join(", "));
                if let Some(f) = err.instance().as_str()
                    && let Some(s) = crate::suggest::did_you_mean(f, opts.iter().map(String::as_str))
                {
                    message.push_str(&format!("; did you mean `{s}`?"));
                }
                diags.push(diag(file, &positions, &pointer, message));
            }
            jsonschema::error::ValidationErrorKind::Pattern { pattern } => {
                let expected = match pattern.as_str() {
                    p if p.contains("ms|s|m|h") => "expected a Prometheus duration such as 30s, 10m or 1h",
                    p if p.contains("[-a-z0-9]") => {
                        "expected a DNS-1123 label: lowercase letters, digits and '-', starting and ending with a letter or digit"
                    }
                    _ => "",
                };
                let message = if expected.is_empty() {
                    err.to_string()
                } else {
                    format!("{}: {expected}", err.instance())
                };
                diags.push(diag(file, &positions, &pointer, message));
            }
            _ => {
                let mut message = err.to_string();
                if let jsonschema::error::ValidationErrorKind::Enum { options } = err.kind() {
                    let opts: Vec<String> = options
                        .as_array()
                        .into_iter()
                        .flatten()
                        .filter_map(|o| o.as_str().map(String::from))
                        .collect();
                    if let Some(found) = err.instance().as_str()
                        && let Some(s) = crate::suggest::did_you_mean(found, opts.iter().map(String::as_str))
                    {
                        message.push_str(&format!("; did you mean `{s}`?"));
                    }
                }
                diags.push(diag(file, &positions, &pointer, message));
            }
        }
    }
    if !diags.is_empty() {
        diags.sort_by_key(|d| (d.pos, d.pointer.clone()));
        diags.dedup();
        return Err(Error::Catalogue(diags));
    }
    let catalogue: Catalogue =
        serde_json::from_value(json).map_err(|e| one(file, positions.find(""), "", format!("not a catalogue: {e}")))?;
    Ok(Loaded {
        catalogue,
        file: file.to_string(),
        positions,
        charts: crate::charts::Registry::builtin(),
        lock: None,
        notes: vec![],
    })
}

fn diag(file: &str, positions: &Positions, pointer: &str, message: String) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        file: file.into(),
        pos: positions.find(pointer),
        pointer: pointer.into(),
        message,
    }
}

/// serde_yaml appends " at line L column C"; the place is printed in front already.
fn strip_location(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// The property names the schema allows at the object whose `additionalProperties` keyword is at `schema_path`.
fn known_properties(schema: &Value, schema_path: &str) -> Vec<String> {
    let parent = schema_path.strip_suffix("/additionalProperties").unwrap_or(schema_path);
    let mut names: Vec<String> = schema
        .pointer(&format!("{parent}/properties"))
        .and_then(Value::as_object)
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(text: &str) -> Vec<String> {
        match load_str(text, "c.yaml") {
            Err(Error::Catalogue(d)) => d.iter().map(ToString::to_string).collect(),
            other => panic!("expected catalogue errors, got {other:?}"),
        }
    }

    #[test]
    fn unknown_key_suggests_the_right_one() {
        let e = errors("cluster: {name: a, nodes: [{name: n}]}\ndefaults:\n  replica: 2\nreleases: []\n");
        assert!(
            e[0].starts_with("c.yaml:3:3: error: defaults.replica: unknown key `replica`; did you mean `replicas`?"),
            "{e:?}"
        );
    }

    #[test]
    fn every_schema_error_at_once() {
        let e = errors(
            "cluster: {name: a, nodes: [{name: n}]}\ndefaults:\n  replicas: two\n  strategy: Recreat\nreleases: []\n",
        );
        assert_eq!(e.len(), 2, "{e:?}");
        assert!(e[0].contains("c.yaml:3:3") && e[0].contains("\"two\""), "{e:?}");
        assert!(
            e[1].contains("c.yaml:4:3") && e[1].contains("did you mean `Recreate`?"),
            "{e:?}"
        );
    }
}

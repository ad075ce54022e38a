//! The user's own chart values per release (`values:` and `valuesFiles:`): read, validated with their place,
//! and checked against hagen's overlay, where a user value at a key path hagen writes is refused.
//!
//! Every route applies these before hagen's overlay (Helm's `-f` order), so a user value at a path hagen writes
//! would either silently undo the HA or be silently overridden: both are refused, naming both places.

use super::Release;
use super::load::Loaded;
use super::position::{Pos, Positions};
use crate::error::{Diagnostic, Severity, ValuesFileError};
use serde_json::Value;
use std::path::{Component, Path, PathBuf};

/// The largest values file accepted: a Flux ConfigMap carrying it must stay under the API server's 1 MiB.
pub const MAX_VALUES_BYTES: usize = 512 * 1024;

/// One source of the user's own values for a release, in the order Helm applies them.
#[derive(Debug, Clone)]
pub struct OwnValues {
    /// A values file as reached from the working folder (the catalogue's folder joined with the entry), or
    /// `None` for the catalogue's inline `values:`.
    pub file: Option<PathBuf>,
    /// The values: always a mapping.
    pub values: Value,
    /// The values as text: a file's bytes verbatim (so a controller parses exactly what `helm -f` parses), the
    /// inline values serialised.
    pub text: String,
    /// Where to point a message: the file shown and its positions, and the pointer prefix of the values there.
    shown: String,
    positions: Positions,
    base: String,
}

impl OwnValues {
    /// Where these values are, for messages: the file (or catalogue with its `values:` key).
    pub fn describe(&self) -> String {
        if self.file.is_some() {
            return self.shown.clone();
        }
        // The inline `values:` of a release: `catalog/cluster.yaml (releases[4].values)`.
        let mut path = String::new();
        for seg in self.base.split('/').skip(1) {
            if seg.bytes().all(|b| b.is_ascii_digit()) {
                path.push_str(&format!("[{seg}]"));
            } else {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(seg);
            }
        }
        format!("{} ({path})", self.shown)
    }

    /// The file as a forward-slash path, for generated command lines and objects.
    pub fn file_shown(&self) -> Option<String> {
        self.file.as_ref().map(|f| f.display().to_string().replace('\\', "/"))
    }

    fn at(&self, pointer: &str, message: String) -> Diagnostic {
        let full = format!("{}{pointer}", self.base);
        Diagnostic {
            severity: Severity::Error,
            file: self.shown.clone(),
            pos: self.positions.find(&full),
            pointer: full,
            subject: None,
            message,
        }
    }
}

fn error(file: &str, pos: Option<Pos>, pointer: &str, message: String) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        file: file.to_string(),
        pos,
        pointer: pointer.to_string(),
        subject: None,
        message,
    }
}

/// Reads release `index`'s own values: each of `valuesFiles` (relative to the catalogue's folder, inside it, a
/// YAML mapping), then the inline `values:`. Problems go to `diags`, each at its place.
pub fn read(loaded: &Loaded, index: usize, rel: &Release, diags: &mut Vec<Diagnostic>) -> Vec<OwnValues> {
    let dir = Path::new(&loaded.file).parent().unwrap_or(Path::new("")).to_path_buf();
    let mut out = Vec::new();
    for (i, entry) in rel.values_files.iter().enumerate() {
        let pointer = format!("/releases/{index}/valuesFiles/{i}");
        let found = locate(&dir, entry)
            .and_then(|(file, shown)| read_bounded(&file, &shown).map(|bytes| (file, shown, bytes)))
            .map_err(|e| Box::new(loaded.at(Severity::Error, &pointer, e.to_string())))
            .and_then(|(file, shown, bytes)| parse_values_file(file, shown, bytes, &rel.name));
        match found {
            Ok(v) => out.push(v),
            Err(d) => diags.push(*d),
        }
    }
    out.extend(inline_values(loaded, index, rel));
    for o in &out {
        for p in super::secrets::placeholders(&o.values) {
            diags.push(o.at(
                &p,
                format!(
                    "release `{}`: a secret `hagen init` took out is still a placeholder here; {}",
                    rel.name,
                    super::secrets::HOW_TO_SUPPLY
                ),
            ));
        }
    }
    out
}

/// A `valuesFiles` entry as the file reached from the working folder and its forward-slash name, or why it is
/// refused: not a relative path inside the catalogue's folder `dir`, missing, or leading outside through a link.
fn locate(dir: &Path, entry: &str) -> Result<(PathBuf, String), ValuesFileError> {
    let p = Path::new(entry);
    if entry.is_empty()
        || !p
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
    {
        return Err(ValuesFileError::NotInside {
            entry: entry.to_string(),
        });
    }
    let file = dir.join(p);
    let shown = file.display().to_string().replace('\\', "/");
    let base = std::fs::canonicalize(if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    });
    match (base, std::fs::canonicalize(&file)) {
        (_, Err(source)) => Err(ValuesFileError::Read { shown, source }),
        (Err(source), _) => Err(ValuesFileError::Folder { shown, source }),
        (Ok(b), Ok(target)) if !target.starts_with(&b) => Err(ValuesFileError::LeadsOutside { shown, target }),
        _ => Ok((file, shown)),
    }
}

/// A values file's bytes, or why not: unreadable, or over [`MAX_VALUES_BYTES`].
fn read_bounded(file: &Path, shown: &str) -> Result<Vec<u8>, ValuesFileError> {
    let bytes = std::fs::read(file).map_err(|source| ValuesFileError::Read {
        shown: shown.to_string(),
        source,
    })?;
    if bytes.len() > MAX_VALUES_BYTES {
        return Err(ValuesFileError::TooLarge {
            shown: shown.to_string(),
            size: bytes.len(),
            limit: MAX_VALUES_BYTES,
        });
    }
    Ok(bytes)
}

/// A values file's bytes as release `release`'s own values: UTF-8, YAML, a mapping (an empty file is an empty
/// one); or the problem at its place in the file (boxed: a diagnostic is large beside the values).
fn parse_values_file(
    file: PathBuf,
    shown: String,
    bytes: Vec<u8>,
    release: &str,
) -> Result<OwnValues, Box<Diagnostic>> {
    let Ok(text) = String::from_utf8(bytes) else {
        return Err(Box::new(error(
            &shown,
            None,
            "",
            format!("values of release `{release}`: the file is not valid UTF-8; save it as UTF-8"),
        )));
    };
    let positions = Positions::of(&text);
    let parsed: serde_yaml::Value = if text.trim().is_empty() {
        serde_yaml::Value::Mapping(Default::default())
    } else {
        serde_yaml::from_str(&text).map_err(|e| {
            let pos = e.location().map(|l| Pos {
                line: l.line(),
                column: l.column(),
            });
            let m = e.to_string();
            let m = m.split(" at line ").next().unwrap_or(&m).to_string();
            Box::new(error(
                &shown,
                pos,
                "",
                format!("values of release `{release}`: not valid YAML: {m}"),
            ))
        })?
    };
    let parsed = if parsed.is_null() {
        serde_yaml::Value::Mapping(Default::default())
    } else {
        parsed
    };
    match serde_json::to_value(&parsed) {
        Ok(v @ Value::Object(_)) => Ok(OwnValues {
            file: Some(file),
            values: v,
            text,
            shown,
            positions,
            base: String::new(),
        }),
        Ok(_) => Err(Box::new(error(
            &shown,
            positions.find(""),
            "",
            format!("the values of release `{release}` must be a mapping of chart values (as for `helm -f`)"),
        ))),
        Err(e) => Err(Box::new(error(
            &shown,
            positions.find(""),
            "",
            format!("values of release `{release}`: chart values need string keys: {e}"),
        ))),
    }
}

/// Release `index`'s inline `values:`, when it has any.
fn inline_values(loaded: &Loaded, index: usize, rel: &Release) -> Option<OwnValues> {
    if rel.values.is_empty() {
        return None;
    }
    let values = Value::Object(rel.values.clone().into_iter().collect());
    Some(OwnValues {
        file: None,
        // Read by Flux and Argo CD (YAML 1.1): written by hagen's one YAML writer, which quotes what they would
        // misread. JSON values always have a YAML form, so a failure is a bug in that writer.
        text: crate::yaml::to_string(&values).expect("hagen's YAML writer writes every JSON value"),
        values,
        shown: loaded.file.clone(),
        positions: loaded.positions.clone(),
        base: format!("/releases/{index}/values"),
    })
}

/// Keys under which a chart takes any Kubernetes field or free-form map, whatever its default shows: labels,
/// annotations, selectors and the pod spec's own objects (hagen checks chart keys, not Kubernetes').
const OPEN_BY_NAME: &[&str] = &[
    "annotations",
    "labels",
    "selector",
    "nodeselector",
    "matchlabels",
    "affinity",
    "resources",
    "securitycontext",
    "env",
    "extraenv",
    "args",
    "extraargs",
    "config",
    "data",
    "stringdata",
];

/// Whether the values under `key` are free-form by its name (`podAnnotations`, `nodeSelector`, `extraArgs`).
fn open_by_name(key: &str) -> bool {
    let k = key.to_lowercase();
    OPEN_BY_NAME.iter().any(|w| k == *w || k.ends_with(w))
}

/// The schema `s` describes for key `k` of the mapping it validates: `properties[k]`, else an
/// `additionalProperties` schema; `Some(Value::Bool(true))` when the mapping is open (a map schema without
/// `properties`, or with `patternProperties` hagen does not match); `None` when the key is not described.
fn schema_child<'a>(s: &'a Value, k: &str, root: &'a Value) -> Option<&'a Value> {
    static OPEN: Value = Value::Bool(true);
    let s = resolve_ref(s, root);
    if let Some(c) = s.get("properties").and_then(|p| p.get(k)) {
        return Some(resolve_ref(c, root));
    }
    match s.get("additionalProperties") {
        Some(Value::Bool(false)) => None,
        Some(a @ Value::Object(_)) => Some(resolve_ref(a, root)),
        _ if s.get("patternProperties").is_some() || s.get("properties").is_none() => Some(&OPEN),
        _ => None,
    }
}

fn resolve_ref<'a>(s: &'a Value, root: &'a Value) -> &'a Value {
    let mut s = s;
    for _ in 0..8 {
        match s.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
            Some(p) => match root.pointer(p) {
                Some(t) => s = t,
                None => break,
            },
            None => break,
        }
    }
    s
}

/// Every key path of `own` that chart `chart` (named `chart_shown`, `<chart> <version>`) does not take: not in
/// its default values, not under a map it leaves open (an empty `{}` or unset default, a free-form Kubernetes
/// field), not documented in a comment of its values.yaml, and not described by its values.schema.json. Each at
/// its place, with the closest key the chart has.
pub fn unknown_keys(
    own: &OwnValues,
    chart: &crate::archive::ChartDefaults,
    release: &str,
    chart_shown: &str,
) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let root = chart.schema.as_ref();
    unknown_walk(
        &own.values,
        Some(&chart.values),
        root,
        root.unwrap_or(&Value::Null),
        &chart.commented,
        &mut Vec::new(),
        &mut found,
    );
    found
        .into_iter()
        .map(|(path, candidates)| {
            let key = path.last().cloned().unwrap_or_default();
            let pointer: String = path
                .iter()
                .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
                .collect();
            let hint = crate::suggest::did_you_mean(&key, candidates.iter().map(String::as_str))
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_default();
            own.at(
                &pointer,
                format!(
                    "release `{release}`: chart {chart_shown} has no value `{}` (not in its default values, under no map it leaves open, not in its values schema){hint}",
                    path.join(".")
                ),
            )
        })
        .collect()
}

type Unknown = (Vec<String>, Vec<String>);

fn unknown_walk(
    own: &Value,
    defaults: Option<&Value>,
    schema: Option<&Value>,
    root: &Value,
    commented: &[String],
    path: &mut Vec<String>,
    found: &mut Vec<Unknown>,
) {
    let Value::Object(u) = own else { return };
    for (k, v) in u {
        if (path.is_empty() && k == "global") || open_by_name(k) {
            continue;
        }
        let d = defaults.and_then(|d| d.get(k));
        let s = schema.and_then(|s| schema_child(s, k, root));
        let descend = match (d, s) {
            (Some(Value::Object(m)), _) if m.is_empty() => false,
            (Some(Value::Object(_)), _) => true,
            (Some(_), _) => false,
            (None, Some(Value::Bool(true))) => false,
            (None, Some(s)) => s.get("properties").is_some() || s.get("additionalProperties").is_some(),
            (None, None) => {
                if !commented.iter().any(|c| c == k) {
                    let mut p = path.clone();
                    p.push(k.clone());
                    let mut candidates: Vec<String> = defaults
                        .and_then(Value::as_object)
                        .into_iter()
                        .flatten()
                        .map(|(k, _)| k.clone())
                        .collect();
                    if let Some(props) = schema
                        .map(|s| resolve_ref(s, root))
                        .and_then(|s| s.get("properties"))
                        .and_then(Value::as_object)
                    {
                        candidates.extend(props.keys().cloned());
                    }
                    found.push((p, candidates));
                }
                false
            }
        };
        if descend {
            path.push(k.clone());
            unknown_walk(v, d, s, root, commented, path, found);
            path.pop();
        }
    }
}

/// Every user value at a key path hagen's `overlay` writes: a diagnostic at the user's place naming hagen's key
/// and value, and the setting that wrote it (`owner` names it for a key path, when it can). Two mappings at the
/// same path merge (no conflict); anything else at the same path is one.
pub fn conflicts(
    own: &OwnValues,
    overlay: &Value,
    overlay_file: &str,
    release: &str,
    owner: &dyn Fn(&[String]) -> Option<String>,
) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    walk(
        &own.values,
        overlay,
        &mut Vec::new(),
        &mut |path: &[String], hagen: &Value| {
            let pointer: String = path
                .iter()
                .map(|s| format!("/{}", s.replace('~', "~0").replace('/', "~1")))
                .collect();
            let mut shown = serde_json::to_string(hagen).unwrap_or_default();
            if shown.chars().count() > 80 {
                shown = shown.chars().take(77).collect::<String>() + "...";
            }
            let by = owner(path).map(|o| format!(", for {o}")).unwrap_or_default();
            found.push(own.at(
            &pointer,
            format!(
                "release `{release}`: hagen's overlay {overlay_file} writes `{}: {shown}` here{by}; your value would undo it or be overridden: remove it and set the HA in the catalogue",
                path.join(".")
            ),
        ));
        },
    );
    found
}

fn walk(user: &Value, hagen: &Value, path: &mut Vec<String>, report: &mut dyn FnMut(&[String], &Value)) {
    match (user, hagen) {
        (Value::Object(u), Value::Object(h)) => {
            for (k, uv) in u {
                if let Some(hv) = h.get(k) {
                    path.push(k.clone());
                    walk(uv, hv, path, report);
                    path.pop();
                }
            }
        }
        _ => report(path, hagen),
    }
}

/// Whether `values` has a node at `path`.
pub fn has_path(values: &Value, path: &[String]) -> bool {
    path.iter().try_fold(values, |v, k| v.get(k.as_str())).is_some()
}

/// Every leaf of `values` (a scalar, a list, or an empty mapping) by its key path: what two sets of values are
/// compared by.
pub fn leaves(values: &Value) -> Vec<(Vec<String>, Value)> {
    fn go(v: &Value, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, Value)>) {
        match v {
            Value::Object(m) if !m.is_empty() => {
                for (k, x) in m {
                    path.push(k.clone());
                    go(x, path, out);
                    path.pop();
                }
            }
            _ => out.push((path.clone(), v.clone())),
        }
    }
    let mut out = Vec::new();
    if values.as_object().is_some_and(|m| !m.is_empty()) {
        go(values, &mut Vec::new(), &mut out);
    }
    out
}

/// The value at `path` in `values`, if any.
pub fn at_path<'a>(values: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(values, |v, k| v.get(k.as_str()))
}

/// Helm's merge of values files (`-f a -f b`): mappings merge key by key, anything else in `over` replaces, and
/// a `null` in `over` removes the key (as Helm's coalescing does for chart defaults).
pub fn merge(base: &mut Value, over: &Value) {
    match (base, over) {
        (Value::Object(b), Value::Object(o)) => {
            for (k, ov) in o {
                if ov.is_null() {
                    b.shift_remove(k);
                    continue;
                }
                match b.get_mut(k) {
                    Some(bv) if bv.is_object() && ov.is_object() => merge(bv, ov),
                    _ => {
                        b.insert(k.clone(), ov.clone());
                    }
                }
            }
        }
        (b, o) => *b = o.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn own(values: Value) -> OwnValues {
        OwnValues {
            file: None,
            text: String::new(),
            values,
            shown: "c.yaml".into(),
            positions: Default::default(),
            base: "/releases/0/values".into(),
        }
    }

    #[test]
    fn conflicts_at_every_shared_non_mapping_path() {
        let overlay = json!({"replicaCount": 2, "webhook": {"replicaCount": 2, "affinity": {"podAntiAffinity": {}}}});
        struct Case {
            user: Value,
            expected: &'static [&'static str],
        }
        let cases = [
            Case {
                user: json!({"crds": {"enabled": true}}),
                expected: &[],
            },
            Case {
                user: json!({"replicaCount": 3}),
                expected: &["replicaCount"],
            },
            Case {
                user: json!({"webhook": {"timeoutSeconds": 5}}),
                expected: &[],
            },
            Case {
                user: json!({"webhook": {"replicaCount": 1}}),
                expected: &["webhook.replicaCount"],
            },
            Case {
                user: json!({"webhook": {"affinity": {"nodeAffinity": {}}}}),
                expected: &[],
            },
            Case {
                user: json!({"webhook": {"affinity": null}}),
                expected: &["webhook.affinity"],
            },
            Case {
                user: json!({"webhook": "off"}),
                expected: &["webhook"],
            },
        ];
        for c in cases {
            let got: Vec<String> = conflicts(&own(c.user.clone()), &overlay, "out/x/values.yaml", "x", &|_| None)
                .iter()
                .map(|d| d.path().trim_start_matches("releases[0].values.").to_string())
                .collect();
            assert_eq!(got, c.expected, "{}", c.user);
        }
    }

    #[test]
    fn a_symbolic_link_out_of_the_catalogues_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("catalog")).unwrap();
        std::fs::write(dir.path().join("outside.yaml"), "a: 1\n").unwrap();
        std::fs::write(dir.path().join("catalog/inside.yaml"), "b: 2\n").unwrap();
        std::os::unix::fs::symlink("../outside.yaml", dir.path().join("catalog/link.yaml")).unwrap();
        let text = "cluster: {name: a, nodes: [{name: n}]}\ndefaults: {}\nreleases:\n  - {name: r, chart: coredns, repository: https://x.example, version: '1', namespace: n, components: [{name: coredns, tier: 1, purpose: p, impact: i}], valuesFiles: [inside.yaml, link.yaml]}\n";
        let file = dir.path().join("catalog/cluster.yaml");
        let loaded = crate::catalog::load_str(text, &file.display().to_string()).unwrap();
        let mut diags = Vec::new();
        let own = read(&loaded, 0, &loaded.catalogue.releases[0], &mut diags);
        assert_eq!(own.len(), 1);
        assert_eq!(own[0].values, json!({"b": 2}));
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert!(
            diags[0].message.contains("leads outside the catalogue's folder"),
            "{}",
            diags[0]
        );
    }

    #[test]
    fn inline_values_are_written_for_yaml_1_1_readers() {
        let text = "cluster: {name: a, nodes: [{name: n}]}\ndefaults: {}\nreleases:\n  - {name: r, chart: coredns, repository: https://x.example, version: '1', namespace: n, components: [{name: coredns, tier: 1, purpose: p, impact: i}], values: {mode: 'yes', port: '0777', n: 1}}\n";
        let loaded = crate::catalog::load_str(text, "c.yaml").unwrap();
        let own = inline_values(&loaded, 0, &loaded.catalogue.releases[0]).unwrap();
        // Flux and Argo CD read this text with YAML 1.1: `yes` would be a boolean and `0777` an octal number.
        let back: serde_yaml::Value = serde_yaml::from_str(&own.text).unwrap();
        assert_eq!(back["n"], serde_yaml::Value::from(1));
        struct Case {
            key: &'static str,
            want: &'static str,
        }
        let cases = [
            Case {
                key: "mode",
                want: "yes",
            },
            Case {
                key: "port",
                want: "0777",
            },
        ];
        for c in cases {
            assert_eq!(back[c.key].as_str(), Some(c.want), "{}", c.key);
            let line = own.text.lines().find(|l| l.starts_with(c.key)).unwrap();
            assert!(
                line.contains(&format!("'{}'", c.want)) || line.contains(&format!("\"{}\"", c.want)),
                "{line}"
            );
        }
    }

    #[test]
    fn own_values_keys_the_chart_does_not_take() {
        let chart = crate::archive::ChartDefaults {
            values: json!({"controller": {"logLevel": "info", "podAnnotations": {}, "extra": null, "nodeSelector": {"kubernetes.io/os": "linux"}},
                "speaker": {"frr": {"enabled": true}}, "ports": {"web": {"port": 8000}}}),
            schema: Some(json!({"type": "object", "properties": {
                "ports": {"type": "object", "additionalProperties": {"$ref": "#/$defs/port"}},
                "tls": {"type": "object"}, "strict": {"type": "object", "properties": {"a": {}}, "additionalProperties": false}},
                "$defs": {"port": {"type": "object", "properties": {"port": {}, "expose": {}}}}})),
            commented: vec!["hostPort".into()],
        };
        struct Case {
            user: Value,
            want: &'static [&'static str],
        }
        let cases = [
            Case {
                user: json!({"controller": {"logLevel": "debug"}}),
                want: &[],
            },
            Case {
                user: json!({"controler": {"logLevel": "debug"}}),
                want: &["controler: did you mean `controller`?"],
            },
            Case {
                user: json!({"controller": {"logLevl": "debug"}}),
                want: &["controller.logLevl: did you mean `logLevel`?"],
            },
            // Open maps: an empty default, an unset one, a free-form Kubernetes field, `global`.
            Case {
                user: json!({"controller": {"podAnnotations": {"a": "b"}, "extra": {"x": 1}, "nodeSelector": {"disk": "ssd"}}}),
                want: &[],
            },
            Case {
                user: json!({"global": {"anything": 1}}),
                want: &[],
            },
            // Documented in a comment of values.yaml.
            Case {
                user: json!({"speaker": {"frr": {"hostPort": 1}}}),
                want: &[],
            },
            // Described by the schema: a map of ports, an open object, a closed one.
            Case {
                user: json!({"ports": {"metrics": {"port": 9100}}, "tls": {"options": {}}}),
                want: &[],
            },
            Case {
                user: json!({"ports": {"metrics": {"prot": 9100}}}),
                want: &["ports.metrics.prot: did you mean `port`?"],
            },
            Case {
                user: json!({"strict": {"b": 1}}),
                want: &["strict.b: did you mean `a`?"],
            },
        ];
        for c in cases {
            let got: Vec<String> = unknown_keys(&own(c.user.clone()), &chart, "r", "c 1.0.0")
                .iter()
                .map(|d| {
                    let hint = d.message.rsplit("; ").next().unwrap_or_default();
                    format!("{}: {hint}", d.path().trim_start_matches("releases[0].values."))
                })
                .collect();
            assert_eq!(got, c.want, "{}", c.user);
        }
    }

    #[test]
    fn merge_follows_helm() {
        let mut base = json!({"a": {"b": 1, "c": 2}, "d": [1], "e": 1});
        merge(&mut base, &json!({"a": {"b": 3}, "d": [2], "e": null, "f": {"g": 1}}));
        assert_eq!(base, json!({"a": {"b": 3, "c": 2}, "d": [2], "f": {"g": 1}}));
    }
}

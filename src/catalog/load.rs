//! Reading a catalogue file: bytes → YAML → JSON Schema validation → typed [`Catalogue`], every error with its place.

use super::Catalogue;
use super::position::{Pos, Positions};
use super::schema::{certainly_valid, schema_once, validator};
use crate::error::{Diagnostic, Error, Result, Severity};
use serde_json::Value;
use std::path::Path;

/// A catalogue and what is needed to point back into its file.
#[derive(Debug)]
pub struct Loaded {
    pub catalogue: Catalogue,
    /// The file name as the user gave it, used in every message.
    pub file: String,
    pub positions: Positions,
}

impl Loaded {
    /// A diagnostic at the node `pointer` of this catalogue.
    pub fn at(&self, severity: Severity, pointer: &str, message: impl Into<String>) -> Diagnostic {
        let cat = &self.catalogue;
        let (release, component) = indices(pointer);
        let release = release.and_then(|r| cat.releases.get(r));
        let component = release.zip(component).and_then(|(r, c)| r.components.get(c));
        Diagnostic {
            severity,
            file: self.file.clone(),
            pos: self.positions.find(pointer),
            pointer: pointer.to_string(),
            subject: subject(release.map(|r| r.name.as_str()), component.map(|c| c.name.as_str())),
            message: message.into(),
        }
    }
}

/// The release and component indices a pointer is under (`/releases/2/components/0/replicas` → 2, 0).
fn indices(pointer: &str) -> (Option<usize>, Option<usize>) {
    let mut seg = pointer.split('/').skip(1);
    if seg.next() != Some("releases") {
        return (None, None);
    }
    let release = seg.next().and_then(|s| s.parse().ok());
    let component = match seg.next() {
        Some("components") => seg.next().and_then(|s| s.parse().ok()),
        _ => None,
    };
    (release, component)
}

/// "release coredns, component coredns" for a diagnostic's place, names shown safely.
fn subject(release: Option<&str>, component: Option<&str>) -> Option<String> {
    let safe = |s: &str| {
        let s = crate::text::comment(s);
        if s.chars().count() > 64 {
            format!("{}…", s.chars().take(64).collect::<String>())
        } else {
            s
        }
    };
    match (release, component) {
        (Some(r), Some(c)) => Some(format!("release {}, component {}", safe(r), safe(c))),
        (Some(r), None) => Some(format!("release {}", safe(r))),
        _ => None,
    }
}

/// The subject of a pointer in the raw JSON (before the catalogue is typed).
fn json_subject(json: &Value, pointer: &str) -> Option<String> {
    let (release, component) = indices(pointer);
    let r = release.and_then(|r| json.pointer(&format!("/releases/{r}")));
    let name = |v: Option<&Value>| v.and_then(|v| v.get("name")).and_then(Value::as_str).map(String::from);
    let c = r
        .zip(component)
        .and_then(|(r, c)| r.pointer(&format!("/components/{c}")));
    subject(
        name(r).as_deref().or(release.map(|_| "?")),
        name(c).as_deref().or(component.map(|_| "?")),
    )
}

/// A JSON value as shown in a message: at most 60 characters, control characters escaped.
fn shown(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 60 {
        format!("{}…", s.chars().take(60).collect::<String>())
    } else {
        s
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

/// Reads and validates the catalogue at `path`.
pub fn load_file(path: &Path) -> Result<Loaded> {
    load_file_with(path, &|_| Vec::new())
}

/// Problems a caller can find in the raw catalogue (as JSON) before it is typed, reported together with the schema's
/// errors: (JSON pointer, message). The resolver passes the names of charts and components hagen does not know.
pub type EarlyCheck<'a> = &'a dyn Fn(&Value) -> Vec<(String, String)>;

/// Reads and validates the catalogue at `path`; when the schema refuses it, `early` adds what it finds, so every
/// problem is reported at once.
pub fn load_file_with(path: &Path, early: EarlyCheck<'_>) -> Result<Loaded> {
    use std::io::Read;
    let file = std::fs::File::open(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })?;
    // Read one byte more than the bound: a larger file (or /dev/zero) is refused without being read whole.
    let mut bytes = Vec::new();
    file.take(crate::yaml::SMALL.size as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
    load_bytes(&bytes, &path.display().to_string(), early)
}

/// Validates catalogue text; `file` names it in messages.
pub fn load_str(text: &str, file: &str) -> Result<Loaded> {
    load_bytes(text.as_bytes(), file, &|_| Vec::new())
}

fn one(file: &str, pos: Option<Pos>, pointer: &str, message: impl Into<String>) -> Error {
    Error::Catalogue(vec![Diagnostic {
        severity: Severity::Error,
        file: file.to_string(),
        pos,
        pointer: pointer.to_string(),
        subject: None,
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

/// Loads catalogue bytes: checks the text, parses it, validates it against the schema (every problem at once) and
/// the durations Prometheus can hold; `file` names it in messages.
fn load_bytes(bytes: &[u8], file: &str, early: EarlyCheck<'_>) -> Result<Loaded> {
    // A UTF-8 byte-order mark (Windows editors write one) is not part of the document.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = checked_text(bytes, file)?;
    // One pass gives the positions, and the JSON when serde_yaml would read the same; else serde_yaml reads it.
    let read = super::position::read(text);
    let json = match read.json {
        Some(json) => json,
        None => parse_yaml(text, file)?,
    };
    let positions = read.positions;
    if !json.is_object() {
        return Err(one(
            file,
            positions.find(""),
            "",
            "expected a mapping with `cluster`, `defaults` and `releases`",
        ));
    }
    let mut diags = schema_diagnostics(&json, file, text, &positions);
    if !diags.is_empty() {
        for (pointer, message) in early(&json) {
            // A value the schema already refused (a chart name that is not a string) is reported once.
            if !diags.iter().any(|d| d.pointer == pointer) {
                diags.push(diag(file, &positions, &json, &pointer, message));
            }
        }
        diags.sort_by_key(|d| (d.pos, d.pointer.clone()));
        diags.dedup();
        return Err(Error::Catalogue(diags));
    }
    let catalogue: Catalogue =
        serde_json::from_value(json).map_err(|e| one(file, positions.find(""), "", format!("not a catalogue: {e}")))?;
    let diags = duration_diagnostics(&catalogue, file, &positions);
    if !diags.is_empty() {
        return Err(Error::Catalogue(diags));
    }
    Ok(Loaded {
        catalogue,
        file: file.to_string(),
        positions,
    })
}

/// The catalogue's text, refused before parsing when it is over the size or depth bounds, not UTF-8, empty, or
/// indented with tabs: each with the place and what to do.
fn checked_text<'a>(bytes: &'a [u8], file: &str) -> Result<&'a str> {
    if let Err(e) = crate::yaml::check_bounds(
        // Bounds are checked on the bytes' valid prefix; the UTF-8 error below reports the rest.
        std::str::from_utf8(bytes).unwrap_or_else(|e| std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or("")),
        crate::yaml::SMALL,
    ) {
        return Err(one(
            file,
            Some(pos_of_offset(bytes, e.offset)),
            "",
            format!(
                "{}; a catalogue is at most {} KiB and {} levels deep",
                e.message,
                crate::yaml::SMALL.size >> 10,
                crate::yaml::SMALL.depth
            ),
        ));
    }
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
    Ok(text)
}

/// The catalogue's YAML as JSON (what the schema validates), or where and why it is not valid YAML.
fn parse_yaml(text: &str, file: &str) -> Result<Value> {
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
    serde_json::to_value(&yaml).map_err(|e| one(file, None, "", format!("not a catalogue: {e}")))
}

/// Every schema violation of `json`, each in the user's terms at its place.
fn schema_diagnostics(json: &Value, file: &str, text: &str, positions: &Positions) -> Vec<Diagnostic> {
    let source = |pointer: &str| source_value(text, positions, pointer);
    // Deciding validity alone builds no error paths: errors are collected only for a catalogue that has some.
    if certainly_valid(json) || validator().is_valid(json) {
        return Vec::new();
    }
    validator()
        .iter_errors(json)
        .flat_map(|err| schema_messages(&err, schema_once(), &source))
        .map(|(pointer, message)| diag(file, positions, json, &pointer, message))
        .collect()
}

/// One schema violation as (JSON pointer, message) pairs: unknown keys (one each, with a suggestion and the known
/// ones), values outside an enumeration, patterns, key names and lengths; anything else in the validator's words.
fn schema_messages(
    err: &jsonschema::ValidationError<'_>,
    schema: &Value,
    source: &dyn Fn(&str) -> Option<String>,
) -> Vec<(String, String)> {
    use jsonschema::error::ValidationErrorKind as Kind;
    let pointer = err.instance_path().as_str().to_string();
    let message = match err.kind() {
        Kind::Type {
            kind: jsonschema::error::TypeKind::Single(jsonschema::JsonType::String),
        } if matches!(err.instance().as_ref(), Value::Number(_) | Value::Bool(_)) => {
            unquoted_message(err.instance(), source(&pointer))
        }
        Kind::AdditionalProperties { unexpected } => {
            let known = known_properties(schema, err.schema_path().as_str());
            return unexpected
                .iter()
                .map(|key| {
                    let p = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                    (p, unknown_key_message(key, &known))
                })
                .collect();
        }
        _ if !enum_options(schema, err.schema_path().as_str()).is_empty() => {
            let opts = enum_options(schema, err.schema_path().as_str());
            let found = shown(err.instance());
            let mut message = format!("{found} is not one of: {}", opts.join(", "));
            message.push_str(&suggestion(err.instance(), &opts));
            message
        }
        Kind::Pattern { pattern } => pattern_message(err.instance(), pattern),
        Kind::Custom { keyword, message } if keyword == "pattern" => pattern_message(err.instance(), message),
        Kind::PropertyNames { error } => match error.kind() {
            Kind::Pattern { pattern } => format!("key {}", pattern_message(error.instance(), pattern)),
            Kind::Custom { keyword, message } if keyword == "pattern" => {
                format!("key {}", pattern_message(error.instance(), message))
            }
            Kind::MaxLength { limit } => {
                format!("key {} is longer than {limit} characters", shown(error.instance()))
            }
            _ => format!("key {}: {}", shown(error.instance()), error.kind().keyword()),
        },
        Kind::MaxLength { limit } => {
            let n = err.instance().as_str().map_or(0, |s| s.chars().count());
            format!(
                "{} is {n} characters long; at most {limit} are allowed",
                shown(err.instance())
            )
        }
        _ => other_message(err),
    };
    vec![(pointer, message)]
}

/// A number or boolean where a string belongs: YAML read the unquoted text as one (`version: 1.46` is the number
/// 1.46, `1.10` even 1.1), so say to quote it as written.
fn unquoted_message(found: &Value, written: Option<String>) -> String {
    let what = if found.is_boolean() { "a boolean" } else { "a number" };
    let written = written.unwrap_or_else(|| found.to_string());
    format!(
        "{} is {what} to YAML, but a string is expected here: quote it, \"{}\"",
        shown(found),
        written.replace('\\', "\\\\").replace('"', "\\\"")
    )
}

/// The value as written on the line of `pointer`'s key (`key: value  # comment` → `value`), if it is on that line.
fn source_value(text: &str, positions: &Positions, pointer: &str) -> Option<String> {
    let pos = positions.find(pointer)?;
    let line = text.lines().nth(pos.line.checked_sub(1)?)?;
    let rest: String = line.chars().skip(pos.column.saturating_sub(1)).collect();
    let (_, value) = rest.split_once(':')?;
    let value = value.split(" #").next()?.trim();
    (!value.is_empty()).then(|| value.to_string())
}

/// An unknown key's message: a close known key to suggest, and the known ones.
fn unknown_key_message(key: &str, known: &[String]) -> String {
    let mut message = format!("unknown key `{key}`");
    if let Some(s) = crate::suggest::did_you_mean(key, known.iter().map(String::as_str)) {
        message.push_str(&format!("; did you mean `{s}`?"));
    }
    if !known.is_empty() {
        message.push_str(&format!(" (expected one of: {})", known.join(", ")));
    }
    message
}

/// `; did you mean `x`?` when `found` is a string close to one of `options`, else nothing.
fn suggestion(found: &Value, options: &[String]) -> String {
    found
        .as_str()
        .and_then(|f| crate::suggest::did_you_mean(f, options.iter().map(String::as_str)))
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default()
}

/// A schema violation no specific message covers: the validator's words, cut short when long, with a suggestion
/// for an enumeration.
fn other_message(err: &jsonschema::ValidationError<'_>) -> String {
    let mut message = err.to_string();
    if message.chars().count() > 300 {
        message = format!(
            "{}… ({})",
            message.chars().take(120).collect::<String>(),
            err.kind().keyword()
        );
    }
    if let jsonschema::error::ValidationErrorKind::Enum { options } = err.kind() {
        let opts: Vec<String> = options
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|o| o.as_str().map(String::from))
            .collect();
        message.push_str(&suggestion(err.instance(), &opts));
    }
    message
}

/// The alert durations beyond what Prometheus can hold (it would refuse the rule).
fn duration_diagnostics(catalogue: &Catalogue, file: &str, positions: &Positions) -> Vec<Diagnostic> {
    // The catalogue was just read from JSON-compatible YAML: it always has a JSON form again.
    let json = serde_json::to_value(catalogue).expect("a catalogue serialises");
    catalogue
        .alerts
        .as_ref()
        .map(durations)
        .unwrap_or_default()
        .into_iter()
        .filter(|(_, value)| prometheus_nanos(value).is_none())
        .map(|(key, value)| {
            diag(
                file,
                positions,
                &json,
                &format!("/alerts/{key}"),
                format!(
                    "{value:?} is beyond Prometheus' range of durations (at most 292 years, 106751d); Prometheus would refuse the rule"
                ),
            )
        })
        .collect()
}

fn diag(file: &str, positions: &Positions, json: &Value, pointer: &str, message: String) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        file: file.into(),
        pos: positions.find(pointer),
        pointer: pointer.into(),
        subject: json_subject(json, pointer),
        message,
    }
}

/// A pattern failure in the user's terms.
fn pattern_message(instance: &Value, pattern: &str) -> String {
    match super::pattern::EXPECTED.iter().find(|(p, _)| *p == pattern) {
        Some((_, expected)) => format!("{}: {expected}", shown(instance)),
        None => format!("{} does not match {pattern}", shown(instance)),
    }
}

/// The alert durations by catalogue key.
fn durations(a: &super::Alerts) -> Vec<(&'static str, &str)> {
    vec![
        ("replicasUnavailableFor", a.replicas_unavailable_for.as_str()),
        ("colocatedFor", a.colocated_for.as_str()),
        ("singleInstanceDownFor", a.single_instance_down_for.as_str()),
        ("singleInstanceDownForTier1", a.single_instance_down_for_tier1.as_str()),
        ("pdbBlockingFor", a.pdb_blocking_for.as_str()),
        ("podsPerNodeFor", a.pods_per_node_for.as_str()),
    ]
}

/// A duration of the form `<digits><unit>` in nanoseconds, when Prometheus can hold it: its `model.ParseDuration`
/// refuses anything above the largest Go `time.Duration` (2^63 − 1 ns, about 292 years) with "duration out of range".
pub fn prometheus_nanos(d: &str) -> Option<i64> {
    let split = d.find(|c: char| !c.is_ascii_digit())?;
    let (n, unit) = d.split_at(split);
    let n: u128 = n.parse().ok()?;
    let ms: u128 = match unit {
        "ms" => 1,
        "s" => 1_000,
        "m" => 60_000,
        "h" => 3_600_000,
        "d" => 86_400_000,
        "w" => 7 * 86_400_000,
        "y" => 365 * 86_400_000,
        _ => return None,
    };
    i64::try_from(n.checked_mul(ms)?.checked_mul(1_000_000)?).ok()
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

    #[test]
    fn values_are_shown_as_written() {
        let text = "a:\n  version: 1.10   # a comment\n  n: 3\n";
        let p = Positions::of(text);
        struct Case {
            pointer: &'static str,
            want: Option<&'static str>,
        }
        let cases = [
            Case {
                pointer: "/a/version",
                want: Some("1.10"),
            },
            Case {
                pointer: "/a/n",
                want: Some("3"),
            },
            Case {
                pointer: "/a",
                want: None,
            },
        ];
        for c in cases {
            assert_eq!(source_value(text, &p, c.pointer).as_deref(), c.want, "{}", c.pointer);
        }
        assert_eq!(
            unquoted_message(&serde_json::json!(1.1), Some("1.10".into())),
            "1.1 is a number to YAML, but a string is expected here: quote it, \"1.10\""
        );
    }

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
    fn a_byte_order_mark_is_skipped_and_positions_stay_right() {
        let e = errors("\u{feff}cluster: {name: a, nodes: [{name: n}]}\ndefaults:\n  replica: 2\nreleases: []\n");
        assert!(
            e[0].starts_with("c.yaml:3:3: error: defaults.replica: unknown key"),
            "{e:?}"
        );
    }

    #[test]
    fn oversized_text_is_refused_before_parsing() {
        let big = format!("cluster:\n  name: {}\n", "a".repeat(2 << 20));
        let e = errors(&big);
        assert!(e[0].contains("the input is larger than 1 MiB"), "{e:?}");
        let long = "cluster: {name: a, nodes: [{name: n}]}\ndefaults: {}\nreleases:\n- name: r\n  chart: coredns\n  repository: https://x.io\n  version: 1.46.2\n  namespace: n\n  components:\n  - name: coredns\n    tier: 1\n    purpose: PURPOSE\n    impact: x\n";
        let e = errors(&long.replace("PURPOSE", &"p".repeat(100_000)));
        assert_eq!(
            e[0],
            format!(
                "c.yaml:12:5: error: releases[0].components[0].purpose (release r, component coredns): \"{}… is 100000 characters long; at most 500 are allowed",
                "p".repeat(59)
            )
        );
    }

    #[test]
    fn durations_beyond_prometheus_range_are_refused() {
        assert_eq!(prometheus_nanos("106751d"), Some(106_751 * 86_400 * 1_000_000_000));
        assert_eq!(prometheus_nanos("106752d"), None);
        assert_eq!(prometheus_nanos("292y"), Some(292 * 365 * 86_400 * 1_000_000_000));
        assert_eq!(prometheus_nanos("293y"), None);
        assert_eq!(prometheus_nanos("99999999999999999999999999999999999999999y"), None);
        assert_eq!(prometheus_nanos("0s"), Some(0));
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

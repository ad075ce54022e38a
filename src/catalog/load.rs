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

/// The catalogue's JSON Schema, derived from the serde types. Draft-07: what editors (yaml-language-server) read
/// best, and a third cheaper for the validator to compile than 2020-12 (its meta-schema is smaller).
pub fn schema() -> Value {
    let schema = schemars::generate::SchemaSettings::draft07()
        .into_generator()
        .into_root_schema_for::<Catalogue>();
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

/// [`schema`], once per process (the validator and the messages both read it): the committed
/// catalog/cluster.schema.json, embedded at build time, which a test keeps equal to [`schema`] (parsing it is a
/// tenth of deriving it again).
fn schema_once() -> &'static Value {
    static S: OnceLock<Value> = OnceLock::new();
    S.get_or_init(|| serde_json::from_str(COMMITTED).unwrap_or_else(|_| schema()))
}

/// `hagen schema` as committed beside the shipped catalogue.
const COMMITTED: &str = include_str!("../../catalog/cluster.schema.json");

fn validator() -> &'static jsonschema::Validator {
    static V: OnceLock<jsonschema::Validator> = OnceLock::new();
    V.get_or_init(|| {
        // The schema is derived at compile time from our own types; failing to compile it is a bug in hagen.
        jsonschema::options()
            .with_keyword("pattern", pattern_keyword)
            .build(schema_once())
            .expect("hagen's own catalogue schema compiles")
    })
}

/// The schema's `pattern` keyword, matched without the validator's own engine: compiling the catalogue schema's
/// 14 patterns with fancy-regex was more than half of building the validator (BENCHMARKS.md). Each is translated
/// from ECMA-262 as the validator translates it, then decided as cheaply as its shape allows ([`Matcher`]); a test
/// keeps every match equal to the validator's own keyword. A failure is reported as the built-in keyword's
/// (`schema_messages` reads its pattern back).
struct Pattern {
    matcher: std::sync::Arc<Matcher>,
    pattern: String,
}

/// How a pattern is decided.
enum Matcher {
    /// `^[C]*$` or `^[C]+$` (the control-character patterns of every free text): every character in the class,
    /// ASCII ones from a table made with `class` (`^[C]$`), others by matching them alone.
    Run {
        ascii: u128,
        class: regex_lite::Regex,
        min: usize,
    },
    /// An anchored sequence of classes: the validator's own decision for ASCII text, regex-lite for the rest.
    Sequence(jsonschema_regex::Sequence, regex_lite::Regex),
    /// Anything else: regex-lite (a tenth of the regex crate's compile cost; the strings are short).
    Regex(regex_lite::Regex),
}

impl Matcher {
    fn is_match(&self, s: &str) -> bool {
        match self {
            Matcher::Run { ascii, class, min } => {
                let mut buf = [0u8; 4];
                s.chars().count() >= *min
                    && s.chars().all(|c| match u32::from(c) {
                        n @ 0..128 => ascii & (1u128 << n) != 0,
                        _ => class.is_match(c.encode_utf8(&mut buf)),
                    })
            }
            Matcher::Sequence(sequence, regex) => sequence.is_match(s.as_bytes()).unwrap_or_else(|| regex.is_match(s)),
            Matcher::Regex(regex) => regex.is_match(s),
        }
    }

    /// The matcher of an ECMA-262 pattern, or `None` when regex-lite cannot take its translation.
    fn of(pattern: &str) -> Option<Matcher> {
        let translated = jsonschema_regex::to_rust_regex(pattern).ok()?;
        let flat = flat_classes(&translated)?;
        let regex = regex_lite::Regex::new(&flat).ok()?;
        if let Some(body) = flat.strip_prefix("^[")
            && let Some((class, min)) = body
                .strip_suffix("]*$")
                .map(|c| (c, 0))
                .or_else(|| body.strip_suffix("]+$").map(|c| (c, 1)))
            && one_class(class)
        {
            let class = regex_lite::Regex::new(&format!("^[{class}]$")).ok()?;
            let ascii = (0u8..128)
                .filter(|b| class.is_match(char::from(*b).encode_utf8(&mut [0; 4])))
                .fold(0u128, |bits, b| bits | (1u128 << b));
            return Some(Matcher::Run { ascii, class, min });
        }
        Some(match jsonschema_regex::Sequence::compile(&translated) {
            Some(sequence) => Matcher::Sequence(sequence, regex),
            None => Matcher::Regex(regex),
        })
    }
}

/// Whether a class body (between `[` and `]`) holds no `]` of its own, escapes skipped.
fn one_class(body: &str) -> bool {
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '[' | ']' => return false,
            _ => {}
        }
    }
    true
}

impl<'i> jsonschema::Keyword<'i> for Pattern {
    fn validate(&self, instance: &'i Value) -> std::result::Result<(), jsonschema::ValidationError<'i>> {
        if self.is_valid(instance) {
            Ok(())
        } else {
            Err(jsonschema::ValidationError::custom(self.pattern.clone()))
        }
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        instance.as_str().is_none_or(|s| self.matcher.is_match(s))
    }
}

type KeywordResult<'a> = std::result::Result<Box<dyn for<'i> jsonschema::Keyword<'i>>, jsonschema::ValidationError<'a>>;

fn pattern_keyword<'a>(
    _: &'a serde_json::Map<String, Value>,
    value: &'a Value,
    _: jsonschema::paths::Location,
) -> KeywordResult<'a> {
    let pattern = value
        .as_str()
        .ok_or_else(|| jsonschema::ValidationError::schema("a pattern is a string"))?;
    let matcher = matcher(pattern)
        .ok_or_else(|| jsonschema::ValidationError::schema(format!("{pattern} does not compile with regex-lite")))?;
    Ok(Box::new(Pattern {
        matcher,
        pattern: pattern.to_string(),
    }))
}

/// The matcher of an ECMA-262 pattern, made once per process (the schema repeats most of its patterns).
fn matcher(pattern: &str) -> Option<std::sync::Arc<Matcher>> {
    type Cache = Vec<(String, std::sync::Arc<Matcher>)>;
    static CACHE: std::sync::Mutex<Cache> = std::sync::Mutex::new(Vec::new());
    let mut cache = CACHE.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, m)) = cache.iter().find(|(p, _)| p == pattern) {
        return Some(m.clone());
    }
    let m = std::sync::Arc::new(Matcher::of(pattern)?);
    cache.push((pattern.to_string(), m.clone()));
    Some(m)
}

/// A translated pattern with its nested character classes merged into the class around them (`[^[\s]a]` →
/// `[^\sa]`: a class of a union is the union), which regex-lite does not nest; `None` for a nested negated class or
/// a set operation, which do not merge.
fn flat_classes(re: &str) -> Option<String> {
    let mut out = String::with_capacity(re.len());
    let mut depth = 0usize;
    let mut chars = re.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                out.push(c);
                out.extend(chars.next());
            }
            '[' if depth == 0 => {
                depth = 1;
                out.push(c);
                if chars.peek() == Some(&'^') {
                    out.extend(chars.next());
                }
            }
            '[' if matches!(chars.peek(), Some('^' | ':')) => return None,
            '[' => depth += 1,
            ']' if depth > 1 => depth -= 1,
            ']' if depth == 1 => {
                depth = 0;
                out.push(c);
            }
            '&' | '-' | '~' if depth > 0 && chars.peek() == Some(&c) => return None,
            _ => out.push(c),
        }
    }
    Some(out)
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
    let json = parse_yaml(text, file)?;
    let positions = Positions::of(text);
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
    if validator().is_valid(json) {
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
    fn the_embedded_schema_is_the_derived_one() {
        // `hagen schema > catalog/cluster.schema.json` (or HAGEN_BLESS=1 cargo test) after changing the types.
        assert_eq!(schema_once(), &schema(), "catalog/cluster.schema.json is stale");
    }

    fn collect_patterns(v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => m.iter().for_each(|(k, v)| match v {
                Value::String(p) if k == "pattern" => out.push(p.clone()),
                _ => collect_patterns(v, out),
            }),
            Value::Array(a) => a.iter().for_each(|v| collect_patterns(v, out)),
            _ => {}
        }
    }

    /// `s` with the character at `at` (of its length) replaced by `c`, or `c` when it is empty.
    fn mutated(s: &str, at: usize, c: char) -> String {
        let chars: Vec<char> = s.chars().collect();
        if chars.is_empty() {
            return c.to_string();
        }
        let at = at % chars.len();
        chars
            .iter()
            .enumerate()
            .map(|(i, &x)| if i == at { c } else { x })
            .collect()
    }

    #[test]
    fn patterns_match_as_the_validators_own_keyword() {
        use proptest::prelude::*;
        let mut patterns = Vec::new();
        collect_patterns(schema_once(), &mut patterns);
        patterns.sort();
        patterns.dedup();
        assert!(patterns.len() >= 14, "{patterns:?}");
        let alphabet: Vec<char> =
            "aAzZkmsvy09-_./:+@ \t\n\r\u{0}\u{1f}\u{7f}\u{85}\u{9f}\u{a0}\u{2028}\u{2029}\u{feff}\u{3000}é\"<>\\^`{|}"
                .chars()
                .collect();
        for p in &patterns {
            let reference = jsonschema::validator_for(&serde_json::json!({ "pattern": p })).expect("a pattern");
            let ours = matcher(p).expect("every schema pattern compiles with regex-lite");
            let translated = jsonschema_regex::to_rust_regex(p).expect("translates").into_owned();
            // Strings the pattern matches (the generator takes no anchors: every schema pattern is anchored).
            let body = translated
                .strip_prefix('^')
                .and_then(|t| t.strip_suffix('$'))
                .expect("anchored");
            let matching = proptest::string::string_regex(body).expect("a generator");
            let random = proptest::collection::vec(proptest::sample::select(alphabet.clone()), 0..24)
                .prop_map(|c| c.into_iter().collect::<String>());
            let strategy = (
                prop_oneof![matching, random],
                any::<usize>(),
                proptest::sample::select(alphabet.clone()),
            );
            let mut runner = proptest::test_runner::TestRunner::deterministic();
            runner
                .run(&strategy, |(s, at, c)| {
                    for s in [mutated(&s, at, c), s] {
                        prop_assert_eq!(
                            ours.is_match(&s),
                            reference.is_valid(&serde_json::json!(s)),
                            "{} on {:?}",
                            p,
                            s
                        );
                    }
                    Ok(())
                })
                .unwrap_or_else(|e| panic!("{e}"));
        }
    }

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

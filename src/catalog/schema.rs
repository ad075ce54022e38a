//! The catalogue's JSON Schema: derived from the serde types, committed beside the shipped catalogue, and decided
//! for an instance. A catalogue is first walked against the schema by [`certainly_valid`], which says yes only
//! when the validator would; only a catalogue it cannot vouch for builds the validator (compiling the schema and
//! meta-validating it was a fifth of `hagen generate --check`, BENCHMARKS.md), whose errors make the messages.

use super::Catalogue;
use serde_json::Value;
use std::cmp::Ordering;
use std::sync::OnceLock;

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

/// [`schema`] as the validator and the walk read it, once per process: the committed catalog/cluster.schema.json
/// without its annotations, embedded by build.rs ([`super::annotations`]); a test keeps it equal to [`schema`].
/// Parsing it is a tenth of deriving the schema again, and a third of parsing the committed file.
pub(super) fn schema_once() -> &'static Value {
    static S: OnceLock<Value> = OnceLock::new();
    S.get_or_init(|| {
        serde_json::from_str(VALIDATED).unwrap_or_else(|_| super::annotations::without_annotations(&schema()))
    })
}

/// The committed schema without annotations (build.rs).
const VALIDATED: &str = include_str!(concat!(env!("OUT_DIR"), "/catalogue_schema.json"));

pub(super) fn validator() -> &'static jsonschema::Validator {
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
    Sequence(jsonschema_regex::Sequence, Fallback),
    /// `^[A]([B]*[C])?$` (a DNS label and its kin): ASCII text decided by the three classes' tables, regex-lite for
    /// the rest.
    Label {
        first: u128,
        middle: u128,
        last: u128,
        regex: Fallback,
    },
    /// `^[A]+(w1|w2|…)$` with no letter of a word in A (a duration): ASCII text is a run of A, then one of the
    /// words; regex-lite for the rest.
    Suffixed {
        run: u128,
        words: Vec<String>,
        regex: Fallback,
    },
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
            Matcher::Label { regex, .. } | Matcher::Suffixed { regex, .. } if !s.is_ascii() => regex.is_match(s),
            Matcher::Label {
                first, middle, last, ..
            } => {
                let bytes = s.as_bytes();
                let has = |table: &u128, b: &u8| table & (1u128 << b) != 0;
                match bytes {
                    [] => false,
                    [only] => has(first, only),
                    [head, body @ .., tail] => {
                        has(first, head) && has(last, tail) && body.iter().all(|b| has(middle, b))
                    }
                }
            }
            Matcher::Suffixed { run, words, .. } => {
                let n = s.bytes().take_while(|b| run & (1u128 << b) != 0).count();
                n > 0 && words.iter().any(|w| *w == s[n..])
            }
            Matcher::Regex(regex) => regex.is_match(s),
        }
    }

    /// The matcher of an ECMA-262 pattern, or `None` when regex-lite cannot take its translation.
    fn of(pattern: &str) -> Option<Matcher> {
        // A pattern without an escape translates to itself (a test holds every such schema pattern to it).
        let translated = if pattern.contains('\\') {
            jsonschema_regex::to_rust_regex(pattern).ok()?
        } else {
            std::borrow::Cow::Borrowed(pattern)
        };
        let flat = flat_classes(&translated)?;
        if let Some(body) = flat.strip_prefix("^[")
            && let Some((class, min)) = body
                .strip_suffix("]*$")
                .map(|c| (c, 0))
                .or_else(|| body.strip_suffix("]+$").map(|c| (c, 1)))
            && one_class(class)
        {
            let ascii = ascii_table(class)?;
            let class = regex_lite::Regex::new(&format!("^[{class}]$")).ok()?;
            return Some(Matcher::Run { ascii, class, min });
        }
        if let Some(m) = label(&flat).or_else(|| suffixed(&flat)) {
            return Some(m);
        }
        Some(match jsonschema_regex::Sequence::compile(&translated) {
            Some(sequence) => Matcher::Sequence(sequence, Fallback::new(&flat)),
            None => Matcher::Regex(regex_lite::Regex::new(&flat).ok()?),
        })
    }

    /// Whether regex-lite takes what this matcher leaves to it.
    #[cfg(test)]
    fn compiles(&self) -> bool {
        match self {
            Matcher::Sequence(_, f) | Matcher::Label { regex: f, .. } | Matcher::Suffixed { regex: f, .. } => {
                f.regex().is_some()
            }
            Matcher::Run { .. } | Matcher::Regex(_) => true,
        }
    }
}

/// regex-lite's matcher of a translated pattern, for the text a matcher's tables leave to it (non-ASCII), compiled
/// when first needed: most runs never need it. A test compiles every schema pattern's.
struct Fallback {
    source: String,
    regex: OnceLock<Option<regex_lite::Regex>>,
}

impl Fallback {
    fn new(source: &str) -> Fallback {
        Fallback {
            source: source.to_string(),
            regex: OnceLock::new(),
        }
    }

    fn regex(&self) -> Option<&regex_lite::Regex> {
        self.regex
            .get_or_init(|| regex_lite::Regex::new(&self.source).ok())
            .as_ref()
    }

    fn is_match(&self, s: &str) -> bool {
        self.regex().is_some_and(|r| r.is_match(s))
    }
}

/// The ASCII characters of the class body `class` (between `[` and `]`), as a table; `None` when it does not
/// compile alone.
fn ascii_table(class: &str) -> Option<u128> {
    if let Some(table) = listed_table(class) {
        return Some(table);
    }
    let one = regex_lite::Regex::new(&format!("^[{class}]$")).ok()?;
    Some(
        (0u8..128)
            .filter(|b| one.is_match(char::from(*b).encode_utf8(&mut [0; 4])))
            .fold(0u128, |bits, b| bits | (1u128 << b)),
    )
}

/// The table of a class body that only lists ASCII characters and ranges (`-a-z0-9_.`; a `-` first or last is
/// itself), read without compiling it; `None` for anything else (a negation, an escape, a nested class).
fn listed_table(class: &str) -> Option<u128> {
    let b = class.as_bytes();
    if !class.is_ascii() || b.first() == Some(&b'^') || b.iter().any(|c| matches!(c, b'\\' | b'[' | b']')) {
        return None;
    }
    let (mut table, mut i) = (0u128, 0);
    while i < b.len() {
        if i + 2 < b.len() && b[i + 1] == b'-' {
            if b[i] > b[i + 2] {
                return None;
            }
            (b[i]..=b[i + 2]).for_each(|c| table |= 1u128 << c);
            i += 3;
        } else {
            table |= 1u128 << b[i];
            i += 1;
        }
    }
    Some(table)
}

/// The class body at the start of `s` (after its `[`) and what follows its `]`.
fn class_at(s: &str) -> Option<(&str, &str)> {
    let s = s.strip_prefix('[')?;
    let end = s.find(']')?;
    let (body, rest) = (&s[..end], &s[end + 1..]);
    (!body.is_empty() && !body.contains('\\') && one_class(body)).then_some((body, rest))
}

/// [`Matcher::Label`] for a flat pattern `^[A]([B]*[C])?$`.
fn label(flat: &str) -> Option<Matcher> {
    let (a, rest) = class_at(flat.strip_prefix('^')?)?;
    let (b, rest) = class_at(rest.strip_prefix('(')?)?;
    let (c, rest) = class_at(rest.strip_prefix('*')?)?;
    (rest == ")?$").then_some(())?;
    Some(Matcher::Label {
        first: ascii_table(a)?,
        middle: ascii_table(b)?,
        last: ascii_table(c)?,
        regex: Fallback::new(flat),
    })
}

/// [`Matcher::Suffixed`] for a flat pattern `^[A]+(w1|w2|…)$`, the words plain letters none of which is in A.
fn suffixed(flat: &str) -> Option<Matcher> {
    let (a, rest) = class_at(flat.strip_prefix('^')?)?;
    let words = rest.strip_prefix("+(")?.strip_suffix(")$")?;
    let run = ascii_table(a)?;
    let words: Vec<String> = words.split('|').map(String::from).collect();
    let plain = |w: &String| !w.is_empty() && w.bytes().all(|b| b.is_ascii_alphabetic() && run & (1u128 << b) == 0);
    words.iter().all(plain).then_some(Matcher::Suffixed {
        run,
        words,
        regex: Fallback::new(flat),
    })
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

/// What walking the schema says of an instance: what the validator would say, or that the walk cannot tell (a
/// keyword or a value it does not decide exactly). Every `Valid` and every `Invalid` is the validator's own answer,
/// so that `oneOf` and `anyOf` count alternatives as the validator counts them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Verdict {
    Valid,
    Invalid,
    Unsure,
}

use Verdict::{Invalid, Unsure, Valid};

impl Verdict {
    fn of(ok: bool) -> Verdict {
        if ok { Valid } else { Invalid }
    }
}

/// Every verdict holds: the first `Invalid` decides; else any `Unsure` leaves it open.
fn every(verdicts: impl IntoIterator<Item = Verdict>) -> Verdict {
    let mut all = Valid;
    for v in verdicts {
        match v {
            Invalid => return Invalid,
            Unsure => all = Unsure,
            Valid => {}
        }
    }
    all
}

/// Whether the validator accepts `instance` for certain, told without building it: `false` also when the walk
/// cannot tell, and the validator decides.
pub(super) fn certainly_valid(instance: &Value) -> bool {
    let root = schema_once();
    decide(root, root, instance, 0) == Valid
}

/// Keywords the validator does not apply to an instance, and neither does the walk: the annotations (gone from the
/// embedded schema, ignored all the same), the schema's draft and the definitions `$ref` points into.
fn ignored(keyword: &str) -> bool {
    super::annotations::ANNOTATIONS.contains(&keyword) || matches!(keyword, "$schema" | "definitions")
}

/// The formats the catalogue schema names (schemars' integer widths): unknown to the validator, which ignores them.
const IGNORED_FORMATS: &[&str] = &["uint8", "uint16", "uint32", "uint64", "int32", "int64"];

/// Keywords the walk decides exactly; a schema with any other is left to the validator.
const DECIDED: &[&str] = &[
    "type",
    "$ref",
    "properties",
    "additionalProperties",
    "required",
    "propertyNames",
    "minProperties",
    "maxProperties",
    "items",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "const",
    "enum",
    "allOf",
    "anyOf",
    "oneOf",
    "format",
];

/// A draft-07 schema (`schema`, inside `root`) applied to `instance`, as the validator applies it.
fn decide(root: &Value, schema: &Value, instance: &Value, depth: usize) -> Verdict {
    let map = match schema {
        Value::Bool(b) => return Verdict::of(*b),
        Value::Object(map) if depth < 128 => map,
        _ => return Unsure,
    };
    if map.iter().any(|(k, v)| {
        !(ignored(k) || DECIDED.contains(&k.as_str()))
            || (k == "format" && !v.as_str().is_some_and(|f| IGNORED_FORMATS.contains(&f)))
    }) {
        return Unsure;
    }
    // Draft 7 ignores what stands beside a `$ref`; the walk leaves such a schema to the validator.
    if map.contains_key("$ref") && map.keys().any(|k| k != "$ref" && !ignored(k)) {
        return Unsure;
    }
    let at = Walk { root, map, depth };
    every(map.iter().map(|(keyword, v)| match instance {
        Value::Object(fields) if OBJECT_KEYWORDS.contains(&keyword.as_str()) => at.object(keyword, v, fields),
        // An object keyword passes what is not an object.
        _ if OBJECT_KEYWORDS.contains(&keyword.as_str()) => Valid,
        _ => at.keyword(keyword, v, instance),
    }))
}

/// The keywords that apply to objects only.
const OBJECT_KEYWORDS: &[&str] = &[
    "properties",
    "additionalProperties",
    "required",
    "propertyNames",
    "minProperties",
    "maxProperties",
];

/// Where the walk is: the root (for `$ref`), the schema object whose keywords are applied, how deep.
struct Walk<'a> {
    root: &'a Value,
    map: &'a serde_json::Map<String, Value>,
    depth: usize,
}

impl Walk<'_> {
    fn sub(&self, schema: &Value, instance: &Value) -> Verdict {
        decide(self.root, schema, instance, self.depth + 1)
    }

    /// An object keyword applied to an object's `fields`.
    fn object(&self, keyword: &str, v: &Value, fields: &serde_json::Map<String, Value>) -> Verdict {
        match (keyword, v) {
            ("properties", Value::Object(props)) => every(
                props
                    .iter()
                    .filter_map(|(name, s)| fields.get(name).map(|f| self.sub(s, f))),
            ),
            ("additionalProperties", _) => {
                let known = self.map.get("properties").and_then(Value::as_object);
                every(
                    fields
                        .iter()
                        .filter(|(k, _)| known.is_none_or(|p| !p.contains_key(*k)))
                        .map(|(_, f)| self.sub(v, f)),
                )
            }
            ("required", Value::Array(names)) => every(
                names
                    .iter()
                    .map(|n| n.as_str().map_or(Unsure, |n| Verdict::of(fields.contains_key(n)))),
            ),
            ("propertyNames", _) => every(fields.keys().map(|k| self.sub(v, &Value::String(k.clone())))),
            ("minProperties", _) => count(v, Some(fields.len()), Ordering::Greater),
            ("maxProperties", _) => count(v, Some(fields.len()), Ordering::Less),
            _ => Unsure,
        }
    }

    /// Any other keyword applied to `instance`.
    fn keyword(&self, keyword: &str, v: &Value, instance: &Value) -> Verdict {
        let alternatives = || match v {
            Value::Array(all) => Some(all.iter().map(|s| self.sub(s, instance)).collect::<Vec<_>>()),
            _ => None,
        };
        match keyword {
            "type" => match v {
                Value::String(t) => has_type(t, instance),
                Value::Array(types) => any(&types
                    .iter()
                    .map(|t| t.as_str().map_or(Unsure, |t| has_type(t, instance)))
                    .collect::<Vec<_>>()),
                _ => Unsure,
            },
            "$ref" => match v
                .as_str()
                .and_then(|r| r.strip_prefix('#'))
                .and_then(|p| self.root.pointer(p))
            {
                Some(target) => self.sub(target, instance),
                None => Unsure,
            },
            "items" => match (v, instance) {
                (Value::Object(_) | Value::Bool(_), Value::Array(items)) => every(items.iter().map(|i| self.sub(v, i))),
                (_, Value::Array(_)) => Unsure,
                _ => Valid,
            },
            "minItems" => count(v, instance.as_array().map(Vec::len), Ordering::Greater),
            "maxItems" => count(v, instance.as_array().map(Vec::len), Ordering::Less),
            "minLength" => count(v, instance.as_str().map(|s| s.chars().count()), Ordering::Greater),
            "maxLength" => count(v, instance.as_str().map(|s| s.chars().count()), Ordering::Less),
            "pattern" => match (v.as_str().and_then(matcher), instance) {
                (Some(m), Value::String(s)) => Verdict::of(m.is_match(s)),
                (None, Value::String(_)) => Unsure,
                _ => Valid,
            },
            "minimum" => bound(v, instance, |o| o != Ordering::Less),
            "maximum" => bound(v, instance, |o| o != Ordering::Greater),
            "exclusiveMinimum" => bound(v, instance, |o| o == Ordering::Greater),
            "exclusiveMaximum" => bound(v, instance, |o| o == Ordering::Less),
            "const" => equal(v, instance),
            "enum" => match v {
                Value::Array(options) => any(&options.iter().map(|o| equal(o, instance)).collect::<Vec<_>>()),
                _ => Unsure,
            },
            "allOf" => alternatives().map_or(Unsure, every),
            "anyOf" => alternatives().map_or(Unsure, |all| any(&all)),
            "oneOf" => match alternatives() {
                Some(all) if !all.contains(&Unsure) => Verdict::of(all.iter().filter(|v| **v == Valid).count() == 1),
                _ => Unsure,
            },
            // Annotations, and the formats the validator ignores.
            _ => Valid,
        }
    }
}

/// One verdict holds: any `Valid` decides; else any `Unsure` leaves it open.
fn any(verdicts: &[Verdict]) -> Verdict {
    if verdicts.contains(&Valid) {
        Valid
    } else if verdicts.contains(&Unsure) {
        Unsure
    } else {
        Invalid
    }
}

/// Whether `instance` is of JSON Schema type `t`. A whole number written as a float (`2.0`) is left to the
/// validator, which counts some of them as integers.
fn has_type(t: &str, instance: &Value) -> Verdict {
    match (t, instance) {
        ("integer", Value::Number(n)) if n.is_f64() => match n.as_f64() {
            Some(f) if f.fract() != 0.0 => Invalid,
            _ => Unsure,
        },
        ("integer", Value::Number(_)) | ("number", Value::Number(_)) => Valid,
        ("string", Value::String(_))
        | ("boolean", Value::Bool(_))
        | ("null", Value::Null)
        | ("array", Value::Array(_))
        | ("object", Value::Object(_)) => Valid,
        ("integer" | "number" | "string" | "boolean" | "null" | "array" | "object", _) => Invalid,
        _ => Unsure,
    }
}

/// A size keyword: `len` (the instance's, when the keyword applies to it) against the bound `v`; `keep` is the
/// side of the bound that passes (equal always does).
fn count(v: &Value, len: Option<usize>, keep: Ordering) -> Verdict {
    match (v.as_u64(), len) {
        (_, None) => Valid,
        (Some(b), Some(n)) => Verdict::of((n as u64).cmp(&b) != keep.reverse()),
        (None, Some(_)) => Unsure,
    }
}

/// A numeric bound: `ok` of how the instance compares with the bound `v`; an instance that is not a number passes.
fn bound(v: &Value, instance: &Value, ok: impl Fn(Ordering) -> bool) -> Verdict {
    let Value::Number(x) = instance else {
        return Valid;
    };
    match v.as_number().and_then(|b| compare(x, b)) {
        Some(o) => Verdict::of(ok(o)),
        None => Unsure,
    }
}

/// Two JSON numbers compared exactly: as integers when both are, as floats when both are exact in a double.
fn compare(x: &serde_json::Number, b: &serde_json::Number) -> Option<Ordering> {
    let whole = |n: &serde_json::Number| n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from));
    if let (Some(x), Some(b)) = (whole(x), whole(b)) {
        return Some(x.cmp(&b));
    }
    const EXACT: f64 = 9_007_199_254_740_992.0;
    let (x, b) = (x.as_f64()?, b.as_f64()?);
    if x.abs() > EXACT || b.abs() > EXACT {
        return None;
    }
    x.partial_cmp(&b)
}

/// `const`: equal values are equal to the validator too; unequal ones are unequal to it unless numbers are
/// involved (`1` and `1.0` are one number to it).
fn equal(v: &Value, instance: &Value) -> Verdict {
    if v == instance {
        Valid
    } else if has_number(v) || has_number(instance) {
        Unsure
    } else {
        Invalid
    }
}

fn has_number(v: &Value) -> bool {
    match v {
        Value::Number(_) => true,
        Value::Array(items) => items.iter().any(has_number),
        Value::Object(fields) => fields.values().any(has_number),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_schema_is_the_derived_one() {
        // `hagen schema > catalog/cluster.schema.json` (or HAGEN_BLESS=1 cargo test) after changing the types.
        let committed: Value = serde_json::from_str(include_str!("../../catalog/cluster.schema.json")).unwrap();
        assert_eq!(committed, schema(), "catalog/cluster.schema.json is stale");
        assert_eq!(
            schema_once(),
            &super::super::annotations::without_annotations(&committed)
        );
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
            assert!(ours.compiles(), "{p} compiles with regex-lite");
            let translated = jsonschema_regex::to_rust_regex(p).expect("translates").into_owned();
            if !p.contains('\\') {
                assert_eq!(&translated, p, "a pattern without an escape translates to itself");
            }
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

    /// The catalogue files of this repository as the loader reads them (YAML → JSON), with their names.
    fn corpus() -> Vec<(String, Value)> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = vec![
            root.join("catalog/cluster.yaml"),
            root.join("examples/kubernetes/cluster.yaml"),
            root.join("examples/byo-chart/cluster.yaml"),
        ];
        for dir in ["tests/catalogs", "tests/bad"] {
            let mut found: Vec<_> = std::fs::read_dir(root.join(dir))
                .expect("a test folder")
                .filter_map(|e| e.ok().map(|e| e.path()))
                .map(|p| if p.is_dir() { p.join("cluster.yaml") } else { p })
                .filter(|p| p.extension().is_some_and(|e| e == "yaml") && p.is_file())
                .collect();
            found.sort();
            files.extend(found);
        }
        files
            .into_iter()
            .filter_map(|f| {
                let text = std::fs::read_to_string(&f).ok()?;
                let yaml: serde_yaml::Value = serde_yaml::from_str(&text).ok()?;
                Some((f.display().to_string(), serde_json::to_value(yaml).ok()?))
            })
            .collect()
    }

    /// The walk's verdict beside the validator's: equal whenever the walk decides.
    fn agrees(instance: &Value) -> Verdict {
        let verdict = decide(schema_once(), schema_once(), instance, 0);
        if verdict != Unsure {
            assert_eq!(
                verdict == Valid,
                validator().is_valid(instance),
                "the walk says {verdict:?} of {instance}"
            );
        }
        verdict
    }

    #[test]
    fn the_walk_vouches_for_the_shipped_catalogues_and_agrees_on_every_test_catalogue() {
        let corpus = corpus();
        assert!(corpus.len() > 60, "{}", corpus.len());
        let mut invalid = 0;
        for (file, json) in &corpus {
            let verdict = agrees(json);
            if !file.contains("tests/bad") {
                assert_eq!(
                    verdict, Valid,
                    "{file}: a catalogue that runs is decided without the validator"
                );
            }
            invalid += usize::from(verdict == Invalid);
        }
        assert!(invalid > 25, "the bad catalogues are decided too: {invalid}");
    }

    #[test]
    fn each_keyword_is_decided_as_the_validator_decides_it_or_left_to_it() {
        use serde_json::json;
        struct Case {
            schema: Value,
            instance: Value,
            want: Verdict,
        }
        let cases = [
            Case {
                schema: json!({"type": "integer"}),
                instance: json!(3),
                want: Valid,
            },
            Case {
                schema: json!({"type": "integer"}),
                instance: json!(2.5),
                want: Invalid,
            },
            // The validator counts some whole floats as integers: left to it.
            Case {
                schema: json!({"type": "integer"}),
                instance: json!(2.0),
                want: Unsure,
            },
            Case {
                schema: json!({"type": ["string", "null"]}),
                instance: json!(null),
                want: Valid,
            },
            Case {
                schema: json!({"type": "string", "maxLength": 2}),
                instance: json!("éé"),
                want: Valid,
            },
            Case {
                schema: json!({"minLength": 3}),
                instance: json!("éé"),
                want: Invalid,
            },
            Case {
                schema: json!({"minLength": 3}),
                instance: json!(7),
                want: Valid,
            },
            Case {
                schema: json!({"minimum": 1, "maximum": 100}),
                instance: json!(100),
                want: Valid,
            },
            Case {
                schema: json!({"maximum": 100}),
                instance: json!(100.5),
                want: Invalid,
            },
            Case {
                schema: json!({"exclusiveMinimum": 0}),
                instance: json!(0),
                want: Invalid,
            },
            Case {
                schema: json!({"maximum": 1}),
                instance: json!(1e300),
                want: Unsure,
            },
            Case {
                schema: json!({"const": "a"}),
                instance: json!("b"),
                want: Invalid,
            },
            Case {
                schema: json!({"const": 1}),
                instance: json!(1.0),
                want: Unsure,
            },
            Case {
                schema: json!({"enum": ["a", "b"]}),
                instance: json!("b"),
                want: Valid,
            },
            Case {
                schema: json!({"oneOf": [{"const": "a"}, {"type": "string"}]}),
                instance: json!("a"),
                want: Invalid,
            },
            Case {
                schema: json!({"oneOf": [{"const": "a"}, {"type": "integer"}]}),
                instance: json!(2.0),
                want: Unsure,
            },
            Case {
                schema: json!({"anyOf": [{"const": "a"}, {"type": "integer"}]}),
                instance: json!("a"),
                want: Valid,
            },
            Case {
                schema: json!({"properties": {"a": {"type": "string"}}, "additionalProperties": false}),
                instance: json!({"a": "x", "b": 1}),
                want: Invalid,
            },
            Case {
                schema: json!({"additionalProperties": {"type": "string"}, "required": ["a"]}),
                instance: json!({"a": "x"}),
                want: Valid,
            },
            Case {
                schema: json!({"required": ["a"]}),
                instance: json!({}),
                want: Invalid,
            },
            Case {
                schema: json!({"propertyNames": {"pattern": "^[a-z]+$"}}),
                instance: json!({"A": 1}),
                want: Invalid,
            },
            Case {
                schema: json!({"minProperties": 1, "maxProperties": 1}),
                instance: json!({"a": 1}),
                want: Valid,
            },
            Case {
                schema: json!({"items": {"type": "string"}, "minItems": 1}),
                instance: json!(["a", 1]),
                want: Invalid,
            },
            Case {
                schema: json!({"maxItems": 1}),
                instance: json!([1, 2]),
                want: Invalid,
            },
            Case {
                schema: json!({"pattern": "^a[0-9]$"}),
                instance: json!("a7"),
                want: Valid,
            },
            Case {
                schema: json!({"pattern": "^a[0-9]$"}),
                instance: json!(["a"]),
                want: Valid,
            },
            Case {
                schema: json!({"definitions": {"n": {"type": "integer"}}, "items": {"$ref": "#/definitions/n"}}),
                instance: json!([1, "x"]),
                want: Invalid,
            },
            Case {
                schema: json!({"format": "uint32", "type": "integer"}),
                instance: json!(5),
                want: Valid,
            },
            // What the walk does not know, and a `$ref` beside another keyword (draft 7 ignores the keyword).
            Case {
                schema: json!({"format": "email"}),
                instance: json!("x"),
                want: Unsure,
            },
            Case {
                schema: json!({"patternProperties": {"^a": false}}),
                instance: json!({"a": 1}),
                want: Unsure,
            },
            Case {
                schema: json!({"definitions": {"s": {"type": "string"}}, "properties": {"a": {"$ref": "#/definitions/s", "type": "integer"}}}),
                instance: json!({"a": "x"}),
                want: Unsure,
            },
            Case {
                schema: json!({"$ref": "https://example.com/s.json"}),
                instance: json!(1),
                want: Unsure,
            },
            Case {
                schema: json!(false),
                instance: json!(1),
                want: Invalid,
            },
        ];
        for c in cases {
            let got = decide(&c.schema, &c.schema, &c.instance, 0);
            assert_eq!(got, c.want, "{} on {}", c.schema, c.instance);
            if got != Unsure {
                let reference = jsonschema::options()
                    .with_keyword("pattern", pattern_keyword)
                    .build(&c.schema)
                    .expect("a schema");
                assert_eq!(
                    got == Valid,
                    reference.is_valid(&c.instance),
                    "{} on {}",
                    c.schema,
                    c.instance
                );
            }
        }
    }

    #[test]
    fn a_listed_class_has_the_table_of_its_compiled_form() {
        for class in [
            "a-z0-9",
            "-a-z0-9",
            "-a-z0-9_.",
            "0-9",
            "A-Za-z0-9",
            "-0-9A-Za-z.+",
            "a-",
            "z-a",
            "^a",
            "\\s",
        ] {
            if let Some(table) = listed_table(class) {
                let one = regex_lite::Regex::new(&format!("^[{class}]$")).unwrap();
                for c in 0u8..128 {
                    let s = char::from(c).to_string();
                    assert_eq!(table & (1u128 << c) != 0, one.is_match(&s), "[{class}] on {c}");
                }
            }
        }
        assert_eq!(listed_table("z-a"), None);
        assert_eq!(listed_table("^a"), None);
    }

    #[test]
    fn labels_and_durations_are_decided_by_their_tables() {
        struct Case {
            pattern: &'static str,
            text: &'static str,
            matches: bool,
        }
        let label = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
        let duration = "^[0-9]+(ms|s|m|h|d|w|y)$";
        let cases = [
            Case {
                pattern: label,
                text: "a",
                matches: true,
            },
            Case {
                pattern: label,
                text: "a-0",
                matches: true,
            },
            Case {
                pattern: label,
                text: "",
                matches: false,
            },
            Case {
                pattern: label,
                text: "-a",
                matches: false,
            },
            Case {
                pattern: label,
                text: "a-",
                matches: false,
            },
            Case {
                pattern: label,
                text: "A",
                matches: false,
            },
            Case {
                pattern: label,
                text: "é",
                matches: false,
            },
            Case {
                pattern: duration,
                text: "10m",
                matches: true,
            },
            Case {
                pattern: duration,
                text: "250ms",
                matches: true,
            },
            Case {
                pattern: duration,
                text: "m",
                matches: false,
            },
            Case {
                pattern: duration,
                text: "10",
                matches: false,
            },
            Case {
                pattern: duration,
                text: "10mm",
                matches: false,
            },
            Case {
                pattern: duration,
                text: "1d2h",
                matches: false,
            },
        ];
        for c in cases {
            let m = matcher(c.pattern).expect("compiles");
            assert!(
                matches!(*m, Matcher::Label { .. } | Matcher::Suffixed { .. }),
                "{}",
                c.pattern
            );
            assert_eq!(m.is_match(c.text), c.matches, "{} on {:?}", c.pattern, c.text);
        }
    }

    /// Every node's JSON Pointer in `v`.
    fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => m
                .iter()
                .for_each(|(k, v)| pointers(v, format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")), out)),
            Value::Array(a) => a
                .iter()
                .enumerate()
                .for_each(|(i, v)| pointers(v, format!("{at}/{i}"), out)),
            _ => {}
        }
        out.push(at);
    }

    #[test]
    fn the_walk_agrees_with_the_validator_on_mutated_catalogues() {
        use proptest::prelude::*;
        use serde_json::json;
        let corpus = corpus();
        let seeds: Vec<Value> = corpus.into_iter().map(|(_, v)| v).filter(Value::is_object).collect();
        let pool = vec![
            json!(""),
            json!("x"),
            json!("two"),
            json!("Recreate"),
            json!("RollingUpdate"),
            json!("required"),
            json!("preferred"),
            json!("kubernetes"),
            json!("k3s"),
            json!("1.2.3"),
            json!("v1.2.3"),
            json!("a b"),
            json!("\t"),
            json!("é"),
            json!("5m"),
            json!("https://x.io"),
            json!(0),
            json!(1),
            json!(2),
            json!(-1),
            json!(100),
            json!(101),
            json!(3600),
            json!(3601),
            json!(1.5),
            json!(2.0),
            json!(1e20),
            json!(true),
            json!(false),
            json!(null),
            json!([]),
            json!({}),
            json!(["a"]),
            json!({"name": "x"}),
            json!({"replicas": 2}),
        ];
        let strategy = (
            0..seeds.len(),
            proptest::collection::vec((any::<usize>(), 0..4u8, 0..pool.len() + 1, any::<usize>()), 1..4),
        );
        let (decided, valid) = (std::cell::Cell::new(0usize), std::cell::Cell::new(0usize));
        let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
            cases: 3000,
            failure_persistence: None,
            rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha,
            ..Default::default()
        });
        runner
            .run(&strategy, |(seed, edits)| {
                let mut v = seeds[seed].clone();
                for (at, op, with, other) in edits {
                    let mut all = Vec::new();
                    pointers(&v, String::new(), &mut all);
                    let target = all[at % all.len()].clone();
                    // A value from the pool, or one of the catalogue's own nodes moved elsewhere.
                    let replacement = pool
                        .get(with)
                        .cloned()
                        .unwrap_or_else(|| v.pointer(&all[other % all.len()]).cloned().unwrap_or(Value::Null));
                    let (parent, last) = target.rsplit_once('/').unwrap_or(("", ""));
                    match (op, v.pointer_mut(parent)) {
                        (0, Some(Value::Object(m))) => {
                            m.shift_remove(&last.replace("~1", "/").replace("~0", "~"));
                        }
                        (0, Some(Value::Array(a))) if !a.is_empty() => {
                            let i: usize = last.parse().unwrap_or(0);
                            a.remove(i.min(a.len() - 1));
                        }
                        (1, _) => {
                            if let Some(Value::Object(m)) = v.pointer_mut(&target) {
                                let key = ["name", "replicas", "strategy", "values", "extra"][other % 5];
                                m.insert(key.to_string(), replacement);
                            }
                        }
                        _ => {
                            if let Some(node) = v.pointer_mut(&target) {
                                *node = replacement;
                            }
                        }
                    }
                }
                let verdict = agrees(&v);
                decided.set(decided.get() + usize::from(verdict != Unsure));
                valid.set(valid.get() + usize::from(verdict == Valid));
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{e}"));
        // The walk decides most catalogues, and sees valid ones among them.
        let (decided, valid) = (decided.get(), valid.get());
        assert!(decided > 2500 && valid > 150, "decided {decided}, valid {valid}");
    }
}

//! Where each node of a YAML document sits in its file (JSON Pointer → line and column), and the document itself
//! read in the same pass.
//!
//! serde_yaml gives positions for syntax errors only; schema and semantic errors name a JSON Pointer, and this
//! map turns it back into the place the user has to edit. [`read`] also builds the document as JSON, but answers
//! only when that JSON is certainly what serde_yaml (the reader whose messages and scalars the catalogue is
//! documented by) would read: plain YAML with no anchor, alias, tag, duplicate or non-string key, second
//! document, or scalar whose type takes serde_yaml's number rules to decide. Anything else is left to serde_yaml,
//! so one parse serves the catalogues people write and the rest reads exactly as before.
//!
//! [`Positions::of`] makes its map at the first question: a values file without a problem never asks one.

use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::{Arc, OnceLock};
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

pub use crate::error::Pos;

/// JSON Pointer of every node (for a mapping entry: the place of its key) of the first document. Clones share
/// the text and the map.
#[derive(Debug, Default, Clone)]
pub struct Positions {
    inner: Arc<Text>,
}

/// Pointers hashed with FNV-1a: short keys, made by hagen, many per file (SipHash was a tenth of reading one).
type PointerMap = HashMap<String, Pos, std::hash::BuildHasherDefault<Fnv>>;

#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for b in bytes {
            h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

#[derive(Debug, Default)]
struct Text {
    text: String,
    map: OnceLock<PointerMap>,
}

/// A document read in one pass: its positions, and its JSON when serde_yaml would read the same.
pub struct Read {
    pub json: Option<Value>,
    pub positions: Positions,
}

/// Reads `text` once: the positions of the first document's nodes, and the document as JSON when it is certainly
/// serde_yaml's reading (else `None`: a syntax error, or YAML whose reading serde_yaml decides).
pub fn read(text: &str) -> Read {
    let (json, map) = Recorder::run(text, true).finish(text);
    let map = OnceLock::from(map);
    Read {
        json,
        positions: Positions {
            inner: Arc::new(Text {
                text: String::new(),
                map,
            }),
        },
    }
}

/// [`read`]'s JSON alone, for a file whose messages need no places (hagen.lock).
pub fn read_json(text: &str) -> Option<Value> {
    Recorder::run(text, false).finish(text).0
}

impl Positions {
    /// The positions of `text`'s nodes, found when first asked; a document that fails to parse has none
    /// (serde_yaml reports the syntax error).
    pub fn of(text: &str) -> Self {
        Positions {
            inner: Arc::new(Text {
                text: text.to_string(),
                map: OnceLock::new(),
            }),
        }
    }

    fn map(&self) -> &PointerMap {
        self.inner.map.get_or_init(|| Recorder::run(&self.inner.text, true).map)
    }

    /// The place of `pointer`, or of its nearest ancestor that has one.
    pub fn find(&self, pointer: &str) -> Option<Pos> {
        let map = self.map();
        let mut p = pointer;
        loop {
            if let Some(pos) = map.get(p) {
                return Some(*pos);
            }
            if p.is_empty() {
                return None;
            }
            p = match p.rfind('/') {
                Some(i) => &p[..i],
                None => "",
            };
        }
    }
}

/// A mapping or sequence being read; `key_node` when it is itself a mapping's key (a complex key).
enum Frame {
    Map {
        pointer: String,
        key: Option<String>,
        fields: Map<String, Value>,
        key_node: bool,
    },
    Seq {
        pointer: String,
        next: usize,
        items: Vec<Value>,
        key_node: bool,
    },
}

#[derive(Default)]
struct Recorder {
    map: PointerMap,
    /// Whether nodes are placed in `map` (else only the document is built).
    placing: bool,
    stack: Vec<Frame>,
    /// The first document, once complete.
    document: Option<Value>,
    /// Whether `document` is certainly serde_yaml's reading so far.
    certain: bool,
    documents: usize,
}

/// A JSON Pointer segment for `segment` (`~` and `/` escaped).
pub fn escape(segment: &str) -> String {
    if segment.contains(['~', '/']) {
        segment.replace('~', "~0").replace('/', "~1")
    } else {
        segment.to_string()
    }
}

/// `pointer` with one more segment, `segment` escaped.
fn child(pointer: &str, segment: &str) -> String {
    let mut p = String::with_capacity(pointer.len() + segment.len() + 1);
    p.push_str(pointer);
    p.push('/');
    if segment.contains(['~', '/']) {
        p.push_str(&escape(segment));
    } else {
        p.push_str(segment);
    }
    p
}

fn pos(mark: Marker) -> Pos {
    Pos {
        line: mark.line(),
        column: mark.col() + 1,
    }
}

/// The bytes a finite number of serde_yaml's can hold (decimal, hexadecimal, octal and binary integers, floats).
const NUMERIC: &[u8] = b"0123456789abcdefABCDEFxXoObB.+-";

/// A plain scalar as serde_yaml reads it, when that is certain without its number rules: null and boolean words,
/// strings no number rule can take (starting with a letter, with two dots, with a byte no number holds, a run of
/// digits with a leading zero) and decimal integers that fit 64 bits; `None` for the rest.
fn plain(s: &str) -> Option<Value> {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Some(Value::Null),
        "true" | "True" | "TRUE" => return Some(Value::Bool(true)),
        "false" | "False" | "FALSE" => return Some(Value::Bool(false)),
        _ => {}
    }
    let bytes = s.as_bytes();
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let string = bytes[0].is_ascii_alphabetic()
        || bytes.iter().filter(|b| **b == b'.').count() > 1
        || (bytes.iter().any(|b| !NUMERIC.contains(b))
            && !unsigned.eq_ignore_ascii_case(".inf")
            && !unsigned.eq_ignore_ascii_case(".nan"))
        || (bytes.len() > 1 && bytes[0] == b'0' && bytes.iter().all(u8::is_ascii_digit));
    if string {
        return Some(Value::String(s.to_string()));
    }
    if bytes.iter().all(u8::is_ascii_digit) {
        return s.parse::<u64>().ok().map(Value::from);
    }
    None
}

impl Recorder {
    fn run(text: &str, placing: bool) -> Recorder {
        let mut rec = Recorder {
            certain: true,
            placing,
            ..Recorder::default()
        };
        let mut parser = Parser::new_from_str(text);
        // Every document is parsed, to tell a second one; only the first is placed and built.
        if parser.load(&mut rec, true).is_err() {
            rec.certain = false;
        }
        rec
    }

    /// The document read (when certainly serde_yaml's reading) and the places found.
    fn finish(self, text: &str) -> (Option<Value>, PointerMap) {
        // A document end marker (`...`) is where the two parsers count documents differently.
        // A byte-order mark is a key's first character to yaml-rust2 (the catalogue's loader strips it first).
        let certain = self.certain && !text.starts_with('\u{feff}') && !text.lines().any(|l| l.starts_with("..."));
        (certain.then_some(self.document).flatten(), self.map)
    }

    /// Places a node that starts here. A mapping's key takes `key` (its text) and gives `None`; any other node
    /// gives its pointer, made only for a mapping or sequence (`container`), whose nodes are placed under it.
    fn place(&mut self, mark: Marker, key: Option<String>, container: bool) -> Option<String> {
        let placing = self.placing;
        let map = &mut self.map;
        match self.stack.last_mut() {
            None => {
                if placing {
                    map.entry(String::new()).or_insert(pos(mark));
                }
                Some(String::new())
            }
            Some(Frame::Seq { pointer, next, .. }) => {
                let n = *next;
                *next += 1;
                if !placing {
                    return Some(String::new());
                }
                let p = child(pointer, &n.to_string());
                if container {
                    map.entry(p.clone()).or_insert(pos(mark));
                    Some(p)
                } else {
                    map.entry(p).or_insert(pos(mark));
                    Some(String::new())
                }
            }
            Some(Frame::Map { pointer, key: slot, .. }) => match slot {
                None => {
                    let k = key.unwrap_or_default();
                    if placing {
                        map.entry(child(pointer, &k)).or_insert(pos(mark));
                    }
                    *slot = Some(k);
                    None
                }
                // The key stays until the value is complete ([`Recorder::complete`] takes it).
                Some(k) if placing && container => Some(child(pointer, k)),
                Some(_) => Some(String::new()),
            },
        }
    }

    /// Whether the next node of the innermost mapping is its key.
    fn expects_key(&self) -> bool {
        matches!(self.stack.last(), Some(Frame::Map { key: None, .. }))
    }

    /// A complete node: the key or value of its mapping, an item of its sequence, or the document.
    fn complete(&mut self, v: Value) {
        match self.stack.last_mut() {
            None => self.document = Some(v),
            Some(Frame::Seq { items, .. }) => items.push(v),
            Some(Frame::Map { key, fields, .. }) => match key.take() {
                Some(k) => {
                    if fields.insert(k, v).is_some() {
                        self.certain = false;
                    }
                }
                // A value with no key to go under cannot happen; it is left to serde_yaml all the same.
                None => self.certain = false,
            },
        }
    }

    fn scalar(&mut self, text: String, style: TScalarStyle, mark: Marker) {
        if self.expects_key() {
            // A key must read as the same string to serde_yaml.
            if style == TScalarStyle::Plain && !matches!(plain(&text), Some(Value::String(_))) {
                self.certain = false;
            }
            self.place(mark, Some(text), false);
            self.check_duplicate();
            return;
        }
        let value = match style {
            TScalarStyle::Plain => plain(&text),
            // An empty block scalar is "" to serde_yaml and "\n" to yaml-rust2.
            TScalarStyle::Literal | TScalarStyle::Folded if text.trim().is_empty() => None,
            _ => Some(Value::String(text)),
        };
        self.place(mark, None, false);
        if value.is_none() {
            self.certain = false;
        }
        self.complete(value.unwrap_or(Value::Null));
    }

    /// A key just placed that the mapping holds already: serde_yaml refuses the document.
    fn check_duplicate(&mut self) {
        if let Some(Frame::Map {
            key: Some(k), fields, ..
        }) = self.stack.last()
            && fields.contains_key(k)
        {
            self.certain = false;
        }
    }
}

impl MarkedEventReceiver for Recorder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.documents > 1 {
            return;
        }
        let mapping = matches!(ev, Event::MappingStart(..));
        match ev {
            Event::DocumentStart => {
                self.documents += 1;
                if self.documents > 1 {
                    // serde_yaml reads one document per file.
                    self.certain = false;
                }
            }
            Event::Scalar(text, style, anchor, tag) => {
                if anchor > 0 || tag.is_some() {
                    self.certain = false;
                }
                self.scalar(text, style, mark);
            }
            Event::Alias(_) => {
                self.certain = false;
                if self.place(mark, Some(String::new()), false).is_some() {
                    self.complete(Value::Null);
                }
            }
            Event::SequenceStart(anchor, tag) | Event::MappingStart(anchor, tag) if anchor > 0 || tag.is_some() => {
                self.certain = false;
                self.open(mapping, mark);
            }
            Event::SequenceStart(..) | Event::MappingStart(..) => self.open(mapping, mark),
            Event::SequenceEnd | Event::MappingEnd => {
                match self.stack.pop() {
                    Some(Frame::Map {
                        fields,
                        key_node: false,
                        ..
                    }) => self.complete(Value::Object(fields)),
                    Some(Frame::Seq {
                        items, key_node: false, ..
                    }) => self.complete(Value::Array(items)),
                    // A complex key (placed, never built) or an end without a start.
                    _ => {}
                }
            }
            _ => {}
        }
    }
}

impl Recorder {
    /// A mapping or sequence starts. A complex (non-scalar) key is not something a catalogue uses: its contents
    /// are placed under "", and the document is left to serde_yaml.
    fn open(&mut self, mapping: bool, mark: Marker) {
        let key_node = self.expects_key();
        // serde_yaml refuses nesting past its recursion limit; a catalogue is far shallower (`yaml::SMALL`).
        if key_node || self.stack.len() >= crate::yaml::SMALL.depth {
            self.certain = false;
        }
        let pointer = self.place(mark, None, true).unwrap_or_default();
        self.stack.push(if mapping {
            Frame::Map {
                pointer,
                key: None,
                fields: Map::new(),
                key_node,
            }
        } else {
            Frame::Seq {
                pointer,
                next: 0,
                items: Vec::new(),
                key_node,
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_and_items() {
        let p = Positions::of("a:\n  b: 1\n  list:\n    - x\n    - {c: 2}\n");
        assert_eq!(p.find("/a/b"), Some(Pos { line: 2, column: 3 }));
        assert_eq!(p.find("/a/list/1"), Some(Pos { line: 5, column: 7 }));
        assert_eq!(p.find("/a/list/1/c"), Some(Pos { line: 5, column: 8 }));
        assert_eq!(p.find("/a/missing"), Some(Pos { line: 1, column: 1 }));
    }

    /// serde_yaml's reading of a document as JSON, as the catalogue loader takes it; `None` when it refuses it.
    fn serde_yaml_reads(text: &str) -> Option<Value> {
        let yaml: serde_yaml::Value = serde_yaml::from_str(text).ok()?;
        serde_json::to_value(yaml).ok()
    }

    /// The one-pass reading beside serde_yaml's: equal whenever it answers. Returns whether it answered.
    fn agrees(text: &str) -> bool {
        let read = read(text);
        if let Some(json) = &read.json {
            assert_eq!(Some(json), serde_yaml_reads(text).as_ref(), "{text:?}");
        }
        read.json.is_some()
    }

    #[test]
    fn plain_scalars_read_as_serde_yaml_reads_them_or_are_left_to_it() {
        struct Case {
            scalar: &'static str,
            want: Option<Value>,
        }
        let s = |v: &str| Some(Value::String(v.to_string()));
        let cases = [
            Case {
                scalar: "~",
                want: Some(Value::Null),
            },
            Case {
                scalar: "NULL",
                want: Some(Value::Null),
            },
            Case {
                scalar: "True",
                want: Some(Value::Bool(true)),
            },
            // YAML 1.1's booleans are strings to serde_yaml (and quoted by hagen's writer).
            Case {
                scalar: "yes",
                want: s("yes"),
            },
            Case {
                scalar: "on",
                want: s("on"),
            },
            Case {
                scalar: "88.5.3",
                want: s("88.5.3"),
            },
            Case {
                scalar: "v1.35.3+k3s1",
                want: s("v1.35.3+k3s1"),
            },
            Case {
                scalar: "10m",
                want: s("10m"),
            },
            Case {
                scalar: "007",
                want: s("007"),
            },
            Case {
                scalar: "12:30",
                want: s("12:30"),
            },
            Case {
                scalar: "1_000",
                want: s("1_000"),
            },
            Case {
                scalar: "inf",
                want: s("inf"),
            },
            Case {
                scalar: "deadbeef",
                want: s("deadbeef"),
            },
            Case {
                scalar: "0",
                want: Some(Value::from(0)),
            },
            Case {
                scalar: "25",
                want: Some(Value::from(25)),
            },
            // What serde_yaml's number rules decide: left to it.
            Case {
                scalar: "1.46",
                want: None,
            },
            Case {
                scalar: "-5",
                want: None,
            },
            Case {
                scalar: "+5",
                want: None,
            },
            Case {
                scalar: "0x1F",
                want: None,
            },
            Case {
                scalar: "1e3",
                want: None,
            },
            Case {
                scalar: ".inf",
                want: None,
            },
            Case {
                scalar: "-.Inf",
                want: None,
            },
            Case {
                scalar: ".NaN",
                want: None,
            },
            Case {
                scalar: "99999999999999999999",
                want: None,
            },
        ];
        for c in cases {
            assert_eq!(plain(c.scalar), c.want, "{}", c.scalar);
            if let Some(want) = c.want {
                let text = format!("k: {}\n", c.scalar);
                assert_eq!(
                    serde_yaml_reads(&text).map(|v| v["k"].clone()),
                    Some(want),
                    "{}",
                    c.scalar
                );
            }
        }
    }

    #[test]
    fn random_plain_scalars_read_as_serde_yaml_reads_them() {
        use proptest::prelude::*;
        let alphabet: Vec<char> = "0123456789abefxoEIN._+-:/ ~nulrtsFTy".chars().collect();
        let strategy = proptest::collection::vec(proptest::sample::select(alphabet), 1..9)
            .prop_map(|c| c.into_iter().collect::<String>());
        let mut runner = proptest::test_runner::TestRunner::deterministic();
        runner
            .run(&strategy, |scalar| {
                let text = format!("k: {scalar}\n");
                if let Some(json) = read(&text).json {
                    prop_assert_eq!(Some(json), serde_yaml_reads(&text), "{:?}", scalar);
                }
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn every_yaml_file_of_the_repository_reads_as_serde_yaml_reads_it() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut files = Vec::new();
        let mut dirs = vec![
            root.join("catalog"),
            root.join("examples"),
            root.join("tests"),
            root.join("docs"),
        ];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("a folder").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path
                    .extension()
                    .is_some_and(|e| e == "yaml" || e == "yml" || e == "lock")
                {
                    files.push(path);
                }
            }
        }
        assert!(files.len() > 150, "{}", files.len());
        let mut answered = 0;
        for f in &files {
            let text = std::fs::read_to_string(f).unwrap_or_default();
            answered += usize::from(agrees(&text));
            assert_eq!(read_json(&text), read(&text).json, "{}", f.display());
            // Read in one pass or when first asked, the positions are the same.
            let (once, asked) = (read(&text).positions, Positions::of(&text));
            let mut pointers = once.map().keys().cloned().collect::<Vec<_>>();
            pointers.sort();
            assert_eq!(pointers.len(), asked.map().len(), "{}", f.display());
            for p in pointers {
                assert_eq!(once.find(&p), asked.find(&p), "{} {p}", f.display());
            }
        }
        assert!(answered > files.len() / 2, "{answered} of {}", files.len());
        for shipped in [
            "catalog/cluster.yaml",
            "examples/kubernetes/cluster.yaml",
            "examples/byo-chart/cluster.yaml",
        ] {
            let text = std::fs::read_to_string(root.join(shipped)).expect("a shipped catalogue");
            assert!(read(&text).json.is_some(), "{shipped} is read in one pass");
        }
    }

    #[test]
    fn windows_line_ends_read_as_serde_yaml_reads_them_and_a_byte_order_mark_is_left_to_it() {
        let crlf = "a: 1\r\nb: |\r\n  x\r\n  y\r\nc: >-\r\n  p\r\n  q\r\nd: \"m\r\n  n\"\r\ne: plain\r\n  more\r\n";
        assert!(agrees(crlf), "read in one pass");
        assert!(!agrees("\u{feff}a: 1\n"), "left to serde_yaml");
    }

    #[test]
    fn random_documents_read_as_serde_yaml_reads_them_or_are_left_to_it() {
        use proptest::prelude::*;
        const LINES: &[&str] = &[
            "a: 1",
            "a:",
            "  b: x",
            "  b: 2",
            "- 1",
            "  - y",
            "- k: v",
            "b: 'q''s'",
            "c: \"x\\ty\"",
            "c: \"\\u00e9\"",
            "d: |",
            "d: |-",
            "d: |+",
            "  line",
            "    deeper",
            "",
            "e: >-",
            "e: >",
            "  folded",
            "  more",
            "f: [1, b, {c: d}]",
            "g: {a: 1, a: 2}",
            "h: &x 1",
            "i: *x",
            "j: !!str 5",
            "---",
            "...",
            "k: 0x1F",
            "l: 1.5",
            "m: 007",
            "n: ~",
            "o: .inf",
            "p: -5",
            "q: 1e3",
            "r: 12:30",
            "s: key: value",
            "t: #c",
            "# comment",
            "u:   spaced  ",
            "? complex",
            ": v",
            "w: \"multi",
            "  line\"",
            "x: plain",
            "  continued",
            " y: bad indent",
            "z: yes",
            "aa: on",
            "- - nested",
            "bb: 99999999999999999999",
            "cc: +5",
            "dd: 1_000",
            "ee: 0o17",
            "gg: .5",
            "ii: True",
            "jj: NULL",
            "kk: ''",
            "ll: \"\"",
            "nn: -",
            "oo: - a",
            "1: one",
            "true: t",
            "null: n",
            "'q': quoted key",
            "\"a\": dup",
            "[x]: flow key",
            "{a: 1}",
            "[1, 2]",
            "pp: {",
            "qq: 'unterminated",
            "rr: a # comment",
            "ss: a#b",
            "tt: 'a' b",
            "uu: >\n  x\n\n  y",
            "vv: %",
            "ww: @x",
            "xx: `x",
            "yy: !tag x",
            "zz: &a [1]",
            "- *a",
            "a b: c",
            "é: ü",
            "k: v\t",
            "  - [a, b]",
        ];
        let strategy = proptest::collection::vec(proptest::sample::select(LINES), 1..9);
        let (answered, refused) = (std::cell::Cell::new(0usize), std::cell::Cell::new(0usize));
        let mut runner = proptest::test_runner::TestRunner::new(proptest::test_runner::Config {
            cases: 4000,
            failure_persistence: None,
            rng_algorithm: proptest::test_runner::RngAlgorithm::ChaCha,
            ..Default::default()
        });
        runner
            .run(&strategy, |lines| {
                let text = lines.join("\n") + "\n";
                let read = read(&text);
                match &read.json {
                    Some(json) => {
                        prop_assert_eq!(Some(json.clone()), serde_yaml_reads(&text), "{:?}", text);
                        answered.set(answered.get() + 1);
                    }
                    None => refused.set(refused.get() + 1),
                }
                Ok(())
            })
            .unwrap_or_else(|e| panic!("{e}"));
        // Both kinds are exercised: documents read in one pass, and documents left to serde_yaml.
        assert!(
            answered.get() > 300 && refused.get() > 300,
            "{} {}",
            answered.get(),
            refused.get()
        );
    }
}

//! A YAML stream read event by event (yaml-rust2's parser): a List's items are built and handed over one at a
//! time, so a large `kubectl get -o yaml` dump never sits in memory as one tree.

use super::{Collector, found};
use crate::error::DumpError;
use serde_json::{Map, Value};
use std::collections::HashMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver};
use yaml_rust2::scanner::{Marker, TScalarStyle};

enum Frame {
    Map {
        map: Map<String, Value>,
        key: Option<String>,
        anchor: usize,
    },
    Seq {
        items: Vec<Value>,
        anchor: usize,
        /// A document's `items`: each element goes to the sink as soon as it is complete.
        streaming: bool,
        index: usize,
        /// A top-level array: refused, its elements dropped.
        discard: bool,
    },
}

/// Builds each document; hands a List's items over one by one.
pub(super) struct Reader<'a> {
    sink: &'a mut Collector,
    stack: Vec<Frame>,
    /// Anchored values with their size in nodes.
    anchors: HashMap<usize, (Value, usize)>,
    /// Nodes copied by aliases so far: bounded, so an alias bomb is refused instead of filling memory.
    expanded: usize,
    /// Why reading stopped.
    pub failed: Option<DumpError>,
    /// Documents seen so far.
    pub documents: usize,
    streamed: bool,
    items_null: bool,
}

impl<'a> Reader<'a> {
    pub fn new(sink: &'a mut Collector) -> Self {
        Reader {
            sink,
            stack: vec![],
            anchors: HashMap::new(),
            expanded: 0,
            failed: None,
            documents: 0,
            streamed: false,
            items_null: false,
        }
    }

    fn prefix(&self) -> String {
        format!("document {}, ", self.documents.max(1))
    }

    /// A complete value: into its parent, to the sink (an item), or the end of the document.
    fn complete(&mut self, v: Value, anchor: usize) {
        if anchor > 0 {
            self.anchors.insert(anchor, (v.clone(), nodes(&v)));
        }
        let prefix = self.prefix();
        let depth = self.stack.len();
        match self.stack.last_mut() {
            None => match v {
                Value::Object(m) => {
                    let (streamed, null) = (self.streamed, self.items_null);
                    self.sink.document(m, &prefix, streamed, null);
                }
                Value::Null => {}
                other => self.sink.errors.push(format!(
                    "{prefix}top level: expected a Kubernetes object or a List (what `kubectl get -o json` writes), found {}",
                    found(&other)
                )),
            },
            Some(Frame::Map { map, key, .. }) => match key.take() {
                None => {
                    let k = match v {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    *key = Some(k);
                }
                Some(k) => {
                    if depth == 1 && k == "items" && v.is_null() {
                        self.items_null = true;
                    } else {
                        map.insert(k, v);
                    }
                }
            },
            Some(Frame::Seq {
                items,
                streaming,
                index,
                discard,
                ..
            }) => {
                if *streaming {
                    let i = *index;
                    *index += 1;
                    self.sink.object(v, &prefix, &format!("items[{i}]"));
                } else if !*discard {
                    items.push(v);
                }
            }
        }
    }
}

/// Nesting deeper than this is refused (Kubernetes objects are far shallower; deep trees would exhaust the stack).
const MAX_DEPTH: usize = 128;

/// Aliases may copy at most this many nodes in all (a `kubectl get -o yaml` dump has none).
const MAX_EXPANDED: usize = 1_000_000;

fn nodes(v: &Value) -> usize {
    match v {
        Value::Array(a) => 1 + a.iter().map(nodes).sum::<usize>(),
        Value::Object(m) => 1 + m.values().map(nodes).sum::<usize>(),
        _ => 1,
    }
}

/// A plain scalar as YAML 1.2's core schema reads it; quoted and block scalars are strings.
fn scalar(s: String, style: TScalarStyle, tag: Option<&yaml_rust2::parser::Tag>) -> Value {
    if style != TScalarStyle::Plain || tag.is_some_and(|t| t.suffix == "str") {
        return Value::String(s);
    }
    match yaml_rust2::Yaml::from_str(&s) {
        yaml_rust2::Yaml::Null => Value::Null,
        yaml_rust2::Yaml::Boolean(b) => Value::Bool(b),
        yaml_rust2::Yaml::Integer(i) => Value::from(i),
        // `.inf`, `.nan` and numbers beyond f64 have no JSON number: they stay the string written, which no count
        // check accepts.
        yaml_rust2::Yaml::Real(r) => r
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(Value::String(s), Value::Number),
        _ => Value::String(s),
    }
}

impl MarkedEventReceiver for Reader<'_> {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        if self.failed.is_some() {
            return;
        }
        match ev {
            Event::DocumentStart => {
                self.documents += 1;
                self.stack.clear();
                self.streamed = false;
                self.items_null = false;
            }
            Event::Scalar(s, style, anchor, tag) => {
                let v = scalar(s, style, tag.as_ref());
                self.complete(v, anchor);
            }
            Event::Alias(id) => {
                let (v, n) = self.anchors.get(&id).cloned().unwrap_or((Value::Null, 1));
                self.expanded += n;
                if self.expanded > MAX_EXPANDED {
                    self.failed = Some(DumpError::Aliases {
                        limit: MAX_EXPANDED,
                        line: mark.line(),
                    });
                    return;
                }
                self.complete(v, 0);
            }
            Event::MappingStart(..) | Event::SequenceStart(..) if self.stack.len() >= MAX_DEPTH => {
                self.failed = Some(DumpError::TooDeep {
                    limit: MAX_DEPTH,
                    line: mark.line(),
                });
            }
            Event::MappingStart(anchor, _) => self.stack.push(Frame::Map {
                map: Map::new(),
                key: None,
                anchor,
            }),
            Event::MappingEnd => {
                if let Some(Frame::Map { map, anchor, .. }) = self.stack.pop() {
                    self.complete(Value::Object(map), anchor);
                }
            }
            Event::SequenceStart(anchor, _) => {
                let streaming = matches!(self.stack.as_slice(), [Frame::Map { key: Some(k), .. }] if k == "items");
                let discard = self.stack.is_empty();
                if streaming {
                    self.streamed = true;
                }
                self.stack.push(Frame::Seq {
                    items: vec![],
                    anchor,
                    streaming,
                    index: 0,
                    discard,
                });
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq {
                    items,
                    anchor,
                    streaming,
                    ..
                }) = self.stack.pop()
                {
                    if streaming {
                        // The items went to the sink; the key is consumed without a value.
                        if let Some(Frame::Map { key, .. }) = self.stack.last_mut() {
                            *key = None;
                        }
                    } else {
                        self.complete(Value::Array(items), anchor);
                    }
                }
            }
            Event::Nothing | Event::StreamStart | Event::StreamEnd | Event::DocumentEnd => {}
        }
    }
}

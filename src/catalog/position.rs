//! Where each node of a YAML document sits in its file: JSON Pointer → line and column.
//!
//! serde_yaml gives positions for syntax errors only; schema and semantic errors name a JSON Pointer, and this
//! map turns it back into the place the user has to edit.

use std::collections::HashMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

pub use crate::error::Pos;

/// JSON Pointer of every node (for a mapping entry: the place of its key) of the first document.
#[derive(Debug, Default, Clone)]
pub struct Positions {
    map: HashMap<String, Pos>,
}

impl Positions {
    /// Builds the map; a document that fails to parse gives an empty map (serde_yaml reports the syntax error).
    pub fn of(text: &str) -> Self {
        let mut rec = Recorder::default();
        let mut parser = Parser::new_from_str(text);
        let _ = parser.load(&mut rec, false);
        Positions { map: rec.map }
    }

    /// The place of `pointer`, or of its nearest ancestor that has one.
    pub fn find(&self, pointer: &str) -> Option<Pos> {
        let mut p = pointer;
        loop {
            if let Some(pos) = self.map.get(p) {
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

enum Frame {
    Map { pointer: String, key: Option<String> },
    Seq { pointer: String, next: usize },
}

#[derive(Default)]
struct Recorder {
    map: HashMap<String, Pos>,
    stack: Vec<Frame>,
}

/// A JSON Pointer segment for `segment` (`~` and `/` escaped).
pub fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

fn pos(mark: Marker) -> Pos {
    Pos {
        line: mark.line(),
        column: mark.col() + 1,
    }
}

impl Recorder {
    /// Called for a node that starts here; returns its pointer, or None when the node is a mapping key.
    fn place(&mut self, mark: Marker, key_text: Option<&str>) -> Option<String> {
        match self.stack.last_mut() {
            None => {
                self.map.entry(String::new()).or_insert(pos(mark));
                Some(String::new())
            }
            Some(Frame::Seq { pointer, next }) => {
                let p = format!("{pointer}/{next}");
                *next += 1;
                self.map.entry(p.clone()).or_insert(pos(mark));
                Some(p)
            }
            Some(Frame::Map { pointer, key }) => match key.take() {
                None => {
                    let k = key_text.unwrap_or("").to_string();
                    let p = format!("{pointer}/{}", escape(&k));
                    self.map.entry(p).or_insert(pos(mark));
                    *key = Some(k);
                    None
                }
                Some(k) => Some(format!("{pointer}/{}", escape(&k))),
            },
        }
    }
}

impl MarkedEventReceiver for Recorder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        match ev {
            Event::Scalar(text, ..) => {
                self.place(mark, Some(&text));
            }
            Event::Alias(_) => {
                self.place(mark, Some(""));
            }
            Event::SequenceStart(..) => {
                let pointer = self.place(mark, None).unwrap_or_default();
                self.stack.push(Frame::Seq { pointer, next: 0 });
            }
            Event::MappingStart(..) => {
                // A complex (non-scalar) key is not something a catalogue uses; its contents are placed under "".
                let pointer = self.place(mark, None).unwrap_or_default();
                self.stack.push(Frame::Map { pointer, key: None });
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.stack.pop();
            }
            _ => {}
        }
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
}

//! A JSON Schema without its annotations (`description`, `title`, `default`, `examples`, `$comment`): what the
//! validator and the schema walk read of the catalogue schema, embedded by build.rs (a third of the committed
//! file, parsed at every run). Annotations never change whether an instance is valid. Shared by build.rs, the
//! schema walk (which ignores the same keywords) and the test that keeps the embedded copy equal to the committed
//! schema.

use serde_json::Value;

/// The annotation keywords (draft 7): they never change whether an instance is valid.
pub const ANNOTATIONS: &[&str] = &["description", "title", "default", "examples", "$comment"];

/// `schema` with every annotation keyword removed; the names under `properties` and `definitions` are names,
/// not keywords, and are kept whatever they are.
pub fn without_annotations(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !ANNOTATIONS.contains(&k.as_str()))
                .map(|(k, v)| {
                    let v = match (k.as_str(), v) {
                        ("properties" | "definitions", Value::Object(named)) => Value::Object(
                            named
                                .iter()
                                .map(|(name, s)| (name.clone(), without_annotations(s)))
                                .collect(),
                        ),
                        _ => without_annotations(v),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_annotations).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn annotations_go_and_names_stay() {
        let schema = json!({
            "title": "t",
            "description": "d",
            "properties": {"description": {"type": "string", "description": "x"}, "default": {"default": 1}},
            "definitions": {"title": {"$comment": "c", "enum": ["a"]}},
            "anyOf": [{"examples": [1], "minimum": 0}],
        });
        assert_eq!(
            without_annotations(&schema),
            json!({
                "properties": {"description": {"type": "string"}, "default": {}},
                "definitions": {"title": {"enum": ["a"]}},
                "anyOf": [{"minimum": 0}],
            })
        );
    }
}

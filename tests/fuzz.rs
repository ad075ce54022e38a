//! Property tests (the fuzzing of hagen): whatever the catalogue or the manifest stream, hagen returns a value or
//! an error, never panics. Failing inputs proptest finds are kept in proptest-regressions/ and replayed first.

mod common;
use common::tricky_text;
use proptest::prelude::*;

const SHIPPED: &str = include_str!("../catalog/cluster.yaml");
const STREAM: &str = include_str!("fixtures/audit/node-down.yaml");

/// Loads, resolves and renders; any outcome but a panic is fine.
fn generate(text: &str) {
    // Named like the shipped catalogue so that its values file (catalog/values/) is found.
    if let Ok(loaded) = hagen::catalog::load_str(text, "catalog/cluster.yaml")
        && let Ok(plan) = hagen::resolve::resolve(&loaded, &hagen::lock::Known::builtin(), Default::default())
    {
        let _ = hagen::generate::generate(&plan, "fuzz.yaml", "out");
        let _ = hagen::scenarios::compute(&plan);
    }
}

/// Edits of a text: delete, duplicate or replace a line, or put a character in.
fn mutated(base: &'static str) -> impl Strategy<Value = String> {
    let lines = base.lines().count();
    prop::collection::vec((0..4u8, 0..lines, any::<char>(), 0..200usize), 1..6).prop_map(move |edits| {
        let mut v: Vec<String> = base.lines().map(String::from).collect();
        for (kind, at, c, col) in edits {
            let at = at % v.len().max(1);
            match kind {
                0 if !v.is_empty() => {
                    v.remove(at);
                }
                1 if !v.is_empty() => {
                    let l = v[at].clone();
                    v.insert(at, l);
                }
                2 if !v.is_empty() => v[at] = c.to_string(),
                _ if !v.is_empty() => {
                    let l = &mut v[at];
                    let i = l
                        .char_indices()
                        .nth(col % (l.chars().count() + 1))
                        .map_or(l.len(), |(i, _)| i);
                    l.insert(i, c);
                }
                _ => {}
            }
        }
        v.join("\n")
    })
}

fn patches() -> Vec<(hagen::patch::Target, json_patch::Patch)> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/hardcoded/patches.yaml"
    ))
    .unwrap();
    hagen::patch::parse_patches(&text, "patches.yaml").unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn catalogue_loader_never_panics_on_arbitrary_text(text in "(?s).{0,400}") {
        generate(&text);
    }

    #[test]
    fn catalogue_loader_never_panics_on_edited_catalogues(text in mutated(SHIPPED)) {
        generate(&text);
    }

    #[test]
    fn post_render_never_panics_on_arbitrary_text(text in "(?s)(---\n|kind: |name: |[a-z:{}\\[\\] \n-]){0,200}") {
        let _ = hagen::patch::post_render(&text, &patches(), &[]);
        let _ = hagen::k8s::objects_from_stream(&text, "default");
    }

    #[test]
    fn post_render_never_panics_on_edited_streams(text in mutated(STREAM)) {
        let _ = hagen::patch::post_render(&text, &patches(), &[]);
        let _ = hagen::k8s::objects_from_stream(&text, "default");
    }

    #[test]
    fn audit_reader_never_panics(text in "(?s)(---\n|\\{|\\}|\\[|\\]|kind: |List|items|: |null|-1|\"|,|[a-z \n-]){0,200}") {
        let _ = hagen::audit::read(&text, "fuzz", &["Prometheus"]);
    }
}

/// The kept corpus: every bad-input case and every audit fixture, replayed through both entry points.
#[test]
fn the_kept_corpus_replays_without_panics() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut inputs = Vec::new();
    for dir in ["tests/bad", "tests/fixtures/audit"] {
        let mut stack = vec![root.join(dir)];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    inputs.push(std::fs::read(&p).unwrap());
                }
            }
        }
    }
    assert!(inputs.len() > 40);
    for bytes in inputs {
        let text = String::from_utf8_lossy(&bytes);
        let _ = hagen::audit::read(&text, "corpus", &["Prometheus"]);
        // The live dumps (hundreds of KB) are audit's input only; the catalogue loader bounds its input far below.
        if bytes.len() > 100_000 {
            continue;
        }
        generate(&text);
        let _ = hagen::patch::post_render(&text, &patches(), &[]);
    }
}

/// How YAML 1.1 (go-yaml v2's `resolve.go`, PyYAML) and YAML 1.2 (core schema) type a plain scalar, reduced to
/// "a string or not": the boolean and null words of both, merge and value keys, and everything that starts like a
/// number, a date, a time or `.inf`/`.nan` in any of them (a sign, a digit or a dot).
fn retyped_by_some_reader(s: &str) -> bool {
    const WORDS: [&str; 22] = [
        "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False", "FALSE",
        "on", "On", "ON", "off", "Off", "OFF",
    ];
    s.is_empty()
        || WORDS.contains(&s)
        || ["~", "null", "Null", "NULL", "<<", "="].contains(&s)
        || s.starts_with(|c: char| c.is_ascii_digit() || "+-.".contains(c))
}

fn json_value() -> impl Strategy<Value = serde_json::Value> {
    use serde_json::Value;
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        tricky_text(8).prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((tricky_text(8), inner), 0..6).prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn emitted_yaml_parses_back_to_the_same_value(v in json_value()) {
        let text = hagen::yaml::emit(&v);
        let back: serde_json::Value = serde_yaml::from_str(&text).unwrap();
        prop_assert!(roughly(&back, &v), "{}\n{}", text, v);
        prop_assert_eq!(hagen::yaml::check_bounds(&text, hagen::yaml::STREAM).map_err(|e| e.message), Ok(()));
    }

    #[test]
    fn no_plain_string_is_retyped_by_a_yaml_1_1_or_1_2_reader(s in tricky_text(8)) {
        if hagen::yaml::plain_ok(&s) {
            prop_assert!(!retyped_by_some_reader(&s), "{:?}", s);
        }
        let one: serde_json::Value = serde_yaml::from_str(&hagen::yaml::emit(&serde_json::json!({ "k": s.clone() }))).unwrap();
        prop_assert_eq!(one["k"].as_str(), Some(s.as_str()));
    }

    #[test]
    fn bounds_are_checked_before_any_parser_runs(depth in 101usize..100_000, kind in 0..3u8) {
        let text = match kind {
            0 => format!("a: {}1{}\n", "{a: ".repeat(depth), "}".repeat(depth)),
            1 => format!("a: {}1{}\n", "!t &x [".repeat(depth), "]".repeat(depth)),
            _ => format!("{}a\n", "- ".repeat(depth)),
        };
        let started = std::time::Instant::now();
        prop_assert!(hagen::catalog::load_str(&text, "deep.yaml").is_err());
        prop_assert!(hagen::patch::post_render(&text, &[], &[]).is_err());
        prop_assert!(hagen::k8s::objects_from_stream(&text, "default").is_err());
        prop_assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());
    }
}

/// Numbers compared by value, everything else exactly.
fn roughly(a: &serde_json::Value, b: &serde_json::Value) -> bool {
    use serde_json::Value;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| roughly(p, q)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((k, p), (l, q))| k == l && roughly(p, q))
        }
        _ => a == b,
    }
}

//! Property tests (the fuzzing of hagen): whatever the catalogue or the manifest stream, hagen returns a value or
//! an error, never panics. Failing inputs proptest finds are kept in proptest-regressions/ and replayed first.

use proptest::prelude::*;

const SHIPPED: &str = include_str!("../catalog/cluster.yaml");
const STREAM: &str = include_str!("fixtures/audit/node-down.yaml");

/// Loads, resolves and renders; any outcome but a panic is fine.
fn generate(text: &str) {
    if let Ok(loaded) = hagen::catalog::load_str(text, "fuzz.yaml")
        && let Ok(plan) = hagen::intent::resolve(&loaded, Default::default())
    {
        let _ = hagen::generate::generate(&plan, "fuzz.yaml", "out");
        let _ = hagen::plan::plan(&plan);
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
        let _ = hagen::verify::objects_from_stream(&text, "default");
    }

    #[test]
    fn post_render_never_panics_on_edited_streams(text in mutated(STREAM)) {
        let _ = hagen::patch::post_render(&text, &patches(), &[]);
        let _ = hagen::verify::objects_from_stream(&text, "default");
    }

    #[test]
    fn audit_reader_never_panics(text in "(?s)(---\n|\\{|\\}|\\[|\\]|kind: |List|items|: |null|-1|\"|,|[a-z \n-]){0,200}") {
        let _ = hagen::audit::read(&text, "fuzz");
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
        let _ = hagen::audit::read(&text, "corpus");
        // The live dumps (hundreds of KB) are audit's input only; the catalogue loader bounds its input far below.
        if bytes.len() > 100_000 {
            continue;
        }
        generate(&text);
        let _ = hagen::patch::post_render(&text, &patches(), &[]);
    }
}

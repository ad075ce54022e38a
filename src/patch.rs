//! JSON 6902 patches in kustomize's `patches:` shape, and applying them to a rendered manifest stream
//! (`hagen post-render`, the Helm post-renderer contract: manifests on stdin, patched manifests on stdout).

use crate::error::{Error, PostRenderError, Result};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::Path;

/// Which object a patch applies to (a kustomize patch target).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub group: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version: String,
    pub kind: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// One entry of a kustomization's `patches:`: a target and a JSON 6902 patch (as text, as kustomize wants it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatchEntry {
    pub target: Target,
    pub patch: String,
}

/// A patch as hagen builds it: a target and its operations.
#[derive(Debug, Clone, PartialEq)]
pub struct Patch {
    pub target: Target,
    pub ops: Vec<Value>,
}

impl Target {
    /// An apps/v1 Deployment called `name`.
    pub fn deployment(name: &str) -> Self {
        Target {
            group: "apps".into(),
            version: "v1".into(),
            kind: "Deployment".into(),
            name: name.into(),
            namespace: None,
        }
    }

    /// A PodDisruptionBudget called `name`, of any version of the policy group (charts that ask
    /// `.Capabilities.APIVersions` render policy/v1beta1 under a bare `helm template`).
    pub fn pdb(name: &str) -> Self {
        Target {
            group: "policy".into(),
            version: String::new(),
            kind: "PodDisruptionBudget".into(),
            name: name.into(),
            namespace: None,
        }
    }

    fn matches(&self, obj: &Value) -> bool {
        let api = obj.get("apiVersion").and_then(Value::as_str).unwrap_or("");
        let (group, version) = match api.rsplit_once('/') {
            Some((g, v)) => (g, v),
            None => ("", api),
        };
        obj.get("kind").and_then(Value::as_str) == Some(self.kind.as_str())
            && obj.pointer("/metadata/name").and_then(Value::as_str) == Some(self.name.as_str())
            && (self.group.is_empty() || self.group == group)
            && (self.version.is_empty() || self.version == version)
            && self.namespace.as_ref().is_none_or(|ns| {
                obj.pointer("/metadata/namespace")
                    .and_then(Value::as_str)
                    .is_none_or(|n| n == ns)
            })
    }

    fn describe(&self) -> String {
        let gv = [self.group.as_str(), self.version.as_str()]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("/");
        format!(
            "{} {}{}",
            self.kind,
            self.name,
            if gv.is_empty() {
                String::new()
            } else {
                format!(" ({gv})")
            }
        )
    }
}

impl Patch {
    /// An `add` operation (which also replaces an existing member) of `value` at `path`.
    pub fn add(path: &str, value: Value) -> Value {
        serde_json::json!({"op": "add", "path": path, "value": value})
    }

    /// The kustomize-shaped entry.
    pub fn entry(&self) -> PatchEntry {
        let text = crate::yaml::emit(&Value::Array(self.ops.clone()));
        PatchEntry {
            target: self.target.clone(),
            patch: text,
        }
    }
}

/// Parses a patches file (a YAML sequence of kustomize `patches:` entries).
pub fn parse_patches(text: &str, file: &str) -> Result<Vec<(Target, json_patch::Patch)>> {
    bounded(text, crate::yaml::SMALL, file, None)?;
    let entries: Vec<PatchEntry> = if text.trim().is_empty() {
        vec![]
    } else {
        serde_yaml::from_str(text).map_err(|source| {
            Error::PostRender(PostRenderError::NotPatchList {
                file: file.to_string(),
                source,
            })
        })?
    };
    entries
        .into_iter()
        .enumerate()
        .map(|(i, e)| {
            bounded(&e.patch, crate::yaml::SMALL, file, Some(i + 1))?;
            let ops: json_patch::Patch = serde_yaml::from_str(&e.patch).map_err(|source| {
                Error::PostRender(PostRenderError::NotJsonPatch {
                    file: file.to_string(),
                    index: i + 1,
                    target: e.target.describe(),
                    source,
                })
            })?;
            // `copy` is the one operation that can double a document each time it runs (a patch set of 50 copies
            // of the root grows it 2^50 times); hagen never writes it, so it is refused rather than bounded.
            if ops.0.iter().any(|op| matches!(op, json_patch::PatchOperation::Copy(_))) {
                return Err(Error::PostRender(PostRenderError::Copy {
                    file: file.to_string(),
                    index: i + 1,
                    target: e.target.describe(),
                }));
            }
            Ok((e.target, ops))
        })
        .collect()
}

/// Refuses input over the size or nesting bounds before a YAML parser sees it: `what` names the text, `patch`
/// the patch of that file it is.
fn bounded(text: &str, limits: crate::yaml::Limits, what: &str, patch: Option<usize>) -> Result<()> {
    crate::yaml::check_bounds(text, limits).map_err(|e| {
        let before = &text.as_bytes()[..e.offset.min(text.len())];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        Error::PostRender(PostRenderError::OutOfBounds {
            what: what.to_string(),
            patch,
            line,
            reason: e.message,
        })
    })
}

/// Splits a YAML stream at `---` lines the way Helm does, keeping each document's text (slices of `stream`).
fn split_documents(stream: &str) -> Vec<&str> {
    let mut docs = Vec::new();
    let mut start = 0;
    let mut pos = 0;
    for line in stream.split_inclusive('\n') {
        let is_sep = line.starts_with("---") && line[3..].chars().next().is_none_or(|c| c.is_whitespace() || c == '#');
        if is_sep {
            docs.push(&stream[start..pos]);
            start = pos + 3; // `--- {a: 1}` keeps its content; a comment or blank rest is harmless
        }
        pos += line.len();
    }
    docs.push(&stream[start..]);
    docs
}

fn is_blank(text: &str) -> bool {
    text.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#')
    })
}

fn parse_object(text: &str, n: usize) -> Result<Value> {
    let value: Value = serde_yaml::from_str(text)
        .map_err(|source| Error::PostRender(PostRenderError::DocumentNotYaml { document: n, source }))?;
    if !value.is_object() && !value.is_null() {
        return Err(Error::PostRender(PostRenderError::NotAnObject { document: n }));
    }
    Ok(value)
}

/// Applies every patch whose target `v` is (or, for a `List`, contains); marks the patches that hit.
fn apply(v: &mut Value, patches: &[(Target, json_patch::Patch)], hit: &mut [bool]) -> Result<bool> {
    let mut changed = false;
    for ((target, ops), hit) in patches.iter().zip(hit.iter_mut()) {
        let fail = |source: json_patch::PatchError| {
            Error::PostRender(PostRenderError::DoesNotApply {
                target: target.describe(),
                source,
            })
        };
        if target.matches(v) {
            json_patch::patch(v, ops).map_err(fail)?;
            *hit = true;
            changed = true;
        } else if v.get("kind").and_then(Value::as_str) == Some("List")
            && let Some(items) = v.get_mut("items").and_then(Value::as_array_mut)
        {
            for item in items.iter_mut().filter(|i| target.matches(i)) {
                json_patch::patch(item, ops).map_err(fail)?;
                *hit = true;
                changed = true;
            }
        }
    }
    Ok(changed)
}

/// Applies `patches` to the manifest stream `input`, appends `extra` documents, and writes the new stream to `out`.
/// Every document must be YAML and every patch must find its target, or nothing is written. Documents no patch
/// touches are passed through as written; only patched ones are held in memory twice.
pub fn post_render_to(
    input: &str,
    patches: &[(Target, json_patch::Patch)],
    extra: &[Value],
    out: &mut impl std::io::Write,
) -> Result<()> {
    bounded(input, crate::yaml::STREAM, "the manifests on stdin", None)?;
    let docs = split_documents(input);
    let mut hit = vec![false; patches.len()];
    let mut rewritten: std::collections::HashMap<usize, String> = std::collections::HashMap::new();
    let mut keep = Vec::with_capacity(docs.len());
    for (i, text) in docs.iter().enumerate() {
        if is_blank(text) {
            continue;
        }
        let mut value = parse_object(text, i + 1)?;
        if value.is_null() {
            continue;
        }
        if apply(&mut value, patches, &mut hit)? {
            rewritten.insert(i, crate::yaml::emit(&value));
        }
        keep.push(i);
    }
    if let Some(((target, _), _)) = patches.iter().zip(&hit).find(|(_, h)| !**h) {
        return Err(Error::PostRender(PostRenderError::TargetMissing {
            target: target.describe(),
        }));
    }
    let werr = |e: std::io::Error| match e.kind() {
        std::io::ErrorKind::BrokenPipe => Error::ClosedPipe,
        _ => Error::PostRender(PostRenderError::WriteResult(e)),
    };
    let mut push = |text: &str| -> Result<()> {
        out.write_all(b"---\n").map_err(werr)?;
        out.write_all(text.as_bytes()).map_err(werr)?;
        if !text.ends_with('\n') {
            out.write_all(b"\n").map_err(werr)?;
        }
        Ok(())
    };
    for i in keep {
        push(rewritten.get(&i).map_or(docs[i], String::as_str))?;
    }
    for v in extra {
        push(&crate::yaml::emit(v))?;
    }
    Ok(())
}

/// [`post_render_to`] into a string.
pub fn post_render(input: &str, patches: &[(Target, json_patch::Patch)], extra: &[Value]) -> Result<String> {
    let mut out = Vec::with_capacity(input.len() + 1024);
    post_render_to(input, patches, extra, &mut out)?;
    String::from_utf8(out).map_err(|e| Error::PostRender(PostRenderError::NotUtf8(e)))
}

/// Parses a stream of manifests (extra resources) into objects, skipping empty documents.
pub fn parse_manifests(text: &str, file: &str, limits: crate::yaml::Limits) -> Result<Vec<Value>> {
    bounded(text, limits, file, None)?;
    let mut out = Vec::new();
    for doc in split_documents(text) {
        if is_blank(doc) {
            continue;
        }
        let v: Value = serde_yaml::from_str(doc).map_err(|source| {
            Error::PostRender(PostRenderError::ManifestsNotYaml {
                file: file.to_string(),
                source,
            })
        })?;
        if !v.is_null() {
            out.push(v);
        }
    }
    Ok(out)
}

/// A release's rendered stream as the cluster gets it: with the patches and extra manifests of the files
/// `patches` and `resources` applied by the same code as `hagen post-render` (unchanged when neither exists).
pub fn post_render_files(stream: String, patches: &Path, resources: &Path) -> Result<String> {
    if !patches.exists() && !resources.exists() {
        return Ok(stream);
    }
    let read = |p: &Path| crate::yaml::read_file(p, crate::yaml::SMALL.size);
    let parsed = if patches.exists() {
        parse_patches(&read(patches)?, &patches.display().to_string())?
    } else {
        vec![]
    };
    let extra = if resources.exists() {
        parse_manifests(&read(resources)?, &resources.display().to_string(), crate::yaml::SMALL)?
    } else {
        vec![]
    };
    post_render(&stream, &parsed, &extra)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STREAM: &str = "---\n# Source: x/templates/deployment.yaml\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n---\n# Source: x/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: web\n---\n\n";

    fn patches(name: &str) -> Vec<(Target, json_patch::Patch)> {
        let p = Patch {
            target: Target::deployment(name),
            ops: vec![Patch::add("/spec/replicas", 2.into())],
        };
        let text = crate::yaml::to_string(&vec![p.entry()]).unwrap();
        parse_patches(&text, "p.yaml").unwrap()
    }

    #[test]
    fn patches_the_target_and_keeps_the_rest_verbatim() {
        let out = post_render(STREAM, &patches("web"), &[]).unwrap();
        assert!(out.contains("replicas: 2"), "{out}");
        assert!(
            out.contains("# Source: x/templates/svc.yaml\napiVersion: v1\nkind: Service"),
            "{out}"
        );
        assert_eq!(out.matches("---\n").count(), 2, "{out}");
    }

    #[test]
    fn a_missing_target_is_an_error() {
        let e = post_render(STREAM, &patches("api"), &[]).unwrap_err().to_string();
        assert!(
            e.contains("Deployment api (apps/v1) is not in the rendered manifests"),
            "{e}"
        );
    }

    #[test]
    fn empty_documents_comments_and_inline_starts() {
        let stream = "# leading comment\n---\n---   # only a comment\n\n--- {apiVersion: apps/v1, kind: Deployment, metadata: {name: web}, spec: {replicas: 1}}\n...\n--- \n";
        let out = post_render(stream, &patches("web"), &[]).unwrap();
        assert_eq!(out.matches("---\n").count(), 1, "{out}");
        assert!(out.contains("replicas: 2"), "{out}");
    }

    #[test]
    fn copy_operations_are_refused() {
        let text =
            "- target: {kind: Deployment, name: web}\n  patch: |\n    - {op: copy, from: /spec, path: /spec/a}\n";
        let e = parse_patches(text, "p.yaml").unwrap_err().to_string();
        assert!(e.contains("uses `copy`, which hagen does not apply"), "{e}");
    }

    #[test]
    fn re_serialised_documents_keep_yaml_1_1_strings_strings() {
        let stream = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n  annotations: {a: \"on\", b: \"0x1F\", c: \"1_000\", d: \"12:30:45\"}\nspec: {replicas: 1}\n";
        let out = post_render(stream, &patches("web"), &[]).unwrap();
        for quoted in ["a: \"on\"", "b: \"0x1F\"", "c: \"1_000\"", "d: \"12:30:45\""] {
            assert!(out.contains(quoted), "{out}");
        }
    }

    #[test]
    fn lists_are_patched_inside() {
        let list = "apiVersion: v1\nkind: List\nitems:\n- apiVersion: apps/v1\n  kind: Deployment\n  metadata: {name: web}\n  spec: {replicas: 1}\n";
        let out = post_render(list, &patches("web"), &[]).unwrap();
        assert!(out.contains("replicas: 2"), "{out}");
    }
}

//! Reading what `hagen audit` judges: a `kubectl get … -o json|yaml` dump (one `List`) or a manifest stream, read
//! item by item so that a 100k-pod dump never sits in memory as a tree. Every field audit relies on is checked for
//! its type and range first, and a wrong one is named by its path (`items[3].spec.replicas`).

use crate::error::{AuditError, DumpError};
use crate::k8s::Object;
use crate::k8s::labels_of;
use indexmap::{IndexMap, IndexSet};
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use std::fmt;

mod yaml;

/// The kinds audit keeps whole: workloads (their pod templates, for the neighbour checks), PDBs and HPAs; the
/// objects operators make pods for (chart knowledge's `operatorPods`) are kept beside them.
const KEPT: &[&str] = &[
    "Deployment",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "CronJob",
    "PodDisruptionBudget",
    "HorizontalPodAutoscaler",
];

/// The label that names an object's Helm release (or, for some charts, `<release>-<namespace>`).
pub const INSTANCE_LABEL: &str = "app.kubernetes.io/instance";
/// The annotation Helm puts on everything it installs, naming the release.
pub const RELEASE_ANNOTATION: &str = "meta.helm.sh/release-name";

/// Everything audit reads from its input.
#[derive(Debug, Default)]
pub struct Dump {
    /// Workloads, PDBs and HPAs, whole.
    pub objects: Vec<Object>,
    pub pods: Vec<Pod>,
    pub nodes: Vec<LiveNode>,
    /// Whether any object carries what only the API server writes (uid, creationTimestamp, status): live state,
    /// not a rendered stream.
    pub live: bool,
    /// Release names from `meta.helm.sh/release-name` annotations, and `app.kubernetes.io/instance` values.
    pub release_annotations: IndexSet<String>,
    pub instance_labels: IndexSet<String>,
}

/// A pod, reduced to what placement and readiness need.
#[derive(Debug, Clone)]
pub struct Pod {
    pub name: String,
    pub namespace: String,
    /// `spec.nodeName`; `None` while unscheduled.
    pub node: Option<String>,
    pub labels: IndexMap<String, String>,
    pub created: String,
    pub phase: String,
    /// Condition `Ready=True`.
    pub ready: bool,
    /// `metadata.deletionTimestamp` is set (kubectl shows Terminating, or Unknown with reason NodeLost).
    pub terminating: bool,
    /// The controller owner, `Kind/name`.
    pub owner: Option<String>,
    /// The scheduler's message when `PodScheduled=False` (why it stays Pending).
    pub unschedulable: Option<String>,
    /// Whether its required hostname anti-affinity is scoped to its revision (`matchLabelKeys: [pod-template-hash]`,
    /// merged by the API server into `pod-template-hash In (…)`); `None` without a required hostname term.
    pub revision_keyed: Option<bool>,
}

impl Pod {
    /// Neither finished nor being deleted: it counts where it is.
    pub fn active(&self) -> bool {
        !self.terminating && self.phase != "Succeeded" && self.phase != "Failed"
    }
}

/// A node's state.
#[derive(Debug, Clone)]
pub struct LiveNode {
    pub name: String,
    /// `Ready` condition status: `True`, `False`, `Unknown`, or `None` when the node reports none.
    pub ready: Option<String>,
    /// The Ready condition's message (`Kubelet stopped posting node status.`).
    pub message: String,
    /// Cordoned: `spec.unschedulable`.
    pub unschedulable: bool,
}

/// Reads a dump or stream: JSON when it parses as JSON, else YAML (one document or many). `source` names it in
/// errors; every problem found is reported at once. Objects of `operator_kinds` (the kinds of the catalogue's
/// charts' `operatorPods`: `Prometheus`) are kept whole with the workloads.
pub fn read(text: &str, source: &str, operator_kinds: &[&str]) -> Result<Dump, AuditError> {
    let collector = || Collector {
        operator_kinds: operator_kinds.iter().map(|k| k.to_string()).collect(),
        ..Collector::default()
    };
    let mut sink = collector();
    let trimmed = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    let mut json_error = None;
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let mut de = serde_json::Deserializer::from_str(trimmed);
        let r = Document {
            sink: &mut sink,
            path: String::new(),
        }
        .deserialize(&mut de)
        .and_then(|()| de.end());
        match r {
            Ok(()) => return sink.finish(source),
            Err(e) if sink.errors.is_empty() && sink.items == 0 => json_error = Some(e.to_string()),
            Err(e) => return Err(dump_error(source, DumpError::NotJson { message: e.to_string() })),
        }
        sink = collector();
    }
    // YAML (which a JSON document also is, and a YAML stream may start with a flow mapping `{`).
    let mut reader = yaml::Reader::new(&mut sink);
    let r = yaml_rust2::parser::Parser::new_from_str(text).load(&mut reader, true);
    let documents = reader.documents;
    if let Some(why) = reader.failed.take() {
        return Err(dump_error(source, why));
    }
    if let Err(e) = r {
        let yaml = e.to_string();
        return Err(dump_error(
            source,
            match json_error {
                Some(json) => DumpError::Neither { json, yaml },
                None => DumpError::NotYaml { message: yaml },
            },
        ));
    }
    if documents == 1 {
        for e in &mut sink.errors {
            *e = e.trim_start_matches("document 1, ").to_string();
        }
    }
    sink.finish(source)
}

fn dump_error(source: &str, problem: DumpError) -> AuditError {
    AuditError::Dump {
        input: source.to_string(),
        problem,
    }
}

#[derive(Default)]
struct Collector {
    /// Kinds kept whole besides [`KEPT`].
    operator_kinds: Vec<String>,
    dump: Dump,
    errors: Vec<String>,
    items: usize,
}

impl Collector {
    fn finish(self, source: &str) -> Result<Dump, AuditError> {
        if self.errors.is_empty() {
            return Ok(self.dump);
        }
        Err(dump_error(source, DumpError::Problems(self.errors)))
    }

    /// The end of one document: a List (its items already read) or one object.
    fn document(&mut self, mut rest: serde_json::Map<String, Value>, p: &str, streamed: bool, items_null: bool) {
        let is_list = rest
            .get("kind")
            .and_then(Value::as_str)
            .is_some_and(|k| k.ends_with("List"));
        if is_list {
            if items_null {
                self.errors
                    .push(format!("{p}items: expected an array of objects, found null"));
            } else if let Some(v) = rest.get("items") {
                self.errors
                    .push(format!("{p}items: expected an array of objects, found {}", found(v)));
            } else if !streamed {
                self.errors.push(format!("{p}items: missing (a List must have items)"));
            }
        } else {
            if streamed {
                self.errors
                    .push(format!("{p}items: only a List (kind …List) has items"));
            } else if items_null {
                rest.insert("items".into(), Value::Null);
            }
            self.object(Value::Object(rest), p, "");
        }
    }

    /// One object (a List's item or a document): checked, then kept as what audit needs of it.
    fn object(&mut self, v: Value, doc: &str, path: &str) {
        self.items += 1;
        let mut errs = Vec::new();
        let mut at = |p: &str, m: String| {
            let joined = match (path.is_empty(), p.is_empty()) {
                (true, true) => "top level".to_string(),
                (true, false) => p.to_string(),
                (false, true) => path.to_string(),
                (false, false) => format!("{path}.{p}"),
            };
            errs.push(format!("{doc}{joined}: {m}"))
        };
        let kind = match object_kind(&v) {
            Ok(kind) => kind,
            Err((p, m)) => {
                at(p, m);
                self.errors.append(&mut errs);
                return;
            }
        };
        let name = str_at(&v, "/metadata/name", "metadata.name", true, &mut at);
        let namespace = str_at(&v, "/metadata/namespace", "metadata.namespace", false, &mut at);
        string_map(&v, "/metadata/labels", "metadata.labels", &mut at);
        string_map(&v, "/metadata/annotations", "metadata.annotations", &mut at);
        self.note_markers(&v, &kind);
        check_fields(&v, &kind, &mut at);
        if !errs.is_empty() {
            self.errors.append(&mut errs);
            return;
        }
        let (Some(name), namespace) = (name, namespace) else {
            return;
        };
        // Left empty when the manifest names none: a rendered stream's objects go to its release's namespace.
        let namespace = namespace.unwrap_or_default();
        match kind.as_str() {
            "Pod" => self.dump.pods.push(pod_of(&v, name, namespace)),
            "Node" => self.dump.nodes.push(node_of(&v, name)),
            k if KEPT.contains(&k) || self.operator_kinds.iter().any(|o| o == k) => self.dump.objects.push(Object {
                kind,
                name,
                namespace,
                value: v,
            }),
            _ => {}
        }
    }

    /// What tells live state from a render, and which releases a rendered stream is of: the server's fields,
    /// Helm's release annotation, the instance label (of everything but pods).
    fn note_markers(&mut self, v: &Value, kind: &str) {
        let m = v.get("metadata");
        if m.and_then(|m| m.get("uid").or(m.get("creationTimestamp"))).is_some() || v.get("status").is_some() {
            self.dump.live = true;
        }
        if let Some(r) = v
            .pointer("/metadata/annotations")
            .and_then(|a| a.get(RELEASE_ANNOTATION))
            .and_then(Value::as_str)
        {
            self.dump.release_annotations.insert(r.to_string());
        }
        if kind != "Pod" {
            for p in ["/metadata/labels", "/spec/template/metadata/labels"] {
                if let Some(r) = v.pointer(p).and_then(|a| a.get(INSTANCE_LABEL)).and_then(Value::as_str) {
                    self.dump.instance_labels.insert(r.to_string());
                }
            }
        }
    }
}

/// The object's kind; else where and what is wrong: not an object, no string kind, or a List inside a list.
fn object_kind(v: &Value) -> Result<String, (&'static str, String)> {
    let Some(obj) = v.as_object() else {
        return Err(("", format!("expected a Kubernetes object, found {}", found(v))));
    };
    let kind = match obj.get("kind") {
        Some(Value::String(k)) => k.clone(),
        other => return Err(("kind", format!("expected a string, found {}", found_opt(other)))),
    };
    if kind.ends_with("List") {
        return Err(("", format!("a {kind} inside a list is not supported")));
    }
    Ok(kind)
}

/// The type and range of every field audit reads of an object of `kind`.
fn check_fields(v: &Value, kind: &str, at: &mut impl FnMut(&str, String)) {
    match kind {
        "Deployment" | "StatefulSet" => check_workload(v, at),
        "HorizontalPodAutoscaler" => check_hpa(v, at),
        "PodDisruptionBudget" => check_pdb(v, at),
        "Pod" => {
            conditions(v, at);
            check_pod(v, at);
        }
        "Node" => {
            conditions(v, at);
            if let Some(x) = v.pointer("/spec/unschedulable").filter(|x| !x.is_boolean()) {
                at(
                    "spec.unschedulable",
                    format!("expected true or false, found {}", found(x)),
                );
            }
        }
        _ => {}
    }
}

/// A Deployment's or StatefulSet's counts, selector, pod labels and strategy type.
fn check_workload(v: &Value, at: &mut impl FnMut(&str, String)) {
    count_at(v, "/spec/replicas", "spec.replicas", at);
    for f in ["replicas", "readyReplicas", "availableReplicas", "updatedReplicas"] {
        count_at(v, &format!("/status/{f}"), &format!("status.{f}"), at);
    }
    object_at(v, "/spec/selector", "spec.selector", at);
    string_map(v, "/spec/template/metadata/labels", "spec.template.metadata.labels", at);
    if let Some(t) = v.pointer("/spec/strategy/type").filter(|t| !t.is_string()) {
        at("spec.strategy.type", format!("expected a string, found {}", found(t)));
    }
}

/// An HPA's bounds, target, counts and conditions.
fn check_hpa(v: &Value, at: &mut impl FnMut(&str, String)) {
    count_at(v, "/spec/minReplicas", "spec.minReplicas", at);
    match v.pointer("/spec/maxReplicas") {
        Some(x) if x.as_u64().is_some_and(|n| n >= 1 && n <= i32::MAX as u64) => {}
        other => at(
            "spec.maxReplicas",
            format!("expected a positive integer, found {}", found_opt(other)),
        ),
    }
    str_at(v, "/spec/scaleTargetRef/name", "spec.scaleTargetRef.name", true, at);
    for f in ["currentReplicas", "desiredReplicas"] {
        count_at(v, &format!("/status/{f}"), &format!("status.{f}"), at);
    }
    conditions(v, at);
}

/// A PDB's counts, its bounds (an integer or a percentage) and its selector.
fn check_pdb(v: &Value, at: &mut impl FnMut(&str, String)) {
    for f in ["disruptionsAllowed", "currentHealthy", "desiredHealthy", "expectedPods"] {
        count_at(v, &format!("/status/{f}"), &format!("status.{f}"), at);
    }
    for f in ["maxUnavailable", "minAvailable"] {
        if let Some(x) = v.pointer(&format!("/spec/{f}")) {
            let ok = x.as_u64().is_some()
                || x.as_str().is_some_and(|s| {
                    s.strip_suffix('%')
                        .is_some_and(|n| n.parse::<u32>().is_ok_and(|n| n <= 100))
                });
            if !ok {
                at(
                    &format!("spec.{f}"),
                    format!("expected a non-negative integer or a percentage, found {}", found(x)),
                );
            }
        }
    }
    object_at(v, "/spec/selector", "spec.selector", at);
}

/// A pod's node, deletion mark and phase.
fn check_pod(v: &Value, at: &mut impl FnMut(&str, String)) {
    str_at(v, "/spec/nodeName", "spec.nodeName", false, at);
    str_at(
        v,
        "/metadata/deletionTimestamp",
        "metadata.deletionTimestamp",
        false,
        at,
    );
    match v.pointer("/status/phase") {
        None => {}
        Some(Value::String(p)) if ["Pending", "Running", "Succeeded", "Failed", "Unknown"].contains(&p.as_str()) => {}
        Some(x) => at(
            "status.phase",
            format!(
                "expected Pending, Running, Succeeded, Failed or Unknown, found {}",
                found(x)
            ),
        ),
    }
}

/// A checked pod, reduced to what placement and readiness need.
fn pod_of(v: &Value, name: String, namespace: String) -> Pod {
    Pod {
        node: v.pointer("/spec/nodeName").and_then(Value::as_str).map(String::from),
        labels: labels_of(v.pointer("/metadata/labels")),
        created: text(v, "/metadata/creationTimestamp"),
        phase: text(v, "/status/phase"),
        ready: condition(v, "Ready").is_some_and(|c| c.0 == "True"),
        terminating: v.pointer("/metadata/deletionTimestamp").is_some_and(|t| !t.is_null()),
        owner: v
            .pointer("/metadata/ownerReferences")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|o| o.get("controller").and_then(Value::as_bool) == Some(true))
            .map(|o| format!("{}/{}", text(o, "/kind"), text(o, "/name"))),
        unschedulable: condition(v, "PodScheduled").filter(|c| c.0 == "False").map(|c| c.1),
        revision_keyed: crate::check::revision_keyed_terms(v.get("spec").unwrap_or(&Value::Null)),
        name,
        namespace,
    }
}

/// A checked node's state.
fn node_of(v: &Value, name: String) -> LiveNode {
    let ready = condition(v, "Ready");
    LiveNode {
        name,
        ready: ready.as_ref().map(|c| c.0.clone()),
        message: ready.map(|c| c.1).unwrap_or_default(),
        unschedulable: v.pointer("/spec/unschedulable").and_then(Value::as_bool) == Some(true),
    }
}

fn text(v: &Value, p: &str) -> String {
    v.pointer(p).and_then(Value::as_str).unwrap_or("").to_string()
}

/// The status and message of condition `ty`.
fn condition(v: &Value, ty: &str) -> Option<(String, String)> {
    v.pointer("/status/conditions")?
        .as_array()?
        .iter()
        .find(|c| c.get("type").and_then(Value::as_str) == Some(ty))
        .map(|c| (text(c, "/status"), text(c, "/message")))
}

fn found(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the string {s:?}"),
        Value::Array(_) => "an array".into(),
        Value::Object(_) => "an object".into(),
    }
}

fn found_opt(v: Option<&Value>) -> String {
    v.map_or("nothing".into(), found)
}

fn str_at(v: &Value, p: &str, name: &str, required: bool, at: &mut impl FnMut(&str, String)) -> Option<String> {
    match v.pointer(p) {
        Some(Value::String(s)) if !s.is_empty() || !required => Some(s.clone()),
        None if !required => None,
        other => {
            at(
                name,
                format!(
                    "expected a {}string, found {}",
                    if required { "non-empty " } else { "" },
                    found_opt(other)
                ),
            );
            None
        }
    }
}

/// A replica count: an integer from 0 to 2³¹−1 (int32 in the API), when present.
fn count_at(v: &Value, p: &str, name: &str, at: &mut impl FnMut(&str, String)) {
    if let Some(x) = v.pointer(p)
        && x.as_u64().is_none_or(|n| n > i32::MAX as u64)
    {
        at(name, format!("expected a non-negative integer, found {}", found(x)));
    }
}

fn object_at(v: &Value, p: &str, name: &str, at: &mut impl FnMut(&str, String)) {
    if let Some(x) = v.pointer(p).filter(|x| !x.is_object()) {
        at(name, format!("expected an object, found {}", found(x)));
    }
}

/// Labels and annotations: a map of strings (null stands for none, as the API server reads it).
fn string_map(v: &Value, p: &str, name: &str, at: &mut impl FnMut(&str, String)) {
    match v.pointer(p) {
        None | Some(Value::Null) => {}
        Some(Value::Object(m)) => {
            for (k, x) in m {
                if !x.is_string() {
                    at(&format!("{name}.{k}"), format!("expected a string, found {}", found(x)));
                }
            }
        }
        Some(x) => at(name, format!("expected a map of strings, found {}", found(x))),
    }
}

fn conditions(v: &Value, at: &mut impl FnMut(&str, String)) {
    match v.pointer("/status/conditions") {
        None | Some(Value::Null) => {}
        Some(Value::Array(cs)) => {
            for (i, c) in cs.iter().enumerate() {
                for f in ["type", "status"] {
                    if !c.get(f).is_some_and(Value::is_string) {
                        at(
                            &format!("status.conditions[{i}].{f}"),
                            format!("expected a string, found {}", found_opt(c.get(f))),
                        );
                    }
                }
            }
        }
        Some(x) => at("status.conditions", format!("expected an array, found {}", found(x))),
    }
}

/// One document: a `List` (whose items are read one at a time), one object, or nothing.
struct Document<'a> {
    sink: &'a mut Collector,
    path: String,
}

impl<'de> DeserializeSeed<'de> for Document<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Document<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a Kubernetes object or a List")
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(()) // an empty document
    }
    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.sink.errors.push(format!(
            "{}top level: expected a Kubernetes object or a List (what `kubectl get -o json` writes), found an array",
            self.path
        ));
        while seq.next_element::<serde::de::IgnoredAny>()?.is_some() {}
        Ok(())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // kubectl sorts keys, so `items` comes before `kind`: read the items as they come and decide at the end.
        let mut rest = serde_json::Map::new();
        let mut streamed = false;
        let mut items_null = false;
        while let Some(key) = map.next_key::<String>()? {
            if key == "items" {
                let seed = Items {
                    sink: self.sink,
                    prefix: self.path.clone(),
                };
                match map.next_value_seed(seed)? {
                    ItemsOut::Streamed => streamed = true,
                    ItemsOut::Null => items_null = true,
                    ItemsOut::Other(v) => {
                        rest.insert(key, v);
                    }
                }
            } else {
                let v: Value = map.next_value()?;
                rest.insert(key, v);
            }
        }
        self.sink.document(rest, &self.path, streamed, items_null);
        Ok(())
    }
}

/// The `items` of a document (kubectl writes `items` before `kind`, so they are read before the List is known).
struct Items<'a> {
    sink: &'a mut Collector,
    prefix: String,
}

enum ItemsOut {
    Streamed,
    Null,
    Other(Value),
}

impl<'de> DeserializeSeed<'de> for Items<'_> {
    type Value = ItemsOut;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<ItemsOut, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Items<'_> {
    type Value = ItemsOut;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an array of objects")
    }
    fn visit_unit<E>(self) -> Result<ItemsOut, E> {
        Ok(ItemsOut::Null)
    }
    fn visit_none<E>(self) -> Result<ItemsOut, E> {
        Ok(ItemsOut::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ItemsOut, A::Error> {
        let mut i = 0;
        while let Some(v) = seq.next_element::<Value>()? {
            // Each item is checked and reduced at once, so the dump never sits in memory as one tree.
            self.sink.object(v, &self.prefix, &format!("items[{i}]"));
            i += 1;
        }
        Ok(ItemsOut::Streamed)
    }
    fn visit_bool<E>(self, b: bool) -> Result<ItemsOut, E> {
        Ok(ItemsOut::Other(Value::Bool(b)))
    }
    fn visit_i64<E>(self, n: i64) -> Result<ItemsOut, E> {
        Ok(ItemsOut::Other(n.into()))
    }
    fn visit_u64<E>(self, n: u64) -> Result<ItemsOut, E> {
        Ok(ItemsOut::Other(n.into()))
    }
    fn visit_f64<E>(self, n: f64) -> Result<ItemsOut, E> {
        Ok(ItemsOut::Other(
            serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number),
        ))
    }
    fn visit_str<E>(self, s: &str) -> Result<ItemsOut, E> {
        Ok(ItemsOut::Other(Value::String(s.into())))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ItemsOut, A::Error> {
        let v = Value::deserialize(serde::de::value::MapAccessDeserializer::new(map))?;
        Ok(ItemsOut::Other(v))
    }
}

use serde::Deserialize;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_lists_documents_and_flow_mappings() {
        struct Case {
            input: &'static str,
            objects: usize,
            pods: usize,
            nodes: usize,
            live: bool,
        }
        let cases = [
            Case {
                input: r#"{"apiVersion": "v1", "items": [{"kind": "Node", "metadata": {"name": "n1", "uid": "u"}}, {"kind": "Pod", "metadata": {"name": "p", "namespace": "a"}, "spec": {"nodeName": "n1"}, "status": {"phase": "Running"}}], "kind": "List"}"#,
                objects: 0,
                pods: 1,
                nodes: 1,
                live: true,
            },
            Case {
                input: "{apiVersion: v1, kind: List, items: []}",
                objects: 0,
                pods: 0,
                nodes: 0,
                live: false,
            },
            Case {
                input: "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {replicas: 2}\n---\n---\nkind: ConfigMap\nmetadata: {name: c}\n",
                objects: 1,
                pods: 0,
                nodes: 0,
                live: false,
            },
            Case {
                input: "",
                objects: 0,
                pods: 0,
                nodes: 0,
                live: false,
            },
        ];
        for c in cases {
            let d = read(c.input, "t", &[]).unwrap_or_else(|e| panic!("{}: {e}", c.input));
            assert_eq!(
                (d.objects.len(), d.pods.len(), d.nodes.len(), d.live),
                (c.objects, c.pods, c.nodes, c.live),
                "{}",
                c.input
            );
        }
    }

    #[test]
    fn refuses_what_the_api_server_never_writes() {
        struct Case {
            input: &'static str,
            want: &'static str,
        }
        let cases = [
            Case {
                input: "[]",
                want: "top level: expected a Kubernetes object or a List",
            },
            Case {
                input: r#"{"kind": "List", "items": null}"#,
                want: "items: expected an array of objects, found null",
            },
            Case {
                input: r#"{"kind": "List", "items": {}}"#,
                want: "items: expected an array of objects, found an object",
            },
            Case {
                input: r#"{"kind": "List"}"#,
                want: "items: missing",
            },
            Case {
                input: r#"{"kind": "List", "items": [{"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"replicas": -1}}]}"#,
                want: "items[0].spec.replicas: expected a non-negative integer, found the number -1",
            },
            Case {
                input: r#"{"kind": "List", "items": [{"kind": "PodDisruptionBudget", "metadata": {"name": "p"}, "status": {"disruptionsAllowed": -1}}]}"#,
                want: "items[0].status.disruptionsAllowed: expected a non-negative integer",
            },
            Case {
                input: r#"{"kind": "List", "items": [{"kind": "Deployment", "metadata": {"name": "d"}, "spec": {"replicas": 2147483648}}]}"#,
                want: "items[0].spec.replicas: expected a non-negative integer, found the number 2147483648",
            },
            Case {
                input: "kind: Node\nmetadata: {name: a}\n---\nkind: Node\nmetadata: {name: b}\nspec: {unschedulable: 'yes'}\n",
                want: "document 2, spec.unschedulable: expected true or false, found the string \"yes\"",
            },
            Case {
                input: "kind: Pod\nmetadata: {name: p, labels: {a: 1}}\n",
                want: "metadata.labels.a: expected a string, found the number 1",
            },
            Case {
                input: "{\"kind\": ",
                want: "neither JSON",
            },
        ];
        for c in cases {
            let e = read(c.input, "t", &[]).expect_err(c.input).to_string();
            assert!(e.contains(c.want), "{}: {e}", c.input);
            assert!(!e.contains("post-render"), "{e}");
        }
    }

    #[test]
    fn alias_bombs_and_deep_nesting_are_refused() {
        let mut bomb = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let p = i - 1;
            bomb.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let e = read(&bomb, "t", &[]).expect_err("alias bomb").to_string();
        assert!(e.contains("aliases expand to more than 1000000 nodes"), "{e}");
        let deep = format!("kind: List\nitems: {}", "[".repeat(500));
        assert!(read(&deep, "t", &[]).is_err());
    }

    #[test]
    fn pods_keep_what_placement_needs() {
        let d = read(
            r#"{"kind": "List", "items": [{"kind": "Pod", "metadata": {"name": "p", "namespace": "a", "deletionTimestamp": "2026-01-01T00:00:00Z", "ownerReferences": [{"kind": "ReplicaSet", "name": "d-abc", "controller": true}]}, "spec": {}, "status": {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False", "message": "0/3 nodes are available"}]}}]}"#,
            "t",
            &[],
        )
        .unwrap();
        let p = &d.pods[0];
        assert_eq!(p.node, None);
        assert!(p.terminating && !p.active());
        assert_eq!(p.owner.as_deref(), Some("ReplicaSet/d-abc"));
        assert_eq!(p.unschedulable.as_deref(), Some("0/3 nodes are available"));
    }

    #[test]
    fn fields_by_kind() {
        struct Case {
            kind: &'static str,
            object: &'static str,
            want: &'static [&'static str],
        }
        let cases = [
            Case {
                kind: "Deployment",
                object: r#"{"spec": {"replicas": 2, "strategy": {"type": "Recreate"}}}"#,
                want: &[],
            },
            Case {
                kind: "StatefulSet",
                object: r#"{"spec": {"selector": [], "strategy": {"type": 1}}, "status": {"readyReplicas": "2"}}"#,
                want: &[
                    "status.readyReplicas: expected a non-negative integer, found the string \"2\"",
                    "spec.selector: expected an object, found an array",
                    "spec.strategy.type: expected a string, found the number 1",
                ],
            },
            Case {
                kind: "HorizontalPodAutoscaler",
                object: r#"{"spec": {"maxReplicas": 3, "scaleTargetRef": {"name": "d"}}}"#,
                want: &[],
            },
            Case {
                kind: "HorizontalPodAutoscaler",
                object: r#"{"spec": {"maxReplicas": 0}, "status": {"conditions": [{"type": "AbleToScale"}]}}"#,
                want: &[
                    "spec.maxReplicas: expected a positive integer, found the number 0",
                    "spec.scaleTargetRef.name: expected a non-empty string, found nothing",
                    "status.conditions[0].status: expected a string, found nothing",
                ],
            },
            Case {
                kind: "PodDisruptionBudget",
                object: r#"{"spec": {"maxUnavailable": "50%", "minAvailable": 1}}"#,
                want: &[],
            },
            Case {
                kind: "PodDisruptionBudget",
                object: r#"{"spec": {"maxUnavailable": "101%", "minAvailable": -1}}"#,
                want: &[
                    "spec.maxUnavailable: expected a non-negative integer or a percentage, found the string \"101%\"",
                    "spec.minAvailable: expected a non-negative integer or a percentage, found the number -1",
                ],
            },
            Case {
                kind: "Pod",
                object: r#"{"spec": {"nodeName": 1}, "status": {"phase": "Lost", "conditions": {}}}"#,
                want: &[
                    "status.conditions: expected an array, found an object",
                    "spec.nodeName: expected a string, found the number 1",
                    "status.phase: expected Pending, Running, Succeeded, Failed or Unknown, found the string \"Lost\"",
                ],
            },
            Case {
                kind: "Node",
                object: r#"{"spec": {"unschedulable": true}}"#,
                want: &[],
            },
            Case {
                kind: "ConfigMap",
                object: r#"{"spec": {"replicas": -1}}"#,
                want: &[],
            },
        ];
        for c in cases {
            let v: Value = serde_json::from_str(c.object).unwrap();
            let mut got = Vec::new();
            check_fields(&v, c.kind, &mut |p: &str, m: String| got.push(format!("{p}: {m}")));
            assert_eq!(got, c.want, "{} {}", c.kind, c.object);
        }
    }

    #[test]
    fn kinds() {
        /// The kind, or where and what is wrong.
        type Kind = Result<&'static str, (&'static str, &'static str)>;
        struct Case {
            object: &'static str,
            want: Kind,
        }
        let cases = [
            Case {
                object: r#"{"kind": "Pod"}"#,
                want: Ok("Pod"),
            },
            Case {
                object: "3",
                want: Err(("", "expected a Kubernetes object, found the number 3")),
            },
            Case {
                object: r#"{"kind": 3}"#,
                want: Err(("kind", "expected a string, found the number 3")),
            },
            Case {
                object: "{}",
                want: Err(("kind", "expected a string, found nothing")),
            },
            Case {
                object: r#"{"kind": "PodList"}"#,
                want: Err(("", "a PodList inside a list is not supported")),
            },
        ];
        for c in cases {
            let v: Value = serde_json::from_str(c.object).unwrap();
            let got = object_kind(&v);
            let got = got.as_ref().map(String::as_str).map_err(|(p, m)| (*p, m.as_str()));
            assert_eq!(got, c.want, "{}", c.object);
        }
    }
}

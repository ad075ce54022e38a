//! Live state for `hagen init` and `hagen diff`: the JSON that
//! `kubectl get nodes,deployments,helmcharts.helm.cattle.io,helmchartconfigs.helm.cattle.io -A -o json` and
//! `kubectl get secrets -A -l owner=helm -o json` print, one after the other (on stdin or in files).
//!
//! The Secrets are Helm 3 and 4's own release storage (helm/helm pkg/storage/driver/secrets.go): one Secret
//! `sh.helm.release.v1.<name>.v<revision>` of type `helm.sh/release.v1` per revision, labelled `name`, `status`
//! and `version`, whose `release` data is the release JSON gzipped and base64-encoded (pkg/storage/driver/util.go
//! `encodeRelease`; `decodeRelease` also takes a record stored before compression, without the gzip magic).
//! kubectl shows Secret data base64-encoded once more. Every size is bounded: the input by the stream limit, each
//! decompressed record by [`MAX_RELEASE_BYTES`].

use base64::Engine as _;
use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;
use std::io::Read as _;

/// The command that dumps everything audit reads from a live cluster; README, `--help` and out/README.md quote it.
#[macro_export]
macro_rules! live_command {
    () => {
        "kubectl get nodes,pods,deployments,statefulsets,daemonsets,pdb,hpa -A -o json | hagen audit -"
    };
}

/// [`live_command!`] as a constant.
pub const LIVE_COMMAND: &str = live_command!();

/// The largest release record accepted once decompressed (a Secret holds at most 1 MiB; gzip of a rendered
/// manifest rarely shrinks it more than 20 times).
pub const MAX_RELEASE_BYTES: u64 = 32 * 1024 * 1024;

/// The Secret type Helm stores release revisions as.
pub const RELEASE_SECRET_TYPE: &str = "helm.sh/release.v1";

pub use crate::error::LiveError;
use crate::error::{LiveShape, RecordError};
use crate::k3s_facts::HELM_GROUP;

/// What init and diff read of a cluster.
#[derive(Debug, Default)]
pub struct Live {
    /// Node objects, whole.
    pub nodes: Vec<Value>,
    /// Deployments by (namespace, name).
    pub deployments: Vec<(String, String)>,
    /// k3s's HelmCharts (helm.cattle.io/v1).
    pub helm_charts: Vec<HelmChart>,
    /// k3s's HelmChartConfigs' values (`spec.values`, then `spec.valuesContent` over them), by (namespace, name).
    pub configs: IndexMap<(String, String), Value>,
    /// Each release's newest deployed revision, sorted by namespace and name.
    pub releases: Vec<HelmRelease>,
    /// Releases with no deployed revision (a failed install, one pending): (namespace, name, newest status).
    pub undeployed: Vec<(String, String, String)>,
}

/// A k3s HelmChart: the chart k3s's helm-controller installs, and the values k3s gives it.
#[derive(Debug, Clone)]
pub struct HelmChart {
    pub name: String,
    pub namespace: String,
    /// `spec.targetNamespace`, else the HelmChart's own namespace.
    pub target_namespace: String,
    /// `spec.chart`: a chart name, or the URL of a `.tgz` (k3s's own: `…/traefik-39.0.701+up39.0.7.tgz`).
    pub chart: String,
    /// The values k3s gives the chart as files: `spec.values`, then `spec.valuesContent` over them.
    pub values: Value,
    /// `spec.set` (`--set`, over every values file), as nested values.
    pub set: Value,
}

/// One revision of a Helm release, as Helm stored it.
#[derive(Debug, Clone)]
pub struct HelmRelease {
    pub name: String,
    pub namespace: String,
    pub revision: u64,
    pub status: String,
    pub chart: String,
    /// The chart version as Helm recorded it (`39.0.701+up39.0.7` for k3s's repackaged Traefik).
    pub version: String,
    /// The user-supplied values (`helm get values`): always a mapping.
    pub config: Value,
    /// The manifest Helm applied.
    pub manifest: String,
    /// The Secret holding the record.
    pub secret: String,
}

/// The fields of Helm's release JSON (pkg/release/v1 `Release`) that hagen reads.
#[derive(Deserialize)]
struct Record {
    name: String,
    #[serde(default)]
    namespace: String,
    version: u64,
    #[serde(default)]
    info: RecordInfo,
    chart: RecordChart,
    #[serde(default)]
    config: Option<Value>,
    #[serde(default)]
    manifest: String,
}

#[derive(Deserialize, Default)]
struct RecordInfo {
    #[serde(default)]
    status: String,
}

#[derive(Deserialize)]
struct RecordChart {
    metadata: RecordMetadata,
}

#[derive(Deserialize)]
struct RecordMetadata {
    name: String,
    version: String,
}

/// Reads live state: one or more JSON documents, each a `List` or one object. `source` names the input.
pub fn read(text: &str, source: &str) -> Result<Live, LiveError> {
    read_all(&[(source.to_string(), text.to_string())])
}

/// Reads live state from several inputs, each (its name, its text), as [`read`] reads one.
pub fn read_all(inputs: &[(String, String)]) -> Result<Live, LiveError> {
    let mut live = Live::default();
    let mut revisions: Vec<HelmRelease> = Vec::new();
    for (source, text) in inputs {
        read_into(&mut live, &mut revisions, text, source)?;
    }
    newest_deployed(&mut live, revisions);
    Ok(live)
}

fn read_into(live: &mut Live, revisions: &mut Vec<HelmRelease>, text: &str, source: &str) -> Result<(), LiveError> {
    let stream = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    for (d, doc) in stream.enumerate() {
        let doc = doc.map_err(|e| not_json(source, &e))?;
        let place = |i: Option<usize>| {
            let item = i.map(|i| format!("items[{i}]")).unwrap_or_else(|| "top level".into());
            if d == 0 {
                item
            } else {
                format!("document {}, {item}", d + 1)
            }
        };
        let items: Vec<(Option<usize>, Value)> = match doc {
            Value::Object(mut m)
                if m.get("kind")
                    .and_then(Value::as_str)
                    .is_some_and(|k| k.ends_with("List")) =>
            {
                match m.remove("items") {
                    Some(Value::Array(a)) => a.into_iter().enumerate().map(|(i, v)| (Some(i), v)).collect(),
                    _ => return Err(shape(source, place(None), LiveShape::ItemsNotArray)),
                }
            }
            v @ Value::Object(_) => vec![(None, v)],
            _ => return Err(shape(source, place(None), LiveShape::NotAnObject)),
        };
        for (i, item) in items {
            read_item(live, revisions, item, source, &place(i))?;
        }
    }
    Ok(())
}

fn not_json(source: &str, e: &serde_json::Error) -> LiveError {
    let m = e.to_string();
    LiveError::NotJson {
        input: source.to_string(),
        line: e.line(),
        column: e.column(),
        message: m.split(" at line ").next().unwrap_or(&m).to_string(),
    }
}

fn shape(source: &str, at: String, what: LiveShape) -> LiveError {
    LiveError::Shape {
        input: source.to_string(),
        at,
        what,
    }
}

fn text(v: &Value, pointer: &str) -> String {
    v.pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// One object: kept when init or diff reads its kind.
fn read_item(
    live: &mut Live,
    revisions: &mut Vec<HelmRelease>,
    item: Value,
    source: &str,
    at: &str,
) -> Result<(), LiveError> {
    let Some(kind) = item.get("kind").and_then(Value::as_str) else {
        return Err(shape(source, at.to_string(), LiveShape::KindNotString));
    };
    let group = text(&item, "/apiVersion");
    let namespace = text(&item, "/metadata/namespace");
    let name = text(&item, "/metadata/name");
    match kind {
        "Node" => live.nodes.push(item),
        "Deployment" => live.deployments.push((namespace, name)),
        "HelmChart" if group.starts_with(HELM_GROUP) => live.helm_charts.push(HelmChart {
            target_namespace: Some(text(&item, "/spec/targetNamespace"))
                .filter(|t| !t.is_empty())
                .unwrap_or_else(|| namespace.clone()),
            chart: text(&item, "/spec/chart"),
            values: spec_values(&item).map_err(|w| shape(source, format!("{at}.spec.valuesContent"), w))?,
            set: set_values(&item),
            name,
            namespace,
        }),
        "HelmChartConfig" if group.starts_with(HELM_GROUP) => {
            let values = spec_values(&item).map_err(|w| shape(source, format!("{at}.spec.valuesContent"), w))?;
            live.configs.insert((namespace, name), values);
        }
        "Secret" if item.get("type").and_then(Value::as_str) == Some(RELEASE_SECRET_TYPE) => {
            let data = text(&item, "/data/release");
            let record = decode(&data).map_err(|why| LiveError::Record {
                input: source.to_string(),
                at: at.to_string(),
                secret: format!("{namespace}/{name}"),
                why,
            })?;
            revisions.push(release_of(record, namespace, name));
        }
        _ => {}
    }
    Ok(())
}

/// A HelmChart's or HelmChartConfig's values as k3s's helm-controller passes them: `spec.values`, then
/// `spec.valuesContent` (YAML) over them; or why the YAML is not values.
fn spec_values(item: &Value) -> Result<Value, LiveShape> {
    let mut out = match item.pointer("/spec/values") {
        Some(v @ Value::Object(_)) => v.clone(),
        _ => Value::Object(Default::default()),
    };
    let content = text(item, "/spec/valuesContent");
    if !content.trim().is_empty() {
        match serde_yaml::from_str::<Value>(&content) {
            Ok(v @ Value::Object(_)) => crate::catalog::values::merge(&mut out, &v),
            Ok(Value::Null) => {}
            Ok(_) => return Err(LiveShape::ValuesNotMapping),
            Err(e) => return Err(LiveShape::ValuesNotYaml { message: e.to_string() }),
        }
    }
    Ok(out)
}

/// A HelmChart's `spec.set` (`a.b: v`, as `--set a.b=v`) as nested values.
fn set_values(item: &Value) -> Value {
    let mut out = serde_json::Map::new();
    for (k, v) in item
        .pointer("/spec/set")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let mut at = &mut out;
        let parts: Vec<&str> = k.split('.').collect();
        for p in &parts[..parts.len() - 1] {
            let slot = at
                .entry(p.to_string())
                .or_insert_with(|| Value::Object(Default::default()));
            if !slot.is_object() {
                *slot = Value::Object(Default::default());
            }
            let Value::Object(m) = slot else { unreachable!() };
            at = m;
        }
        at.insert(parts[parts.len() - 1].to_string(), v.clone());
    }
    Value::Object(out)
}

fn release_of(r: Record, namespace: String, secret: String) -> HelmRelease {
    HelmRelease {
        namespace: if r.namespace.is_empty() { namespace } else { r.namespace },
        name: r.name,
        revision: r.version,
        status: r.info.status,
        chart: r.chart.metadata.name,
        version: r.chart.metadata.version,
        config: match r.config {
            Some(v @ Value::Object(_)) => v,
            _ => Value::Object(Default::default()),
        },
        manifest: r.manifest,
        secret,
    }
}

/// A Secret's `data.release` as kubectl shows it → the release record: base64 (kubectl's), base64 (Helm's),
/// gzip when the magic says so, JSON.
fn decode(data: &str) -> Result<Record, RecordError> {
    let b64 = base64::engine::general_purpose::STANDARD;
    let once = b64
        .decode(data.trim())
        .map_err(|e| RecordError::NotBase64 { message: e.to_string() })?;
    let twice = b64
        .decode(once.trim_ascii())
        .map_err(|e| RecordError::NotHelmBase64 { message: e.to_string() })?;
    let json = if twice.starts_with(&[0x1f, 0x8b, 0x08]) {
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(twice.as_slice())
            .take(MAX_RELEASE_BYTES + 1)
            .read_to_end(&mut out)
            .map_err(|e| RecordError::NotGzip { message: e.to_string() })?;
        if out.len() as u64 > MAX_RELEASE_BYTES {
            return Err(RecordError::TooLarge {
                limit: MAX_RELEASE_BYTES,
            });
        }
        out
    } else {
        twice
    };
    serde_json::from_slice(&json).map_err(|e| RecordError::NotRelease { message: e.to_string() })
}

/// Keeps each release's newest deployed revision (Helm marks older ones `superseded`); a release with none is
/// listed as undeployed with its newest status.
fn newest_deployed(live: &mut Live, mut revisions: Vec<HelmRelease>) {
    revisions.sort_by(|a, b| (&a.namespace, &a.name, b.revision).cmp(&(&b.namespace, &b.name, a.revision)));
    let mut seen: Vec<(String, String)> = Vec::new();
    for r in &revisions {
        let key = (r.namespace.clone(), r.name.clone());
        if seen.contains(&key) {
            continue;
        }
        seen.push(key.clone());
        match revisions
            .iter()
            .find(|x| x.namespace == key.0 && x.name == key.1 && x.status == "deployed")
        {
            Some(d) => live.releases.push(d.clone()),
            None => live.undeployed.push((key.0, key.1, r.status.clone())),
        }
    }
}

/// The upstream version in a k3s repackaged chart version: `39.0.701+up39.0.7` → `39.0.7` (k3s-io/k3s-charts);
/// any other version as it is.
pub fn upstream_version(version: &str) -> &str {
    version
        .split_once(crate::k3s_facts::UPSTREAM_CHART_MARK)
        .map_or(version, |(_, up)| up)
}

/// The chart name and version in a HelmChart's `spec.chart` when it is an archive's URL
/// (`https://%{KUBERNETES_API}%/static/charts/traefik-39.0.701+up39.0.7.tgz` → (`traefik`, `39.0.701+up39.0.7`)).
pub fn chart_of_url(chart: &str) -> Option<(&str, &str)> {
    let file = chart.rsplit('/').next()?.strip_suffix(".tgz")?;
    // The version starts at the first `-` followed by a digit.
    let at = file
        .char_indices()
        .find(|(i, c)| *c == '-' && file[i + 1..].starts_with(|d: char| d.is_ascii_digit()))?
        .0;
    Some((&file[..at], &file[at + 1..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret(record: &Value, gzip: bool, status: &str, revision: u64) -> Value {
        use std::io::Write as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        let json = serde_json::to_vec(record).unwrap();
        let inner = if gzip {
            let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
            w.write_all(&json).unwrap();
            b64.encode(w.finish().unwrap())
        } else {
            b64.encode(json)
        };
        serde_json::json!({"apiVersion": "v1", "kind": "Secret", "type": RELEASE_SECRET_TYPE,
            "metadata": {"name": format!("sh.helm.release.v1.r.v{revision}"), "namespace": "n",
                "labels": {"owner": "helm", "name": "r", "status": status, "version": revision.to_string()}},
            "data": {"release": b64.encode(inner)}})
    }

    fn record(revision: u64, status: &str) -> Value {
        serde_json::json!({"name": "r", "namespace": "n", "version": revision, "info": {"status": status},
            "chart": {"metadata": {"name": "c", "version": "1.0.0"}}, "config": {"a": revision}, "manifest": "---\n"})
    }

    #[test]
    fn the_newest_deployed_revision_wins_compressed_or_not() {
        let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": [
            secret(&record(1, "superseded"), false, "superseded", 1),
            secret(&record(2, "deployed"), true, "deployed", 2),
            secret(&record(3, "failed"), true, "failed", 3),
        ]});
        let nodes = r#"{"apiVersion": "v1", "kind": "List", "items": [{"apiVersion": "v1", "kind": "Node", "metadata": {"name": "a"}}]}"#;
        let live = read(&format!("{nodes}\n{list}"), "t").unwrap();
        assert_eq!(live.nodes.len(), 1);
        assert_eq!(live.releases.len(), 1);
        assert_eq!(
            (live.releases[0].revision, &live.releases[0].config),
            (2, &serde_json::json!({"a": 2}))
        );
        let only_failed =
            serde_json::json!({"kind": "List", "items": [secret(&record(1, "failed"), true, "failed", 1)]});
        let live = read(&only_failed.to_string(), "t").unwrap();
        assert_eq!(live.undeployed, vec![("n".into(), "r".into(), "failed".into())]);
    }

    #[test]
    fn refusals_name_their_place() {
        let bad = serde_json::json!({"kind": "List", "items": [{"kind": "Node"}, {"apiVersion": "v1", "kind": "Secret",
            "type": RELEASE_SECRET_TYPE, "metadata": {"name": "s", "namespace": "n"}, "data": {"release": "%%"}}]});
        struct Case {
            input: String,
            /// The start of the error.
            want: &'static str,
        }
        let cases = [
            Case {
                input: "{\"kind\": ".into(),
                want: "t:1:9: not JSON from",
            },
            Case {
                input: "[]".into(),
                want: "t: top level: expected a Kubernetes object or a List",
            },
            Case {
                input: "{\"kind\": \"List\"}".into(),
                want: "t: top level: items: expected an array",
            },
            Case {
                input: bad.to_string(),
                want: "t: items[1] (Secret n/s): Helm's release record cannot be read: data.release is not base64",
            },
        ];
        for c in cases {
            let e = read(&c.input, "t").expect_err(&c.input).to_string();
            assert!(e.starts_with(c.want), "{}: {e}", c.input);
        }
    }

    #[test]
    fn a_record_that_decompresses_past_the_bound_is_refused() {
        use std::io::Write as _;
        let b64 = base64::engine::general_purpose::STANDARD;
        let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![b' '; 1 << 20];
        for _ in 0..(MAX_RELEASE_BYTES >> 20) + 1 {
            w.write_all(&zeros).unwrap();
        }
        let data = b64.encode(b64.encode(w.finish().unwrap()));
        assert!(data.len() < 1 << 20, "a small Secret");
        let e = decode(&data).err().unwrap();
        assert_eq!(
            e,
            RecordError::TooLarge {
                limit: MAX_RELEASE_BYTES
            }
        );
        // Valid base64 twice, then neither gzip nor JSON.
        let e = decode(&b64.encode(b64.encode("not json"))).err().unwrap();
        assert!(matches!(e, RecordError::NotRelease { .. }), "{e}");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]
        /// Whatever a Secret's data or a HelmChart holds, reading is an answer, never a panic.
        #[test]
        fn any_secret_data_or_values_content_is_read_or_refused(data in ".{0,64}", content in ".{0,64}", key in "[a-z.]{0,12}") {
            let b64 = base64::engine::general_purpose::STANDARD;
            let doc = serde_json::json!({"kind": "List", "items": [
                {"apiVersion": "v1", "kind": "Secret", "type": RELEASE_SECRET_TYPE, "metadata": {"name": "s", "namespace": "n"},
                 "data": {"release": b64.encode(b64.encode(&data))}},
                {"apiVersion": "helm.cattle.io/v1", "kind": "HelmChart", "metadata": {"name": "h", "namespace": "n"},
                 "spec": {"chart": data, "valuesContent": content, "set": {key: 1}}}]});
            let _ = read(&doc.to_string(), "t");
            let _ = read(&data, "t");
        }
    }

    #[test]
    fn k3s_chart_urls_and_versions() {
        struct Case {
            url: &'static str,
            want: Option<(&'static str, &'static str)>,
        }
        let cases = [
            Case {
                url: "https://%{KUBERNETES_API}%/static/charts/traefik-39.0.701+up39.0.7.tgz",
                want: Some(("traefik", "39.0.701+up39.0.7")),
            },
            Case {
                url: "https://%{KUBERNETES_API}%/static/charts/traefik-crd-39.0.701+up39.0.7.tgz",
                want: Some(("traefik-crd", "39.0.701+up39.0.7")),
            },
            Case {
                url: "traefik",
                want: None,
            },
        ];
        for c in cases {
            assert_eq!(chart_of_url(c.url), c.want, "{}", c.url);
        }
        assert_eq!(upstream_version("39.0.701+up39.0.7"), "39.0.7");
        assert_eq!(upstream_version("1.46.2"), "1.46.2");
    }
}

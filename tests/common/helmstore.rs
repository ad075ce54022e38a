//! Helm's release storage, built from real renders for the adoption tests: `helm install NAME CHART
//! --dry-run=client -o json` (helm v4 prints the release object as it stores it), given the revision, status,
//! timestamps and description a real install leaves, encoded as helm/helm pkg/storage/driver encodes it (release
//! JSON → gzip at best compression → base64, in the `release` data of a Secret `sh.helm.release.v1.<name>.v<n>`
//! of type `helm.sh/release.v1` labelled `name`, `owner`, `status`, `version` and `createdAt` or `modifiedAt`),
//! and shown as `kubectl get secrets -A -l owner=helm -o json` shows it (data base64-encoded once more).
#![allow(dead_code)]

use base64::Engine as _;
use serde_json::{Value, json};
use std::io::Write as _;
use std::path::Path;

/// Which Helm major wrote a record: Helm 3's release JSON has no `apply_method` and its chart no mod times.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Major {
    Helm3,
    Helm4,
}

/// One revision to store.
pub struct Revision<'a> {
    pub name: &'a str,
    pub namespace: &'a str,
    pub chart: &'a Path,
    /// The user-supplied values (`-f`), as `helm get values` will show them.
    pub values: Value,
    pub revision: u64,
    /// `deployed`, `superseded`, `failed`.
    pub status: &'a str,
    pub major: Major,
    /// The chart version to record instead of the archive's (k3s repackages `39.0.7` as `39.0.701+up39.0.7`).
    pub chart_version: Option<&'a str>,
    /// When it was deployed (RFC 3339).
    pub deployed: &'a str,
}

/// The release object helm v4 prints for `helm install --dry-run=client -o json`, made the stored revision.
pub fn record(helm: &Path, r: &Revision) -> Value {
    let dir = tempfile::tempdir().expect("tempdir");
    let values = dir.path().join("values.yaml");
    std::fs::write(&values, serde_json::to_string(&r.values).unwrap()).unwrap();
    let out = std::process::Command::new(helm)
        .args(["install", r.name])
        .arg(r.chart)
        .args(["-n", r.namespace, "--dry-run=client", "-o", "json", "-f"])
        .arg(&values)
        .output()
        .expect("helm runs");
    assert!(
        out.status.success(),
        "helm install --dry-run: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut rec: Value = serde_json::from_slice(&out.stdout).expect("helm prints JSON");
    rec["version"] = r.revision.into();
    rec["info"]["status"] = r.status.into();
    rec["info"]["first_deployed"] = "2026-03-02T10:00:00.000000000Z".into();
    rec["info"]["last_deployed"] = r.deployed.into();
    rec["info"]["description"] = if r.revision == 1 {
        "Install complete"
    } else {
        "Upgrade complete"
    }
    .into();
    if let Some(v) = r.chart_version {
        rec["chart"]["metadata"]["version"] = v.into();
    }
    if r.major == Major::Helm3 {
        let m = rec.as_object_mut().unwrap();
        m.shift_remove("apply_method");
        let c = m["chart"].as_object_mut().unwrap();
        c.shift_remove("schemamodtime");
        c.shift_remove("modtime");
    }
    rec
}

/// A release record as its stored Secret, as the API server returns it.
pub fn secret(rec: &Value, modified: bool) -> Value {
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(&serde_json::to_vec(rec).unwrap()).unwrap();
    let helm_encoded = b64.encode(gz.finish().unwrap());
    let name = rec["name"].as_str().unwrap();
    let namespace = rec["namespace"].as_str().unwrap();
    let revision = rec["version"].as_u64().unwrap();
    let mut labels = json!({"name": name, "owner": "helm", "status": rec["info"]["status"],
        "version": revision.to_string(), "createdAt": "1772445600"});
    if modified {
        labels.as_object_mut().unwrap().shift_remove("createdAt");
        labels["modifiedAt"] = "1772532000".into();
    }
    let key = format!("sh.helm.release.v1.{name}.v{revision}");
    json!({
        "apiVersion": "v1",
        "data": {"release": b64.encode(helm_encoded)},
        "kind": "Secret",
        "metadata": {
            "creationTimestamp": rec["info"]["last_deployed"].as_str().unwrap().split('.').next().unwrap().to_string() + "Z",
            "labels": labels,
            "name": key,
            "namespace": namespace,
            "resourceVersion": (1000 + revision * 7).to_string(),
            "uid": super::apiserver::uid_of(&format!("{namespace}/{key}")),
        },
        "type": "helm.sh/release.v1"
    })
}

/// The objects of a record's manifest.
pub fn manifest_objects(rec: &Value) -> Vec<Value> {
    let text = rec["manifest"].as_str().unwrap_or_default();
    serde_yaml::Deserializer::from_str(text)
        .filter_map(|d| serde::Deserialize::deserialize(d).ok())
        .filter(|v: &Value| v.is_object())
        .collect()
}

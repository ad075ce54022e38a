//! A small model of what the API server and the controllers make of applied manifests, to write audit fixtures
//! shaped like `kubectl get nodes,pods,deployments,statefulsets,daemonsets,pdb,hpa -A -o json`: defaults filled
//! in (apps/v1, core/v1 and autoscaling/v2 defaulting), uid and timestamps, owner references, ReplicaSet-named
//! pods placed by a scheduler that honours required pod anti-affinity on the hostname, node affinity and taints,
//! status blocks (Deployment, Pod conditions, PDB counts as the disruption controller computes them, HPA status),
//! and Nodes with conditions, taints and `spec.unschedulable`. tests/fixtures/audit/README.md lists the behaviours
//! modelled and their sources.
#![allow(dead_code)]

use serde_json::{Map, Value, json};

pub const NOW: &str = "2026-11-27T09:00:00Z";
const CREATED: &str = "2026-11-20T08:00:00Z";
const HASH_ALPHABET: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

fn fnv(s: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// Kubernetes' safe-encoded hash string (`rand.SafeEncodeString` alphabet) of length `n`.
fn safe(seed: &str, n: usize) -> String {
    let mut h = fnv(seed);
    (0..n)
        .map(|_| {
            let c = HASH_ALPHABET[(h % HASH_ALPHABET.len() as u64) as usize] as char;
            h = (h / HASH_ALPHABET.len() as u64) ^ fnv(&format!("{seed}{h}"));
            c
        })
        .collect()
}

fn uid(seed: &str) -> String {
    let a = fnv(seed);
    let b = fnv(&format!("{seed}/2"));
    format!(
        "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
        a >> 32,
        (a >> 16) & 0xffff,
        a & 0xfff,
        b >> 52,
        b & 0xffff_ffff_ffff
    )
}

/// A node of the modelled cluster.
#[derive(Clone, Debug)]
pub struct NodeSpec {
    pub name: String,
    pub labels: Vec<(String, String)>,
    /// The Ready condition: True, False or Unknown.
    pub ready: &'static str,
    pub unschedulable: bool,
}

impl NodeSpec {
    pub fn new(name: &str) -> Self {
        NodeSpec {
            name: name.into(),
            labels: vec![],
            ready: "True",
            unschedulable: false,
        }
    }
    fn schedulable(&self) -> bool {
        self.ready == "True" && !self.unschedulable
    }
}

/// The stored Node.
pub fn node(n: &NodeSpec) -> Value {
    let mut labels = Map::new();
    for (k, v) in [
        ("beta.kubernetes.io/arch", "amd64"),
        ("beta.kubernetes.io/instance-type", "k3s"),
        ("beta.kubernetes.io/os", "linux"),
        ("kubernetes.io/arch", "amd64"),
        ("kubernetes.io/hostname", n.name.as_str()),
        ("kubernetes.io/os", "linux"),
        ("node-role.kubernetes.io/control-plane", "true"),
        ("node.kubernetes.io/instance-type", "k3s"),
    ] {
        labels.insert(k.into(), v.into());
    }
    for (k, v) in &n.labels {
        labels.insert(k.clone(), v.clone().into());
    }
    let (status, reason, message) = match n.ready {
        "True" => ("True", "KubeletReady", "kubelet is posting ready status"),
        "False" => (
            "False",
            "KubeletNotReady",
            "container runtime network not ready: NetworkReady=false",
        ),
        _ => ("Unknown", "NodeStatusUnknown", "Kubelet stopped posting node status."),
    };
    let pressure = |ty: &str, ok_reason: &str, ok_msg: &str| {
        if n.ready == "Unknown" {
            json!({"type": ty, "status": "Unknown", "reason": "NodeStatusUnknown", "message": "Kubelet stopped posting node status.",
                   "lastHeartbeatTime": "2026-11-27T08:55:00Z", "lastTransitionTime": "2026-11-27T08:55:50Z"})
        } else {
            json!({"type": ty, "status": "False", "reason": ok_reason, "message": ok_msg,
                   "lastHeartbeatTime": "2026-11-27T08:59:30Z", "lastTransitionTime": CREATED})
        }
    };
    let mut taints = vec![];
    if n.unschedulable {
        taints.push(json!({"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule", "timeAdded": "2026-11-27T08:30:00Z"}));
    }
    match n.ready {
        "Unknown" => {
            taints.push(json!({"key": "node.kubernetes.io/unreachable", "effect": "NoSchedule", "timeAdded": "2026-11-27T08:55:50Z"}));
            taints.push(json!({"key": "node.kubernetes.io/unreachable", "effect": "NoExecute", "timeAdded": "2026-11-27T08:55:55Z"}));
        }
        "False" => {
            taints.push(json!({"key": "node.kubernetes.io/not-ready", "effect": "NoSchedule", "timeAdded": "2026-11-27T08:55:50Z"}));
            taints.push(json!({"key": "node.kubernetes.io/not-ready", "effect": "NoExecute", "timeAdded": "2026-11-27T08:55:55Z"}));
        }
        _ => {}
    }
    let mut spec =
        json!({"podCIDR": format!("10.42.{}.0/24", fnv(&n.name) % 200), "providerID": format!("k3s://{}", n.name)});
    if !taints.is_empty() {
        spec["taints"] = Value::Array(taints);
    }
    if n.unschedulable {
        spec["unschedulable"] = true.into();
    }
    json!({
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "annotations": {"k3s.io/hostname": n.name, "k3s.io/node-args": "[\"server\"]", "node.alpha.kubernetes.io/ttl": "0",
                            "volumes.kubernetes.io/controller-managed-attach-detach": "true"},
            "creationTimestamp": CREATED,
            "finalizers": ["wrangler.cattle.io/node"],
            "labels": labels,
            "name": n.name,
            "resourceVersion": (fnv(&n.name) % 100000).to_string(),
            "uid": uid(&format!("node/{}", n.name)),
        },
        "spec": spec,
        "status": {
            "addresses": [{"address": format!("192.168.1.{}", 10 + fnv(&n.name) % 200), "type": "InternalIP"}, {"address": n.name, "type": "Hostname"}],
            "allocatable": {"cpu": "4", "ephemeral-storage": "95491281146", "memory": "16183100Ki", "pods": "110"},
            "capacity": {"cpu": "4", "ephemeral-storage": "98159416Ki", "memory": "16183100Ki", "pods": "110"},
            "conditions": [
                pressure("MemoryPressure", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                pressure("DiskPressure", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                pressure("PIDPressure", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                {"type": "Ready", "status": status, "reason": reason, "message": message,
                 "lastHeartbeatTime": if n.ready == "Unknown" { "2026-11-27T08:55:00Z" } else { "2026-11-27T08:59:30Z" },
                 "lastTransitionTime": if n.ready == "True" { CREATED } else { "2026-11-27T08:55:50Z" }},
            ],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {"architecture": "amd64", "containerRuntimeVersion": "containerd://2.1.5-k3s1", "kernelVersion": "6.8.0-88-generic",
                         "kubeProxyVersion": "v1.34.2+k3s1", "kubeletVersion": "v1.34.2+k3s1", "operatingSystem": "linux", "osImage": "Ubuntu 24.04.3 LTS"},
        },
    })
}

/// `SetDefaults_PodSpec` and `SetDefaults_Container` (core/v1) on a pod spec.
fn default_pod_spec(spec: &mut Value) {
    let o = spec.as_object_mut().expect("pod spec");
    o.entry("dnsPolicy").or_insert("ClusterFirst".into());
    o.entry("restartPolicy").or_insert("Always".into());
    o.entry("schedulerName").or_insert("default-scheduler".into());
    o.entry("securityContext").or_insert(json!({}));
    o.entry("terminationGracePeriodSeconds").or_insert(30.into());
    for key in ["containers", "initContainers"] {
        for c in o.get_mut(key).and_then(Value::as_array_mut).into_iter().flatten() {
            let c = c.as_object_mut().expect("container");
            let image = c.get("image").and_then(Value::as_str).unwrap_or("").to_string();
            let last = image.rsplit('/').next().unwrap_or("");
            let tag = if image.contains('@') {
                "digest"
            } else {
                last.split_once(':').map_or("latest", |(_, t)| t)
            };
            c.entry("imagePullPolicy")
                .or_insert(if tag == "latest" { "Always" } else { "IfNotPresent" }.into());
            c.entry("terminationMessagePath")
                .or_insert("/dev/termination-log".into());
            c.entry("terminationMessagePolicy").or_insert("File".into());
            c.entry("resources").or_insert(json!({}));
            for p in c.get_mut("ports").and_then(Value::as_array_mut).into_iter().flatten() {
                p.as_object_mut()
                    .expect("port")
                    .entry("protocol")
                    .or_insert("TCP".into());
            }
            for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
                if let Some(pr) = c.get_mut(probe).and_then(Value::as_object_mut) {
                    pr.entry("timeoutSeconds").or_insert(1.into());
                    pr.entry("periodSeconds").or_insert(10.into());
                    pr.entry("successThreshold").or_insert(1.into());
                    pr.entry("failureThreshold").or_insert(3.into());
                    if let Some(h) = pr.get_mut("httpGet").and_then(Value::as_object_mut) {
                        h.entry("path").or_insert("/".into());
                        h.entry("scheme").or_insert("HTTP".into());
                    }
                }
            }
        }
    }
}

/// Server-side metadata: uid, timestamps, generation, Helm's ownership annotations when `release` is given.
fn stored_meta(obj: &mut Value, release: Option<(&str, &str)>) {
    let kind = obj["kind"].as_str().unwrap_or("").to_string();
    let name = obj["metadata"]["name"].as_str().unwrap_or("").to_string();
    let ns = obj["metadata"]["namespace"].as_str().unwrap_or("").to_string();
    let m = obj["metadata"].as_object_mut().expect("metadata");
    m.entry("creationTimestamp").or_insert(CREATED.into());
    m.entry("generation").or_insert(1.into());
    m.insert(
        "resourceVersion".into(),
        (fnv(&format!("{kind}/{ns}/{name}")) % 1000000).to_string().into(),
    );
    m.insert("uid".into(), uid(&format!("{kind}/{ns}/{name}")).into());
    if let Some((rel, rns)) = release {
        let a = m.entry("annotations").or_insert(json!({}));
        if a.is_null() {
            *a = json!({});
        }
        a["meta.helm.sh/release-name"] = rel.into();
        a["meta.helm.sh/release-namespace"] = rns.into();
        let l = m.entry("labels").or_insert(json!({}));
        l["app.kubernetes.io/managed-by"] = "Helm".into();
    }
}

/// What the API server stores for an applied workload, PDB or HPA (defaults and metadata; status comes later).
pub fn store(mut obj: Value, namespace: &str, release: Option<(&str, &str)>) -> Value {
    if obj.pointer("/metadata/namespace").is_none() {
        obj["metadata"]["namespace"] = namespace.into();
    }
    stored_meta(&mut obj, release);
    let kind = obj["kind"].as_str().unwrap_or("").to_string();
    match kind.as_str() {
        "Deployment" => {
            let spec = obj["spec"].as_object_mut().expect("spec");
            spec.entry("replicas").or_insert(1.into());
            spec.entry("revisionHistoryLimit").or_insert(10.into());
            spec.entry("progressDeadlineSeconds").or_insert(600.into());
            let st = spec.entry("strategy").or_insert(json!({}));
            if st.get("type").is_none() {
                st["type"] = "RollingUpdate".into();
            }
            if st["type"] == "RollingUpdate" {
                let ru = st.as_object_mut().unwrap().entry("rollingUpdate").or_insert(json!({}));
                ru.as_object_mut()
                    .unwrap()
                    .entry("maxUnavailable")
                    .or_insert("25%".into());
                ru.as_object_mut().unwrap().entry("maxSurge").or_insert("25%".into());
            }
            default_pod_spec(&mut obj["spec"]["template"]["spec"]);
            obj["metadata"]["annotations"]["deployment.kubernetes.io/revision"] = "1".into();
        }
        "DaemonSet" => {
            let spec = obj["spec"].as_object_mut().expect("spec");
            spec.entry("revisionHistoryLimit").or_insert(10.into());
            let st = spec.entry("updateStrategy").or_insert(json!({"type": "RollingUpdate"}));
            if st["type"] == "RollingUpdate" {
                let ru = st.as_object_mut().unwrap().entry("rollingUpdate").or_insert(json!({}));
                ru.as_object_mut().unwrap().entry("maxUnavailable").or_insert(1.into());
                ru.as_object_mut().unwrap().entry("maxSurge").or_insert(0.into());
            }
            default_pod_spec(&mut obj["spec"]["template"]["spec"]);
        }
        "StatefulSet" => {
            let spec = obj["spec"].as_object_mut().expect("spec");
            spec.entry("replicas").or_insert(1.into());
            spec.entry("revisionHistoryLimit").or_insert(10.into());
            spec.entry("podManagementPolicy").or_insert("OrderedReady".into());
            spec.entry("updateStrategy")
                .or_insert(json!({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}));
            spec.entry("persistentVolumeClaimRetentionPolicy")
                .or_insert(json!({"whenDeleted": "Retain", "whenScaled": "Retain"}));
            default_pod_spec(&mut obj["spec"]["template"]["spec"]);
        }
        "HorizontalPodAutoscaler" => {
            let spec = obj["spec"].as_object_mut().expect("spec");
            spec.entry("minReplicas").or_insert(1.into());
            let m = spec.entry("metrics").or_insert(json!([]));
            if m.as_array().is_some_and(Vec::is_empty) {
                *m = json!([{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]);
            }
        }
        _ => {}
    }
    obj
}

/// A placed pod (before it is turned into JSON).
#[derive(Clone, Debug)]
pub struct Placed {
    pub name: String,
    pub namespace: String,
    pub node: Option<String>,
    pub labels: Map<String, Value>,
    pub owner: (String, String, String),
    pub spec: Value,
    pub created: String,
    /// Condition Ready.
    pub ready: bool,
    pub terminating: bool,
    pub unschedulable: Option<String>,
    pub daemon: bool,
}

/// The cluster being modelled: nodes, stored objects and pods.
pub struct Cluster {
    pub nodes: Vec<NodeSpec>,
    pub objects: Vec<Value>,
    pub pods: Vec<Placed>,
    clock: u32,
}

/// What the API server does at pod creation for `matchLabelKeys` in pod (anti-)affinity terms (KEP-3633, GA 1.33):
/// merges `key In (the pod's value)` into the term's labelSelector for each key the pod carries.
fn merge_match_label_keys(spec: &mut Value, labels: &Map<String, Value>) {
    for kind in ["podAffinity", "podAntiAffinity"] {
        let Some(terms) = spec
            .pointer_mut(&format!(
                "/affinity/{kind}/requiredDuringSchedulingIgnoredDuringExecution"
            ))
            .and_then(Value::as_array_mut)
        else {
            continue;
        };
        for t in terms {
            let keys: Vec<String> = t["matchLabelKeys"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|k| k.as_str().map(String::from))
                .collect();
            for k in keys {
                let Some(v) = labels.get(&k) else { continue };
                let exprs = t["labelSelector"]
                    .as_object_mut()
                    .expect("matchLabelKeys needs a labelSelector")
                    .entry("matchExpressions")
                    .or_insert(json!([]));
                exprs
                    .as_array_mut()
                    .unwrap()
                    .push(json!({"key": k, "operator": "In", "values": [v]}));
            }
        }
    }
}

fn sel_matches(sel: &Value, labels: &Map<String, Value>) -> bool {
    let ml_ok = sel
        .get("matchLabels")
        .and_then(Value::as_object)
        .is_none_or(|m| m.iter().all(|(k, v)| labels.get(k) == Some(v)));
    let me_ok = sel.get("matchExpressions").and_then(Value::as_array).is_none_or(|es| {
        es.iter().all(|e| {
            let v = labels.get(e["key"].as_str().unwrap_or(""));
            let vals: Vec<&Value> = e["values"].as_array().map(|a| a.iter().collect()).unwrap_or_default();
            match e["operator"].as_str().unwrap_or("") {
                "In" => v.is_some_and(|v| vals.contains(&v)),
                "NotIn" => v.is_none_or(|v| !vals.contains(&v)),
                "Exists" => v.is_some(),
                "DoesNotExist" => v.is_none(),
                _ => false,
            }
        })
    });
    ml_ok && me_ok
}

impl Cluster {
    pub fn new(nodes: Vec<NodeSpec>) -> Self {
        Cluster {
            nodes,
            objects: vec![],
            pods: vec![],
            clock: 0,
        }
    }

    fn tick(&mut self) -> String {
        self.clock += 1;
        let s = 60 * self.clock;
        format!("2026-11-20T{:02}:{:02}:{:02}Z", 8 + s / 3600, (s / 60) % 60, s % 60)
    }

    fn node_labels(&self, n: &NodeSpec) -> Map<String, Value> {
        let mut m = Map::new();
        m.insert("kubernetes.io/hostname".into(), n.name.clone().into());
        for (k, v) in &n.labels {
            m.insert(k.clone(), v.clone().into());
        }
        m
    }

    /// Why `n` cannot take a pod with `spec` and `labels` in `ns` (a scheduler reason), or `None`.
    fn misfit(&self, n: &NodeSpec, spec: &Value, labels: &Map<String, Value>, ns: &str) -> Option<&'static str> {
        let tolerates = |key: &str, effect: &str| {
            spec["tolerations"].as_array().into_iter().flatten().any(|t| {
                (t["key"] == key || (t["operator"] == "Exists" && t.get("key").is_none()))
                    && (t.get("effect").is_none() || t["effect"] == effect)
            })
        };
        if n.unschedulable && !tolerates("node.kubernetes.io/unschedulable", "NoSchedule") {
            return Some("node(s) were unschedulable");
        }
        match n.ready {
            "Unknown" if !tolerates("node.kubernetes.io/unreachable", "NoSchedule") => {
                return Some("node(s) had untolerated taint {node.kubernetes.io/unreachable: }");
            }
            "False" if !tolerates("node.kubernetes.io/not-ready", "NoSchedule") => {
                return Some("node(s) had untolerated taint {node.kubernetes.io/not-ready: }");
            }
            _ => {}
        }
        let nl = self.node_labels(n);
        if let Some(terms) = spec
            .pointer("/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms")
            .and_then(Value::as_array)
            && !terms
                .iter()
                .any(|t| sel_matches(&json!({"matchExpressions": t["matchExpressions"]}), &nl))
        {
            return Some("node(s) didn't match Pod's node affinity/selector");
        }
        for t in spec
            .pointer("/affinity/podAntiAffinity/requiredDuringSchedulingIgnoredDuringExecution")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            if t["topologyKey"] == "kubernetes.io/hostname"
                && self.pods.iter().any(|p| {
                    !p.terminating
                        && p.namespace == ns
                        && p.node.as_deref() == Some(n.name.as_str())
                        && sel_matches(&t["labelSelector"], &p.labels)
                })
            {
                return Some("node(s) didn't match pod anti-affinity rules");
            }
        }
        let _ = labels;
        None
    }

    /// Schedules one pod: the feasible node with the best score (preferred node affinity, then fewest pods).
    fn schedule(&self, spec: &Value, labels: &Map<String, Value>, ns: &str) -> Result<String, String> {
        let mut reasons: Vec<&str> = vec![];
        let mut best: Option<(i64, &NodeSpec)> = None;
        for n in &self.nodes {
            if let Some(r) = self.misfit(n, spec, labels, ns) {
                reasons.push(r);
                continue;
            }
            let nl = self.node_labels(n);
            let mut score: i64 = 0;
            for p in spec
                .pointer("/affinity/nodeAffinity/preferredDuringSchedulingIgnoredDuringExecution")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                if sel_matches(&json!({"matchExpressions": p["preference"]["matchExpressions"]}), &nl) {
                    score += 1000 * p["weight"].as_i64().unwrap_or(0);
                }
            }
            score -= 10
                * self
                    .pods
                    .iter()
                    .filter(|p| p.node.as_deref() == Some(n.name.as_str()) && !p.terminating)
                    .count() as i64;
            if best.is_none_or(|(s, _)| score > s) {
                best = Some((score, n));
            }
        }
        match best {
            Some((_, n)) => Ok(n.name.clone()),
            None => {
                let mut counts: Vec<(String, usize)> = vec![];
                for r in reasons {
                    match counts.iter_mut().find(|(x, _)| x == r) {
                        Some(c) => c.1 += 1,
                        None => counts.push((r.to_string(), 1)),
                    }
                }
                counts.sort();
                let n = self.nodes.len();
                Err(format!(
                    "0/{n} nodes are available: {}. preemption: 0/{n} nodes are available: {n} Preemption is not helpful for scheduling.",
                    counts
                        .iter()
                        .map(|(r, c)| format!("{c} {r}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            }
        }
    }

    /// Adds a stored workload and creates its pods (Deployment: a ReplicaSet's; StatefulSet: ordinals;
    /// DaemonSet: one per node).
    pub fn apply(&mut self, obj: Value) {
        let kind = obj["kind"].as_str().unwrap_or("").to_string();
        let name = obj["metadata"]["name"].as_str().unwrap_or("").to_string();
        let ns = obj["metadata"]["namespace"].as_str().unwrap_or("").to_string();
        let template = obj["spec"]["template"].clone();
        let replicas = obj["spec"]["replicas"].as_u64().unwrap_or(1);
        self.objects.push(obj);
        match kind.as_str() {
            "Deployment" => self.add_replicas(&ns, &name, &template, replicas),
            "StatefulSet" => {
                let hash = safe(&template.to_string(), 10);
                for i in 0..replicas {
                    let pod = format!("{name}-{i}");
                    let rev = format!("{name}-{hash}");
                    let mut t = template.clone();
                    t["metadata"]["labels"]["apps.kubernetes.io/pod-index"] = i.to_string().into();
                    t["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"] = pod.clone().into();
                    self.create_pod(
                        &pod,
                        &ns,
                        &t,
                        ("StatefulSet", &name),
                        Some(("controller-revision-hash", &rev)),
                        false,
                    );
                }
            }
            "DaemonSet" => {
                let hash = safe(&template.to_string(), 10);
                for n in self.nodes.clone() {
                    let pod = format!("{name}-{}", safe(&format!("{name}/{}", n.name), 5));
                    let mut t = template.clone();
                    t["spec"]["nodeName"] = n.name.clone().into();
                    self.create_pod(
                        &pod,
                        &ns,
                        &t,
                        ("DaemonSet", &name),
                        Some(("controller-revision-hash", &hash)),
                        true,
                    );
                }
            }
            _ => {}
        }
    }

    fn add_replicas(&mut self, ns: &str, name: &str, template: &Value, n: u64) {
        let hash = safe(&template.to_string(), 10);
        let rs = format!("{name}-{hash}");
        for i in 0..n {
            let pod = format!("{rs}-{}", safe(&format!("{rs}/{i}/{}", self.clock), 5));
            self.create_pod(
                &pod,
                ns,
                template,
                ("ReplicaSet", &rs),
                Some(("pod-template-hash", &hash)),
                false,
            );
        }
    }

    /// The HPA (or anyone) scales Deployment `ns/name` up to `replicas`.
    pub fn scale_up(&mut self, ns: &str, name: &str, replicas: u64) {
        let i = self
            .objects
            .iter()
            .position(|o| {
                o["kind"] == "Deployment" && o["metadata"]["namespace"] == ns && o["metadata"]["name"] == name
            })
            .expect("deployment");
        let have = self.objects[i]["spec"]["replicas"].as_u64().unwrap_or(1);
        self.objects[i]["spec"]["replicas"] = replicas.into();
        let template = self.objects[i]["spec"]["template"].clone();
        self.add_replicas(ns, name, &template, replicas.saturating_sub(have));
    }

    fn create_pod(
        &mut self,
        name: &str,
        ns: &str,
        template: &Value,
        owner: (&str, &str),
        hash_label: Option<(&str, &str)>,
        daemon: bool,
    ) {
        let mut labels = template["metadata"]["labels"].as_object().cloned().unwrap_or_default();
        if let Some((k, v)) = hash_label {
            labels.insert(k.into(), v.into());
        }
        let mut spec = template["spec"].clone();
        default_pod_spec(&mut spec);
        merge_match_label_keys(&mut spec, &labels);
        // DefaultTolerationSeconds admission: not-ready/unreachable NoExecute for 300 s unless the pod has them;
        // the DaemonSet controller adds them without seconds, and the unschedulable one.
        let tol = spec.as_object_mut().unwrap().entry("tolerations").or_insert(json!([]));
        for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
            if !tol.as_array().unwrap().iter().any(|t| t["key"] == key) {
                let mut t = json!({"effect": "NoExecute", "key": key, "operator": "Exists"});
                if !daemon {
                    t["tolerationSeconds"] = 300.into();
                }
                tol.as_array_mut().unwrap().push(t);
            }
        }
        if daemon {
            tol.as_array_mut()
                .unwrap()
                .push(json!({"effect": "NoSchedule", "key": "node.kubernetes.io/unschedulable", "operator": "Exists"}));
        }
        let node = match spec.get("nodeName").and_then(Value::as_str) {
            Some(n) => Ok(n.to_string()),
            None => self.schedule(&spec, &labels, ns),
        };
        let created = self.tick();
        let up = |n: &str| self.nodes.iter().any(|x| x.name == n && x.ready == "True");
        let (node, unschedulable) = match node {
            Ok(n) => (Some(n), None),
            Err(why) => (None, Some(why)),
        };
        let ready = node.as_deref().is_some_and(up);
        self.pods.push(Placed {
            name: name.into(),
            namespace: ns.into(),
            node,
            labels,
            owner: (
                owner.0.into(),
                owner.1.into(),
                uid(&format!("{}/{ns}/{}", owner.0, owner.1)),
            ),
            spec,
            created,
            ready,
            terminating: false,
            unschedulable,
            daemon,
        });
    }

    /// Node `name` stops answering: Ready=Unknown, its pods NotReady; pods whose `tolerationSeconds` for the
    /// unreachable taint is at most `elapsed` seconds get a deletionTimestamp and their controller replaces them.
    pub fn node_lost(&mut self, name: &str, elapsed: u64) {
        for n in &mut self.nodes {
            if n.name == name {
                n.ready = "Unknown";
            }
        }
        let mut replace = vec![];
        for (i, p) in self.pods.iter_mut().enumerate() {
            if p.node.as_deref() != Some(name) {
                continue;
            }
            p.ready = false;
            let secs = p.spec["tolerations"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|t| t["key"] == "node.kubernetes.io/unreachable" && t["effect"] == "NoExecute")
                .map(|t| t["tolerationSeconds"].as_u64());
            let evicted = match secs {
                Some(Some(s)) => s <= elapsed,
                Some(None) => false,
                None => true,
            };
            if evicted && !p.daemon {
                p.terminating = true;
                replace.push(i);
            }
        }
        for i in replace {
            let p = self.pods[i].clone();
            if p.owner.0 == "ReplicaSet" {
                let mut template = json!({"metadata": {"labels": p.labels}, "spec": p.spec});
                template["spec"].as_object_mut().unwrap().remove("nodeName");
                let hash = p.labels["pod-template-hash"].as_str().unwrap_or("").to_string();
                let pod = format!("{}-{}", p.owner.1, safe(&format!("{}/{}", p.name, self.clock), 5));
                self.create_pod(
                    &pod,
                    &p.namespace,
                    &template,
                    ("ReplicaSet", &p.owner.1.clone()),
                    Some(("pod-template-hash", &hash)),
                    false,
                );
            }
        }
    }

    /// Node `name` is back: Ready=True; the pods left on it were deleted (force-deleted or confirmed by its
    /// kubelet); nothing moves the replacements back.
    pub fn node_back(&mut self, name: &str) {
        for n in &mut self.nodes {
            if n.name == name {
                n.ready = "True";
            }
        }
        self.pods
            .retain(|p| !(p.terminating && p.node.as_deref() == Some(name)));
        for p in &mut self.pods {
            if p.node.as_deref() == Some(name) {
                p.ready = true;
            }
        }
    }

    /// `n` filler pods of a user Deployment pinned to `node` (a workload the catalogue does not name).
    pub fn filler(&mut self, ns: &str, app: &str, node: &str, n: usize) {
        let existing = self
            .objects
            .iter()
            .any(|o| o["metadata"]["name"] == app && o["metadata"]["namespace"] == ns);
        let dep = store(
            json!({"apiVersion": "apps/v1", "kind": "Deployment",
                   "metadata": {"name": app, "namespace": ns, "labels": {"app": app}},
                   "spec": {"replicas": 0, "selector": {"matchLabels": {"app": app}},
                            "template": {"metadata": {"labels": {"app": app}},
                                         "spec": {"containers": [{"name": app, "image": format!("ghcr.io/example/{app}:1.4.2"), "ports": [{"containerPort": 8080}]}]}}}}),
            ns,
            None,
        );
        let template = dep["spec"]["template"].clone();
        if !existing {
            self.objects.push(dep);
        }
        let hash = safe(&template.to_string(), 10);
        let rs = format!("{app}-{hash}");
        for i in 0..n {
            let mut t = template.clone();
            t["spec"]["nodeName"] = node.into();
            let pod = format!("{rs}-{}", safe(&format!("{rs}/{node}/{i}/{}", self.clock), 5));
            self.create_pod(
                &pod,
                ns,
                &t,
                ("ReplicaSet", &rs),
                Some(("pod-template-hash", &hash)),
                false,
            );
        }
        let count = self.pods.iter().filter(|p| p.owner.1 == rs && !p.terminating).count();
        for o in &mut self.objects {
            if o["metadata"]["name"] == app && o["metadata"]["namespace"] == ns {
                o["spec"]["replicas"] = count.into();
            }
        }
    }

    /// Scales user Deployments in `ns` down by `k` pods on `node` (newest first).
    pub fn remove_fillers(&mut self, ns: &str, node: &str, k: usize) {
        for _ in 0..k {
            let Some(i) = self
                .pods
                .iter()
                .enumerate()
                .filter(|(_, p)| p.namespace == ns && p.node.as_deref() == Some(node) && !p.terminating)
                .max_by_key(|(_, p)| p.created.clone())
                .map(|(i, _)| i)
            else {
                return;
            };
            let p = self.pods.remove(i);
            for o in &mut self.objects {
                if o["kind"] == "Deployment"
                    && o["metadata"]["namespace"] == ns
                    && p.owner
                        .1
                        .starts_with(&format!("{}-", o["metadata"]["name"].as_str().unwrap_or("")))
                {
                    let r = o["spec"]["replicas"].as_u64().unwrap_or(1);
                    o["spec"]["replicas"] = r.saturating_sub(1).into();
                }
            }
        }
    }

    fn pod_json(&self, p: &Placed) -> Value {
        let mut spec = p.spec.clone();
        if let Some(n) = &p.node {
            spec["nodeName"] = n.clone().into();
        }
        spec.as_object_mut()
            .unwrap()
            .entry("serviceAccountName")
            .or_insert("default".into());
        let sa = spec["serviceAccountName"].clone();
        spec.as_object_mut().unwrap().entry("serviceAccount").or_insert(sa);
        spec.as_object_mut()
            .unwrap()
            .entry("enableServiceLinks")
            .or_insert(true.into());
        spec.as_object_mut()
            .unwrap()
            .entry("preemptionPolicy")
            .or_insert("PreemptLowerPriority".into());
        spec.as_object_mut().unwrap().entry("priority").or_insert(0.into());
        let t = |s: bool| if s { "True" } else { "False" };
        let scheduled = p.node.is_some();
        let mut conditions = vec![];
        if scheduled {
            for ty in ["PodReadyToStartContainers", "Initialized"] {
                conditions.push(
                    json!({"type": ty, "status": "True", "lastProbeTime": null, "lastTransitionTime": p.created}),
                );
            }
            conditions.push(
                json!({"type": "Ready", "status": t(p.ready), "lastProbeTime": null, "lastTransitionTime": p.created}),
            );
            conditions.push(json!({"type": "ContainersReady", "status": "True", "lastProbeTime": null, "lastTransitionTime": p.created}));
            conditions.push(json!({"type": "PodScheduled", "status": "True", "lastProbeTime": null, "lastTransitionTime": p.created}));
        } else {
            conditions.push(json!({"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                                   "message": p.unschedulable.clone().unwrap_or_default(), "lastProbeTime": null, "lastTransitionTime": p.created}));
        }
        let containers: Vec<Value> = spec["containers"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| json!({"name": c["name"], "image": c["image"], "imageID": "", "ready": p.ready, "restartCount": 0, "started": scheduled,
                            "state": {"running": {"startedAt": p.created}}}))
            .collect();
        let mut status = json!({"conditions": conditions, "phase": if scheduled { "Running" } else { "Pending" }, "qosClass": "BestEffort"});
        if scheduled {
            status["containerStatuses"] = Value::Array(containers);
            status["hostIP"] = format!("192.168.1.{}", 10 + fnv(p.node.as_deref().unwrap()) % 200).into();
            status["podIP"] = format!(
                "10.42.{}.{}",
                fnv(p.node.as_deref().unwrap()) % 200,
                2 + fnv(&p.name) % 250
            )
            .into();
            status["startTime"] = p.created.clone().into();
        }
        let mut meta = json!({
            "creationTimestamp": p.created,
            "generateName": format!("{}-", p.owner.1),
            "labels": p.labels,
            "name": p.name,
            "namespace": p.namespace,
            "ownerReferences": [{"apiVersion": "apps/v1", "blockOwnerDeletion": true, "controller": true, "kind": p.owner.0, "name": p.owner.1, "uid": p.owner.2}],
            "resourceVersion": (fnv(&p.name) % 1000000).to_string(),
            "uid": uid(&format!("pod/{}/{}", p.namespace, p.name)),
        });
        if p.terminating {
            meta["deletionGracePeriodSeconds"] = 30.into();
            meta["deletionTimestamp"] = "2026-11-27T08:56:30Z".into();
        }
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec, "status": status})
    }

    /// Sets the status blocks the controllers write, from the pods: Deployment/StatefulSet/DaemonSet counts, PDB
    /// counts (disruption controller), HPA status (`current` its replica count).
    fn statuses(&self) -> Vec<Value> {
        let mut out = vec![];
        for o in &self.objects {
            let mut o = o.clone();
            let kind = o["kind"].as_str().unwrap_or("").to_string();
            let ns = o["metadata"]["namespace"].as_str().unwrap_or("").to_string();
            let name = o["metadata"]["name"].as_str().unwrap_or("").to_string();
            let owned: Vec<&Placed> = self
                .pods
                .iter()
                .filter(|p| {
                    p.namespace == ns
                        && (p.owner.1 == name
                            || (kind == "Deployment"
                                && p.owner.0 == "ReplicaSet"
                                && p.owner
                                    .1
                                    .strip_prefix(&format!("{name}-"))
                                    .is_some_and(|h| !h.contains('-'))))
                })
                .collect();
            let active = owned.iter().filter(|p| !p.terminating).count();
            let ready = owned.iter().filter(|p| !p.terminating && p.ready).count();
            match kind.as_str() {
                "Deployment" => {
                    let want = o["spec"]["replicas"].as_u64().unwrap_or(1) as usize;
                    let available = ready >= want.saturating_sub(1).max(if want == 0 { 0 } else { 1 }).min(want);
                    let mut st = json!({
                        "availableReplicas": ready, "observedGeneration": 1, "readyReplicas": ready, "replicas": active, "updatedReplicas": active,
                        "conditions": [
                            {"type": "Available", "status": if available { "True" } else { "False" }, "reason": if available { "MinimumReplicasAvailable" } else { "MinimumReplicasUnavailable" },
                             "message": if available { "Deployment has minimum availability." } else { "Deployment does not have minimum availability." },
                             "lastTransitionTime": CREATED, "lastUpdateTime": CREATED},
                            {"type": "Progressing", "status": "True", "reason": "NewReplicaSetAvailable",
                             "message": format!("ReplicaSet \"{}\" has successfully progressed.", owned.first().map_or(name.clone(), |p| p.owner.1.clone())),
                             "lastTransitionTime": CREATED, "lastUpdateTime": CREATED},
                        ],
                    });
                    if active > ready {
                        st["unavailableReplicas"] = (active - ready).into();
                    }
                    for k in ["availableReplicas", "readyReplicas", "replicas", "updatedReplicas"] {
                        if st[k] == 0 {
                            st.as_object_mut().unwrap().remove(k);
                        }
                    }
                    o["status"] = st;
                }
                "StatefulSet" => {
                    o["status"] = json!({"availableReplicas": ready, "collisionCount": 0, "currentReplicas": active, "observedGeneration": 1,
                                         "readyReplicas": ready, "replicas": active, "updatedReplicas": active});
                }
                "DaemonSet" => {
                    let n = self.nodes.len();
                    o["status"] = json!({"currentNumberScheduled": n, "desiredNumberScheduled": n, "numberAvailable": ready, "numberMisscheduled": 0,
                                         "numberReady": ready, "numberUnavailable": n - ready, "observedGeneration": 1, "updatedNumberScheduled": n});
                    if n == ready {
                        o["status"].as_object_mut().unwrap().remove("numberUnavailable");
                    }
                }
                "PodDisruptionBudget" => {
                    let sel = o["spec"]["selector"].clone();
                    let matched: Vec<&Placed> = self
                        .pods
                        .iter()
                        .filter(|p| p.namespace == ns && sel_matches(&sel, &p.labels))
                        .collect();
                    // expectedPods: the owners' scale (a Deployment's spec.replicas) for maxUnavailable and percentages.
                    let mut owners: Vec<&str> = matched.iter().map(|p| p.owner.1.as_str()).collect();
                    owners.sort();
                    owners.dedup();
                    let expected: u64 = owners
                        .iter()
                        .map(|rs| {
                            self.objects
                                .iter()
                                .find(|d| {
                                    d["kind"] == "Deployment"
                                        && d["metadata"]["namespace"] == ns.as_str()
                                        && rs
                                            .strip_prefix(&format!("{}-", d["metadata"]["name"].as_str().unwrap_or("")))
                                            .is_some_and(|h| !h.contains('-'))
                                })
                                .map_or(1, |d| d["spec"]["replicas"].as_u64().unwrap_or(1))
                        })
                        .sum();
                    let healthy = matched.iter().filter(|p| p.ready && !p.terminating).count() as u64;
                    let desired = match (o["spec"].get("maxUnavailable"), o["spec"].get("minAvailable")) {
                        (Some(m), _) => expected.saturating_sub(m.as_u64().unwrap_or(0)),
                        (_, Some(m)) => m.as_u64().unwrap_or(0),
                        _ => expected,
                    };
                    let allowed = if expected == 0 {
                        0
                    } else {
                        healthy.saturating_sub(desired)
                    };
                    o["status"] = json!({
                        "conditions": [{"type": "DisruptionAllowed", "status": if allowed > 0 { "True" } else { "False" },
                                        "reason": if allowed > 0 { "SufficientPods" } else { "InsufficientPods" }, "message": "",
                                        "lastTransitionTime": CREATED, "observedGeneration": 1}],
                        "currentHealthy": healthy, "desiredHealthy": desired, "disruptionsAllowed": allowed, "expectedPods": expected, "observedGeneration": 1,
                    });
                }
                "HorizontalPodAutoscaler" => {
                    let target = o["spec"]["scaleTargetRef"]["name"].as_str().unwrap_or("").to_string();
                    let current = self
                        .objects
                        .iter()
                        .find(|d| {
                            d["kind"] == "Deployment"
                                && d["metadata"]["name"] == target.as_str()
                                && d["metadata"]["namespace"] == ns.as_str()
                        })
                        .and_then(|d| d["spec"]["replicas"].as_u64())
                        .unwrap_or(1);
                    o["status"] = json!({
                        "conditions": [
                            {"type": "AbleToScale", "status": "True", "reason": "ReadyForNewScale", "message": "recommended size matches current size", "lastTransitionTime": CREATED},
                            {"type": "ScalingActive", "status": "True", "reason": "ValidMetricFound", "message": "the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)", "lastTransitionTime": CREATED},
                            {"type": "ScalingLimited", "status": "True", "reason": "TooFewReplicas", "message": "the desired replica count is less than the minimum replica count", "lastTransitionTime": CREATED},
                        ],
                        "currentMetrics": [{"type": "Resource", "resource": {"name": "cpu", "current": {"averageUtilization": 4, "averageValue": "4m"}}}],
                        "currentReplicas": current,
                        "desiredReplicas": current,
                        "lastScaleTime": CREATED,
                    });
                }
                _ => {}
            }
            out.push(o);
        }
        out
    }

    /// The dump `kubectl get nodes,pods,deployments,statefulsets,daemonsets,pdb,hpa -A -o json` prints: one
    /// List, grouped by type in that order, each sorted by namespace and name, keys sorted, 4-space indents.
    pub fn dump(&self) -> String {
        let objects = self.statuses();
        let mut items: Vec<Value> = self.nodes.iter().map(node).collect();
        let key = |v: &Value| {
            (
                v["metadata"]["namespace"].as_str().unwrap_or("").to_string(),
                v["metadata"]["name"].as_str().unwrap_or("").to_string(),
            )
        };
        let mut pods: Vec<Value> = self.pods.iter().map(|p| self.pod_json(p)).collect();
        pods.sort_by_key(key);
        items.extend(pods);
        for kind in [
            "Deployment",
            "StatefulSet",
            "DaemonSet",
            "PodDisruptionBudget",
            "HorizontalPodAutoscaler",
        ] {
            let mut of: Vec<Value> = objects.iter().filter(|o| o["kind"] == kind).cloned().collect();
            of.sort_by_key(key);
            items.extend(of);
        }
        let list =
            sorted(json!({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}));
        let mut buf = Vec::new();
        let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
        let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
        serde::Serialize::serialize(&list, &mut ser).unwrap();
        buf.push(b'\n');
        String::from_utf8(buf).unwrap()
    }
}

/// Keys sorted at every level, as kubectl's JSON printer writes them.
fn sorted(v: Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut entries: Vec<(String, Value)> = m.into_iter().collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries.into_iter().map(|(k, v)| (k, sorted(v))).collect())
        }
        Value::Array(a) => Value::Array(a.into_iter().map(sorted).collect()),
        other => other,
    }
}

/// A uid as the API server gives one, derived from `seed` (stable across runs).
pub fn uid_of(seed: &str) -> String {
    uid(seed)
}

/// Any other object as the API server stores it: uid, resourceVersion, creationTimestamp and generation.
pub fn stored(mut obj: Value) -> Value {
    stored_meta(&mut obj, None);
    obj
}

/// `items` as `kubectl get … -A -o json` prints them: one List, keys sorted, 4-space indents.
pub fn list_json(items: Vec<Value>) -> String {
    let list = sorted(json!({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}));
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    serde::Serialize::serialize(&list, &mut ser).unwrap();
    buf.push(b'\n');
    String::from_utf8(buf).unwrap()
}

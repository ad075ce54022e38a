//! The checks `hagen verify` makes on k3s's packaged components: hagen's objects beside k3s's (in place), the
//! live data a take-over saves, and a take-over's rendered objects against k3s's own manifests (chart knowledge's
//! `k3sTakeOver.checks`).

use super::Check;
use crate::catalog::K3sCluster;
use crate::charts::file::TakeOverFile;
use crate::describe::Setting;
use crate::k3s_facts::APPLIED_PREFIX as K3S_APPLIED_PREFIX;
use crate::k8s::Object;

/// hagen's objects beside k3s's: none carries a label k3s's pruning selects.
pub fn judge_in_place(hagens: &[Object]) -> Check {
    let labelled: Vec<String> = hagens
        .iter()
        .filter(|o| {
            crate::k8s::labels_of(o.value.pointer("/metadata/labels"))
                .keys()
                .any(|k| k.starts_with(K3S_APPLIED_PREFIX))
        })
        .map(Object::id)
        .collect();
    Check {
        setting: Setting::K3sInPlace,
        asked: format!("hagen's objects without k3s's {K3S_APPLIED_PREFIX}* labels (k3s's pruning never selects them)"),
        found: if labelled.is_empty() {
            format!(
                "{} without them",
                hagens.iter().map(Object::id).collect::<Vec<_>>().join(", ")
            )
        } else {
            format!("{} carry them", labelled.join(", "))
        },
        ok: Some(labelled.is_empty() && !hagens.is_empty()),
        delivered_by: "manifest".into(),
    }
}

/// A take-over's live data saved beside the catalogue (`beside`, as shown) before anything is disabled: the
/// install line reads it. Reads the file (verify's only read outside out/ and the charts).
pub fn judge_saved(beside: &str, f: &crate::charts::file::SavedFileFile) -> Check {
    let path = format!("{beside}{}", f.file);
    let lines = std::fs::read_to_string(&path).ok().map(|t| t.lines().count());
    Check {
        setting: Setting::K3sTakeOver,
        asked: format!(
            "{path} saved beside the catalogue (the install line passes it as {})",
            f.key
        ),
        found: match lines {
            Some(n) => format!("{path}: {n} lines"),
            None => format!("{path} is missing: run the preflight's first step in out/README.md"),
        },
        // Missing is reported, not a ✗: it says nothing about the chart, whose proof it must not refute (the
        // preflight writes it; generate warns until then).
        ok: lines.map(|_| true),
        delivered_by: "--set-file".into(),
    }
}

/// The judgement of one take-over check on the rendered objects of a release.
pub fn judge_take_over(k: &K3sCluster, t: &TakeOverFile, objects: &[Object]) -> Vec<Check> {
    t.checks
        .iter()
        .map(|c| {
            let name = c.name.as_deref().map(|n| k.substitute(n));
            let found = objects
                .iter()
                .filter(|o| o.kind == c.kind && name.as_ref().is_none_or(|n| *n == o.name))
                .find_map(|o| o.value.pointer(&c.pointer).map(|v| (o, v)));
            let (asked, got, ok) = match (&c.equals, found) {
                (Some(want), Some((o, v))) => {
                    let want = k.substitute(want);
                    let got = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                    (want.clone(), format!("{} {}: {got}", o.kind, o.name), got == want)
                }
                (None, Some((o, v))) => {
                    let want: Vec<String> = c.lines.iter().map(|l| k.substitute(l)).collect();
                    let got: Vec<&str> = v
                        .as_str()
                        .unwrap_or_default()
                        .lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty())
                        .collect();
                    let first_diff = want
                        .iter()
                        .zip(&got)
                        .position(|(w, g)| w != g)
                        .or_else(|| (want.len() != got.len()).then(|| want.len().min(got.len())));
                    let found = match first_diff {
                        None => format!("{} {}: the same {} lines", o.kind, o.name, got.len()),
                        Some(n) => format!(
                            "{} {}: line {} is `{}`, k3s's is `{}`",
                            o.kind,
                            o.name,
                            n + 1,
                            got.get(n).copied().unwrap_or("(end)"),
                            want.get(n).map_or("(end)", String::as_str)
                        ),
                    };
                    (
                        format!("{} lines as k3s writes them", want.len()),
                        found,
                        first_diff.is_none(),
                    )
                }
                (_, None) => (
                    c.equals
                        .as_deref()
                        .map_or_else(|| "present".to_string(), |w| k.substitute(w)),
                    format!(
                        "no {} {}with {}",
                        c.kind,
                        name.map(|n| format!("{n} ")).unwrap_or_default(),
                        c.pointer
                    ),
                    false,
                ),
            };
            Check {
                setting: Setting::K3sTakeOver,
                asked: format!("{}: {asked}", c.what),
                found: got,
                ok: Some(ok),
                delivered_by: "k3s-values".into(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::file::TakeOverCheckFile;
    use serde_json::json;

    fn take_over(checks: Vec<TakeOverCheckFile>) -> TakeOverFile {
        TakeOverFile {
            values: json!({}),
            wait_gone: vec![],
            down: String::new(),
            before: vec![],
            helm_args: vec![],
            saved_files: vec![],
            verify: vec![],
            differences: None,
            checks,
        }
    }

    fn check(kind: &str, name: Option<&str>, pointer: &str, equals: Option<&str>, lines: &[&str]) -> TakeOverCheckFile {
        TakeOverCheckFile {
            what: "w".into(),
            kind: kind.into(),
            name: name.map(str::to_string),
            pointer: pointer.into(),
            equals: equals.map(str::to_string),
            lines: lines.iter().map(|l| l.to_string()).collect(),
        }
    }

    #[test]
    fn hagen_s_objects_beside_k3s_s_never_carry_its_labels() {
        let object = |labels: serde_json::Value| {
            crate::k8s::Object::new(
                json!({"kind": "PodDisruptionBudget", "metadata": {"name": "dns", "labels": labels}}),
                "kube-system",
            )
            .unwrap()
        };
        struct Case {
            name: &'static str,
            objects: Vec<crate::k8s::Object>,
            ok: bool,
        }
        let cases = [
            Case {
                name: "hagen's label only",
                objects: vec![object(json!({"app.kubernetes.io/managed-by": "hagen"}))],
                ok: true,
            },
            Case {
                name: "k3s's hash label",
                objects: vec![object(json!({"objectset.rio.cattle.io/hash": "abc"}))],
                ok: false,
            },
            Case {
                name: "k3s's owner label",
                objects: vec![object(json!({"objectset.rio.cattle.io/owner-name": "x"}))],
                ok: false,
            },
            Case {
                name: "nothing written",
                objects: vec![],
                ok: false,
            },
        ];
        for c in cases {
            assert_eq!(judge_in_place(&c.objects).ok, Some(c.ok), "{}", c.name);
        }
    }

    #[test]
    fn a_saved_file_is_reported_never_failed() {
        let dir = tempfile::tempdir().unwrap();
        let beside = format!("{}/", dir.path().display());
        let f = crate::charts::file::SavedFileFile {
            file: "hosts".into(),
            key: "k".into(),
            why: String::new(),
            run: String::new(),
        };
        let missing = judge_saved(&beside, &f);
        assert_eq!(missing.ok, None, "{}", missing.found);
        assert!(
            missing
                .found
                .ends_with("hosts is missing: run the preflight's first step in out/README.md")
        );
        std::fs::write(dir.path().join("hosts"), "1.2.3.4 a\n1.2.3.5 b\n").unwrap();
        let saved = judge_saved(&beside, &f);
        assert_eq!(saved.ok, Some(true));
        assert!(saved.found.ends_with("hosts: 2 lines"), "{}", saved.found);
    }

    #[test]
    fn take_over_checks_judge_the_rendered_objects() {
        let k = K3sCluster {
            cluster_dns: "10.43.0.53".into(),
            ..K3sCluster::default()
        };
        let objects: Vec<crate::k8s::Object> = [
            json!({"kind": "Service", "metadata": {"name": "kube-dns"}, "spec": {"clusterIP": "10.43.0.53"}}),
            json!({"kind": "ConfigMap", "metadata": {"name": "coredns"}, "data": {"Corefile": ".:53 {\n    errors\n    kubernetes cluster.local {\n    }\n}\n"}}),
        ]
        .into_iter()
        .filter_map(|v| crate::k8s::Object::new(v, "kube-system"))
        .collect();
        struct Case {
            check: TakeOverCheckFile,
            ok: bool,
            found: &'static str,
        }
        let cases = [
            Case {
                check: check(
                    "Service",
                    Some("kube-dns"),
                    "/spec/clusterIP",
                    Some("{clusterDNS}"),
                    &[],
                ),
                ok: true,
                found: "Service kube-dns: 10.43.0.53",
            },
            Case {
                check: check("Service", Some("kube-dns"), "/spec/clusterIP", Some("10.43.0.10"), &[]),
                ok: false,
                found: "Service kube-dns: 10.43.0.53",
            },
            Case {
                check: check("Service", Some("dns"), "/spec/clusterIP", Some("{clusterDNS}"), &[]),
                ok: false,
                found: "no Service dns with /spec/clusterIP",
            },
            Case {
                check: check(
                    "ConfigMap",
                    None,
                    "/data/Corefile",
                    None,
                    &[".:53 {", "errors", "kubernetes {clusterDomain} {", "}", "}"],
                ),
                ok: true,
                found: "the same 5 lines",
            },
            Case {
                check: check(
                    "ConfigMap",
                    None,
                    "/data/Corefile",
                    None,
                    &[".:53 {", "errors", "cache 30", "}", "}"],
                ),
                ok: false,
                found: "line 3 is `kubernetes cluster.local {`, k3s's is `cache 30`",
            },
            Case {
                check: check("ConfigMap", None, "/data/Corefile", None, &[".:53 {", "errors"]),
                ok: false,
                found: "line 3 is `kubernetes cluster.local {`, k3s's is `(end)`",
            },
        ];
        for row in cases {
            let what = format!("{:?}", row.check);
            let got = judge_take_over(&k, &take_over(vec![row.check]), &objects).remove(0);
            assert_eq!(got.ok, Some(row.ok), "{what}: {}", got.found);
            assert!(got.found.contains(row.found), "{what}: {}", got.found);
        }
    }
}

//! Placement balance after a node came back: nothing moves pods back by itself. Judged against a threshold (a
//! node running more pods than `alerts.podsPerNode`, the number the catalogue's own alert fires at, while another
//! schedulable node has room); below it the moves are advice and the audit still passes. The moves are the
//! fewest that even out the nodes, one pod each, only of the catalogue's components with two or more replicas
//! (deleting a single instance's pod stops it), and none while a node is down (its pods are about to move).

use super::NodeInfo;
use super::input::Pod;
use crate::model::{Intent, Plan};
use indexmap::IndexMap;
use serde::Serialize;
use std::collections::HashSet;

/// The balance of pods over the schedulable nodes.
#[derive(Debug, Serialize, Clone)]
pub struct Balance {
    pub threshold: u32,
    /// Where the threshold comes from.
    pub threshold_from: String,
    pub heaviest: String,
    pub heaviest_pods: usize,
    pub lightest: String,
    pub lightest_pods: usize,
    /// Above the threshold with room elsewhere: a finding.
    pub over: bool,
}

impl Balance {
    /// The sentence shown as a finding (above the threshold) or above the advice.
    pub fn describe(&self) -> String {
        format!(
            "uneven placement: {} runs {} pods, {} runs {}; {} {} pods per node ({}); nothing rebalances by itself",
            self.heaviest,
            self.heaviest_pods,
            self.lightest,
            self.lightest_pods,
            if self.over { "above" } else { "within" },
            self.threshold,
            self.threshold_from
        )
    }
}

/// The balance and the commands that even it out.
pub fn advise(
    plan: &Plan,
    opts: &super::AuditOptions,
    intents: &[&Intent],
    pods: &[Vec<&Pod>],
    nodes: &IndexMap<String, NodeInfo>,
    has_pods: bool,
) -> (Option<Balance>, Vec<String>) {
    let mut taken: HashSet<(&str, &str)> = HashSet::new();
    let mut suggestions = spread_doubles(intents, pods, &mut taken);
    // While a node is down its pods are about to move: balance means nothing until it is back.
    let schedulable: Vec<&String> = nodes.iter().filter(|(_, n)| n.schedulable()).map(|(k, _)| k).collect();
    if !has_pods || schedulable.len() < 2 || nodes.values().any(|n| !n.up()) {
        return (None, suggestions);
    }
    let threshold = match opts.max_pods_per_node {
        Some(t) => (t, "--max-pods-per-node".to_string()),
        None => (
            plan.alerts.pods_per_node,
            "the catalogue's alerts.podsPerNode".to_string(),
        ),
    };
    let mut count: IndexMap<&str, usize> = schedulable.iter().map(|n| (n.as_str(), nodes[*n].pods)).collect();
    let balance = balance(&count, threshold);
    suggestions.extend(even_out(intents, pods, &mut count, &mut taken));
    (Some(balance), suggestions)
}

/// Two pods of one component on one node: delete the newest extra ones (each pod once, recorded in `taken`).
fn spread_doubles<'a>(
    intents: &[&Intent],
    pods: &[Vec<&'a Pod>],
    taken: &mut HashSet<(&'a str, &'a str)>,
) -> Vec<String> {
    let mut suggestions = Vec::new();
    for (i, mine) in intents.iter().zip(pods) {
        let mut by_node: IndexMap<&str, Vec<&Pod>> = IndexMap::new();
        for p in mine.iter().filter(|p| p.active()) {
            if let Some(n) = &p.node {
                by_node.entry(n.as_str()).or_default().push(p);
            }
        }
        for (node, mut here) in by_node.into_iter().filter(|(_, v)| v.len() > 1) {
            here.sort_by_key(|p| (p.created.as_str(), p.name.as_str()));
            let n = here.len();
            for p in here.into_iter().skip(1) {
                if taken.insert((p.namespace.as_str(), p.name.as_str())) {
                    suggestions.push(format!(
                        "kubectl delete pod -n {} {}   # {} has {n} pods on {node}",
                        p.namespace,
                        p.name,
                        i.label()
                    ));
                }
            }
        }
    }
    suggestions
}

/// The heaviest node and its pods (the first by name among equals).
fn heaviest(c: &IndexMap<&str, usize>) -> (String, usize) {
    c.iter()
        .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        .map(|(n, p)| (n.to_string(), *p))
        .unwrap_or_default()
}

/// The lightest node and its pods (the first by name among equals).
fn lightest(c: &IndexMap<&str, usize>) -> (String, usize) {
    c.iter()
        .min_by(|a, b| a.1.cmp(b.1).then(a.0.cmp(b.0)))
        .map(|(n, p)| (n.to_string(), *p))
        .unwrap_or_default()
}

/// The balance of `count` (pods per schedulable node) against `(threshold, where it comes from)`: over when the
/// heaviest node runs more than the threshold while the lightest has room.
fn balance(count: &IndexMap<&str, usize>, (threshold, threshold_from): (u32, String)) -> Balance {
    let (h, hp) = heaviest(count);
    let (l, lp) = lightest(count);
    Balance {
        threshold,
        threshold_from,
        over: hp > threshold as usize && lp < threshold as usize,
        heaviest: h,
        heaviest_pods: hp,
        lightest: l,
        lightest_pods: lp,
    }
}

/// One pod to delete so that it is recreated elsewhere: component `k`'s `pod`, off `from` onto `to`.
struct Move<'a> {
    k: usize,
    pod: &'a Pod,
    from: String,
    from_pods: usize,
    to: &'a str,
    to_pods: usize,
}

/// Greedy: move one pod from the heaviest node to the lightest that can take it, until they differ by ≤ 1.
/// `count` (pods per schedulable node) follows the moves.
fn even_out<'a>(
    intents: &[&Intent],
    pods: &[Vec<&'a Pod>],
    count: &mut IndexMap<&'a str, usize>,
    taken: &mut HashSet<(&'a str, &'a str)>,
) -> Vec<String> {
    // Each component's pods per node, for the anti-affinity of the moves.
    let mut grid: Vec<IndexMap<&str, usize>> = pods
        .iter()
        .map(|mine| {
            let mut g = IndexMap::new();
            for p in mine.iter().filter(|p| p.active()) {
                if let Some(n) = &p.node {
                    *g.entry(n.as_str()).or_default() += 1;
                }
            }
            g
        })
        .collect();
    let mut suggestions = Vec::new();
    while let Some(m) = next_move(intents, pods, count, &grid, taken) {
        let (p, h, l) = (m.pod, m.from.as_str(), m.to);
        taken.insert((p.namespace.as_str(), p.name.as_str()));
        suggestions.push(format!(
            "kubectl delete pod -n {} {}   # {}: off {h} ({} pods), room on {l} ({})",
            p.namespace,
            p.name,
            intents[m.k].label(),
            m.from_pods,
            m.to_pods
        ));
        *count.get_mut(h).expect("heaviest is counted") -= 1;
        *count.get_mut(l).expect("target is counted") += 1;
        *grid[m.k].entry(l).or_default() += 1;
        if let Some(c) = grid[m.k].get_mut(h) {
            *c -= 1;
        }
    }
    suggestions
}

/// The next move off the heaviest node: onto the lightest node that is eligible for a component with two or
/// more replicas and runs none of its pods, its newest Ready pod not moved yet; `None` once the nodes differ by
/// ≤ 1 or nothing can move.
fn next_move<'a>(
    intents: &[&Intent],
    pods: &[Vec<&'a Pod>],
    count: &IndexMap<&'a str, usize>,
    grid: &[IndexMap<&str, usize>],
    taken: &HashSet<(&str, &str)>,
) -> Option<Move<'a>> {
    let (h, hp) = heaviest(count);
    let mut targets: Vec<(&str, usize)> = count.iter().map(|(n, p)| (*n, *p)).filter(|(n, _)| *n != h).collect();
    targets.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(b.0)));
    for (l, lp) in targets {
        if hp <= lp + 1 {
            return None;
        }
        for (k, (i, mine)) in intents.iter().zip(pods).enumerate() {
            let replicas = i.autoscale.map_or(i.replicas, |a| a.min);
            if replicas < 2 || !i.eligible_nodes.iter().any(|n| n == l) || grid[k].get(l).copied().unwrap_or(0) > 0 {
                continue;
            }
            let pod = mine
                .iter()
                .filter(|p| p.active() && p.ready && p.node.as_deref() == Some(h.as_str()))
                .filter(|p| !taken.contains(&(p.namespace.as_str(), p.name.as_str())))
                .max_by_key(|p| (p.created.as_str(), p.name.as_str()));
            let Some(p) = pod else { continue };
            return Some(Move {
                k,
                pod: p,
                from: h,
                from_pods: hp,
                to: l,
                to_pods: lp,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::fixtures::pod;
    use crate::check::fixtures::intent;

    /// Component `name` at `replicas`, on nodes a, b and c.
    fn component(name: &str, replicas: u32) -> Intent {
        let mut i = intent(replicas);
        i.release = name.into();
        i.component = name.into();
        i
    }

    /// A pod created at `created`.
    fn pod_at(name: &str, node: &str, created: &str) -> Pod {
        let mut p = pod(name, Some(node));
        p.created = created.into();
        p
    }

    fn counts<'a>(c: &[(&'a str, usize)]) -> IndexMap<&'a str, usize> {
        c.iter().copied().collect()
    }

    #[test]
    fn two_pods_on_one_node_lose_the_newest() {
        let web = component("web", 3);
        let pods = [
            pod_at("w2", "a", "2"),
            pod_at("w1", "a", "1"),
            pod_at("w3", "a", "3"),
            pod_at("w4", "b", "1"),
        ];
        let mine: Vec<&Pod> = pods.iter().collect();
        let mut taken = HashSet::new();
        let got = spread_doubles(&[&web], &[mine], &mut taken);
        assert_eq!(
            got,
            [
                "kubectl delete pod -n ns w2   # web has 3 pods on a",
                "kubectl delete pod -n ns w3   # web has 3 pods on a",
            ]
        );
        assert!(taken.contains(&("ns", "w3")) && !taken.contains(&("ns", "w1")));
    }

    #[test]
    fn balance_against_the_threshold() {
        struct Case {
            name: &'static str,
            per_node: Vec<(&'static str, usize)>,
            threshold: u32,
            /// The heaviest node and its pods.
            heaviest: (&'static str, usize),
            /// The lightest node and its pods.
            lightest: (&'static str, usize),
            over: bool,
        }
        let cases = [
            Case {
                name: "above with room",
                per_node: vec![("a", 12), ("b", 3)],
                threshold: 10,
                heaviest: ("a", 12),
                lightest: ("b", 3),
                over: true,
            },
            Case {
                name: "above, no room",
                per_node: vec![("a", 12), ("b", 10)],
                threshold: 10,
                heaviest: ("a", 12),
                lightest: ("b", 10),
                over: false,
            },
            Case {
                name: "within",
                per_node: vec![("a", 10), ("b", 3)],
                threshold: 10,
                heaviest: ("a", 10),
                lightest: ("b", 3),
                over: false,
            },
            Case {
                name: "even: the first by name",
                per_node: vec![("b", 5), ("a", 5)],
                threshold: 4,
                heaviest: ("a", 5),
                lightest: ("a", 5),
                over: false,
            },
        ];
        for c in cases {
            let b = balance(&counts(&c.per_node), (c.threshold, "t".into()));
            assert_eq!(
                (
                    (b.heaviest.as_str(), b.heaviest_pods),
                    (b.lightest.as_str(), b.lightest_pods),
                    b.over
                ),
                (c.heaviest, c.lightest, c.over),
                "{}",
                c.name
            );
        }
        let b = balance(
            &counts(&[("a", 12), ("b", 3)]),
            (10, "the catalogue's alerts.podsPerNode".into()),
        );
        assert_eq!(
            b.describe(),
            "uneven placement: a runs 12 pods, b runs 3; above 10 pods per node (the catalogue's alerts.podsPerNode); nothing rebalances by itself"
        );
    }

    #[test]
    fn moves_even_out_the_nodes() {
        let (web, db, single) = (component("web", 2), component("db", 2), component("single", 1));
        let web_pods = [pod_at("w1", "a", "1"), pod_at("w2", "c", "1")];
        let db_pods = [pod_at("d1", "a", "1"), pod_at("d2", "b", "1")];
        let single_pods = [pod_at("s1", "a", "1")];
        let pods: Vec<Vec<&Pod>> = vec![
            single_pods.iter().collect(),
            web_pods.iter().collect(),
            db_pods.iter().collect(),
        ];
        let intents = [&single, &web, &db];
        struct Case {
            name: &'static str,
            per_node: Vec<(&'static str, usize)>,
            taken: Vec<(&'static str, &'static str)>,
            want: Vec<&'static str>,
        }
        let cases = [
            Case {
                name: "one pod each, never a second on a node",
                per_node: vec![("a", 6), ("b", 1), ("c", 1)],
                taken: vec![],
                want: vec![
                    "kubectl delete pod -n ns w1   # web: off a (6 pods), room on b (1)",
                    "kubectl delete pod -n ns d1   # db: off a (5 pods), room on c (1)",
                ],
            },
            Case {
                name: "until they differ by one",
                per_node: vec![("a", 4), ("b", 1), ("c", 2)],
                taken: vec![],
                want: vec!["kubectl delete pod -n ns w1   # web: off a (4 pods), room on b (1)"],
            },
            Case {
                name: "a pod already suggested stays",
                per_node: vec![("a", 6), ("b", 1), ("c", 1)],
                taken: vec![("ns", "w1")],
                want: vec!["kubectl delete pod -n ns d1   # db: off a (6 pods), room on c (1)"],
            },
            Case {
                name: "even",
                per_node: vec![("a", 2), ("b", 1), ("c", 2)],
                taken: vec![],
                want: vec![],
            },
        ];
        for row in cases {
            let mut count = counts(&row.per_node);
            let mut taken: HashSet<(&str, &str)> = row.taken.into_iter().collect();
            assert_eq!(
                even_out(&intents, &pods, &mut count, &mut taken),
                row.want,
                "{}",
                row.name
            );
        }
    }
}

//! Placement balance after a node came back: nothing moves pods back by itself. Judged against a threshold (a
//! node running more pods than `alerts.podsPerNode`, the number the catalogue's own alert fires at, while another
//! schedulable node has room); below it the moves are advice and the audit still passes. The moves are the
//! fewest that even out the nodes, one pod each, only of the catalogue's components with two or more replicas
//! (deleting a single instance's pod stops it), and none while a node is down (its pods are about to move).

use super::NodeInfo;
use super::input::Pod;
use crate::intent::{Intent, Plan};
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
    opts: &super::Options,
    intents: &[&Intent],
    pods: &[Vec<&Pod>],
    nodes: &IndexMap<String, NodeInfo>,
    has_pods: bool,
) -> (Option<Balance>, Vec<String>) {
    let mut suggestions = Vec::new();
    let mut taken: HashSet<(&str, &str)> = HashSet::new();
    // Two pods of one component on one node: delete the newest extra ones.
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

    // While a node is down its pods are about to move: balance means nothing until it is back.
    let schedulable: Vec<&String> = nodes.iter().filter(|(_, n)| n.schedulable()).map(|(k, _)| k).collect();
    if !has_pods || schedulable.len() < 2 || nodes.values().any(|n| !n.up()) {
        return (None, suggestions);
    }
    let (threshold, threshold_from) = match opts.max_pods_per_node {
        Some(t) => (t, "--max-pods-per-node".to_string()),
        None => (
            plan.alerts.pods_per_node,
            "the catalogue's alerts.podsPerNode".to_string(),
        ),
    };
    let mut count: IndexMap<&str, usize> = schedulable.iter().map(|n| (n.as_str(), nodes[*n].pods)).collect();
    let heaviest = |c: &IndexMap<&str, usize>| {
        c.iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(n, p)| (n.to_string(), *p))
            .unwrap_or_default()
    };
    let lightest = |c: &IndexMap<&str, usize>| {
        c.iter()
            .min_by(|a, b| a.1.cmp(b.1).then(a.0.cmp(b.0)))
            .map(|(n, p)| (n.to_string(), *p))
            .unwrap_or_default()
    };
    let (h, hp) = heaviest(&count);
    let (l, lp) = lightest(&count);
    let balance = Balance {
        threshold,
        threshold_from,
        over: hp > threshold as usize && lp < threshold as usize,
        heaviest: h,
        heaviest_pods: hp,
        lightest: l,
        lightest_pods: lp,
    };
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
    // Greedy: move one pod from the heaviest node to the lightest that can take it, until they differ by ≤ 1.
    loop {
        let (h, hp) = heaviest(&count);
        let mut targets: Vec<(&str, usize)> = count.iter().map(|(n, p)| (*n, *p)).filter(|(n, _)| *n != h).collect();
        targets.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(b.0)));
        let mut moved = false;
        'targets: for (l, lp) in targets {
            if hp <= lp + 1 {
                break;
            }
            for (k, (i, mine)) in intents.iter().zip(pods).enumerate() {
                let replicas = i.autoscale.map_or(i.replicas, |a| a.min);
                if replicas < 2 || !i.eligible_nodes.iter().any(|n| n == l) || grid[k].get(l).copied().unwrap_or(0) > 0
                {
                    continue;
                }
                let pod = mine
                    .iter()
                    .filter(|p| p.active() && p.ready && p.node.as_deref() == Some(h.as_str()))
                    .filter(|p| !taken.contains(&(p.namespace.as_str(), p.name.as_str())))
                    .max_by_key(|p| (p.created.as_str(), p.name.as_str()));
                let Some(p) = pod else { continue };
                taken.insert((p.namespace.as_str(), p.name.as_str()));
                suggestions.push(format!(
                    "kubectl delete pod -n {} {}   # {}: off {h} ({hp} pods), room on {l} ({lp})",
                    p.namespace,
                    p.name,
                    i.label()
                ));
                *count.get_mut(h.as_str()).expect("heaviest is counted") -= 1;
                *count.get_mut(l).expect("target is counted") += 1;
                *grid[k].entry(l).or_default() += 1;
                if let Some(c) = grid[k].get_mut(h.as_str()) {
                    *c -= 1;
                }
                moved = true;
                break 'targets;
            }
        }
        if !moved {
            break;
        }
    }
    (Some(balance), suggestions)
}

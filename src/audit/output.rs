//! The human report of `hagen audit`.

use super::AuditReport;

/// The human report: one line per component (its failed checks below it), the component-by-node grid with pod
/// counts, the findings, and the commands to rebalance.
pub fn table(r: &AuditReport) -> String {
    let mut s = String::new();
    if !r.scope.is_empty() {
        s.push_str(&format!("audit of {}\n\n", r.scope));
    }
    for c in &r.components {
        let marks: Vec<String> = c
            .checks
            .iter()
            .filter(|k| k.ok == Some(false))
            .map(|k| format!("\n    ✗ {}: asked {}, found {}", k.setting, k.asked, k.found))
            .collect();
        let mark = if marks.is_empty() { "✓" } else { "✗" };
        s.push_str(&format!(
            "{mark} {}/{} (Deployment {} in {}){}\n",
            c.release,
            c.component,
            c.workload,
            c.namespace,
            marks.concat()
        ));
    }
    if !r.grid.is_empty() {
        let node_names: Vec<&String> = r.nodes.keys().collect();
        let mut rows: Vec<Vec<String>> = vec![
            std::iter::once("COMPONENT".to_string())
                .chain(node_names.iter().map(|n| n.to_string()))
                .collect(),
        ];
        for (comp, per) in &r.grid {
            rows.push(
                std::iter::once(comp.clone())
                    .chain(node_names.iter().map(|n| match per.get(*n).copied().unwrap_or(0) {
                        0 => ".".to_string(),
                        c => c.to_string(),
                    }))
                    .collect(),
            );
        }
        rows.push(
            std::iter::once("pods on node (all)".to_string())
                .chain(node_names.iter().map(|n| {
                    let i = &r.nodes[*n];
                    match i.state() {
                        "" => i.pods.to_string(),
                        state => format!("{} {state}", i.pods),
                    }
                }))
                .collect(),
        );
        s.push('\n');
        s.push_str(&align_rows(&rows));
    }
    for k in &r.k3s {
        s.push_str(&format!("k3s: {k}\n"));
    }
    for f in &r.findings {
        s.push_str(&format!("\n✗ {f}"));
    }
    if !r.findings.is_empty() {
        s.push('\n');
    }
    for h in &r.hints {
        s.push_str(&format!("\nhint: {h}\n"));
    }
    if !r.suggestions.is_empty() {
        match &r.balance {
            Some(b) if !b.over => s.push_str(&format!(
                "\n{}\nTo rebalance (advice: the audit passes below the threshold; one at a time, each after its replacement is Ready):\n",
                b.describe()
            )),
            _ => s.push_str("\nTo rebalance (one at a time, each after its replacement is Ready):\n"),
        }
        for x in &r.suggestions {
            s.push_str(&format!("  {x}\n"));
        }
    }
    let bad = r.components.iter().filter(|c| c.failed() > 0).count();
    s.push_str(&format!(
        "\naudit: {}, {} ✓ / {bad} ✗, {}\n",
        crate::text::count(r.components.len(), "component"),
        r.components.len() - bad,
        crate::text::count(r.findings.len(), "other finding")
    ));
    s
}

fn align_rows(rows: &[Vec<String>]) -> String {
    let n = rows.iter().map(Vec::len).max().unwrap_or(0);
    let mut widths = vec![0; n];
    for row in rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut s = String::new();
    for row in rows {
        let line: Vec<String> = row
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c}{}", " ".repeat(w - c.chars().count())))
            .collect();
        s.push_str(line.join("  ").trim_end());
        s.push('\n');
    }
    s
}

//! Every user-facing failure of hagen, with what is needed to print it precisely.

use std::fmt;
use std::path::PathBuf;

/// A 1-based line and column in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// Whether a diagnostic stops the run or only informs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One finding about the catalogue, at a place in its file when it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: String,
    pub pos: Option<Pos>,
    /// JSON Pointer of the node concerned ("" for the whole document).
    pub pointer: String,
    /// The release and component the node belongs to, by name ("release coredns, component coredns").
    pub subject: Option<String>,
    pub message: String,
}

impl Diagnostic {
    /// The path of `pointer` as a user reads it: `releases[0].components[2].replicas`.
    pub fn path(&self) -> String {
        let mut out = String::new();
        for seg in self.pointer.split('/').skip(1) {
            let seg = seg.replace("~1", "/").replace("~0", "~");
            if !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit()) {
                out.push_str(&format!("[{seg}]"));
            } else {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(&seg);
            }
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(p) = self.pos {
            write!(f, ":{}:{}", p.line, p.column)?;
        }
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, ": {level}: ")?;
        let path = self.path();
        match (path.is_empty(), &self.subject) {
            (false, Some(s)) => write!(f, "{path} ({s}): ")?,
            (false, None) => write!(f, "{path}: ")?,
            (true, _) => {}
        }
        write!(f, "{}", self.message)
    }
}

/// The one error type of hagen, one variant per kind of failure; `main` prints it and exits non-zero. User errors
/// (the catalogue, chart knowledge, other inputs, the output folder) name what to change; [`Error::Internal`] is a
/// bug in hagen.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The catalogue is invalid: every problem found, at once.
    #[error("{}", render_diagnostics(.0))]
    Catalogue(Vec<Diagnostic>),
    #[error("cannot read {}: {source}", .path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot write {}: {source}", .path.display())]
    Write { path: PathBuf, source: std::io::Error },
    /// A chart knowledge file or the lock beside the catalogue is invalid.
    #[error("{0}")]
    Knowledge(String),
    /// `post-render` could not apply its patches.
    #[error("hagen post-render: {0}")]
    PostRender(String),
    /// helm is missing, failed, or a chart source is unusable.
    #[error("{0}")]
    Helm(String),
    /// The output folder cannot be hagen's (a link, a file, someone else's files), a path would leave it, or a route
    /// cannot read it as hagen was run (Argo CD needs paths inside the repository).
    #[error("{0}")]
    Output(String),
    /// An input other than the catalogue is unusable: a live-state dump for `audit`, a node list for `init`,
    /// rendered manifests for `verify`.
    #[error("{0}")]
    Input(String),
    /// Something hagen built itself is invalid: a bug in hagen, never the user's input.
    #[error("internal error in hagen (please report it): {0}")]
    Internal(String),
    /// `verify` could not render releases: each failure, named by its release.
    #[error("{0}")]
    Render(String),
    /// Whoever read stdout went away (`hagen plan | head`): the command ends quietly.
    #[error("stdout was closed")]
    ClosedPipe,
}

impl Error {
    /// A failure of hagen's own making (serialising its own data, say): a bug in hagen.
    pub fn internal(e: impl fmt::Display) -> Self {
        Error::Internal(e.to_string())
    }
}

fn render_diagnostics(diags: &[Diagnostic]) -> String {
    let errors = diags.iter().filter(|d| d.severity == Severity::Error).count();
    let mut out: Vec<String> = diags.iter().map(ToString::to_string).collect();
    out.push(format!(
        "{errors} error{} in the catalogue; nothing was written",
        if errors == 1 { "" } else { "s" }
    ));
    out.join("\n")
}

/// `Result` with hagen's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    fn diag(severity: Severity, pointer: &str, pos: Option<Pos>, subject: Option<&str>) -> Diagnostic {
        Diagnostic {
            severity,
            file: "c.yaml".into(),
            pos,
            pointer: pointer.into(),
            subject: subject.map(String::from),
            message: "m".into(),
        }
    }

    #[test]
    fn a_diagnostic_names_file_line_column_path_and_subject() {
        let at = Some(Pos { line: 3, column: 5 });
        let cases = [
            ("whole file", diag(Severity::Error, "", None, None), "c.yaml: error: m"),
            (
                "indexed path",
                diag(
                    Severity::Error,
                    "/releases/0/components/2/replicas",
                    at,
                    Some("release r, component c"),
                ),
                "c.yaml:3:5: error: releases[0].components[2].replicas (release r, component c): m",
            ),
            (
                "escaped key",
                diag(Severity::Warning, "/cluster/nodes/0/labels/node~1role", at, None),
                "c.yaml:3:5: warning: cluster.nodes[0].labels.node/role: m",
            ),
        ];
        for (name, d, want) in cases {
            assert_eq!(d.to_string(), want, "{name}");
        }
    }

    #[test]
    fn the_catalogue_error_counts_its_errors() {
        let one = Error::Catalogue(vec![
            diag(Severity::Error, "", None, None),
            diag(Severity::Warning, "", None, None),
        ]);
        assert!(
            one.to_string()
                .ends_with("\n1 error in the catalogue; nothing was written"),
            "{one}"
        );
        let two = Error::Catalogue(vec![diag(Severity::Error, "", None, None); 2]);
        assert!(
            two.to_string()
                .ends_with("2 errors in the catalogue; nothing was written"),
            "{two}"
        );
        assert!(Error::Internal("x".into()).to_string().contains("please report it"));
    }
}

//! Every user-facing failure of hagen, with what is needed to print it precisely.

use std::fmt;
use std::path::{Path, PathBuf};

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
/// bug in hagen. Each variant carries the facts (paths, names, numbers, what another tool said) in a kind enum
/// below; every message is worded here, in this file, and nowhere else.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The catalogue is invalid: every problem found, at once.
    #[error("{}", render_diagnostics(.0))]
    Catalogue(Vec<Diagnostic>),
    #[error("cannot read {}: {source}", .path.display())]
    Read { path: PathBuf, source: std::io::Error },
    #[error("cannot write {}: {source}", .path.display())]
    Write { path: PathBuf, source: std::io::Error },
    /// A chart knowledge file or the lock beside the catalogue is invalid (boxed: its facts are large beside the
    /// other kinds').
    #[error("{0}")]
    Knowledge(Box<KnowledgeError>),
    /// `post-render` could not apply its patches.
    #[error("hagen post-render: {0}")]
    PostRender(PostRenderError),
    /// helm is missing, failed, or a chart source is unusable.
    #[error("{0}")]
    Helm(HelmError),
    /// The output folder cannot be hagen's (a link, a file, someone else's files), a path would leave it, or a route
    /// cannot read it as hagen was run (Argo CD needs paths inside the repository).
    #[error("{0}")]
    Output(OutputError),
    /// An input other than the catalogue is unusable: a live-state dump for `audit`, a node list for `init`,
    /// rendered manifests for `verify`.
    #[error("{0}")]
    Input(InputError),
    /// Something hagen built itself is invalid: a bug in hagen, never the user's input.
    #[error("internal error in hagen (please report it): {0}")]
    Internal(InternalError),
    /// `verify` could not render releases: each failure, named by its release.
    #[error("{}", render_failures(.0))]
    Render(Vec<(String, Error)>),
    /// Whoever read stdout went away (`hagen plan | head`): the command ends quietly.
    #[error("stdout was closed")]
    ClosedPipe,
}

impl Error {
    /// A failure to serialise hagen's own data: a bug in hagen.
    pub fn internal(e: serde_json::Error) -> Self {
        Error::Internal(InternalError::Serialize(e))
    }
}

impl From<KnowledgeError> for Error {
    fn from(e: KnowledgeError) -> Self {
        Error::Knowledge(Box::new(e))
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

fn render_failures(failures: &[(String, Error)]) -> String {
    let lines: Vec<String> = failures.iter().map(|(r, e)| format!("release {r}: {e}")).collect();
    lines.join("\n")
}

/// Why the chart knowledge (a file of `charts/` beside the catalogue) or the proofs (`hagen.lock`) cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KnowledgeError {
    /// The `charts/` folder exists but cannot be listed.
    #[error("cannot read {}: {source}", .dir.display())]
    Folder { dir: PathBuf, source: std::io::Error },
    /// A chart knowledge file is refused before parsing (too large, too deep).
    #[error("{}: {reason} (at byte {offset})", .file.display())]
    OutOfBounds {
        file: PathBuf,
        reason: String,
        offset: usize,
    },
    /// A chart knowledge file is not the YAML of one.
    #[error("{}:{}", .file.display(), yaml_at(.source))]
    Parse { file: PathBuf, source: serde_yaml::Error },
    /// A chart knowledge file parses but is inconsistent.
    #[error("{}: chart {chart}: {problem}", .file.display())]
    Invalid {
        file: PathBuf,
        chart: String,
        problem: ChartProblem,
    },
    /// Two files of `charts/` describe one chart.
    #[error("{}: chart {chart} is described twice (also in {other})", .file.display())]
    Twice {
        file: PathBuf,
        chart: String,
        other: String,
    },
    /// `hagen.lock` is a folder, a link to one, a device.
    #[error("{} is not a regular file", .path.display())]
    LockNotFile { path: PathBuf },
    /// `hagen.lock` is not a lock file.
    #[error("{}: not a hagen lock file: {source}", .path.display())]
    LockParse { path: PathBuf, source: serde_yaml::Error },
    /// Two settings write one values key with different values.
    #[error(
        "{who} and {other} both write values key `{key}`, with different values ({value} and {old}); give them the same settings"
    )]
    KeyConflict {
        key: String,
        who: String,
        other: String,
        value: serde_json::Value,
        old: serde_json::Value,
    },
    /// A setting writes a values key inside (or around) another setting's key.
    #[error(
        "{who} writes values key `{key}` and {other} writes `{other_key}`: one lies inside the other; the chart knowledge must give each setting its own key"
    )]
    KeyNested {
        key: String,
        who: String,
        other: String,
        other_key: String,
    },
}

/// A YAML parser's message, with its line and column first when it gives them (`3:5: …`).
fn yaml_at(e: &serde_yaml::Error) -> String {
    match e.location() {
        Some(l) => format!("{}:{}: {e}", l.line(), l.column()),
        None => format!(" {e}"),
    }
}

/// What a chart knowledge file says that its schema cannot refuse (`charts::validate`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChartProblem {
    #[error("a component has a `runtime` setting, so the chart needs `runtime: {{owner, deployer, placement}}`")]
    RuntimeWithoutOwner,
    #[error("component `{id}`: described twice")]
    ComponentTwice { id: String },
    #[error("component `{id}`: {problem}")]
    Component { id: String, problem: ComponentProblem },
    #[error("k3sInPlace: {0}")]
    InPlace(InPlaceProblem),
    #[error("a change names component `{component}`, which the chart does not have")]
    UnknownChange { component: String },
}

/// What is wrong with one component of a chart knowledge file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComponentProblem {
    #[error("has no selector")]
    NoSelector,
    #[error("selects on {key}, a label that changes with every chart version")]
    VersionedLabel { key: String },
    #[error("selector key `{key}` is not a Kubernetes label key")]
    LabelKey { key: String },
    #[error("selector value `{value}` is not a Kubernetes label value")]
    LabelValue { value: String },
    #[error("`{{fullname:0}}` is empty")]
    EmptyFullname,
    #[error(
        "workload `{pattern}` does not make a Deployment name (lowercase letters, digits, '-', '.'; placeholders {{release}}, {{namespace}}, {{fullname}}, {{fullname:N}})"
    )]
    NotAName { pattern: String },
    #[error("requires `{what}`: flag `{flag}` is not a flag (`--name`, without a value)")]
    NotAFlag { what: String, flag: String },
    #[error("requires `{what}`: `{name}` is not a variable name")]
    NotAVariable { what: String, name: String },
    /// A values key path with an empty segment, in the setting named (`replicas`).
    #[error("{setting}: key path `{key}` has an empty segment")]
    EmptySegment { setting: &'static str, key: String },
    #[error("requires `{what}`: key path `{key}` has an empty segment")]
    RequiredKeyPath { what: String, key: String },
    #[error("affinity: `presets` needs a value for `{mode}`")]
    PresetMissing { mode: &'static str },
}

/// What is wrong with the `k3sInPlace` part of a chart knowledge file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InPlaceProblem {
    #[error("needs `k3s: {{plainManifest: NAME}}` (only k3s's plain manifests are kept in place)")]
    NotPlainManifest,
    #[error("component `{id}`: {problem}")]
    Component { id: String, problem: ComponentProblem },
    #[error("the component's `pdb` must be `manifest` (hagen's PDB beside k3s's Deployment)")]
    PdbNotManifest,
    #[error("`deployment.metadata.name` must be the component's `workload`")]
    NotTheWorkload,
    #[error("the component's selector does not match `deployment`'s pod labels")]
    SelectorMissesPods,
    #[error("the component's selector matches a neighbour's pods")]
    SelectorMatchesNeighbour,
}

/// Why `hagen post-render` cannot apply its patches and manifests.
#[derive(Debug, thiserror::Error)]
pub enum PostRenderError {
    #[error("{file}: not a list of kustomize patches: {source}")]
    NotPatchList { file: String, source: serde_yaml::Error },
    /// Patch `index` (1-based) of `file`, for the object `target` describes.
    #[error("{file}: patch {index} ({target}) is not a JSON 6902 patch: {source}")]
    NotJsonPatch {
        file: String,
        index: usize,
        target: String,
        source: serde_yaml::Error,
    },
    #[error(
        "{file}: patch {index} ({target}) uses `copy`, which hagen does not apply (a copy can double a document each time); use `add`"
    )]
    Copy { file: String, index: usize, target: String },
    /// A text refused before parsing: `what` names it, `patch` is the patch of the file it is in.
    #[error("{what}{}: line {line}: {reason}", .patch.map(|n| format!(": patch {n}")).unwrap_or_default())]
    OutOfBounds {
        what: String,
        patch: Option<usize>,
        line: usize,
        reason: String,
    },
    #[error("input document {document} is not YAML: {source}")]
    DocumentNotYaml { document: usize, source: serde_yaml::Error },
    #[error("input document {document} is not a Kubernetes object (a mapping)")]
    NotAnObject { document: usize },
    #[error("patch for {target} does not apply: {source}")]
    DoesNotApply {
        target: String,
        source: json_patch::PatchError,
    },
    #[error(
        "the patch target {target} is not in the rendered manifests; the chart or release name changed, or the patches belong to another release"
    )]
    TargetMissing { target: String },
    #[error("{file}: not YAML: {source}")]
    ManifestsNotYaml { file: String, source: serde_yaml::Error },
    #[error("cannot read the manifests on stdin: {0}")]
    ReadStdin(std::io::Error),
    #[error("cannot write the result: {0}")]
    WriteResult(std::io::Error),
    #[error("{0}")]
    NotUtf8(std::string::FromUtf8Error),
}

/// Why helm cannot be run, failed, or a chart archive cannot be had.
#[derive(Debug, thiserror::Error)]
pub enum HelmError {
    /// No `--helm`, `HAGEN_HELM`, helm on PATH, or helm where the install script puts it (`installed`).
    #[error(
        "helm not found: pass --helm PATH, set HAGEN_HELM, put helm (3 or 4) on PATH, or run scripts/install-tools.sh (it installs helm 4 as {installed})"
    )]
    NotFound { installed: &'static str },
    #[error("cannot run helm at {}: {source}", .path.display())]
    CannotRun { path: PathBuf, source: std::io::Error },
    /// `helm version` exited non-zero; `stderr` is what it said.
    #[error("{} version failed: {stderr}", .path.display())]
    Version { path: PathBuf, stderr: String },
    /// A helm command (as shown to the user) exited non-zero; `stderr` is what it said, trimmed.
    #[error("{command} failed: {stderr}")]
    Failed { command: String, stderr: String },
    #[error("{command} wrote non-UTF-8")]
    NotUtf8 { command: String },
    #[error("computed values need helm 4 (helm {version} would ask a cluster)")]
    NeedsHelm4 { version: String },
    #[error("{command} printed no COMPUTED VALUES")]
    NoComputedValues { command: String },
    #[error("helm pull {chart} {version} from {repository} failed: {stderr}")]
    Pull {
        chart: String,
        version: String,
        repository: String,
        stderr: String,
    },
    /// The archive is in none of the chart folders.
    #[error("{}", chart_not_found(.chart, .version, .repository, .dirs))]
    ChartNotFound {
        chart: String,
        version: String,
        repository: String,
        dirs: Vec<PathBuf>,
    },
    /// No chart folder was given and `helm pull` into the cache failed as `pull` says.
    #[error(
        "{pull}\nno chart folder was given: pass --charts DIR or set HAGEN_CHARTS to a folder of <chart>-<version>.tgz"
    )]
    NoChartFolder { pull: Box<Error> },
    #[error("{0}")]
    Archive(ArchiveError),
}

fn chart_not_found(chart: &str, version: &str, repository: &str, dirs: &[PathBuf]) -> String {
    let shown: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    let first = dirs
        .first()
        .map_or_else(|| ".".to_string(), |d| d.display().to_string());
    format!(
        "chart {chart} {version} not found: looked for {chart}-{version}.tgz in {}; put the archive there (`helm pull {chart} --repo {repository} --version {version} -d {first}`), or point --charts / HAGEN_CHARTS at a folder that has it (several: separated by `:`)",
        shown.join(", "),
    )
}

/// Why a chart's values cannot be read, naming the archive (and the file inside it).
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("{path}: over {limit} bytes")]
    TooLarge { path: String, limit: u64 },
    #[error("{path}: not a chart archive: {source}")]
    NotArchive { path: String, source: std::io::Error },
    #[error("{path}: no Chart.yaml")]
    NoChart { path: String },
    /// A file inside the archive is unusable: `message` is what its reader said.
    #[error("{path}: {file}: {message}")]
    BadFile {
        path: String,
        file: String,
        message: String,
    },
    #[error("{path}: subcharts nest more than 8 deep")]
    TooDeep { path: String },
}

impl From<ArchiveError> for Error {
    fn from(e: ArchiveError) -> Self {
        Error::Helm(HelmError::Archive(e))
    }
}

/// Why the output folder cannot be hagen's, or a route cannot read it.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A generated path (relative to the output folder) is empty or leaves it.
    #[error("refusing to write `{path}`: generated paths must stay inside the output folder")]
    Escapes { path: String },
    #[error(
        "output paths collide: {owner} needs `{path}`, and {other_owner} writes `{other_path}`; rename one of them (nothing was written)"
    )]
    Collision {
        path: String,
        owner: String,
        other_path: String,
        other_owner: String,
    },
    #[error(
        "{}: the output folder must be named by a path ending in a folder name (not `.`, `..` or `/`)",
        .out.display()
    )]
    NoFolderName { out: PathBuf },
    /// A folder with things in it and no README.md starting with `marker`.
    #[error(
        "{} is not empty and was not written by hagen (no README.md starting with `{marker}`); hagen replaces its whole output folder, so name a new or empty one",
        .out.display()
    )]
    NotHagens { out: PathBuf, marker: &'static str },
    /// hagen's folder holding other entries: each path and what it is (`a symbolic link`).
    #[error("{}", foreign(.out, .entries))]
    Foreign {
        out: PathBuf,
        entries: Vec<(PathBuf, &'static str)>,
    },
    #[error(
        "{} is a symbolic link; hagen writes only into a real folder and never follows a link",
        .out.display()
    )]
    Symlink { out: PathBuf },
    #[error("{} exists and is not a folder", .out.display())]
    NotAFolder { out: PathBuf },
    /// `hagen verify` needs `hagen generate`'s values file of a release.
    #[error("{} is missing: run `hagen generate` first", .path.display())]
    NotGenerated { path: PathBuf },
    /// `hagen init` would overwrite a values file.
    #[error(
        "{} exists; hagen init never overwrites a values file (move it away, or choose another --catalog)",
        .path.display()
    )]
    ValuesFileExists { path: PathBuf },
    /// Argo CD cannot read an output folder given as `out`.
    #[error(
        "Argo CD reads out/ from the repository: run hagen from the repository's top with a relative --out (not {out}), or set delivery.argocd.outPath"
    )]
    ArgoOutPath { out: String },
    /// Argo CD cannot read a release's own values file.
    #[error(
        "Argo CD reads release {release}'s values file {file} from the repository: run hagen from the repository's top with a relative --catalog"
    )]
    ArgoValuesFile { release: String, file: String },
}

fn foreign(out: &Path, entries: &[(PathBuf, &'static str)]) -> String {
    let list: Vec<String> = entries
        .iter()
        .take(10)
        .map(|(p, what)| format!("{} ({what})", p.display()))
        .collect();
    format!(
        "{} holds {} entr{} hagen did not write: {}{}; hagen replaces the whole folder, so move them out of it first",
        out.display(),
        entries.len(),
        if entries.len() == 1 { "y" } else { "ies" },
        list.join(", "),
        if entries.len() > 10 { ", …" } else { "" }
    )
}

/// Why an input other than the catalogue is unusable.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    /// Live state for `hagen init` or `hagen diff`.
    #[error("{0}")]
    Live(LiveError),
    /// The input of `hagen audit`.
    #[error("hagen audit: {0}")]
    Audit(AuditError),
    /// A node list for `hagen init` without nodes; `input` names the inputs.
    #[error(
        "{input}: no Node objects; expected the output of `kubectl get nodes -o json` (or the live state `hagen init` documents)"
    )]
    NoNodes { input: String },
    #[error("{}: Chart.yaml has no name or version", .chart.display())]
    ChartUnnamed { chart: PathBuf },
    #[error("chart {chart} {version} renders no Deployment with its default values: hagen manages Deployments")]
    NoDeployment { chart: String, version: String },
    /// A text (`what` names it; none for a manifest stream) refused before parsing, for `reason`.
    #[error("{}{reason}", .what.as_ref().map(|w| format!("{w}: ")).unwrap_or_default())]
    OutOfBounds { what: Option<String>, reason: String },
    /// A YAML text (`what` names it) that does not parse.
    #[error("{what}: {source}")]
    NotYaml { what: String, source: serde_yaml::Error },
    /// A manifest stream that starts as JSON and is not.
    #[error("not JSON: {0}")]
    NotJson(serde_json::Error),
}

/// Why live state cannot be read, with the place: the input, the document and item, the object.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LiveError {
    #[error("{input}:{line}:{column}: not JSON from `kubectl get … -o json`: {message}")]
    NotJson {
        input: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("{input}: {at}: {what}")]
    Shape { input: String, at: String, what: LiveShape },
    #[error("{input}: {at} (Secret {secret}): Helm's release record cannot be read: {why}")]
    Record {
        input: String,
        at: String,
        secret: String,
        why: RecordError,
    },
}

impl From<LiveError> for Error {
    fn from(e: LiveError) -> Self {
        Error::Input(InputError::Live(e))
    }
}

/// What is wrong with the shape of a live object.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LiveShape {
    #[error("items: expected an array of objects")]
    ItemsNotArray,
    #[error("expected a Kubernetes object or a List")]
    NotAnObject,
    #[error("kind: expected a string")]
    KindNotString,
    #[error("expected a mapping of chart values")]
    ValuesNotMapping,
    /// `message` is what the YAML parser said.
    #[error("not YAML: {message}")]
    ValuesNotYaml { message: String },
}

/// Why a Helm release Secret's record cannot be decoded; each `message` is what the decoder said.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RecordError {
    #[error("data.release is not base64: {message}")]
    NotBase64 { message: String },
    #[error("the record is not base64 as Helm writes it: {message}")]
    NotHelmBase64 { message: String },
    #[error("not gzip as Helm writes it: {message}")]
    NotGzip { message: String },
    #[error("over {limit} bytes once decompressed")]
    TooLarge { limit: u64 },
    #[error("not a release as Helm writes it: {message}")]
    NotRelease { message: String },
}

/// Why `hagen audit` cannot judge its input.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("cannot read stdin: {0}")]
    ReadStdin(std::io::Error),
    #[error("cannot read {}: {source}", .path.display())]
    Read { path: PathBuf, source: std::io::Error },
    /// The input (`input` names it) is not a dump or stream audit reads.
    #[error("{input}: {problem}")]
    Dump { input: String, problem: DumpError },
    /// `--release` names no release of the catalogue; `suggestion` is the closest name.
    #[error(
        "--release {release}: the catalogue has no such release{} (releases: {})",
        .suggestion.as_ref().map(|s| format!("; did you mean `{s}`?")).unwrap_or_default(),
        .releases.join(", ")
    )]
    NoSuchRelease {
        release: String,
        suggestion: Option<String>,
        releases: Vec<String>,
    },
    /// Nothing audit judges; `live_command` is how to dump live state.
    #[error(
        "the input holds no node, pod, workload, PDB or HPA: nothing to audit (the live command is `{live_command}`)"
    )]
    NothingToAudit { live_command: &'static str },
    /// A rendered stream of none of `releases`.
    #[error(
        "the input is a rendered stream (no status, no uid) naming none of the catalogue's releases ({}): pass --release NAME",
        .releases.join(", ")
    )]
    NoRelease { releases: Vec<String> },
}

/// Why a dump or stream cannot be read; each `message` is what the JSON or YAML parser said.
#[derive(Debug, thiserror::Error)]
pub enum DumpError {
    #[error("not JSON: {message}")]
    NotJson { message: String },
    #[error("not YAML: {message}")]
    NotYaml { message: String },
    #[error("neither JSON ({json}) nor YAML ({yaml})")]
    Neither { json: String, yaml: String },
    #[error("aliases expand to more than {limit} nodes (line {line}): refused")]
    Aliases { limit: usize, line: usize },
    #[error("nested deeper than {limit} levels (line {line}): refused")]
    TooDeep { limit: usize, line: usize },
    /// Every object that is not what audit reads: its place and what is wrong, as the reader found them.
    #[error("{}", problems(.0))]
    Problems(Vec<String>),
}

/// The first 20 problems of a dump, and how many more.
fn problems(all: &[String]) -> String {
    let more = if all.len() > 20 {
        format!("\n… and {} more", all.len() - 20)
    } else {
        String::new()
    };
    let shown: Vec<&str> = all.iter().take(20).map(String::as_str).collect();
    format!("{} problem(s) in the input:\n  {}{more}", all.len(), shown.join("\n  "))
}

/// A `valuesFiles` entry that cannot be read: the message of its diagnostic.
#[derive(Debug, thiserror::Error)]
pub enum ValuesFileError {
    #[error("`{entry}` must be a path inside the catalogue's folder, relative to it (no `..`, not absolute)")]
    NotInside { entry: String },
    #[error("cannot read values file {shown}: {source}")]
    Read { shown: String, source: std::io::Error },
    #[error("cannot resolve the catalogue's folder to check that values file {shown} stays inside it: {source}")]
    Folder { shown: String, source: std::io::Error },
    #[error(
        "values file {shown} leads outside the catalogue's folder (through a symbolic link) to {}",
        .target.display()
    )]
    LeadsOutside { shown: String, target: PathBuf },
    #[error("values file {shown} has {size} bytes; at most {limit} are accepted (a Flux ConfigMap must carry it)")]
    TooLarge { shown: String, size: usize, limit: usize },
}

/// A bug in hagen: what it built does not hold.
#[derive(Debug, thiserror::Error)]
pub enum InternalError {
    /// serde could not serialise hagen's own data.
    #[error("{0}")]
    Serialize(serde_json::Error),
    /// YAML hagen wrote does not parse back; `text` is the document.
    #[error("hagen wrote YAML it cannot read back ({source}):\n{text}")]
    YamlUnreadable { source: serde_yaml::Error, text: String },
    /// YAML hagen wrote parses back as something else; `text` is the document.
    #[error("hagen wrote YAML that reads back differently:\n{text}")]
    YamlDiffers { text: String },
    /// A PromQL expression hagen built does not parse; `message` is what the parser said.
    #[error("hagen built an invalid PromQL expression ({message}): {expr}")]
    PromQl { expr: String, message: String },
    /// The template `name` does not compile or render.
    #[error("{name} is broken: {source}")]
    Template {
        name: &'static str,
        source: minijinja::Error,
    },
    /// The chart knowledge file `hagen chart scaffold` wrote does not parse.
    #[error("{}", yaml_at(.0).trim_start())]
    ChartFile(serde_yaml::Error),
    /// The chart knowledge file `hagen chart scaffold` wrote is inconsistent.
    #[error("{0}")]
    ChartInvalid(ChartProblem),
    #[error("a render thread panicked")]
    ThreadPanicked,
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
        struct Case {
            name: &'static str,
            diagnostic: Diagnostic,
            want: &'static str,
        }
        let cases = [
            Case {
                name: "whole file",
                diagnostic: diag(Severity::Error, "", None, None),
                want: "c.yaml: error: m",
            },
            Case {
                name: "indexed path",
                diagnostic: diag(
                    Severity::Error,
                    "/releases/0/components/2/replicas",
                    at,
                    Some("release r, component c"),
                ),
                want: "c.yaml:3:5: error: releases[0].components[2].replicas (release r, component c): m",
            },
            Case {
                name: "escaped key",
                diagnostic: diag(Severity::Warning, "/cluster/nodes/0/labels/node~1role", at, None),
                want: "c.yaml:3:5: warning: cluster.nodes[0].labels.node/role: m",
            },
        ];
        for c in cases {
            assert_eq!(c.diagnostic.to_string(), c.want, "{}", c.name);
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
        assert!(
            Error::Internal(InternalError::ThreadPanicked)
                .to_string()
                .contains("please report it")
        );
    }

    fn io(what: &str) -> std::io::Error {
        std::io::Error::other(what.to_string())
    }

    /// The messages worded from several facts: lists cut at a bound, optional parts, counts.
    #[test]
    fn each_kind_words_its_facts() {
        let problems: Vec<String> = (1..=22).map(|i| format!("items[{i}]: p")).collect();
        struct Case {
            name: &'static str,
            error: Error,
            want: &'static str,
        }
        let cases = [
            Case {
                name: "a release's render failures, one a line",
                error: Error::Render(vec![
                    (
                        "a".into(),
                        Error::Helm(HelmError::NeedsHelm4 {
                            version: "v3.17".into(),
                        }),
                    ),
                    ("b".into(), Error::Output(OutputError::NotAFolder { out: "o".into() })),
                ]),
                want: "release a: computed values need helm 4 (helm v3.17 would ask a cluster)\nrelease b: o exists and is not a folder",
            },
            Case {
                name: "a suggestion when there is one",
                error: Error::Input(InputError::Audit(AuditError::NoSuchRelease {
                    release: "coredsn".into(),
                    suggestion: Some("coredns".into()),
                    releases: vec!["coredns".into(), "traefik".into()],
                })),
                want: "hagen audit: --release coredsn: the catalogue has no such release; did you mean `coredns`? (releases: coredns, traefik)",
            },
            Case {
                name: "none when there is none",
                error: Error::Input(InputError::Audit(AuditError::NoSuchRelease {
                    release: "x".into(),
                    suggestion: None,
                    releases: vec!["coredns".into()],
                })),
                want: "hagen audit: --release x: the catalogue has no such release (releases: coredns)",
            },
            Case {
                name: "a file that cannot be read is named once",
                error: Error::Input(InputError::Audit(AuditError::Read {
                    path: "d.json".into(),
                    source: io("gone"),
                })),
                want: "hagen audit: cannot read d.json: gone",
            },
            Case {
                name: "the first 20 problems of a dump",
                error: Error::Input(InputError::Audit(AuditError::Dump {
                    input: "d.json".into(),
                    problem: DumpError::Problems(problems),
                })),
                want: "hagen audit: d.json: 22 problem(s) in the input:\n  items[1]: p\n",
            },
            Case {
                name: "one foreign entry",
                error: Error::Output(OutputError::Foreign {
                    out: "out".into(),
                    entries: vec![("out/x".into(), "a symbolic link")],
                }),
                want: "out holds 1 entry hagen did not write: out/x (a symbolic link); hagen replaces the whole folder, so move them out of it first",
            },
            Case {
                name: "the archive looked for, and where",
                error: Error::Helm(HelmError::ChartNotFound {
                    chart: "coredns".into(),
                    version: "1.0.0".into(),
                    repository: "https://r".into(),
                    dirs: vec!["a".into(), "b".into()],
                }),
                want: "chart coredns 1.0.0 not found: looked for coredns-1.0.0.tgz in a, b; put the archive there (`helm pull coredns --repo https://r --version 1.0.0 -d a`)",
            },
            Case {
                name: "a patch of a file",
                error: Error::PostRender(PostRenderError::OutOfBounds {
                    what: "p.yaml".into(),
                    patch: Some(2),
                    line: 3,
                    reason: "too deep".into(),
                }),
                want: "hagen post-render: p.yaml: patch 2: line 3: too deep",
            },
            Case {
                name: "a chart knowledge problem, by file, chart and component",
                error: Error::from(KnowledgeError::Invalid {
                    file: "charts/x.yaml".into(),
                    chart: "x".into(),
                    problem: ChartProblem::InPlace(InPlaceProblem::Component {
                        id: "dns".into(),
                        problem: ComponentProblem::EmptySegment {
                            setting: "replicas",
                            key: "a..b".into(),
                        },
                    }),
                }),
                want: "charts/x.yaml: chart x: k3sInPlace: component `dns`: replicas: key path `a..b` has an empty segment",
            },
            Case {
                name: "helm that cannot be started",
                error: Error::Helm(HelmError::CannotRun {
                    path: "/bin/helm".into(),
                    source: io("denied"),
                }),
                want: "cannot run helm at /bin/helm: denied",
            },
        ];
        for c in cases {
            let got = c.error.to_string();
            assert!(got.starts_with(c.want), "{}:\n{got}\n{}", c.name, c.want);
        }
        let cut = Error::Input(InputError::Audit(AuditError::Dump {
            input: "d".into(),
            problem: DumpError::Problems((1..=22).map(|i| i.to_string()).collect()),
        }))
        .to_string();
        assert!(cut.ends_with("\n  20\n… and 2 more"), "{cut}");
    }
}

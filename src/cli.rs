//! Command-line definitions and dispatch; no domain logic lives here.

use crate::catalog;
use crate::error::{Error, Result};
use crate::resolve::{self, Options};
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const EXAMPLES: &str = "Examples:
  hagen init nodes.json                       start a catalogue from `kubectl get nodes -o json > nodes.json`
  hagen generate                              catalog/cluster.yaml -> out/
  hagen generate --check                      in CI: fail when out/ is stale
  hagen verify --charts ../charts             prove out/ on the real charts with helm template
  hagen plan                                  what one node failure, a rollout and a drain do
  kubectl get deploy,rs,pods,pdb,nodes -A -o json | hagen audit -
  helm upgrade ... --post-renderer hagen --post-renderer-args post-render --post-renderer-args out/REL/patches.yaml
  hagen completions bash > ~/.local/share/bash-completion/completions/hagen

Colours: on a terminal only; NO_COLOR=1 or a pipe gives plain text.";

#[derive(Parser, Debug)]
#[command(
    name = "hagen",
    version,
    about = "High availability for a cluster's infrastructure, native to Helm",
    after_help = EXAMPLES
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Render out/<release>/values.yaml (and patches.yaml, resources.yaml) and out/README.md from the catalogue.
    #[command(
        after_help = "Examples:\n  hagen generate\n  hagen generate --catalog clusters/lab.yaml --out gitops/lab --strict\n  hagen generate --check   # CI: exit 1 and a diff when out/ is stale"
    )]
    Generate {
        /// The catalogue to read.
        #[arg(long, default_value = "catalog/cluster.yaml")]
        catalog: PathBuf,
        /// The output folder (relative to the repository's top when Argo CD reads it).
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// Treat warnings as errors.
        #[arg(long)]
        strict: bool,
        /// Write nothing; fail and show the difference when the output folder is not what the catalogue generates.
        #[arg(long)]
        check: bool,
        /// Generate for chart versions hagen's chart knowledge was not proven on (then run `hagen verify`).
        #[arg(long)]
        allow_unproven: bool,
    },
    /// Render every release's real chart (bare and with out/) and judge each component's HA on the objects.
    #[command(
        after_help = "Examples:\n  hagen verify --charts ../charts\n  hagen verify --helm /usr/local/bin/helm3 --output json"
    )]
    Verify {
        /// The catalogue to read.
        #[arg(long, default_value = "catalog/cluster.yaml")]
        catalog: PathBuf,
        /// The output folder `hagen generate` wrote.
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// A folder of chart archives `<chart>-<version>.tgz` (default: $HAGEN_CHARTS, else `helm pull` into the cache).
        #[arg(long)]
        charts: Option<PathBuf>,
        /// The helm binary (default: $HAGEN_HELM, else helm on PATH); helm 3 and 4 both work.
        #[arg(long)]
        helm: Option<PathBuf>,
        /// A table for people, or JSON (with a `schemaVersion`) for programs.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        output: Format,
    },
    /// From the catalogue alone: can every replica be placed, what one node failure, a rollout and a drain do.
    #[command(after_help = "Examples:\n  hagen plan\n  hagen plan --output json | jq '.components[]'")]
    Plan {
        /// The catalogue to read.
        #[arg(long, default_value = "catalog/cluster.yaml")]
        catalog: PathBuf,
        /// A table for people, or JSON (with a `schemaVersion`) for programs.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        output: Format,
    },
    /// Judge live state or one release's rendered stream against the catalogue.
    #[command(long_about = concat!(
        "Judge live state, as the API server reports it, against the catalogue:\n\n    ",
        crate::live_command!(),
        "\n\nor one release's rendered stream (`helm template … | hagen audit -`, the release read from the stream or \
         named by --release): replicas (HPA-managed components by their HPA), pods serving on Ready nodes (a Pending \
         pod with the scheduler's reason), spread over nodes, anti-affinity, strategy, PDBs, nodes down or cordoned, \
         and the pods to delete to rebalance. Exit 1 on any finding; uneven placement below --max-pods-per-node is \
         advice only."
        ),
        after_help = concat!(
            "Examples:\n  ",
            crate::live_command!(),
            "\n  helm template metrics-server metrics-server --repo https://kubernetes-sigs.github.io/metrics-server/ -f out/metrics-server/values.yaml | hagen audit - --release metrics-server"
        )
    )]
    Audit {
        /// The dump or manifest stream to read (JSON or YAML); `-` for stdin.
        input: PathBuf,
        /// The catalogue to judge against.
        #[arg(long, default_value = "catalog/cluster.yaml")]
        catalog: PathBuf,
        /// Judge only this release of the catalogue (default: every release for live state; for a rendered stream,
        /// the release its meta.helm.sh/release-name annotations or app.kubernetes.io/instance labels name).
        #[arg(long, value_name = "NAME")]
        release: Option<String>,
        /// Uneven placement fails the audit when a node runs more pods than this while another has room
        /// (default: the catalogue's alerts.podsPerNode); below it the moves are advice.
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
        max_pods_per_node: Option<u32>,
        /// A table for people, or JSON (with a `schemaVersion`) for programs.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        output: Format,
    },
    /// Print the catalogue's JSON Schema (committed as catalog/cluster.schema.json), or with `--chart` the schema of
    /// a chart knowledge file (committed as charts/chart.schema.json).
    Schema {
        /// The schema of chart knowledge files (`charts/<chart>.yaml`) instead of the catalogue's.
        #[arg(long)]
        chart: bool,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish or powershell) on stdout.
    #[command(
        after_help = "Examples:\n  hagen completions bash > ~/.local/share/bash-completion/completions/hagen\n  hagen completions zsh > \"${fpath[1]}/_hagen\"\n  hagen completions fish > ~/.config/fish/completions/hagen.fish"
    )]
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Write a starting catalogue from `kubectl get nodes -o json` (nodes and their own labels) and, on k3s, the
    /// components k3s bundles (narrowed to the Deployments found with `kubectl get nodes,deploy -A -o json`).
    #[command(
        after_help = "Examples:\n  kubectl get nodes -o json | hagen init -\n  kubectl get nodes,deploy -A -o json > cluster.json && hagen init cluster.json --name lab"
    )]
    Init {
        /// The JSON kubectl printed; `-` for stdin.
        nodes: PathBuf,
        /// Where to write the catalogue (never overwritten; the schema goes next to it).
        #[arg(long, default_value = "catalog/cluster.yaml")]
        catalog: PathBuf,
        /// The cluster's name in the catalogue.
        #[arg(long, default_value = "homelab")]
        name: String,
    },
    /// Helm post-renderer: read rendered manifests on stdin, apply PATCHES, write the result on stdout.
    #[command(
        after_help = "Examples (one line for Helm 3, with hagen on PATH, and Helm 4, with the plugin in helm-plugin/):\n  helm upgrade --install REL CHART -f out/REL/values.yaml --post-renderer hagen --post-renderer-args post-render --post-renderer-args out/REL/patches.yaml"
    )]
    PostRender {
        /// A patches.yaml written by `hagen generate`, or a release folder of out/ (its patches.yaml and resources.yaml).
        patches: PathBuf,
        /// Extra manifests to add to the release (out/<release>/resources.yaml).
        #[arg(long)]
        resources: Option<PathBuf>,
        /// Also append a failure's reason (or `ok`) to this file (Helm 4 discards a post-renderer's stderr).
        #[arg(long)]
        error_log: Option<PathBuf>,
    },
}

/// Output formats of the reporting commands.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Table,
    Json,
}

/// The reporting commands (verify, plan, audit) read catalogues with unproven chart versions too: they are how a
/// new version gets proven.
const REPORTING: Options = Options {
    strict: false,
    allow_unproven: true,
};

/// The version of every JSON output's shape (`schemaVersion`); raised when a field changes meaning or goes.
pub const JSON_SCHEMA_VERSION: u32 = 1;

/// Prints a report as a table (✓ green and ✗ red on a terminal, plain under `NO_COLOR` or a pipe) or as JSON
/// carrying `schemaVersion`.
fn emit<T: serde::Serialize>(format: Format, report: &T, table: fn(&T) -> String) -> Result<()> {
    use std::io::IsTerminal;
    match format {
        Format::Table => {
            let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
            stdout(&paint(&table(report), colour))
        }
        Format::Json => stdout(&format!("{}\n", json(&versioned(report)?)?)),
    }
}

/// `report` as a JSON object with `schemaVersion` first.
fn versioned<T: serde::Serialize>(report: &T) -> Result<serde_json::Value> {
    let v = serde_json::to_value(report).map_err(Error::internal)?;
    let mut m = serde_json::Map::new();
    m.insert("schemaVersion".into(), JSON_SCHEMA_VERSION.into());
    match v {
        serde_json::Value::Object(o) => m.extend(o),
        other => {
            m.insert("report".into(), other);
        }
    }
    Ok(serde_json::Value::Object(m))
}

/// Colours the ✓ and ✗ marks of a table when `colour`.
fn paint(table: &str, colour: bool) -> String {
    if !colour {
        return table.to_string();
    }
    table.replace('✓', "\x1b[32m✓\x1b[0m").replace('✗', "\x1b[31m✗\x1b[0m")
}

/// Writes to stdout; a reader that went away (`| head`) ends the command quietly instead of a panic.
fn stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => Error::ClosedPipe,
            _ => Error::Write {
                path: "stdout".into(),
                source: e,
            },
        })
}

/// Writes a line to stderr; when stderr is closed there is nobody left to tell, so the line is dropped.
fn stderr(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// The exit status of a command whose stdout was closed: what a shell reports for a process ended by SIGPIPE.
const CLOSED_PIPE_STATUS: u8 = 128 + 13;

/// How a command that ran to its end came out. What it found is printed already; the exit status tells CI.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Clean,
    /// The judges found problems (verify, audit, plan): this line sums them up.
    Findings(String),
    /// The output folder is not what the catalogue generates: the difference and what to do.
    Stale(String),
}

/// Runs hagen with the process arguments and returns its exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings(summary) | Outcome::Stale(summary)) => {
            stderr(&summary);
            ExitCode::FAILURE
        }
        Err(Error::ClosedPipe) => ExitCode::from(CLOSED_PIPE_STATUS),
        Err(e) => {
            stderr(&e.to_string());
            ExitCode::FAILURE
        }
    }
}

/// Runs the parsed command: one function per subcommand.
fn dispatch(cli: Cli) -> Result<Outcome> {
    match cli.command {
        Command::Generate {
            catalog,
            out,
            strict,
            check,
            allow_unproven,
        } => generate_cmd(&catalog, &out, Options { strict, allow_unproven }, check),
        Command::Verify {
            catalog,
            out,
            charts,
            helm,
            output,
        } => verify_cmd(&catalog, &out, charts.as_deref(), helm.as_deref(), output),
        Command::Plan { catalog, output } => plan_cmd(&catalog, output),
        Command::Audit {
            input,
            catalog,
            release,
            max_pods_per_node,
            output,
        } => audit_cmd(
            &input,
            &catalog,
            crate::audit::Options {
                release,
                max_pods_per_node,
            },
            output,
        ),
        Command::Schema { chart } => schema_cmd(chart).map(|()| Outcome::Clean),
        Command::Completions { shell } => completions_cmd(shell).map(|()| Outcome::Clean),
        Command::Init { nodes, catalog, name } => init_cmd(&nodes, &catalog, &name).map(|()| Outcome::Clean),
        Command::PostRender {
            patches,
            resources,
            error_log,
        } => post_render_cmd(&patches, resources.as_deref(), error_log.as_deref()).map(|()| Outcome::Clean),
    }
}

/// `hagen generate`: renders the catalogue and writes the output folder, or with `check` compares it and fails
/// with the difference when it is stale.
fn generate_cmd(catalog: &Path, out: &Path, opts: Options, check: bool) -> Result<Outcome> {
    let (plan, files) = crate::generate_files(catalog, out, opts)?;
    for w in &plan.warnings {
        stderr(&w.to_string());
    }
    if check {
        let diff = files.diff(out);
        if !diff.is_empty() {
            return Ok(Outcome::Stale(format!(
                "{diff}\n{} is stale: run `hagen generate` and commit the result",
                out.display()
            )));
        }
        stderr(&format!("{} is up to date with {}", out.display(), catalog.display()));
    } else {
        let (changed, unchanged) = files.changes(out);
        files.write(out)?;
        stderr(&format!(
            "{}: {changed} file{} changed, {unchanged} unchanged ({} releases)",
            out.display(),
            if changed == 1 { "" } else { "s" },
            plan.releases.len()
        ));
    }
    Ok(Outcome::Clean)
}

/// `hagen verify`: proves the output folder on the real charts, reports what was recorded in the lock, and fails on
/// any ✗ or a stale output folder.
fn verify_cmd(
    catalog: &Path,
    out: &Path,
    charts: Option<&Path>,
    helm: Option<&Path>,
    output: Format,
) -> Result<Outcome> {
    let helm = crate::helm::Helm::find(helm)?;
    let source = crate::helm::ChartSource::choose(charts);
    let v = crate::verify::verify_catalogue(catalog, out, &helm, &source)?;
    emit(output, &v.outcome, crate::verify::table)?;
    if !v.recorded.is_empty() {
        stderr(&format!("proven: {}", v.recorded.join(", ")));
    }
    if !v.dropped.is_empty() {
        stderr(&format!(
            "not proven (a ✗ above; recorded as failed, so neither an earlier proof nor one shipped with hagen applies): {}",
            v.dropped.join(", ")
        ));
    }
    if let Some(p) = &v.lock_written {
        stderr(&format!("recorded in {}: commit it with the catalogue", p.display()));
    }
    let failures = v.outcome.failures();
    if failures > 0 {
        return Ok(Outcome::Findings(format!("hagen verify: {failures} problem(s) found")));
    }
    if !v.stale.is_empty() {
        return Ok(Outcome::Stale(format!(
            "{}\n{} is not what the catalogue generates (the proof above is of a fresh generation): run `hagen generate` and commit the result",
            v.stale,
            out.display()
        )));
    }
    Ok(Outcome::Clean)
}

/// `hagen plan`: what one node failure, a rollout and a drain do; fails when a component cannot survive one.
fn plan_cmd(catalog: &Path, output: Format) -> Result<Outcome> {
    let plan = load_and_resolve(catalog, REPORTING)?;
    let report = crate::plan::plan(&plan);
    emit(output, &report, crate::plan::table)?;
    let fragile = report.fragile().len();
    if fragile > 0 {
        return Ok(Outcome::Findings(format!(
            "hagen plan: {fragile} component(s) cannot survive one node failure"
        )));
    }
    Ok(Outcome::Clean)
}

/// `hagen audit`: judges a live dump or a rendered stream (a file or `-` for stdin) against the catalogue; fails on
/// any finding.
fn audit_cmd(input: &Path, catalog: &Path, opts: crate::audit::Options, output: Format) -> Result<Outcome> {
    let plan = load_and_resolve(catalog, REPORTING)?;
    let audit_error = |m: String| Error::Input(format!("hagen audit: {m}"));
    let text = if is_stdin(input) {
        crate::yaml::read_to_limit(std::io::stdin().lock(), crate::yaml::STREAM.size)
            .map_err(|e| audit_error(format!("cannot read stdin: {e}")))?
    } else {
        crate::yaml::read_file(input, crate::yaml::STREAM.size)
            .map_err(|e| audit_error(format!("cannot read {}: {e}", input.display())))?
    };
    let dump = crate::audit::read(&text, &input_name(input)).map_err(audit_error)?;
    drop(text);
    let report = crate::audit::audit(&plan, dump, &opts).map_err(audit_error)?;
    emit(output, &report, crate::audit::table)?;
    let failures = report.failures();
    if failures > 0 {
        return Ok(Outcome::Findings(format!("hagen audit: {failures} finding(s)")));
    }
    Ok(Outcome::Clean)
}

/// Whether an input path argument is `-`, standing for stdin.
fn is_stdin(input: &Path) -> bool {
    input.as_os_str() == "-"
}

/// How messages name an input path argument: `stdin` for `-`, else the path.
fn input_name(input: &Path) -> String {
    if is_stdin(input) {
        "stdin".to_string()
    } else {
        input.display().to_string()
    }
}

/// `hagen schema`: prints the catalogue's JSON Schema, or with `chart` the chart knowledge files' schema.
fn schema_cmd(chart: bool) -> Result<()> {
    let schema = if chart {
        crate::charts::file::schema()
    } else {
        catalog::schema()
    };
    let text = serde_json::to_string_pretty(&schema).map_err(Error::internal)?;
    stdout(&format!("{text}\n"))
}

/// `hagen completions`: prints the completion script for `shell`.
fn completions_cmd(shell: clap_complete::Shell) -> Result<()> {
    let mut cmd = <Cli as clap::CommandFactory>::command();
    // Into memory first: clap_complete panics on a failed write, and a reader may close the pipe early.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "hagen", &mut script);
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(&script).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::Write {
            path: "stdout".into(),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// `hagen init`: writes a starting catalogue (and its schema beside it, when missing) from kubectl's JSON, after
/// parsing and resolving it back; never overwrites a catalogue.
fn init_cmd(nodes: &Path, catalog: &Path, name: &str) -> Result<()> {
    let text = if is_stdin(nodes) {
        crate::yaml::read_to_limit(std::io::stdin().lock(), crate::yaml::STREAM.size).map_err(|source| Error::Read {
            path: nodes.to_path_buf(),
            source,
        })?
    } else {
        crate::yaml::read_file(nodes, crate::yaml::STREAM.size)?
    };
    let written = crate::init::init(&text, &input_name(nodes), name)?;
    // Parsed back and resolved before anything is written.
    let loaded = catalog::load_str(&written, &catalog.display().to_string())?;
    resolve::resolve(&loaded, &crate::lock::Knowledge::builtin(), REPORTING)?;
    if catalog.exists() {
        return Err(Error::Output(format!(
            "{} exists; hagen init never overwrites a catalogue (choose another --catalog)",
            catalog.display()
        )));
    }
    write_catalogue(catalog, &written)?;
    stderr(&format!(
        "wrote {} ({} releases); check it, then run `hagen generate --catalog {}`",
        catalog.display(),
        loaded.catalogue.releases.len(),
        catalog.display()
    ));
    Ok(())
}

/// Writes a new catalogue `text` at `catalog` (creating its folder) and `cluster.schema.json` beside it unless one
/// is there.
fn write_catalogue(catalog: &Path, text: &str) -> Result<()> {
    let schema = catalog.with_file_name("cluster.schema.json");
    let schema_text = serde_json::to_string_pretty(&catalog::schema()).map_err(Error::internal)?;
    let werr = |path: &Path| {
        let path = path.to_path_buf();
        move |source| Error::Write { path, source }
    };
    if let Some(dir) = catalog.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(werr(dir))?;
    }
    std::fs::write(catalog, text).map_err(werr(catalog))?;
    if !schema.exists() {
        std::fs::write(&schema, format!("{schema_text}\n")).map_err(werr(&schema))?;
    }
    Ok(())
}

/// `hagen post-render`: applies the patches to the manifests on stdin and, with `error_log`, appends the outcome
/// there.
fn post_render_cmd(patches: &Path, resources: Option<&Path>, error_log: Option<&Path>) -> Result<()> {
    let result = post_render(patches, resources);
    if let Some(log) = error_log {
        log_outcome(log, &result);
    }
    result
}

/// Appends a post-render's outcome (`ok` or the failure's reason) to `log`; Helm 4 discards a post-renderer's
/// stderr, so this is where its user finds why. A log that cannot be written is said on stderr.
fn log_outcome(log: &Path, result: &Result<()>) {
    if let Some(dir) = log.parent() {
        // A folder that cannot be made makes the open below fail, and that failure is said.
        let _ = std::fs::create_dir_all(dir);
    }
    let line = match result {
        Ok(()) => "ok\n".to_string(),
        Err(e) => format!("{e}\n"),
    };
    let appended = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .and_then(|mut f| f.write_all(line.as_bytes()));
    if let Err(e) = appended {
        eprintln!("hagen post-render: cannot write the log {}: {e}", log.display());
    }
}

fn json(v: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string_pretty(v).map_err(Error::internal)
}

fn read(path: &Path) -> Result<String> {
    crate::yaml::read_file(path, crate::yaml::SMALL.size)
}

fn post_render(patches: &Path, resources: Option<&Path>) -> Result<()> {
    let (patch_file, resource_file) = if patches.is_dir() {
        let r = patches.join("resources.yaml");
        (
            patches.join("patches.yaml"),
            resources.map(Path::to_path_buf).or(r.exists().then_some(r)),
        )
    } else {
        (patches.to_path_buf(), resources.map(Path::to_path_buf))
    };
    let text = if patches.is_dir() && !patch_file.exists() {
        String::new()
    } else {
        read(&patch_file)?
    };
    let parsed = crate::patch::parse_patches(&text, &patch_file.display().to_string())?;
    let extra = match resource_file {
        Some(f) => crate::patch::parse_manifests(&read(&f)?, &f.display().to_string(), crate::yaml::SMALL)?,
        None => vec![],
    };
    let input = crate::yaml::read_to_limit(std::io::stdin().lock(), crate::yaml::STREAM.size)
        .map_err(|e| Error::PostRender(format!("cannot read the manifests on stdin: {e}")))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    crate::patch::post_render_to(&input, &parsed, &extra, &mut out)?;
    out.flush().map_err(|e| match e.kind() {
        std::io::ErrorKind::BrokenPipe => Error::ClosedPipe,
        _ => Error::PostRender(format!("cannot write the result: {e}")),
    })
}

/// Loads, resolves and renders; shared by the CLI and tests.
pub fn load_and_resolve(catalog: &Path, opts: Options) -> Result<crate::model::Plan> {
    let loaded = catalog::load_file(catalog)?;
    let known = crate::lock::Knowledge::beside(catalog).map_err(Error::Knowledge)?;
    for n in &known.notes {
        stderr(n);
    }
    resolve::resolve(&loaded, &known, opts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_coloured_only_when_asked() {
        assert_eq!(paint("✓ a ✗ b", false), "✓ a ✗ b");
        assert_eq!(paint("✓ a ✗ b", true), "\x1b[32m✓\x1b[0m a \x1b[31m✗\x1b[0m b");
    }

    #[test]
    fn json_reports_start_with_their_schema_version() {
        let v = versioned(&serde_json::json!({"a": 1})).unwrap();
        assert_eq!(serde_json::to_string(&v).unwrap(), r#"{"schemaVersion":1,"a":1}"#);
    }
}

//! Command-line definitions and dispatch; no domain logic lives here.

use crate::catalog;
use crate::error::{AuditError, Error, InputError, PostRenderError, Result};
use crate::resolve::{self, Options};
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const EXAMPLES: &str = concat!(
    "Examples:
  hagen init live.json                        start a catalogue from the cluster (see `hagen init --help`)
  hagen diff live.json --charts ../charts     what upgrading the cluster to the catalogue changes (exit 2 if anything)
  hagen generate                              catalog/cluster.yaml -> out/
  hagen generate --check                      in CI: fail when out/ is stale
  hagen verify --charts ../charts             prove out/ on the real charts with helm template
  hagen chart scaffold CHART-1.0.0.tgz > catalog/charts/CHART.yaml   describe a chart hagen does not know
  hagen plan                                  what one node failure, a rollout and a drain do
  ",
    crate::live_command!(),
    "
  helm upgrade ... --post-renderer hagen --post-renderer-args post-render --post-renderer-args out/REL/patches.yaml
  mkdir -p ~/.local/share/bash-completion/completions && hagen completions bash > ~/.local/share/bash-completion/completions/hagen

Colours: on a terminal only; NO_COLOR=1 or a pipe gives plain text."
);

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
        /// A folder of chart archives `<chart>-<version>.tgz` to check own values against (default: $HAGEN_CHARTS,
        /// else the cache `hagen verify` pulls into; never fetched).
        #[arg(long)]
        charts: Option<PathBuf>,
    },
    /// Render every release's real chart (bare and with out/) and judge each component's HA on the objects.
    #[command(
        after_help = "Examples:\n  hagen verify --charts ../charts\n  hagen verify --helm /usr/local/bin/helm3 --output json\n  hagen verify --diff   # the full diff when out/ is stale"
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
        /// When the output folder is stale, print the full diff (not only which files differ).
        #[arg(long)]
        diff: bool,
    },
    /// From the catalogue alone: can every replica be placed, what one node failure, a rollout and a drain do.
    #[command(
        after_help = "Examples:\n  hagen plan\n  hagen plan -o wide   # every column, in full\n  hagen plan --output json | jq '.components[]'"
    )]
    Plan {
        /// The catalogue to read.
        #[arg(long, default_value = "catalog/cluster.yaml")]
        catalog: PathBuf,
        /// A report for people that fits 100 columns, `wide` with every column in full, or JSON (with a
        /// `schemaVersion`) for programs.
        #[arg(short, long, value_enum, default_value_t = PlanFormat::Table)]
        output: PlanFormat,
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
            "\n  helm template metrics-server metrics-server --repo https://kubernetes-sigs.github.io/metrics-server/ --version 3.13.1 -n kube-system -f out/metrics-server/values.yaml | hagen audit - --release metrics-server"
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
    /// Chart knowledge: start a file for a chart hagen does not know.
    Chart {
        #[command(subcommand)]
        command: ChartCommand,
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
        after_help = "Examples:\n  mkdir -p ~/.local/share/bash-completion/completions && hagen completions bash > ~/.local/share/bash-completion/completions/hagen\n  hagen completions zsh > \"${fpath[1]}/_hagen\"\n  hagen completions fish > ~/.config/fish/completions/hagen.fish"
    )]
    Completions {
        /// The shell to complete for.
        shell: clap_complete::Shell,
    },
    /// Write a starting catalogue from live state: the nodes and their own labels, every Helm release (chart,
    /// version, namespace, the values you gave it, secrets taken out), and on k3s its own charts with their
    /// HelmChartConfig values; `kubectl get nodes -o json` alone gives the nodes and the components k3s bundles.
    #[command(after_help = concat!(
        "Examples:\n  ",
        crate::adopt_command!(),
        "\n  hagen init live.json --name lab\n  kubectl get nodes -o json | hagen init -\n\nA second run never overwrites the catalogue: it says what changed in the cluster since (exit 1 when something did)."
    ))]
    Init {
        /// The JSON kubectl printed (one or more files, each of one or more documents); `-` for stdin.
        #[arg(required = true, num_args = 1..)]
        inputs: Vec<PathBuf>,
        /// Where to write the catalogue (never overwritten; the schema goes next to it, own values in values/).
        #[arg(long, default_value = "catalog/cluster.yaml")]
        catalog: PathBuf,
        /// The cluster's name in the catalogue.
        #[arg(long, default_value = "homelab")]
        name: String,
    },
    /// What upgrading the cluster to the catalogue changes, per release: chart version, values (what Helm recorded
    /// you gave it against your own values plus hagen's overlay) and, with the chart archives at hand, the objects
    /// (Helm's manifest against `helm template`), summarised per component and setting. Exit 0 when nothing
    /// changes, 2 when something does, 1 on error.
    #[command(after_help = concat!(
        "Examples:\n  ",
        crate::adopt_command!(),
        "\n  hagen diff live.json --charts ../charts\n  hagen diff live.json --output json | jq '.releases[].values[] | select(.kind == \"dropped\")'"
    ))]
    Diff {
        /// The JSON kubectl printed (the same files `hagen init` reads); `-` for stdin.
        #[arg(required = true, num_args = 1..)]
        inputs: Vec<PathBuf>,
        /// The catalogue to upgrade to.
        #[arg(long, default_value = "catalog/cluster.yaml")]
        catalog: PathBuf,
        /// A folder of chart archives `<chart>-<version>.tgz` to render the objects with (default: $HAGEN_CHARTS,
        /// else the cache `hagen verify` pulls into; never fetched).
        #[arg(long)]
        charts: Option<PathBuf>,
        /// The helm binary (default: $HAGEN_HELM, else helm on PATH).
        #[arg(long)]
        helm: Option<PathBuf>,
        /// A table for people, or JSON (with a `schemaVersion`) for programs.
        #[arg(long, value_enum, default_value_t = Format::Table)]
        output: Format,
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

/// `hagen chart …`.
#[derive(Subcommand, Debug)]
enum ChartCommand {
    /// Render a chart (an archive or a folder) and print a starting chart knowledge file for it on stdout: one
    /// component per Deployment, the values keys a probe render shows reaching each setting, readiness and
    /// leader election; what it guessed and what it could not find (TODO) at the file's top (docs/charts.md).
    #[command(after_help = "Examples:
  hagen chart scaffold external-secrets-2.9.0.tgz --repository https://charts.external-secrets.io > catalog/charts/external-secrets.yaml
  hagen schema --chart > catalog/charts/chart.schema.json")]
    Scaffold {
        /// The chart archive (`helm pull` writes `<chart>-<version>.tgz`) or an unpacked chart folder.
        chart: PathBuf,
        /// The chart repository it is published in (written as the file's `repository`).
        #[arg(long)]
        repository: Option<String>,
        /// The helm binary (default: $HAGEN_HELM, else helm on PATH).
        #[arg(long)]
        helm: Option<PathBuf>,
    },
}

/// Output formats of the reporting commands.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Table,
    Json,
}

/// Output formats of `hagen plan`, whose table has more columns than 100 hold: `wide` shows them all. The other
/// commands have no `wide` (clap names their possible values when it is asked for).
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum PlanFormat {
    // The variants carry no doc comment: `--help` then lists them on one line, as for the other commands.
    Table,
    Wide,
    Json,
}

/// The reporting commands (verify, plan, audit) read catalogues with unproven chart versions too: they are how a
/// new version gets proven.
const REPORTING: Options = Options {
    strict: false,
    allow_unproven: true,
    unplaceable_shown: false,
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
enum Exit {
    Clean,
    /// The judges found problems (verify, audit, plan): this line sums them up.
    Findings(String),
    /// The output folder is not what the catalogue generates: the difference and what to do.
    Stale(String),
    /// `hagen diff` found changes: exit 2, as `helm diff --detailed-exitcode`.
    Changes(String),
}

/// Parses a command line (without the program name) as hagen would, running nothing: the docs' tests check every
/// example of `--help` with it.
pub fn parse(args: &[String]) -> std::result::Result<(), clap::Error> {
    Cli::try_parse_from(std::iter::once("hagen".to_string()).chain(args.iter().cloned())).map(drop)
}

/// Runs hagen with the process arguments and returns its exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(Exit::Clean) => ExitCode::SUCCESS,
        Ok(Exit::Findings(summary) | Exit::Stale(summary)) => {
            stderr(&summary);
            ExitCode::FAILURE
        }
        Ok(Exit::Changes(summary)) => {
            stderr(&summary);
            ExitCode::from(2)
        }
        Err(Error::ClosedPipe) => ExitCode::from(CLOSED_PIPE_STATUS),
        Err(e) => {
            stderr(&e.to_string());
            ExitCode::FAILURE
        }
    }
}

/// Runs the parsed command: one function per subcommand.
fn dispatch(cli: Cli) -> Result<Exit> {
    match cli.command {
        Command::Generate {
            catalog,
            out,
            strict,
            check,
            allow_unproven,
            charts,
        } => generate_cmd(
            &catalog,
            &out,
            Options {
                strict,
                allow_unproven,
                unplaceable_shown: false,
            },
            check,
            &crate::helm::ChartSource::choose(charts.as_deref()),
        ),
        Command::Verify {
            catalog,
            out,
            charts,
            helm,
            output,
            diff,
        } => verify_cmd(&catalog, &out, charts.as_deref(), helm.as_deref(), output, diff),
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
            crate::audit::AuditOptions {
                release,
                max_pods_per_node,
            },
            output,
        ),
        Command::Chart {
            command:
                ChartCommand::Scaffold {
                    chart,
                    repository,
                    helm,
                },
        } => scaffold_cmd(&chart, repository.as_deref(), helm.as_deref()).map(|()| Exit::Clean),
        Command::Schema { chart } => schema_cmd(chart).map(|()| Exit::Clean),
        Command::Completions { shell } => completions_cmd(shell).map(|()| Exit::Clean),
        Command::Init { inputs, catalog, name } => init_cmd(&inputs, &catalog, &name),
        Command::Diff {
            inputs,
            catalog,
            charts,
            helm,
            output,
        } => diff_cmd(&inputs, &catalog, charts.as_deref(), helm.as_deref(), output),
        Command::PostRender {
            patches,
            resources,
            error_log,
        } => post_render_cmd(&patches, resources.as_deref(), error_log.as_deref()).map(|()| Exit::Clean),
    }
}

/// `hagen generate`: renders the catalogue and writes the output folder, or with `check` compares it and fails
/// with the difference when it is stale.
fn generate_cmd(
    catalog: &Path,
    out: &Path,
    opts: Options,
    check: bool,
    charts: &crate::helm::ChartSource,
) -> Result<Exit> {
    let crate::generate::Generated { plan, files, notes } =
        crate::generate::generate_files(catalog, out, opts, charts, check)?;
    for n in &notes {
        stderr(n);
    }
    for w in &plan.warnings {
        stderr(&w.to_string());
    }
    if check {
        let diff = files.diff(out);
        if !diff.is_empty() {
            return Ok(Exit::Stale(format!(
                "{diff}\n{} is stale: run `hagen generate` and commit the result",
                out.display()
            )));
        }
        stderr(&format!("{} is up to date with {}", out.display(), catalog.display()));
    } else {
        let (changed, unchanged) = files.changes(out);
        files.write(out)?;
        stderr(&format!(
            "{}: {} changed, {unchanged} unchanged ({})",
            out.display(),
            crate::text::count(changed, "file"),
            crate::text::count(plan.releases.len(), "release")
        ));
    }
    Ok(Exit::Clean)
}

/// `hagen verify`: proves the output folder on the real charts, reports what was recorded in the lock, and fails on
/// any ✗ or a stale output folder.
fn verify_cmd(
    catalog: &Path,
    out: &Path,
    charts: Option<&Path>,
    helm: Option<&Path>,
    output: Format,
    diff: bool,
) -> Result<Exit> {
    let helm = crate::helm::Helm::find(helm)?;
    let source = crate::helm::ChartSource::choose(charts);
    let resolved = load(catalog, crate::verify::PROVING, true)?;
    let v = crate::verify::verify_catalogue(&resolved, catalog, out, &helm, &source)?;
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
        return Ok(Exit::Findings(format!("hagen verify: {failures} problem(s) found")));
    }
    let generate = format!(
        "hagen generate --catalog {} --out {}",
        crate::text::shell_word(&catalog.display().to_string()),
        crate::text::shell_word(&out.display().to_string())
    );
    match v.out {
        crate::verify::OutState::Current => Ok(Exit::Clean),
        crate::verify::OutState::Missing => Ok(Exit::Stale(format!(
            "{} does not exist yet: run `{generate}` to write what was proven",
            out.display()
        ))),
        crate::verify::OutState::Stale { summary, diff: full } => {
            let shown = if diff {
                full
            } else {
                format!(
                    "{}\n(`hagen verify --diff` shows the full difference)",
                    summary.join("\n")
                )
            };
            Ok(Exit::Stale(format!(
                "{shown}\n{} is not what the catalogue generates (the proof above is of a fresh generation): run `{generate}` and commit the result",
                out.display()
            )))
        }
    }
}

/// `hagen plan`: what one node failure, a rollout and a drain do; fails when a component cannot place every
/// replica (shown with the rest, not refused) or cannot survive one node failure.
fn plan_cmd(catalog: &Path, output: PlanFormat) -> Result<Exit> {
    let planning = Options {
        unplaceable_shown: true,
        ..REPORTING
    };
    let plan = load(catalog, planning, false)?.plan;
    let report = crate::scenarios::compute(&plan);
    match output {
        PlanFormat::Table => emit(Format::Table, &report, crate::scenarios::table)?,
        PlanFormat::Wide => emit(Format::Table, &report, crate::scenarios::wide_table)?,
        PlanFormat::Json => emit(Format::Json, &report, crate::scenarios::table)?,
    }
    let findings = report.findings();
    if !findings.is_empty() {
        return Ok(Exit::Findings(format!("hagen plan: {}", findings.join("; "))));
    }
    Ok(Exit::Clean)
}

/// `hagen audit`: judges a live dump or a rendered stream (a file or `-` for stdin) against the catalogue; fails on
/// any finding.
fn audit_cmd(input: &Path, catalog: &Path, opts: crate::audit::AuditOptions, output: Format) -> Result<Exit> {
    let plan = load(catalog, REPORTING, false)?.plan;
    let audit_error = |e: AuditError| Error::Input(InputError::Audit(e));
    let text = if is_stdin(input) {
        crate::yaml::read_to_limit(std::io::stdin().lock(), crate::yaml::STREAM.size)
            .map_err(|e| audit_error(AuditError::ReadStdin(e)))?
    } else {
        crate::yaml::read_file(input, crate::yaml::STREAM.size).map_err(|e| match e {
            Error::Read { path, source } => audit_error(AuditError::Read { path, source }),
            other => other,
        })?
    };
    let operator_kinds: Vec<&str> = plan.operator_pods().iter().map(|p| p.kind.as_str()).collect();
    let dump = crate::audit::read(&text, &input_name(input), &operator_kinds).map_err(audit_error)?;
    drop(text);
    let report = crate::audit::audit(&plan, dump, &opts).map_err(audit_error)?;
    emit(output, &report, crate::audit::table)?;
    let failures = report.failures();
    if failures > 0 {
        return Ok(Exit::Findings(format!(
            "hagen audit: {}",
            crate::text::count(failures, "finding")
        )));
    }
    Ok(Exit::Clean)
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

/// `hagen chart scaffold`: prints a starting chart knowledge file on stdout, and what it guessed on stderr.
fn scaffold_cmd(chart: &Path, repository: Option<&str>, helm: Option<&Path>) -> Result<()> {
    let helm = crate::helm::Helm::find(helm)?;
    let s = crate::scaffold::scaffold(&helm, chart, repository)?;
    stdout(&s.text)?;
    stderr(&format!(
        "hagen chart scaffold: {} guesses and {} TODOs (listed at the top of the file); check them, then `hagen verify`",
        s.guesses.len(),
        s.todos.len()
    ));
    Ok(())
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

/// Reads each input (a file, or `-` for stdin) within the stream bound, as (its name, its text).
fn read_inputs(inputs: &[PathBuf]) -> Result<Vec<(String, String)>> {
    inputs
        .iter()
        .map(|p| {
            let text = if is_stdin(p) {
                crate::yaml::read_to_limit(std::io::stdin().lock(), crate::yaml::STREAM.size).map_err(|source| {
                    Error::Read {
                        path: p.to_path_buf(),
                        source,
                    }
                })?
            } else {
                crate::yaml::read_file(p, crate::yaml::STREAM.size)?
            };
            Ok((input_name(p), text))
        })
        .collect()
}

/// `hagen init`: writes a starting catalogue (its schema and own values files beside it) from kubectl's JSON,
/// after reading it back and resolving it; a catalogue already there is compared, never overwritten.
fn init_cmd(inputs: &[PathBuf], catalog: &Path, name: &str) -> Result<Exit> {
    let texts = read_inputs(inputs)?;
    let report = crate::adopt::init(&texts, catalog, name)?;
    for l in &report.lines {
        stderr(l);
    }
    if report.changes > 0 {
        return Ok(Exit::Findings(format!(
            "hagen init: {} difference(s) between the cluster and {}, which is never overwritten: edit it by hand",
            report.changes,
            catalog.display()
        )));
    }
    Ok(Exit::Clean)
}

/// `hagen diff`: prints what the upgrade changes; exit 2 when it changes anything (as `helm diff
/// --detailed-exitcode`).
fn diff_cmd(
    inputs: &[PathBuf],
    catalog: &Path,
    charts: Option<&Path>,
    helm: Option<&Path>,
    output: Format,
) -> Result<Exit> {
    let texts = read_inputs(inputs)?;
    let (report, notes) = crate::adopt::diff(&texts, catalog, charts, helm)?;
    for n in &notes {
        stderr(n);
    }
    emit(output, &report, crate::diff::table)?;
    if report.changed() {
        return Ok(Exit::Changes(format!(
            "hagen diff: {} change(s){}",
            report.changes,
            match report.dropped {
                0 => String::new(),
                n => format!(", {n} value(s) you set dropped"),
            }
        )));
    }
    Ok(Exit::Clean)
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
        .map_err(|e| Error::PostRender(PostRenderError::ReadStdin(e)))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    crate::patch::post_render_to(&input, &parsed, &extra, &mut out)?;
    out.flush().map_err(|e| match e.kind() {
        std::io::ErrorKind::BrokenPipe => Error::ClosedPipe,
        _ => Error::PostRender(PostRenderError::WriteResult(e)),
    })
}

/// Loads and resolves the catalogue (`proving`: for `hagen verify`), printing the knowledge's notes.
fn load(catalog: &Path, opts: Options, proving: bool) -> Result<resolve::Resolved> {
    let r = resolve::load_and_resolve(catalog, opts, proving)?;
    for n in &r.known.notes {
        stderr(n);
    }
    Ok(r)
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

//! Command-line definitions and dispatch; no domain logic lives here.

use crate::catalog;
use crate::error::{Error, Result};
use crate::intent::{self, Options};
use clap::{Parser, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "hagen",
    version,
    about = "High availability for a cluster's infrastructure, native to Helm"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Render out/<release>/values.yaml (and patches.yaml, resources.yaml) and out/README.md from the catalogue.
    Generate {
        #[arg(long, default_value = "catalog/cluster.yaml")]
        catalog: PathBuf,
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
    Verify {
        #[arg(long, default_value = "catalog/cluster.yaml")]
        catalog: PathBuf,
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// A folder of chart archives `<chart>-<version>.tgz` (default: $HAGEN_CHARTS, else `helm pull` into the cache).
        #[arg(long)]
        charts: Option<PathBuf>,
        /// The helm binary (default: $HAGEN_HELM, else helm on PATH); helm 3 and 4 both work.
        #[arg(long)]
        helm: Option<PathBuf>,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        output: Format,
    },
    /// From the catalogue alone: can every replica be placed, what one node failure, a rollout and a drain do.
    Plan {
        #[arg(long, default_value = "catalog/cluster.yaml")]
        catalog: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        output: Format,
    },
    /// Judge live state (`kubectl get deploy,rs,pods,pdb,nodes -A -o json`) or a rendered stream against the
    /// catalogue: replicas, spread over nodes, anti-affinity, strategy, PDBs; and what to delete to rebalance.
    Audit {
        /// The dump or manifest stream to read; `-` for stdin.
        input: PathBuf,
        #[arg(long, default_value = "catalog/cluster.yaml")]
        catalog: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        output: Format,
    },
    /// Print the catalogue's JSON Schema.
    Schema,
    /// Helm post-renderer: read rendered manifests on stdin, apply PATCHES, write the result on stdout.
    PostRender {
        /// A patches.yaml written by `hagen generate`, or a release folder of out/ (its patches.yaml and resources.yaml).
        patches: PathBuf,
        /// Extra manifests to add to the release (out/<release>/resources.yaml).
        #[arg(long)]
        resources: Option<PathBuf>,
        /// Also write a failure's reason to this file (Helm 4 discards a post-renderer's stderr); removed on success.
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

/// Prints a report as a table or as JSON.
fn emit<T: serde::Serialize>(format: Format, report: &T, table: fn(&T) -> String) -> Result<()> {
    match format {
        Format::Table => stdout(&table(report)),
        Format::Json => stdout(&format!("{}\n", json(report)?)),
    }
}

/// Writes to stdout; a reader that went away (`| head`) ends the command quietly instead of a panic.
fn stdout(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::BrokenPipe => Error::ClosedPipe,
            _ => Error::Tool(format!("cannot write to stdout: {e}")),
        })
}

/// Writes a line to stderr; when stderr is closed there is nobody left to tell, so the line is dropped.
fn stderr(line: &str) {
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

/// The exit status of a command whose stdout was closed: what a shell reports for a process ended by SIGPIPE.
const CLOSED_PIPE_STATUS: u8 = 128 + 13;

/// Runs hagen with the process arguments and returns its exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Error::ClosedPipe) => ExitCode::from(CLOSED_PIPE_STATUS),
        Err(e) => {
            stderr(&e.to_string());
            ExitCode::FAILURE
        }
    }
}

fn dispatch(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Generate {
            catalog,
            out,
            strict,
            check,
            allow_unproven,
        } => {
            let opts = Options { strict, allow_unproven };
            let (plan, files) = crate::generate_files(&catalog, &out, opts)?;
            for w in &plan.warnings {
                stderr(&w.to_string());
            }
            if check {
                let diff = files.diff(&out);
                if !diff.is_empty() {
                    return Err(Error::Stale(format!(
                        "{diff}\n{} is stale: run `hagen generate` and commit the result",
                        out.display()
                    )));
                }
                stderr(&format!("{} is up to date with {}", out.display(), catalog.display()));
            } else {
                files.write(&out)?;
                let n = files.iter().count();
                stderr(&format!(
                    "wrote {n} files to {} for {} releases",
                    out.display(),
                    plan.releases.len()
                ));
            }
            Ok(())
        }
        Command::Verify {
            catalog,
            out,
            charts,
            helm,
            output,
        } => {
            let plan = load_and_resolve(&catalog, REPORTING)?;
            let helm = crate::helm::Helm::find(helm.as_deref())?;
            let source = crate::helm::ChartSource::choose(charts.as_deref());
            let outcome = crate::verify::verify(&plan, &out, &helm, &source)?;
            emit(output, &outcome, crate::verify::table)?;
            let failures = outcome.failures();
            if failures > 0 {
                return Err(Error::Findings(format!("hagen verify: {failures} problem(s) found")));
            }
            Ok(())
        }
        Command::Plan { catalog, output } => {
            let plan = load_and_resolve(&catalog, REPORTING)?;
            let report = crate::plan::plan(&plan);
            emit(output, &report, crate::plan::table)?;
            let fragile = report.fragile().len();
            if fragile > 0 {
                return Err(Error::Findings(format!(
                    "hagen plan: {fragile} component(s) cannot survive one node failure"
                )));
            }
            Ok(())
        }
        Command::Audit { input, catalog, output } => {
            let plan = load_and_resolve(&catalog, REPORTING)?;
            let text = if input.as_os_str() == "-" {
                crate::yaml::read_to_limit(std::io::stdin().lock(), crate::yaml::STREAM.size).map_err(|source| {
                    Error::Read {
                        path: input.clone(),
                        source,
                    }
                })?
            } else {
                crate::yaml::read_file(&input, crate::yaml::STREAM.size)?
            };
            let objects = crate::verify::objects_from_stream(&text, "default")
                .map_err(|e| Error::Tool(format!("{}: {e}", input.display())))?;
            let report = crate::audit::audit(&plan, &objects);
            emit(output, &report, crate::audit::table)?;
            let failures = report.failures();
            if failures > 0 {
                return Err(Error::Findings(format!("hagen audit: {failures} finding(s)")));
            }
            Ok(())
        }
        Command::Schema => {
            let text = serde_json::to_string_pretty(&catalog::schema()).map_err(|e| Error::Tool(e.to_string()))?;
            stdout(&format!("{text}\n"))
        }
        Command::PostRender {
            patches,
            resources,
            error_log,
        } => {
            let result = post_render(&patches, resources.as_deref());
            if let Some(log) = error_log {
                match &result {
                    Ok(()) => {
                        let _ = std::fs::remove_file(&log);
                    }
                    Err(e) => {
                        if let Some(dir) = log.parent() {
                            let _ = std::fs::create_dir_all(dir);
                        }
                        let _ = std::fs::write(&log, format!("{e}\n"));
                    }
                }
            }
            result
        }
    }
}

fn json(v: &impl serde::Serialize) -> Result<String> {
    serde_json::to_string_pretty(v).map_err(|e| Error::Tool(e.to_string()))
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
pub fn load_and_resolve(catalog: &Path, opts: Options) -> Result<intent::Plan> {
    let loaded = catalog::load_file(catalog)?;
    intent::resolve(&loaded, opts)
}

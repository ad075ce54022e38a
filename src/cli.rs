//! Command-line definitions and dispatch; no domain logic lives here.

use crate::catalog;
use crate::error::{Error, Result};
use crate::intent::{self, Options};
use clap::{Parser, Subcommand};
use std::io::{Read, Write};
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
    /// Judge live state or one release's rendered stream against the catalogue.
    #[command(long_about = concat!(
        "Judge live state, as the API server reports it, against the catalogue:\n\n    ",
        crate::live_command!(),
        "\n\nor one release's rendered stream (`helm template … | hagen audit -`, the release read from the stream or \
         named by --release): replicas (HPA-managed components by their HPA), pods serving on Ready nodes (a Pending \
         pod with the scheduler's reason), spread over nodes, anti-affinity, strategy, PDBs, nodes down or cordoned, \
         and the pods to delete to rebalance. Exit 1 on any finding; uneven placement below --max-pods-per-node is \
         advice only."
    ))]
    Audit {
        /// The dump or manifest stream to read (JSON or YAML); `-` for stdin.
        input: PathBuf,
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
        Format::Table => print!("{}", table(report)),
        Format::Json => println!("{}", json(report)?),
    }
    Ok(())
}

/// Runs hagen with the process arguments and returns its exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
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
                eprintln!("{w}");
            }
            if check {
                let diff = files.diff(&out);
                if !diff.is_empty() {
                    return Err(Error::Stale(format!(
                        "{diff}\n{} is stale: run `hagen generate` and commit the result",
                        out.display()
                    )));
                }
                eprintln!("{} is up to date with {}", out.display(), catalog.display());
            } else {
                files.write(&out)?;
                let n = files.iter().count();
                eprintln!(
                    "wrote {n} files to {} for {} releases",
                    out.display(),
                    plan.releases.len()
                );
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
        Command::Audit {
            input,
            catalog,
            release,
            max_pods_per_node,
            output,
        } => {
            let plan = load_and_resolve(&catalog, REPORTING)?;
            let audit_error = |m: String| Error::Tool(format!("hagen audit: {m}"));
            let text = if input.as_os_str() == "-" {
                let mut t = String::new();
                std::io::stdin()
                    .read_to_string(&mut t)
                    .map_err(|e| audit_error(format!("cannot read stdin: {e}")))?;
                t
            } else {
                std::fs::read_to_string(&input)
                    .map_err(|e| audit_error(format!("cannot read {}: {e}", input.display())))?
            };
            let name = if input.as_os_str() == "-" {
                "stdin".to_string()
            } else {
                input.display().to_string()
            };
            let dump = crate::audit::read(&text, &name).map_err(audit_error)?;
            drop(text);
            let opts = crate::audit::Options {
                release,
                max_pods_per_node,
            };
            let report = crate::audit::audit(&plan, dump, &opts).map_err(audit_error)?;
            emit(output, &report, crate::audit::table)?;
            let failures = report.failures();
            if failures > 0 {
                return Err(Error::Findings(format!("hagen audit: {failures} finding(s)")));
            }
            Ok(())
        }
        Command::Schema => {
            let text = serde_json::to_string_pretty(&catalog::schema()).map_err(|e| Error::Tool(e.to_string()))?;
            println!("{text}");
            Ok(())
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
    std::fs::read_to_string(path).map_err(|source| Error::Read {
        path: path.to_path_buf(),
        source,
    })
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
        Some(f) => crate::patch::parse_manifests(&read(&f)?, &f.display().to_string())?,
        None => vec![],
    };
    let mut input = String::new();
    std::io::stdin()
        .read_to_string(&mut input)
        .map_err(|e| Error::PostRender(format!("cannot read the manifests on stdin: {e}")))?;
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    crate::patch::post_render_to(&input, &parsed, &extra, &mut out)?;
    out.flush()
        .map_err(|e| Error::PostRender(format!("cannot write the result: {e}")))
}

/// Loads, resolves and renders; shared by the CLI and tests.
pub fn load_and_resolve(catalog: &Path, opts: Options) -> Result<intent::Plan> {
    let loaded = catalog::load_file(catalog)?;
    intent::resolve(&loaded, opts)
}

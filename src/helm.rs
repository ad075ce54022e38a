//! Running helm: finding the binary and the chart archives, and `helm template`.

use crate::error::{Error, HelmError, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Where `scripts/install-tools.sh` puts helm 4, relative to the project's top folder.
const INSTALLED: &str = "target/tools/helm4/helm";

/// A helm binary and its version.
#[derive(Debug, Clone)]
pub struct Helm {
    pub path: PathBuf,
    pub version: String,
}

impl Helm {
    /// helm from `explicit` (`--helm`), else `HAGEN_HELM`, else PATH, else the helm 4 that the test command
    /// (`scripts/test`, through `scripts/install-tools.sh`) installs into the project's `target/tools/`; its
    /// version is read once.
    pub fn find(explicit: Option<&Path>) -> Result<Self> {
        let path = explicit
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os("HAGEN_HELM").map(PathBuf::from))
            .or_else(|| which("helm"))
            .or_else(|| Some(PathBuf::from(INSTALLED)).filter(|p| p.is_file()))
            .ok_or(Error::Helm(HelmError::NotFound { installed: INSTALLED }))?;
        let out = Command::new(&path)
            .args(["version", "--short"])
            .output()
            .map_err(|source| cannot_run(&path, source))?;
        if !out.status.success() {
            return Err(Error::Helm(HelmError::Version {
                path,
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            }));
        }
        let version = String::from_utf8_lossy(&out.stdout).trim().to_string();
        Ok(Helm { path, version })
    }

    /// `helm template RELEASE CHART -n NAMESPACE [--kube-version V --api-versions …] [-f VALUES]…`: the rendered manifest stream.
    /// Charts gate templates on `.Capabilities.KubeVersion`, which defaults to v1.35.0 under Helm 4.1 and v1.32.0
    /// under Helm 3.17: `kube` renders for the cluster's version (and the resource API versions it serves) instead.
    pub fn template(
        &self,
        release: &str,
        chart: &Path,
        namespace: &str,
        kube: Option<crate::k8s::KubeVersion>,
        values: &[PathBuf],
    ) -> Result<String> {
        let mut cmd = Command::new(&self.path);
        cmd.arg("template").arg(release).arg(chart).args(["-n", namespace]);
        if let Some(v) = kube {
            cmd.args(["--kube-version", &v.helm_arg()]);
            for a in v.api_versions() {
                cmd.args(["--api-versions", a]);
            }
        }
        for v in values {
            cmd.arg("-f").arg(v);
        }
        self.stdout(&mut cmd, &format!("helm template {release} {}", chart.display()))
    }

    /// `helm show values CHART`: the chart's default values.
    pub fn show_values(&self, chart: &Path) -> Result<String> {
        self.show("values", chart)
    }

    /// The values a release of `chart` renders with, `values` files applied in order, merged as Helm merges
    /// them, the subcharts' defaults included (`helm install --dry-run=client --debug` prints them as COMPUTED
    /// VALUES; `helm show values` has only the parent's defaults). Helm 4 only: nothing is installed and no
    /// cluster is asked (helm 3 asks the cluster for its version first, even with `--dry-run=client`).
    pub fn computed_values(&self, release: &str, chart: &Path, namespace: &str, values: &[PathBuf]) -> Result<String> {
        if !self.version.starts_with("v4") {
            return Err(Error::Helm(HelmError::NeedsHelm4 {
                version: self.version.clone(),
            }));
        }
        let mut cmd = Command::new(&self.path);
        cmd.args(["install", release])
            .arg(chart)
            .args(["-n", namespace, "--dry-run=client", "--debug"]);
        for v in values {
            cmd.arg("-f").arg(v);
        }
        let what = format!("helm install --dry-run=client --debug {release} {}", chart.display());
        let text = self.stdout(&mut cmd, &what)?;
        let start = text
            .find("\nCOMPUTED VALUES:\n")
            .ok_or(Error::Helm(HelmError::NoComputedValues { command: what }))?;
        let rest = &text[start + "\nCOMPUTED VALUES:\n".len()..];
        let end = ["\nHOOKS:\n", "\nMANIFEST:\n"]
            .iter()
            .filter_map(|m| rest.find(m))
            .min()
            .unwrap_or(rest.len());
        Ok(rest[..end].to_string())
    }

    /// `helm show chart CHART`: the chart's Chart.yaml.
    pub fn show_chart(&self, chart: &Path) -> Result<String> {
        self.show("chart", chart)
    }

    /// `helm show WHAT CHART`.
    fn show(&self, what: &str, chart: &Path) -> Result<String> {
        let mut cmd = Command::new(&self.path);
        cmd.args(["show", what]).arg(chart);
        self.stdout(&mut cmd, &format!("helm show {what} {}", chart.display()))
    }

    /// Runs `cmd` (described as `what` in errors) and returns its stdout; a failure says helm's stderr.
    fn stdout(&self, cmd: &mut Command, what: &str) -> Result<String> {
        let out = cmd.output().map_err(|source| cannot_run(&self.path, source))?;
        if !out.status.success() {
            return Err(Error::Helm(HelmError::Failed {
                command: what.to_string(),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            }));
        }
        String::from_utf8(out.stdout).map_err(|_| {
            Error::Helm(HelmError::NotUtf8 {
                command: what.to_string(),
            })
        })
    }

    /// Downloads a chart archive into `dir` (`helm pull --repo`).
    pub fn pull(&self, repository: &str, chart: &str, version: &str, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir).map_err(|source| Error::Write {
            path: dir.to_path_buf(),
            source,
        })?;
        let out = Command::new(&self.path)
            .args([
                "pull",
                chart,
                "--repo",
                repository,
                "--version",
                version,
                "--destination",
            ])
            .arg(dir)
            .output()
            .map_err(|source| cannot_run(&self.path, source))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(Error::Helm(HelmError::Pull {
                chart: chart.to_string(),
                version: version.to_string(),
                repository: repository.to_string(),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            }))
        }
    }
}

fn cannot_run(path: &Path, source: std::io::Error) -> Error {
    Error::Helm(HelmError::CannotRun {
        path: path.to_path_buf(),
        source,
    })
}

fn which(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

/// Where chart archives come from: `--charts DIR`, else `HAGEN_CHARTS`, else `helm pull` into the cache folder.
/// Either may name several folders separated by `:` (as PATH does), looked through in order: the pinned charts and
/// k3s's bundled Traefik, say (`--charts ../shared/charts:../shared/charts-more`).
#[derive(Debug, Clone)]
pub enum ChartSource {
    Dir(Vec<PathBuf>),
    Pull(PathBuf),
}

impl ChartSource {
    pub fn choose(explicit: Option<&Path>) -> Self {
        if let Some(d) = explicit
            .map(|p| p.as_os_str().to_os_string())
            .or_else(|| std::env::var_os("HAGEN_CHARTS"))
        {
            return ChartSource::Dir(std::env::split_paths(&d).collect());
        }
        let cache = std::env::var_os("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache")))
            .unwrap_or_else(std::env::temp_dir);
        ChartSource::Pull(cache.join("hagen/charts"))
    }

    /// The folders looked through, in order.
    fn folders(&self) -> &[PathBuf] {
        match self {
            ChartSource::Dir(d) => d,
            ChartSource::Pull(d) => std::slice::from_ref(d),
        }
    }

    /// The chart archive (or unpacked chart folder) for `chart` at `version` when it is already here (in the
    /// folders, or in the cache a `helm pull` filled): never fetched.
    pub fn find_local(&self, chart: &str, version: &str) -> Option<PathBuf> {
        let names = [format!("{chart}-{version}.tgz"), format!("{chart}-{version}")];
        self.folders()
            .iter()
            .flat_map(|d| names.iter().map(move |n| d.join(n)))
            .find(|p| p.exists())
    }

    /// The chart archive (or unpacked chart folder) for `chart` at `version`.
    pub fn locate(&self, helm: &Helm, repository: &str, chart: &str, version: &str) -> Result<PathBuf> {
        let names = [format!("{chart}-{version}.tgz"), format!("{chart}-{version}")];
        match self {
            ChartSource::Dir(dirs) => self.find_local(chart, version).ok_or_else(|| {
                Error::Helm(HelmError::ChartNotFound {
                    chart: chart.to_string(),
                    version: version.to_string(),
                    repository: repository.to_string(),
                    dirs: dirs.clone(),
                })
            }),
            ChartSource::Pull(cache) => {
                let p = cache.join(&names[0]);
                if !p.exists() {
                    helm.pull(repository, chart, version, cache)
                        .map_err(|e| Error::Helm(HelmError::NoChartFolder { pull: Box::new(e) }))?;
                }
                Ok(p)
            }
        }
    }
}

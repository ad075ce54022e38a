#!/usr/bin/env bash
# Benchmarks of hagen (not tests): generate, post-render next to kubectl kustomize, verify next to helm, and the
# memory of `hagen audit` on a 100k-pod dump (peak RSS against the input's size; the goal is at most 3×).
# Only the audit part: scripts/bench.sh audit
# Usage: scripts/bench.sh            (BENCH_KUSTOMIZE_50M=1 also runs kustomize on the 50 MB stream: minutes)
# Needs: the pinned charts in ../shared/charts (or $HAGEN_CHARTS), python3; installs helm/kubectl like the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-tools.sh target/tools >/dev/null
cargo build --release -q
hagen=$PWD/target/release/hagen helm=$PWD/target/tools/helm4/helm helm3=$PWD/target/tools/helm3/helm kubectl=$PWD/target/tools/kubectl
charts=${HAGEN_CHARTS:-$(cd ../shared/charts && pwd)}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT

# mean wall time in ms of N runs of a command, and the peak RSS of one run in KB
measure() { # N cmd...
  local n=$1; shift
  local start end
  start=$(date +%s%N)
  for _ in $(seq "$n"); do "$@" >/dev/null 2>&1; done
  end=$(date +%s%N)
  /usr/bin/time -f %M -o "$work/rss" "$@" >/dev/null 2>&1 || true
  awk -v t=$((end - start)) -v n="$n" -v rss="$(cat "$work/rss")" 'BEGIN { printf "%8.1f ms  %7d KB peak", t / n / 1e6, rss }'
}
stdin_measure() { # N input cmd...
  local n=$1 input=$2; shift 2
  local start end
  start=$(date +%s%N)
  for _ in $(seq "$n"); do "$@" <"$input" >/dev/null 2>&1; done
  end=$(date +%s%N)
  /usr/bin/time -f %M -o "$work/rss" "$@" <"$input" >/dev/null 2>&1 || true
  awk -v t=$((end - start)) -v n="$n" -v rss="$(cat "$work/rss")" 'BEGIN { printf "%8.1f ms  %7d KB peak", t / n / 1e6, rss }'
}

audit_memory() {
  echo "== audit memory: peak RSS of one run against the dump's size"
  # A `kubectl get … -A -o json` dump: the healthy fixture's nodes, workloads and pods, its pods copied into 100
  # namespaces (so the catalogue's components keep their own) up to N pods.
  for n in 10000 100000; do
    python3 - tests/fixtures/audit/live/healthy.json "$work/pods-$n.json" "$n" <<'PY'
import json, sys
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
d = json.load(open(src))
pods = [i for i in d["items"] if i["kind"] == "Pod"]
extra, k = [], 0
while len(pods) + len(extra) < n:
    p = json.loads(json.dumps(pods[k % len(pods)]))
    p["metadata"]["namespace"] = "load-%02d" % (k % 100)
    p["metadata"]["name"] = "%s-%06d" % (p["metadata"]["name"], k)
    extra.append(p)
    k += 1
nodes = [i for i in d["items"] if i["kind"] == "Node"]
rest = [i for i in d["items"] if i["kind"] not in ("Node", "Pod")]
d["items"] = nodes + pods + extra + rest
with open(out, "w") as f:
    json.dump(d, f, indent=4, sort_keys=True)
    f.write("\n")
PY
    size=$(stat -c %s "$work/pods-$n.json")
    for input in file stdin; do
      if [ "$input" = file ]; then
        /usr/bin/time -f %M -o "$work/rss" "$hagen" audit "$work/pods-$n.json" >/dev/null 2>&1 || true
      else
        /usr/bin/time -f %M -o "$work/rss" "$hagen" audit - <"$work/pods-$n.json" >/dev/null 2>&1 || true
      fi
      awk -v n="$n" -v s="$size" -v rss="$(cat "$work/rss")" -v how="$input" \
        'BEGIN { printf "%6d pods, %-5s %7.1f MB input, %7.1f MB peak RSS: %.2f x the input\n", n, how, s / 1e6, rss * 1024 / 1e6, rss * 1024 / s }'
    done
    rm -f "$work/pods-$n.json"
  done
}
if [ "${1:-}" = audit ]; then
  audit_memory
  exit 0
fi

echo "== generate (whole process)"
printf 'shipped catalogue (15 components):            %s\n' "$(measure 50 "$hagen" generate --check)"
printf '  next to the process floor, hagen --version:  %s\n' "$(measure 50 "$hagen" --version)"
# The goal: generate --check within 3x the floor, taken pair by pair (one of each in turn) so drift cancels.
python3 - "$hagen" <<'PY'
import statistics, subprocess, sys, time
hagen = sys.argv[1]
def run(*args):
    t = time.perf_counter()
    subprocess.run([hagen, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t
for _ in range(10):
    run("generate", "--check"), run("--version")
pairs = [(run("generate", "--check"), run("--version")) for _ in range(300)]
print("  300 pairs, median ratio generate --check / --version: %.2fx (medians %.2f ms / %.2f ms)" % (
    statistics.median(a / b for a, b in pairs),
    statistics.median(a for a, _ in pairs) * 1e3,
    statistics.median(b for _, b in pairs) * 1e3))
PY
for n in 1 10 50 100; do
  python3 - "$n" "$work/cat-$n.yaml" <<'PY'
import sys, re
n, out = int(sys.argv[1]), sys.argv[2]
text = open("catalog/cluster.yaml").read()
head, rels = text.split("\nreleases:\n", 1)
blocks = re.split(r"(?m)^(?=  - name: )", rels)
body = []
for i in range(n):
    for b in blocks:
        if not b.strip(): continue
        b = re.sub(r"(?m)^  - name: (\S+)", lambda m: f"  - name: {m.group(1)[:40]}-{i}", b, count=1)
        b = re.sub(r"(?m)^    namespace: (\S+)", lambda m: f"    namespace: {m.group(1)[:50]}-{i}", b, count=1)
        body.append(b)
head = head.replace("delivery:\n  flux: true", "delivery:\n  flux: false")
open(out, "w").write(head + "\nreleases:\n" + "".join(body))
PY
  printf 'synthetic %3d × (8 releases, 15 components):  %s\n' "$n" "$(measure 5 "$hagen" generate --catalog "$work/cat-$n.yaml" --out "$work/out-$n")"
done

echo "== post-render"
"$hagen" generate --catalog tests/catalogs/alternatives.yaml --out "$work/alt" >/dev/null 2>&1
patches=$work/alt/kube-prometheus-stack/patches.yaml
"$helm" template kube-prometheus-stack "$charts/kube-prometheus-stack-88.5.3.tgz" -n monitoring \
  -f "$work/alt/kube-prometheus-stack/values.yaml" >"$work/kps.yaml"
python3 - "$work/kps.yaml" "$work/big.yaml" <<'PY'
import sys
src = open(sys.argv[1]).read(); out = [src]; total = len(src); i = 1
while total < 50_000_000:
    t = src.replace("kube-prometheus-stack", "kps%03d" % i); out.append(t); total += len(t); i += 1
open(sys.argv[2], "w").write("\n".join(out))
PY
kust() { # input-file
  local d; d=$(mktemp -d -p "$work")
  cp "$1" "$d/rendered.yaml"
  { echo "resources: [rendered.yaml]"; echo "patches:"; grep -v '^#' "$patches" | sed 's/^/  /'; } >"$d/kustomization.yaml"
  echo "$d"
}
k700=$(kust "$work/kps.yaml")
printf 'kube-prometheus-stack render (%s bytes):\n' "$(stat -c %s "$work/kps.yaml")"
printf '  hagen post-render:   %s\n' "$(stdin_measure 20 "$work/kps.yaml" "$hagen" post-render "$patches")"
printf '  kubectl kustomize:   %s\n' "$(measure 3 "$kubectl" kustomize "$k700")"
printf '50 MB stream (%s bytes):\n' "$(stat -c %s "$work/big.yaml")"
printf '  hagen post-render:   %s\n' "$(stdin_measure 3 "$work/big.yaml" "$hagen" post-render "$patches")"
if [ -n "${BENCH_KUSTOMIZE_50M:-}" ]; then
  printf '  kubectl kustomize:   %s\n' "$(measure 1 "$kubectl" kustomize "$(kust "$work/big.yaml")")"
fi

echo "== verify (8 releases × 2 renders, in parallel) next to single helm renders"
printf 'hagen verify, shipped catalogue:              %s\n' "$(measure 5 "$hagen" verify --charts "$charts" --helm "$helm")"
printf 'slowest single helm template (kube-prometheus-stack): %s\n' \
  "$(measure 5 "$helm" template kube-prometheus-stack "$charts/kube-prometheus-stack-88.5.3.tgz" -n monitoring -f out/kube-prometheus-stack/values.yaml)"
audit_memory
echo "cores: $(nproc)"

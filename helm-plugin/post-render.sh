#!/bin/sh
# hagen's Helm 4 post-renderer plugin: runs `hagen post-render` with the --post-renderer-args Helm passes.
#
# One command line for Helm 3 and 4:
#   --post-renderer hagen --post-renderer-args post-render --post-renderer-args out/<release>/patches.yaml
# Helm 3 runs the `hagen` executable with `post-render out/…`; Helm 4 runs this plugin with the same arguments,
# so a leading `post-render` is accepted and dropped.
#
# Helm 4 discards a post-renderer's stderr: every run starts the log below afresh with a timestamp and the
# release, and every failure (hagen missing, bad arguments, a patch that does not apply) is written to it.
log="${HAGEN_ERROR_LOG:-${XDG_CACHE_HOME:-$HOME/.cache}/hagen/post-render.log}"
mkdir -p "$(dirname "$log")" 2>/dev/null

if [ "$1" = "post-render" ]; then
  shift
fi
case "$1" in
  */patches.yaml) release=$(basename "$(dirname "$1")") ;;
  "") release="?" ;;
  *) release=$(basename "$1") ;;
esac
printf '%s hagen post-render, release %s: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$release" "$*" >"$log" 2>/dev/null

fail() {
  printf 'error: %s\n' "$1" >>"$log" 2>/dev/null
  printf 'hagen plugin: %s (logged to %s)\n' "$1" "$log" >&2
  exit "$2"
}

if [ $# -eq 0 ]; then
  fail "no arguments: expected --post-renderer-args out/<release>/patches.yaml (or the release folder), optionally after --post-renderer-args post-render" 2
fi
case "$1" in
  -*) fail "the first argument must be the patches file or release folder, not the option $1" 2 ;;
esac

bin="${HAGEN_BIN:-hagen}"
if ! command -v "$bin" >/dev/null 2>&1; then
  fail "cannot run $bin: not found on PATH ($PATH); install hagen (cargo install --locked --path .) or set HAGEN_BIN" 127
fi

"$bin" post-render --error-log "$log" "$@"
status=$?
if [ $status -ne 0 ]; then
  printf 'hagen exited with status %s\n' "$status" >>"$log" 2>/dev/null
fi
exit $status

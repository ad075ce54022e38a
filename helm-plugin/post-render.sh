#!/bin/sh
# Runs `hagen post-render` with the --post-renderer-args Helm 4 passes. Helm 4 discards a post-renderer's
# stderr, so hagen also writes the reason of a failure to a log file (printed path below).
log="${HAGEN_ERROR_LOG:-${XDG_CACHE_HOME:-$HOME/.cache}/hagen/post-render.log}"
exec "${HAGEN_BIN:-hagen}" post-render --error-log "$log" "$@"

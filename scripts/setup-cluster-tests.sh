#!/usr/bin/env bash
# Installs what the cluster tests (conductor/test/cluster) need: Debian's redis-server. The tests
# start their own server on a free port with its data in a temp folder, never the system service,
# so the service Debian may set up is left alone. Idempotent: a second run only checks.
set -euo pipefail

log() { echo "[setup-cluster-tests] $*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if command -v redis-server >/dev/null 2>&1; then
  log "$(redis-server --version | cut -d' ' -f1-3) is installed"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
# Refresh the package lists only when apt does not know the package yet (a fresh machine), or when
# installing from the lists it has fails (they name versions the mirror no longer has).
policy=$(apt-cache policy redis-server 2>/dev/null || true)
if [[ "$policy" != *"Candidate: "[0-9]* ]]; then
  log "apt-get update"
  as_root apt-get update -q
fi
log "apt-get install redis-server"
if ! as_root apt-get install -y -q --no-install-recommends redis-server; then
  as_root apt-get update -q
  as_root apt-get install -y -q --no-install-recommends redis-server
fi
log "$(redis-server --version | cut -d' ' -f1-3) installed"

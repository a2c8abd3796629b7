#!/usr/bin/env bash
# Installs what the UI tests (extension/test/ui) need: Debian's Chromium, ripgrep and the Kerberos
# headers, and code-server (VS Code's workbench served to a browser) in a cache folder outside the
# checkout; and Debian's Neovim, the second LSP client language-server/test/neovim.test.ts drives
# the language server from. Idempotent: a second run only checks that everything is in place and returns.
#
# code-server's own postinstall downloads ripgrep from GitHub, which is unreachable here, so the
# package is installed with --ignore-scripts and its native modules are rebuilt by hand (see
# ../shared/notes/real-vscode-and-claude.md, section 1). The pin matters: 4.100.3 embeds VS Code
# 1.100 and runs on Node 20; newer releases need Node 24.
#
#   MOZART_UI_DIR   install folder (default ~/.cache/mozart-ui/code-server); the tests read it too.
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
DIR="${MOZART_UI_DIR:-$HOME/.cache/mozart-ui/code-server}"
STAMP="$DIR/.installed-$CODE_SERVER_VERSION"
DEBIAN_PACKAGES=(libkrb5-dev ripgrep chromium neovim)

log() { echo "[setup-ui-tests] $*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
started=$SECONDS

# --- Debian packages -------------------------------------------------------------------------
missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  # Refresh the package lists only when apt does not know a package yet (a fresh machine), or
  # when installing from the lists it has fails (they name versions the mirror no longer has).
  updated=0
  for pkg in "${missing[@]}"; do
    policy=$(apt-cache policy "$pkg" 2>/dev/null || true)
    if [[ "$policy" != *"Candidate: "[0-9]* ]] && [ $updated -eq 0 ]; then
      log "apt-get update"
      as_root apt-get update -q
      updated=1
    fi
  done
  log "apt-get install ${missing[*]}"
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"; then
    [ $updated -eq 0 ] || exit 1
    log "apt-get update, then install again"
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
  fi
else
  log "Debian packages present: ${DEBIAN_PACKAGES[*]}"
fi

# --- code-server ---------------------------------------------------------------------------
if [ -f "$STAMP" ] && [ -f "$DIR/node_modules/code-server/out/node/entry.js" ]; then
  log "code-server $CODE_SERVER_VERSION already installed in $DIR"
  exit 0
fi

# node-gyp cannot download Node's headers offline; use the installed ones when they exist.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
  export npm_config_nodedir=/usr
fi
# node-pty's build runs node-gyp through npx, which must not stop to ask.
export npm_config_yes=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false

log "installing code-server@$CODE_SERVER_VERSION into $DIR"
rm -rf "$DIR"
mkdir -p "$DIR"
cd "$DIR"
npm install --ignore-scripts --prefix "$DIR" "code-server@$CODE_SERVER_VERSION"

VSCODE="$DIR/node_modules/code-server/lib/vscode"
cd "$VSCODE"
log "installing VS Code's runtime dependencies"
npm install --omit=dev --ignore-scripts
mkdir -p node_modules/@vscode/ripgrep/bin
cp "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
log "rebuilding VS Code's native modules"
npm rebuild @parcel/watcher @vscode/spdlog kerberos native-watchdog node-pty @vscode/deviceid
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sfn code-linux.sh code-server)
(cd bin/helpers && ln -sfn browser-linux.sh browser.sh)
log "installing the built-in extensions' dependencies"
(cd extensions && npm install --omit=dev --ignore-scripts)

cd "$DIR"
log "rebuilding argon2"
npm rebuild argon2

# A smoke test that keeps its config and logs inside $DIR (not ~/.config, ~/.local/share).
XDG_DATA_HOME="$DIR/.xdg-data" node "$DIR/node_modules/code-server/out/node/entry.js" --config "$DIR/config.yaml" --version
touch "$STAMP"
log "code-server $CODE_SERVER_VERSION installed in $DIR in $((SECONDS - started)) s"

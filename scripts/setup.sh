#!/usr/bin/env bash
# Installs everything Sifa needs on a fresh Debian machine, idempotently:
#   Debian packages (scripts/apt-packages.txt), a Python venv from the lock file, npm assets.
# Re-running it when nothing changed takes a second or two (stamps keyed by file hashes).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
PY=${SIFA_PYTHON:-python3}

log() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

# 1. Debian packages ---------------------------------------------------------------------------
mapfile -t want < <(sed -e 's/#.*//' -e '/^\s*$/d' scripts/apt-packages.txt | awk '{print $1}')
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# 2. Python venv from the lock file -------------------------------------------------------------
if [ ! -x .venv/bin/python ]; then
  log "creating .venv"
  "$PY" -m venv .venv
fi
stamp=.venv/.sifa-lock-$(cat requirements/lock.txt pyproject.toml | sha256sum | cut -c1-16)
if [ ! -f "$stamp" ]; then
  log "installing Python packages from requirements/lock.txt"
  .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements/lock.txt
  .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
  rm -f .venv/.sifa-lock-*; touch "$stamp"
fi

# 3. Front-end assets from the npm registry (no CDN at run time) ---------------------------------
if [ -f package-lock.json ]; then
  nstamp=node_modules/.sifa-$(sha256sum package-lock.json | cut -c1-16)
  if [ ! -f "$nstamp" ]; then
    log "installing front-end assets (npm ci)"
    npm ci --silent --no-audit --no-fund --ignore-scripts
    rm -f node_modules/.sifa-*; touch "$nstamp"
  fi
fi

# 4. Trained artefacts that are built, not committed --------------------------------------------
if [ -x scripts/build-artefacts.sh ]; then scripts/build-artefacts.sh; fi

log "ready: $ROOT/.venv/bin/sifa"

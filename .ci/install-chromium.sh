#!/usr/bin/env bash
# Installs Chromium (the Debian package) for the test that renders report.html headless; a no-op when it is there.
set -euo pipefail

if [[ -x /usr/bin/chromium ]]; then
  echo "install-chromium: already installed"
  exit 0
fi

sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-chromium: apt-get needs root or sudo" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq chromium >/dev/null
if [[ ! -x /usr/bin/chromium ]]; then
  echo "install-chromium: apt-get finished but /usr/bin/chromium is missing" >&2
  exit 1
fi
echo "install-chromium: installed"

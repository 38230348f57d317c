#!/usr/bin/env bash
# Installs the Debian packages ktl's build needs, only those that are missing, and says so.
# Usage: tools/install-deps.sh [extra packages...]
set -euo pipefail
needed=(cmake make g++ libeigen3-dev "$@")
missing=()
for pkg in "${needed[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "ktl: installing missing Debian packages: ${missing[*]}"
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
else
  echo "ktl: Debian packages present: ${needed[*]}"
fi

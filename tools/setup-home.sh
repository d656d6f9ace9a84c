#!/usr/bin/env bash
# Per-user state that brownie / py-solc-x keep outside the repo, made idempotently and cheaply
# (run by `make setup` every time; it only touches something when it is missing or stale):
#
#   ~/.solcx/solc-v$SOLC_VERSION  -> symlink to this clone's tools/solc (the solc-js adapter).
#       py-solc-x 2.0.5 considers a version installed when a file named solc-v<version> exists in
#       ~/.solcx (get_installed_solc_versions globs "solc-v*"; get_executable checks .exists()),
#       so brownie's set_solc_version() never reaches install_solc() (a download).
#       The link is re-pointed when it dangles or points at another clone; a regular file
#       (e.g. a real native solc someone installed) is left alone.
#   ~/.brownie/network-config.yaml: network "sepolia" takes its RPC URL from $SEPOLIA_RPC_URL
#       (brownie expands $VARS in a network's host when it connects, see brownie/network/web3.py).
#       Network "development" keeps brownie's default `cmd: anvil` (brownie picks its anvil backend
#       by the command's prefix, so it must stay "anvil", not a path; the Makefile puts
#       node_modules/.bin first on PATH so that it is the npm anvil) and gets
#       cmd_settings.evm_version = prague (-> `anvil --hardfork prague`). This cannot go in
#       brownie-config.yaml: brownie 1.22.2 (mypyc build) crashes merging a project
#       `networks.development.cmd_settings` into the default `cmd_settings: null`.
set -euo pipefail

repo_root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
solc_version="${SOLC_VERSION:-0.8.30}"
adapter="$repo_root/tools/solc"
brownie="$repo_root/.venv/bin/brownie"

# --- solc adapter ----------------------------------------------------------------------------
js_version="$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' "$repo_root/node_modules/solc/package.json" | head -n1)"
if [[ "$js_version" != "$solc_version" ]]; then
  echo "setup-home: node_modules/solc is $js_version but SOLC_VERSION is $solc_version" >&2
  exit 1
fi

solcx_dir="${SOLCX_BINARY_PATH:-$HOME/.solcx}"
target="$solcx_dir/solc-v$solc_version"
mkdir -p "$solcx_dir"
if [[ -L "$target" || ! -e "$target" ]]; then
  if [[ "$(readlink -f "$target" 2>/dev/null || true)" != "$adapter" ]]; then
    ln -sfn "$adapter" "$target"
    echo "setup-home: $target -> $adapter"
  fi
else
  echo "setup-home: $target is a regular file, leaving it alone" >&2
fi

# --- brownie network config --------------------------------------------------------------------
# Wanted entries in ~/.brownie/network-config.yaml (brownie creates the file on first start):
#   development: cmd anvil (brownie's default, unchanged), cmd_settings.evm_version = prague
#   sepolia:     host $SEPOLIA_RPC_URL
network_config="$HOME/.brownie/network-config.yaml"
anvil_hardfork="${ANVIL_HARDFORK:-prague}"
network_todo() {
  [[ -f "$network_config" ]] || { echo "development sepolia"; return; }
  "$repo_root/.venv/bin/python" - "$network_config" "$anvil_hardfork" <<'PY'
import sys, yaml
cfg = yaml.safe_load(open(sys.argv[1]))
dev = {n["id"]: n for n in cfg.get("development", [])}
live = {n["id"]: n for c in cfg.get("live", []) for n in c.get("networks", [])}
todo = []
d = dev.get("development", {})
if d.get("cmd") != "anvil" or (d.get("cmd_settings") or {}).get("evm_version") != sys.argv[2]:
    todo.append("development")
if "sepolia" not in live:
    todo.append("sepolia-missing")
elif live["sepolia"].get("host") != "$SEPOLIA_RPC_URL":
    todo.append("sepolia")
print(" ".join(todo))
PY
}
todo="$(network_todo)"
if [[ " $todo " == *" development "* ]]; then
  "$brownie" networks modify development cmd=anvil "evm_version=$anvil_hardfork" >/dev/null
  echo "setup-home: brownie network 'development' runs anvil --hardfork $anvil_hardfork"
fi
if [[ " $todo " == *" sepolia "* ]]; then
  # single quotes: the literal "$SEPOLIA_RPC_URL" goes into the file
  "$brownie" networks modify sepolia 'host=$SEPOLIA_RPC_URL' 'name=Sepolia (SEPOLIA_RPC_URL)' >/dev/null
  echo "setup-home: brownie network 'sepolia' now uses \$SEPOLIA_RPC_URL"
fi
if [[ " $todo " == *" sepolia-missing "* ]]; then
  "$brownie" networks add Ethereum sepolia 'host=$SEPOLIA_RPC_URL' chainid=11155111 \
    'name=Sepolia (SEPOLIA_RPC_URL)' explorer=https://api-sepolia.etherscan.io/api >/dev/null
  echo "setup-home: brownie network 'sepolia' added, using \$SEPOLIA_RPC_URL"
fi
if [[ -n "$todo" && -n "$(network_todo)" ]]; then
  echo "setup-home: could not update $network_config ($(network_todo))" >&2
  exit 1
fi

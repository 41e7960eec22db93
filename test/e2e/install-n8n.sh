#!/usr/bin/env bash
# Install a real n8n for the end-to-end suite into a cache folder OUTSIDE the repository.
#
#   test/e2e/install-n8n.sh 2   # n8n 2.x (default 2.41.1) + its own Node 24 (from the npm registry)
#   test/e2e/install-n8n.sh 1   # n8n 1.x (default 1.123.81) on the machine's Node 20
#
# Needs only the machine's node + npm and the npm registry (plus python3/make/g++ for node-gyp).
# A finished install is marked with <dir>/.complete, written only after a smoke test (`--version`,
# then import:workflow + execute of a Manual Trigger -> Set workflow with an expression); without
# the marker the folder is wiped and redone, so a half-finished earlier run is harmless.
# A second run with the marker present takes well under a second.
# Measured here: 2.41.1 about 5 min from an empty npm cache (3.1 GB), 1.123.81 about 3-4 min (1.8 GB).
#
# Output: writes <dir>/env.sh and a copy at <cache>/env-v<major>.sh; the last stdout line is
#   N8N_MAJOR=2 N8N_VERSION=2.41.1 N8N_BIN=... NODE_BIN_DIR=... N8N_ENV_FILE=...
# N8N_BIN is a wrapper script that puts the right node first on PATH and runs n8n (for 1.x it also
# defaults N8N_EXPRESSION_ENGINE=legacy). See test/e2e/N8N-NOTES.md for how to run it.
#
# Overrides: N8N_E2E_CACHE, N8N_E2E_V1_VERSION, N8N_E2E_V2_VERSION, N8N_E2E_NODE24_VERSION.
set -euo pipefail

# Nothing of the caller's npm set-up may reach the installs below: `npm run` hands the project's
# .npmrc to its children as npm_config_* variables (ignore_scripts=true among them), which would
# silently turn the native rebuilds into no-ops. Every npm call here says what it needs itself;
# only where packages come from (registry, cache, proxy, certificates) is taken from the caller.
while IFS= read -r name; do
	case "${name,,}" in *registry* | *cache* | *proxy* | *cafile* | *strict_ssl*) ;; *) unset "$name" ;; esac
done < <(env | grep -io '^npm_config_[a-z0-9_]*' || true)

major="${1:-2}"
cache="${N8N_E2E_CACHE:-$HOME/.cache/n8n-nodes-apiinone-e2e}"
node24_version="${N8N_E2E_NODE24_VERSION:-24.21.0}"

case "$major" in
	1) version="${N8N_E2E_V1_VERSION:-1.123.81}" ;;
	2) version="${N8N_E2E_V2_VERSION:-2.41.1}" ;;
	*) echo "usage: $0 1|2" >&2; exit 2 ;;
esac

dir="$cache/n8n-$version"
marker="$dir/.complete"
start=$(date +%s)
log() { echo "[install-n8n $version +$(($(date +%s) - start))s] $*" >&2; }

mkdir -p "$cache"
# One installer per version at a time (parallel CI jobs / two shells).
exec 9>"$cache/n8n-$version.lock"
flock 9

print_result() {
	# shellcheck disable=SC1091
	. "$dir/env.sh"
	cp "$dir/env.sh" "$cache/env-v$major.sh"
	echo "N8N_MAJOR=$N8N_MAJOR N8N_VERSION=$N8N_VERSION N8N_BIN=$N8N_BIN NODE_BIN_DIR=$NODE_BIN_DIR N8N_ENV_FILE=$dir/env.sh"
}

if [[ -f "$marker" && -x "$dir/bin/n8n" ]]; then
	log "cached in $dir"
	print_result
	exit 0
fi

log "installing into $dir (no complete marker: wiping)"
rm -rf "$dir"
mkdir -p "$dir/bin"

npm_flags=(--no-audit --no-fund --ignore-scripts --loglevel=error --no-update-notifier)

if [[ "$major" == 2 ]]; then
	# Node 24 from the registry. The arch-specific package (what `node@24`'s preinstall
	# script fetches) needs no install script and ships the headers node-gyp needs.
	plat="$(node -p 'process.platform + "-" + process.arch')"
	log "installing node-$plat@$node24_version"
	npm install --prefix "$dir/node" "${npm_flags[@]}" --no-save "node-$plat@$node24_version" >&2
	node_home="$dir/node/node_modules/node-$plat"
	node_bin_dir="$node_home/bin"
	"$node_bin_dir/node" --version >/dev/null
else
	node_home="$(cd "$(dirname "$(readlink -f "$(command -v node)")")/.." && pwd)"
	node_bin_dir="$(dirname "$(readlink -f "$(command -v node)")")"
fi
# Headers for node-gyp: the Node 24 package ships include/node; the machine's node has /usr/include/node.
if [[ -f "$node_home/include/node/node.h" ]]; then
	nodedir="$node_home"
elif [[ -f /usr/include/node/node.h ]]; then
	nodedir=/usr
else
	nodedir=""
fi

export PATH="$node_bin_dir:$PATH"
# The machine's ~/.npmrc may set nodedir to the machine's Node: override it for this node.
if [[ -n "$nodedir" ]]; then export npm_config_nodedir="$nodedir"; fi
export JOBS=max

# n8n 1.x's n8n-nodes-base depends on xlsx by a tarball URL on the SheetJS CDN, which is not
# reachable here: point it at the same code republished on the npm registry (@e965/xlsx, which
# n8n 2.x uses itself).
overrides='{}'
if [[ "$major" == 1 ]]; then overrides='{ "xlsx": "npm:@e965/xlsx@0.20.2" }'; fi
mkdir -p "$dir/n8n"
cat >"$dir/n8n/package.json" <<EOF
{ "name": "n8n-e2e-install", "private": true,
  "dependencies": { "n8n": "$version" },
  "overrides": $overrides }
EOF
log "npm install n8n@$version with $(node --version)"
(cd "$dir/n8n" && npm install "${npm_flags[@]}" >&2)

# Native modules n8n needs at run time. sqlite3: built from its bundled source (~2 min; its
# prebuilt download cannot be reached here).
log "npm rebuild sqlite3"
rebuild_flags=(--ignore-scripts=false --no-audit --no-fund --loglevel=error)
(cd "$dir/n8n" && npm rebuild sqlite3 --build-from-source "${rebuild_flags[@]}" >&2)
check_module() {
	if ! out="$(node -e "require('$dir/n8n/node_modules/$1')" 2>&1)"; then
		log "$1 did not build: $(echo "$out" | grep -m1 -E 'Error|error' || echo "$out" | head -n 1)"
		exit 1
	fi
}
check_module sqlite3
# isolated-vm (expression sandbox): 7.x in n8n 2.x ships a linux-x64 prebuild for Node 24
# (abi137), picked up by node-gyp-build without compiling. n8n 1.123.x pulls isolated-vm 6.x via
# @n8n/expression-runtime, which has no build for Node 20 and does not compile against Node 20's
# V8; n8n 1.x only loads it lazily, so it is left unbuilt there.
if [[ "$major" == 2 ]]; then
	log "npm rebuild isolated-vm"
	(cd "$dir/n8n" && npm rebuild isolated-vm "${rebuild_flags[@]}" >&2)
	check_module isolated-vm
fi

# n8n 1.123.66+ defaults to the isolated-vm expression engine ("vm"), which cannot load on
# Node 20 (see above): every expression would fail. The wrapper defaults 1.x to the legacy engine.
engine_line=""
if [[ "$major" == 1 ]]; then engine_line='export N8N_EXPRESSION_ENGINE="${N8N_EXPRESSION_ENGINE:-legacy}"'; fi
cat >"$dir/bin/n8n" <<EOF
#!/usr/bin/env bash
# n8n $version on $(node --version) (generated by install-n8n.sh)
export PATH="$node_bin_dir:\$PATH"
$engine_line
exec "$node_bin_dir/node" "$dir/n8n/node_modules/n8n/bin/n8n" "\$@"
EOF
chmod +x "$dir/bin/n8n"

cat >"$dir/env.sh" <<EOF
# generated by install-n8n.sh; source it. N8N_BIN is a wrapper that puts the right node first
# on PATH (and, for 1.x, defaults N8N_EXPRESSION_ENGINE=legacy).
export N8N_MAJOR=$major
export N8N_VERSION=$version
export N8N_HOME="$dir"
export N8N_BIN="$dir/bin/n8n"
export NODE_BIN_DIR="$node_bin_dir"
EOF

# Smoke: --version, then import + execute a Manual Trigger -> Set workflow with an expression in a
# throwaway user folder (exercises sqlite3, migrations, node loading and the expression engine).
log "smoke: n8n --version, import:workflow, execute"
got="$("$dir/bin/n8n" --version 2>/dev/null | tail -n 1)"
if [[ "$got" != *"$version"* ]]; then
	log "smoke failed: n8n --version printed: $got"
	exit 1
fi
smoke_home="$(mktemp -d)"
trap 'rm -rf "$smoke_home"' EXIT
cat >"$smoke_home/wf.json" <<'EOF'
{ "id": "e2eSmokeWf000001", "name": "smoke", "active": false, "settings": { "executionOrder": "v1" },
  "nodes": [
    { "id": "5a0e0000-0000-4000-8000-000000000001", "name": "Start", "type": "n8n-nodes-base.manualTrigger",
      "typeVersion": 1, "position": [0, 0], "parameters": {} },
    { "id": "5a0e0000-0000-4000-8000-000000000002", "name": "Set", "type": "n8n-nodes-base.set",
      "typeVersion": 1, "position": [200, 0],
      "parameters": { "values": { "number": [ { "name": "two", "value": "={{ 1 + 1 }}" } ] }, "options": {} } } ],
  "connections": { "Start": { "main": [ [ { "node": "Set", "type": "main", "index": 0 } ] ] } } }
EOF
broker_port="$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')"
smoke_env=(env N8N_USER_FOLDER="$smoke_home" N8N_RUNNERS_BROKER_PORT="$broker_port"
	N8N_DIAGNOSTICS_ENABLED=false N8N_VERSION_NOTIFICATIONS_ENABLED=false N8N_TEMPLATES_ENABLED=false
	N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS=true N8N_LOG_OUTPUT=file N8N_LOG_FILE_LOCATION="$smoke_home/n8n.log")
# n8n 2.41.1 on Node 24 has been seen to crash (SIGSEGV) while exiting after a successful `execute`
# on a loaded machine (2026-12-07): the run's result is in the log, so the result decides, and the
# exit status is only reported.
execute_status=0
if "${smoke_env[@]}" "$dir/bin/n8n" import:workflow --input="$smoke_home/wf.json" >/dev/null 2>&1; then
	"${smoke_env[@]}" "$dir/bin/n8n" execute --id=e2eSmokeWf000001 --rawOutput >/dev/null 2>&1 || execute_status=$?
	[ "$execute_status" = 0 ] || log "smoke: n8n execute exited with status $execute_status"
fi
if ! grep -q '\\"two\\": 2' "$smoke_home/n8n.log"; then
	log "smoke failed: import/execute of a Set workflow; n8n log tail:"
	tail -n 20 "$smoke_home/n8n.log" >&2 || true
	exit 1
fi

date -u +%FT%TZ >"$marker"
log "done in $(($(date +%s) - start)) s, $(du -sh "$dir" | cut -f1)"
print_result

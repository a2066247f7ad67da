#!/usr/bin/env bash
# Folder scans at growing size: smtp-doctor next to `rg -l -i smtp` on the same tree.
#
# Builds trees of N copies of a mixed corpus (every fixture project and file of fixtures/, plus
# files that are not mail configuration: READMEs, source without a mail library, JSON), for each
# N given, then times `smtp-doctor check --format concise` and `rg -l -i smtp` on each tree with
# hyperfine and records the peak memory of one smtp-doctor run with /usr/bin/time.
#
# A "dense" tree is the corpus as it is (almost every file is a mail config); in a "sparse"
# tree every copy has 200 ordinary files (notes, JavaScript and Python without a mail library,
# JSON) and only one copy in ten has the corpus (`SPARSE_EVERY=50`: one in fifty). `KIND=real` times real trees that every machine building
# this project has, where mail settings are rare: Python's standard library (12,000 .py files,
# every one read and sniffed for a mail library; smtplib and its tests are found) and the
# cargo registry's sources of this project's dependencies.
#
# Needs hyperfine, ripgrep and GNU time (apt-get install hyperfine ripgrep time).
# Usage: benches/tree-scan.sh [N ...]        (default: 10 50 250)
#        KIND=sparse benches/tree-scan.sh 250
#        KIND=real benches/tree-scan.sh
# Results: target/tree-scan/results.md
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(10 50 250)
kind=${KIND:-dense}
cargo build --release --quiet
bin=$PWD/target/release/smtp-doctor
out=$PWD/target/tree-scan
mkdir -p "$out"
results=$out/results.md
[ -s "$results" ] || printf '| tree | files | smtp-doctor mean s | rg -l mean s | ratio | smtp-doctor CPU s | rg CPU s | CPU ratio | smtp-doctor peak MiB |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|\n' >"$results"

build_tree() { # N DIR
  local n=$1 dir=$2
  rm -rf "$dir"
  mkdir -p "$dir"
  for i in $(seq 1 "$n"); do
    mkdir -p "$dir/copy$i"
    if [ "$kind" != sparse ] || [ $((i % ${SPARSE_EVERY:-10})) -eq 1 ]; then
      cp -r fixtures/. "$dir/copy$i/"
    fi
    if [ "$kind" = sparse ]; then
      for j in $(seq 1 50); do
        printf '# Notes %s\n\nNothing about mail here.\n' "$j" >"$dir/copy$i/note$j.md"
        printf 'export function add%s(a, b) { return a + b; }\n' "$j" >"$dir/copy$i/util$j.js"
        printf 'def add%s(a, b):\n    return a + b\n' "$j" >"$dir/copy$i/util$j.py"
        printf '{"name": "item%s", "size": %s}\n' "$j" "$j" >"$dir/copy$i/item$j.json"
      done
    fi
  done
}

time_tree() { # NAME TREE
  local name=$1 tree=$2 files ours theirs ours_cpu theirs_cpu peak
  files=$(find "$tree" -type f | wc -l)
  hyperfine --warmup 1 --runs 5 -N -i --export-json "$out/$name.json" \
    "$bin check --format concise --exit-zero $tree" \
    "rg -l -i smtp $tree" >/dev/null
  # Wall time, and CPU time (user + system), which a busy machine disturbs less.
  read -r ours theirs ours_cpu theirs_cpu < <(python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["results"]; print(r[0]["mean"], r[1]["mean"], r[0]["user"] + r[0]["system"], r[1]["user"] + r[1]["system"])' "$out/$name.json")
  peak=$(/usr/bin/time -f '%M' "$bin" check --format concise --exit-zero "$tree" 2>&1 >/dev/null | tail -1)
  printf '| %s | %s | %.3f | %.3f | %.1f | %.3f | %.3f | %.1f | %.0f |\n' "$name" "$files" \
    "$ours" "$theirs" "$(python3 -c "print($ours/$theirs)")" \
    "$ours_cpu" "$theirs_cpu" "$(python3 -c "print($ours_cpu/$theirs_cpu)")" \
    "$(python3 -c "print($peak/1024)")" >>"$results"
}

if [ "$kind" = real ]; then
  stdlib=$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
  time_tree python-stdlib "$stdlib"
  time_tree cargo-registry "${CARGO_HOME:-$HOME/.cargo}/registry/src"
  cat "$results"
  exit 0
fi

for n in "${sizes[@]}"; do
  tree=$out/$kind-$n
  build_tree "$n" "$tree"
  time_tree "$kind-$n" "$tree"
  rm -rf "$tree"
done
cat "$results"

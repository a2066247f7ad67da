#!/usr/bin/env bash
# stop.sh [--purge]: stops the lab's Postfix and dnsmasq by the PIDs in their own pid files
# (never by name), waits (bounded) until they are gone. --purge also deletes the run directory.
set -uo pipefail
LAB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN=${LAB_RUN_DIR:-$LAB/run}

alive() { # a zombie counts as gone
  [ -r "/proc/$1/status" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status"
}
stop_pid() { # stop_pid PIDFILE NAME
  local file=$1 name=$2 pid
  [ -s "$file" ] || return 0
  pid=$(tr -dc '0-9' < "$file")
  [ -n "$pid" ] || return 0
  if alive "$pid" && grep -q "$name" "/proc/$pid/comm" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null
    for _ in $(seq 1 100); do alive "$pid" || break; sleep 0.05; done
    alive "$pid" && kill -KILL "$pid" 2>/dev/null
  fi
  rm -f "$file"
}

stop_pid "$RUN/spool/pid/master.pid" master
stop_pid "$RUN/dnsmasq.pid" dnsmasq
if [ "${1:-}" = "--purge" ]; then
  rm -rf "$RUN"
fi
echo "lab: stopped"

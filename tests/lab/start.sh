#!/usr/bin/env bash
# start.sh: starts the smtp-doctor server lab on loopback addresses.
#   Postfix (one instance, own config dir) plays four providers on 127.0.0.2/.3/.4/.9,
#   Cyrus SASL (private sasldb) holds the users, dnsmasq serves A/MX/SRV/TXT on 127.0.0.1:5353.
# Needs root (Postfix's master binds the ports, then drops privileges).
# Every path comes from this script's folder; the run directory is ./run or $LAB_RUN_DIR.
# Writes RUN/lab.env (LAB_CA, LAB_DNS, LAB_RUN_DIR, LAB_MAILDIR, LAB_MAILLOG) and waits, bounded,
# until every port listens. Exits non-zero with a hint when something is missing.
set -euo pipefail

LAB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUN=${LAB_RUN_DIR:-$LAB/run}
PF=$RUN/postfix
DNS_PORT=${LAB_DNS_PORT:-5353}
WAIT_SECS=${LAB_WAIT_SECS:-10}
PORTS=(127.0.0.2:587 127.0.0.3:587 127.0.0.3:465 127.0.0.4:587 127.0.0.9:587 127.0.0.9:465 127.0.0.9:10465)
HINT="install the lab's packages with: sudo $LAB/install-deps.sh"

die() { echo "lab: $*" >&2; exit 1; }

# ---- preconditions ----
if [ "$(id -u)" -ne 0 ]; then
  die "must run as root (Postfix's master binds the ports, then drops privileges): sudo $0"
fi
missing=()
for b in postfix postconf dnsmasq saslpasswd2 openssl ss runuser; do
  command -v "$b" >/dev/null 2>&1 || [ -x "/usr/sbin/$b" ] || missing+=("$b")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "lab: missing programs: ${missing[*]}" >&2
  echo "lab: $HINT" >&2
  exit 3
fi
export PATH=$PATH:/usr/sbin:/sbin
[ -e /usr/lib/x86_64-linux-gnu/sasl2/libplain.so ] || ls /usr/lib/*/sasl2/libplain.so >/dev/null 2>&1 \
  || { echo "lab: the SASL PLAIN module is missing (libsasl2-modules)" >&2; echo "lab: $HINT" >&2; exit 3; }

# A running lab is stopped first, so start.sh always leaves a fresh, known state.
"$LAB/stop.sh" >/dev/null 2>&1 || true

mkdir -p "$RUN"/{postfix/sasl,spool,data,log,mail,tls}
# Postfix's daemons (user postfix) must reach files under RUN: every parent must be searchable.
if ! runuser -u postfix -- test -x "$RUN"; then
  die "user postfix cannot reach $RUN (a parent directory is not world-searchable); use LAB_RUN_DIR=/tmp/smtp-lab $0"
fi

# ---- certificates ----
"$LAB/gen-certs.sh" "$RUN/tls"
chgrp postfix "$RUN"/tls/*.key

# ---- Postfix config ----
render() { sed -e "s|@RUN@|$RUN|g" -e "s|@PF@|$PF|g" -e "s|@PORT@|$DNS_PORT|g" "$1" > "$2"; }
render "$LAB/conf/main.cf.in" "$PF/main.cf"
cp "$LAB/conf/master.cf" "$PF/master.cf"
cp "$LAB/conf/sender_login" "$PF/sender_login"
render "$LAB/conf/smtpd.conf.in" "$PF/sasl/smtpd.conf"
# Postfix waits for config files younger than ~2 s to "settle"; make them look older.
touch -d '-1 min' "$PF/main.cf" "$PF/master.cf" "$PF/sender_login"
chown postfix:postfix "$RUN/data"
chown 65534:65534 "$RUN/mail"
chmod 700 "$RUN/mail"

# ---- SASL users (login = user@realm) ----
rm -f "$PF/sasl/sasldb2"
while read -r login password; do
  case $login in ''|'#'*) continue ;; esac
  printf '%s' "$password" | saslpasswd2 -p -c -f "$PF/sasl/sasldb2" -u "${login#*@}" "${login%@*}"
done < "$LAB/conf/users.txt"
chown root:postfix "$PF/sasl" "$PF/sasl"/*
chmod 750 "$PF/sasl"
chmod 640 "$PF/sasl"/*
runuser -u postfix -- test -r "$PF/sasl/sasldb2" || die "user postfix cannot read $PF/sasl/sasldb2"

# ---- DNS ----
render "$LAB/conf/dnsmasq.conf.in" "$RUN/dnsmasq.conf"
: > "$RUN/log/dnsmasq.log"
chown 65534 "$RUN/log/dnsmasq.log"
dnsmasq --conf-file="$RUN/dnsmasq.conf" || die "dnsmasq did not start (is 127.0.0.1:$DNS_PORT taken? see $RUN/log/dnsmasq.log)"

# ---- Postfix ----
if ! postfix -c "$PF" start >"$RUN/log/postfix-start.log" 2>&1; then
  cat "$RUN/log/postfix-start.log" >&2
  tail -n 20 "$RUN/log/maillog" 2>/dev/null >&2 || true
  die "postfix did not start (see $RUN/log/maillog)"
fi

# ---- wait for every port (bounded) ----
deadline=$(( $(date +%s%N) + WAIT_SECS * 1000000000 ))
while :; do
  listening=$(ss -Hltn 2>/dev/null | awk '{print $4}')
  udp=$(ss -Hlun 2>/dev/null | awk '{print $4}')
  pending=()
  for p in "${PORTS[@]}"; do grep -qxF "$p" <<<"$listening" || pending+=("$p"); done
  grep -qxF "127.0.0.1:$DNS_PORT" <<<"$udp" || pending+=("udp 127.0.0.1:$DNS_PORT")
  [ ${#pending[@]} -eq 0 ] && break
  if [ "$(date +%s%N)" -gt "$deadline" ]; then
    tail -n 20 "$RUN/log/maillog" 2>/dev/null >&2 || true
    die "not listening after ${WAIT_SECS}s: ${pending[*]}"
  fi
  sleep 0.05
done

cat > "$RUN/lab.env" <<ENV
LAB_RUN_DIR=$RUN
LAB_CA=$RUN/tls/ca.crt
LAB_DNS=127.0.0.1:$DNS_PORT
LAB_MAILDIR=$RUN/mail/inbox
LAB_MAILLOG=$RUN/log/maillog
ENV
echo "lab: up (Postfix on ${PORTS[*]}; DNS on 127.0.0.1:$DNS_PORT; CA $RUN/tls/ca.crt)"

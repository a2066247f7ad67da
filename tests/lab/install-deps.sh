#!/usr/bin/env bash
# Installs what the server lab (tests/lab/start.sh) and its benchmark need, from Debian packages.
# Idempotent: does nothing when everything is there; runs `apt-get update` only when something
# is missing. Needs root (or sudo). Never starts a system mail server.
set -euo pipefail

pkgs=(
  postfix            # the SMTP servers (one instance, several loopback addresses)
  dnsmasq-base       # DNS data on 127.0.0.1:5353 (binary only, no init script, no :53)
  sasl2-bin          # saslpasswd2: the private sasldb with the lab users
  libsasl2-modules   # PLAIN / LOGIN mechanisms
  libsasl2-modules-db
  openssl            # the private CA and server certificates
  ca-certificates
  iproute2           # ss: wait for listening ports
  swaks              # benchmark baseline and manual pokes
  libnet-ssleay-perl libio-socket-ssl-perl libauthen-sasl-perl  # swaks TLS + AUTH
  hyperfine          # tests/lab/bench.sh
)

missing=()
for p in "${pkgs[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "lab dependencies: all installed"
  exit 0
fi

SUDO=
if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; fi

echo "lab dependencies: installing ${missing[*]}"
# "No configuration": the package installs binaries only; no /etc/postfix/main.cf, no system MTA.
echo "postfix postfix/main_mailer_type select No configuration" | $SUDO debconf-set-selections
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"

# On a systemd machine the package may have enabled a system Postfix; the lab does not need it
# and shares nothing with it. Leave it alone, but say so.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet postfix 2>/dev/null; then
  echo "note: a system postfix is running; the lab uses its own instance and does not touch it"
fi
echo "lab dependencies: done"

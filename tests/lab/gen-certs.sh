#!/usr/bin/env bash
# gen-certs.sh OUTDIR: a throw-away private CA and one ECDSA P-256 server certificate per lab
# provider (SAN, serverAuth, CA:FALSE). Keeps files that already exist, so a restart is fast.
set -euo pipefail
out=${1:?usage: gen-certs.sh OUTDIR}
mkdir -p "$out"
cd "$out"

if [ ! -s ca.crt ] || [ ! -s ca.key ]; then
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout ca.key -out ca.crt -days 3650 \
    -subj "/O=smtp-doctor lab/CN=smtp-doctor lab CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  rm -f ./*.lab.crt
fi

# name  SAN list
certs=(
  "smtp.mail.me.com DNS:smtp.mail.me.com"
  "smtp.gmail.com DNS:smtp.gmail.com"
  "smtp-mail.outlook.com DNS:smtp-mail.outlook.com,DNS:smtp.office365.com"
  "lab.smtp-doctor.invalid DNS:lab.smtp-doctor.invalid"
)
for entry in "${certs[@]}"; do
  name=${entry%% *}
  san=${entry#* }
  [ -s "$name.crt" ] && [ -s "$name.key" ] && [ "$name.crt" -nt ca.crt ] && continue
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -keyout "$name.key" -out "$name.csr" -subj "/O=smtp-doctor lab/CN=$name" 2>/dev/null
  printf 'subjectAltName=%s\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n' \
    "$san" > "$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial \
    -days 825 -sha256 -extfile "$name.ext" -out "$name.crt" 2>/dev/null
  rm -f "$name.csr" "$name.ext"
done
chmod 644 ./*.crt
chmod 640 ./*.key

#!/usr/bin/env bash
# bench-compare.sh — eutl and xmlsec1 side by side, with the ratios.
#
# usage: scripts/bench-compare.sh [DIR]
#   DIR is an offline cache directory (lotl.xml and <TERRITORY>.xml, as
#   `eutl fetch` or a hand-made snapshot leaves it). Without DIR, the real
#   2026 set is assembled from $EUTL_REAL_TL_DIR (LOTL 390 and tl-2026/).
#
# Measured, each one after another on the same machine:
#   1. the whole set: `eutl lists --offline` (every list verified, in
#      parallel) against `xmlsec1 --verify` over the same files one after
#      another — wall time, CPU time (user+sys), peak RSS (eutl: of the run;
#      xmlsec1: of its largest file);
#   2. `eutl check --offline` on that warm cache, without and with --country;
#   3. one generated 20 MB list: `eutl verify --cert` against xmlsec1 with the
#      same certificate — time and peak RSS.
# Needs: go, xmlsec1, GNU time (/usr/bin/time). The xmlsec1 invocation checks
# the signature value and every reference (same-document URIs only); it does
# not pin the signer or check XAdES, so it does less than eutl.
set -euo pipefail
cd "$(dirname "$0")/.."
AT=${AT:-2026-08-20}        # inside the real 2026 lists' validity
GEN_AT=${GEN_AT:-2026-06-01} # inside the generated list's validity
TIME=/usr/bin/time
command -v xmlsec1 >/dev/null || { echo "bench-compare: xmlsec1 not installed (apt-get install -y xmlsec1)" >&2; exit 2; }
[ -x "$TIME" ] || { echo "bench-compare: GNU time not found at $TIME" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
CGO_ENABLED=0 go build -trimpath -o "$work/eutl" ./cmd/eutl # as make build
eutl="$work/eutl"

dir=${1:-}
if [ -z "$dir" ]; then
  src=${EUTL_REAL_TL_DIR:?give a cache directory or set EUTL_REAL_TL_DIR}
  dir="$work/set"
  mkdir -p "$dir"
  cp "$src/lotl/eu-lotl-seq390-2026-08-03.xml" "$dir/lotl.xml"
  for f in "$src"/tl-2026/*.xml; do
    cc=$(basename "$f" | cut -d- -f1 | tr a-z A-Z)
    cp "$f" "$dir/$cc.xml"
  done
fi
files=("$dir/lotl.xml")
for f in "$dir"/[A-Z][A-Z].xml; do files+=("$f"); done

xmlsec() {
  xmlsec1 --verify --insecure --enabled-reference-uris empty,same-doc \
    --id-attr:Id "http://uri.etsi.org/02231/v2#:TrustServiceStatusList" \
    --id-attr:Id "http://uri.etsi.org/01903/v1.3.2#:SignedProperties" "$@" >/dev/null 2>&1 || true
}

# measure CMD... prints "wall cpu rss_kib" of one run.
measure() {
  "$TIME" -f '%e %U %S %M' -o "$work/t" "$@" >/dev/null 2>&1 || true
  tail -1 "$work/t" | awk '{printf "%.3f %.3f %d\n", $1, $2 + $3, $4}'
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }

bytes=$(cat "${files[@]}" | wc -c)
largest=$(ls -S "${files[@]}" | head -1)
echo "set: ${#files[@]} files, $((bytes / 1024 / 1024)) MiB, in $dir (largest: $(basename "$largest"), $(($(wc -c <"$largest") / 1024)) KiB)"

# 1. The whole set. A first eutl run warms the page cache and eutl's cache
# metadata, as on a machine in use.
"$eutl" lists --offline --cache-dir "$dir" --at "$AT" -q >/dev/null 2>&1 || true
read -r ew ec er <<<"$(measure "$eutl" lists --offline --cache-dir "$dir" --at "$AT" -q)"
xw=0 xc=0 xr=0
start=$(date +%s.%N)
for f in "${files[@]}"; do
  read -r w c r <<<"$(measure bash -c "$(declare -f xmlsec); xmlsec '$f'")"
  xc=$(awk -v a="$xc" -v b="$c" 'BEGIN { print a + b }')
  [ "$r" -gt "$xr" ] && xr=$r
done
xw=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.3f", e - s }')
read -r _ _ lr <<<"$(measure bash -c "$(declare -f xmlsec); xmlsec '$largest'")"
printf '\n%-44s %10s %10s %12s\n' "whole set" "wall s" "CPU s" "peak RSS MiB"
printf '%-44s %10s %10s %12s\n' "eutl lists --offline" "$ew" "$ec" "$((er / 1024))"
printf '%-44s %10s %10s %12s\n' "xmlsec1, one file after another" "$xw" "$xc" "$((xr / 1024))"
printf '%-44s %10s %10s %12s\n' "xmlsec1 on the largest file" "" "" "$((lr / 1024))"
printf '%-44s %10s %10s %12s\n' "ratio eutl / xmlsec1" "$(ratio "$ew" "$xw")" "$(ratio "$ec" "$xc")" "$(ratio "$er" "$lr")"
echo "  (targets: wall <= 0.20, CPU <= 0.35, peak RSS <= 2 x xmlsec1's largest file)"

# 2. check on the warm cache.
read -r aw _ _ <<<"$(measure "$eutl" check --offline --cache-dir "$dir" --at "$AT" -q --provider "Belgian Mobile ID" --service qval)"
read -r cw _ _ <<<"$(measure "$eutl" check --offline --cache-dir "$dir" --at "$AT" -q --provider "Belgian Mobile ID" --service qval --country BE)"
printf '\n%-44s %10s\n' "eutl check, warm cache" "wall s"
printf '%-44s %10s\n' "every list re-verified (no --country)" "$aw"
printf '%-44s %10s\n' "--country BE" "$cw"
echo "  (targets: <= 0.200 and <= 0.030)"

# 3. One generated 20 MB list.
go test ./pkg/xmldsig -run TestWriteLargeList -count=1 -args -write-large="$work/big.xml" >/dev/null
read -r bw bc br <<<"$(measure "$eutl" verify "$work/big.xml" --cert "$work/big.xml.pem" --at "$GEN_AT" -q)"
read -r vw vc vr <<<"$(measure bash -c "$(declare -f xmlsec); xmlsec --enabled-key-data key-name --pubkey-cert-pem '$work/big.xml.pem' '$work/big.xml'")"
size=$(wc -c <"$work/big.xml")
printf '\n%-44s %10s %10s %12s\n' "generated list ($((size / 1024 / 1024)) MiB)" "wall s" "CPU s" "peak RSS MiB"
printf '%-44s %10s %10s %12s\n' "eutl verify --cert" "$bw" "$bc" "$((br / 1024))"
printf '%-44s %10s %10s %12s\n' "xmlsec1 --verify" "$vw" "$vc" "$((vr / 1024))"
printf '%-44s %10s %10s %12s\n' "ratio eutl / xmlsec1" "$(ratio "$bw" "$vw")" "$(ratio "$bc" "$vc")" "$(ratio "$br" "$vr")"
printf '%-44s %10s\n' "eutl peak RSS / file size" "$(ratio "$((br * 1024))" "$size")"
echo "  (targets: time <= 0.50, peak RSS <= 2 x the file)"

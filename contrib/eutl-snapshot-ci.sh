#!/usr/bin/env bash
# eutl-snapshot-ci.sh — one verified snapshot of the EU Trusted Lists for a
# whole CI fleet (see README, "CI recipe").
#
#   eutl-snapshot-ci.sh publish DEST      scheduled job: eutl fetch, eutl snapshot
#                                         create, then publish the file to DEST
#                                         (a directory, or an http(s) URL taking PUT)
#   eutl-snapshot-ci.sh gate URL ARGS...  gating job: eutl --snapshot URL check ARGS...
#                                         exits with check's exit code (0 qualified,
#                                         3 not qualified, 4 trust, 5 fetch)
#
# Environment: EUTL (the eutl binary, default eutl), EUTL_CACHE_DIR,
# EUTL_TRUST_ANCHORS, EUTL_LOTL_URL (as for eutl), SNAPSHOT_NAME (default
# eutl-snapshot.zip), EUTL_AT (an instant for --at, default now).
set -euo pipefail

EUTL=${EUTL:-eutl}
NAME=${SNAPSHOT_NAME:-eutl-snapshot.zip}
at=()
if [ -n "${EUTL_AT:-}" ]; then at=(--at "$EUTL_AT"); fi

case "${1:-}" in
publish)
	dest=${2:?usage: $0 publish DEST}
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	# fetch updates the cache; a list that fails is reported (exit 4/5) and
	# left out of the snapshot, which still serves every list that verified.
	rc=0
	"$EUTL" fetch --quiet "${at[@]}" >/dev/null || rc=$?
	if [ "$rc" -ne 0 ] && [ "$rc" -ne 4 ] && [ "$rc" -ne 5 ]; then exit "$rc"; fi
	rc=0
	"$EUTL" snapshot create "$work/$NAME" --offline --quiet "${at[@]}" >/dev/null || rc=$?
	if [ ! -s "$work/$NAME" ]; then
		echo "eutl-snapshot-ci: no snapshot written (exit $rc)" >&2
		exit "$rc"
	fi
	case "$dest" in
	http://* | https://*)
		curl --fail --silent --show-error --upload-file "$work/$NAME" "${dest%/}/$NAME"
		;;
	*)
		mkdir -p "$dest"
		# publish atomically: readers see the old file or the new one
		cp "$work/$NAME" "$dest/.$NAME.tmp"
		mv -f "$dest/.$NAME.tmp" "$dest/$NAME"
		;;
	esac
	echo "eutl-snapshot-ci: published $NAME (exit $rc from snapshot create)" >&2
	exit "$rc"
	;;
gate)
	url=${2:?usage: $0 gate URL ARGS...}
	shift 2
	exec "$EUTL" --snapshot "$url" "${at[@]}" check "$@"
	;;
*)
	sed -n '2,16p' "$0" >&2
	exit 2
	;;
esac

#!/usr/bin/env bash
# A library must not replace C library functions in its users' programs: no global symbol that
# libminidl.a defines may also be one the C library (libc, libm) exports, such as getenv, malloc
# or exp. A definition in the program would take the place of libc's for every caller in the
# process, libgomp and OpenBLAS included.
#
#   tests/programs/no_libc_symbols.sh path/to/libminidl.a [nm]
set -euo pipefail
library="$1"
nm="${2:-nm}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# Global symbols the library defines (T text, D/B/R data, W/V weak, u unique, i indirect).
"$nm" --defined-only --extern-only --format=posix "$library" |
  awk 'NF >= 2 && $2 ~ /^[TDBRWVui]$/ { print $1 }' | sort -u >"$work/library"
test -s "$work/library" || { echo "no symbols read from $library" >&2; exit 1; }

# What libc and libm export, without symbol versions (getenv@@GLIBC_2.2.5 -> getenv).
: >"$work/libc"
for name in libc.so.6 libm.so.6; do
  file="$(${CC:-cc} -print-file-name="$name")"
  test -f "$file" || { echo "cannot find $name" >&2; exit 1; }
  "$nm" -D --defined-only "$file" | awk '{ sub(/@.*/, "", $NF); print $NF }' >>"$work/libc"
done
sort -u -o "$work/libc" "$work/libc"
grep -qx getenv "$work/libc" || { echo "getenv not among the C library's symbols" >&2; exit 1; }

clashes="$(comm -12 "$work/library" "$work/libc")"
if [[ -n "$clashes" ]]; then
  echo "$library defines C library symbols: $(echo $clashes)" >&2
  exit 1
fi
echo "$(wc -l <"$work/library") global symbols in $library, none of them the C library's"

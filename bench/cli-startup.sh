#!/usr/bin/env bash
# Start-up cost of the memshare CLI on the JIT and as a NativeAOT binary: `memshare get NAME` on a string slot,
# run N times each (interleaved): median wall time (date +%s%N around /usr/bin/time) and median peak RSS.
# Usage: bench/cli-startup.sh [RUNS]   (default 10; needs /usr/bin/time, Debian package 'time')
# Builds both (Release) unless JIT_DLL and NATIVE name existing builds (a Memshare.Cli.dll and a native Memshare.Cli).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
out=$(mktemp -d)
trap '[ -n "${jit:-}" ] && $jit rm "${name:-}" >/dev/null 2>&1; rm -rf "$out"' EXIT

if [ -z "${JIT_DLL:-}" ]; then
  dotnet build src/Memshare.Cli -c Release -o "$out/jit" -nologo -v quiet >/dev/null
  JIT_DLL="$out/jit/Memshare.Cli.dll"
fi
if [ -z "${NATIVE:-}" ]; then
  dotnet publish src/Memshare.Cli -c Release -r linux-x64 -p:PublishAot=true --artifacts-path "$out/build" -o "$out/native" -nologo -v quiet >/dev/null
  NATIVE="$out/native/Memshare.Cli"
fi
jit="dotnet $JIT_DLL"
native="$NATIVE"
name="cli-startup-$$"
$jit set "$name" "This is a test string" >/dev/null

measure() { # label, command...: appends "microseconds KiB" to $out/r-$label (wall includes time(1)'s own exec)
  local label=$1 t0 t1; shift
  t0=$(date +%s%N)
  /usr/bin/time -f "%M" -o "$out/t" "$@" get "$name" >/dev/null
  t1=$(date +%s%N)
  echo "$(( (t1 - t0) / 1000 )) $(cat "$out/t")" >> "$out/r-$label"
}
median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

measure jit $jit; measure native "$native"   # warm the page cache; not counted
: > "$out/r-jit"; : > "$out/r-native"
for _ in $(seq "$runs"); do measure jit $jit; measure native "$native"; done

printf '%-7s %8s %14s   (%s runs, median)\n' cli wall peak-RSS "$runs"
for label in jit native; do
  wall=$(cut -d' ' -f1 "$out/r-$label" | median)
  rss=$(cut -d' ' -f2 "$out/r-$label" | median)
  awk -v l="$label" -v w="$wall" -v r="$rss" 'BEGIN { printf "%-7s %6.1f ms %9.1f MiB\n", l, w / 1000, r / 1024 }'
done
echo "native binary: $(du -h "$native" | cut -f1)"

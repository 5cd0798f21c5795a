#!/bin/sh
# Weft's footprint beside Go (docs/benchmarks.md, "Footprint"): start time of `weft --version`, time
# from a tunnel client's start to the first byte echoed back through it, the idle client's RSS, its
# peak while 256 MiB go through, and its RSS once idle again. Prints a markdown table (min / median /
# max over RUNS) and the load average; tools/Footprint.java takes the figures.
#
#   bench/footprint.sh [RUNS=7] [IDLE_AFTER_SECONDS=15]
#   WEFT_FOOTPRINT_NO_BUILD=1 bench/footprint.sh   # reuse cli/target's jar and dist tarball, bench/target's Go peer
#
# Subjects: weft from ./build dist (bin/weft: jlink image + AppCDS), weft.jar on the JDK through ./weft,
# each as `weft tunnel` (client --connect/--from, server --listen/--to, TCP between them) and as a
# `weft stdio` pair joined by pipes; and the Go yamux peer of the interop tests (yamux/src/test/go,
# hashicorp/yamux) in its yamux-cli mode, `weftpeer stdio`, as a pair joined by pipes. No Go yamux-cli
# is packaged by Debian (apt-cache search yamux: only the libraries), and weftpeer stdio is yamux-cli's
# copy loop, so it stands in for it. Linux only (/proc). Needs go (golang-go) and Debian's
# golang-github-hashicorp-yamux-dev, as the interop tests do.
set -e
root=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$root"
. "$root/tools/jdk.sh"
weft_find_jdk
runs=${1:-7}
idle=${2:-15}
out="$root/bench/target/footprint"
mkdir -p "$out"
load=$(cut -d' ' -f1-3 /proc/loadavg)
if [ -z "${WEFT_FOOTPRINT_NO_BUILD:-}" ]; then
    echo "[footprint] building the jar, the dist image and the Go peer (log: $out/build.log)" >&2
    { ./weft --version && ./build dist; } >"$out/build.log" 2>&1 || { tail -30 "$out/build.log" >&2; exit 1; }
    GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$out/gocache" GOFLAGS='' \
        go build -o "$out/weftpeer" yamux/src/test/go/weftpeer/main.go
fi
tarball=$(ls "$root"/cli/target/weft-*-linux-*.tar.gz | head -n 1)
rm -rf "$out/dist" && mkdir -p "$out/dist" && tar -C "$out/dist" -xzf "$tarball"
dist=$(ls -d "$out"/dist/weft-*)/bin/weft
jar="$root/weft"
go="$out/weftpeer"
echo "load average before: $load ($(nproc) cores); $(uname -m); runs: $runs"
opts='-q'
"$JAVA_HOME/bin/java" "$root/tools/Footprint.java" "$runs" "$idle" \
    "weft tunnel (dist)" "$dist --version" \
        "$dist tunnel $opts --listen 127.0.0.1:{PORT} --to 127.0.0.1:{TARGET}" \
        "$dist tunnel $opts --connect 127.0.0.1:{PORT} --from 127.0.0.1:{ENTRY}" \
    "weft tunnel (jar, ./weft)" "$jar --version" \
        "$jar tunnel $opts --listen 127.0.0.1:{PORT} --to 127.0.0.1:{TARGET}" \
        "$jar tunnel $opts --connect 127.0.0.1:{PORT} --from 127.0.0.1:{ENTRY}" \
    "weft stdio pair (dist)" "$dist --version" \
        "pipe:$dist stdio $opts 127.0.0.1 {TARGET}" \
        "$dist stdio $opts -l 127.0.0.1 {ENTRY}" \
    "Go yamux peer, stdio pair" "$go" \
        "pipe:$go stdio 127.0.0.1 {TARGET}" \
        "$go stdio -l 127.0.0.1 {ENTRY}"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"

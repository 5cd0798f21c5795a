#!/bin/sh
# Weft's end-to-end comparison (docs/benchmarks.md): builds the libraries, the bench module and the
# Go peer, checks the machine is idle, then runs every cell side by side in one run and prints a
# markdown table (also written to bench/target/benchmarks-table.md; raw logs in bench/target/bench-logs).
#
#   bench/run.sh                      # the default run (netpoll + yamux + yamux2): 3 rounds, 5 s warm-up (Java: until the JIT is quiet) + 2 s measured per cell
#   bench/run.sh --suite yamux2       # only issue 12's cells: latency under bulk (+ latency-under-bulk.svg), 8-stream
#                                     # bulk, churn, platform-thread round trips, idle memory at 10k/100k streams
#   bench/run.sh --suite tls          # only the TLS cells (~4 min); --suite all: default + tls
#   bench/run.sh --suite netpoll      # or yamux; other options: --rounds N --warmup S --measure S --heap
#                                     # --epoll-virtual-pollers (extra netpoll column)
#   WEFT_BENCH_NO_BUILD=1 bench/run.sh   # reuse bench/target/benchmarks.jar and the Go peer as built
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 1
. "$root/tools/jdk.sh"
weft_find_jdk || exit 1
mkdir -p bench/target
command_line="bench/run.sh${*:+ $*}"
if [ -z "${WEFT_BENCH_NO_BUILD:-}" ]; then
    # Sampled before building: afterwards the 1-minute load average mostly shows the build.
    load=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null) || load="0 0 0"
    echo "[bench] load average before building: $load ($(nproc 2>/dev/null || echo ?) cores)" >&2
    set -- --load-before-build "$load" "$@"
    echo "[bench] building (./build package -pl bench -am -DskipTests), log in bench/target/build.log" >&2
    # One retry: a build running at the same time in the same tree can clobber target/ once.
    if ! ./build package -pl bench -am -DskipTests -q > bench/target/build.log 2>&1 \
        && { echo "[bench] build failed; retrying once" >&2; \
             ! ./build package -pl bench -am -DskipTests -q > bench/target/build.log 2>&1; }; then
        tail -40 bench/target/build.log >&2
        echo "[bench] build failed" >&2
        exit 1
    fi
    if command -v go >/dev/null 2>&1; then
        echo "[bench] building the Go peer ($(go version | cut -d' ' -f3), hashicorp/yamux from /usr/share/gocode)" >&2
        GO111MODULE=off GOPATH=${WEFT_GOPATH:-/usr/share/gocode} GOCACHE=${GOCACHE:-${TMPDIR:-/tmp}/weft-bench-gocache} \
            go build -o bench/target/weftbench ./bench/src/main/go/weftbench \
            || echo "[bench] WARNING: the Go peer did not build; Go cells will read n/a" >&2
    else
        echo "[bench] WARNING: no go on PATH; Go cells will read n/a" >&2
    fi
fi
[ -f bench/target/benchmarks.jar ] || { echo "[bench] bench/target/benchmarks.jar is missing" >&2; exit 1; }
exec "$JAVA_HOME/bin/java" --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar \
    io.weft.bench.Compare --go bench/target/weftbench --command "$command_line" "$@"

#!/bin/sh
# Measures whether an idle `weft echo` gives memory back: starts it with the JVM options given,
# prints its RSS (VmRSS from /proc, MiB) before load, the peak during the load, and then every
# STEP seconds of idle. The load: LOAD=bench (default) runs `weft bench ADDR ARGS` (default
# --duration 2s --streams 1000 --size 256KiB); LOAD=hold runs tools/MemoryLoad.java ADDR ARGS
# (sessions x streams that fill their windows and never read, held a few seconds).
# Linux only; the jar must be built (./weft --version builds it).
# Usage: [LOAD=bench|hold] tools/idle-rss.sh "JVM OPTIONS" [IDLE_SECONDS=60] [STEP=10] [LOAD ARGS...]
# Example: tools/idle-rss.sh "-XX:+UseParallelGC"; LOAD=hold tools/idle-rss.sh "-XX:+UseG1GC" 60 10 10 200
set -e
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/tools/jdk.sh"
weft_find_jdk
opts=$1; idle=${2:-60}; step=${3:-10}
shift $(( $# < 3 ? $# : 3 ))
load=${LOAD:-bench}
[ $# -gt 0 ] || [ "$load" != bench ] || set -- --duration 2s --streams 1000 --size 256KiB
java="$JAVA_HOME/bin/java"
jar="$root/cli/target/weft.jar"
log=$(mktemp)
# shellcheck disable=SC2086
"$java" --enable-native-access=ALL-UNNAMED $opts -jar "$jar" echo --listen 127.0.0.1:0 2>"$log" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -f "$log"' EXIT
while ! addr=$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$log") || [ -z "$addr" ]; do sleep 0.1; done
rss() { awk '/^VmRSS/ {printf "%d", $2 / 1024}' "/proc/$pid/status"; }
sleep 2
echo "options: $opts; load: $load $*"
echo "before load: $(rss) MiB"
if [ "$load" = hold ]; then
    "$java" --enable-native-access=ALL-UNNAMED -cp "$jar" "$root/tools/MemoryLoad.java" "$addr" "$@" >/dev/null 2>&1 &
else
    "$java" --enable-native-access=ALL-UNNAMED -jar "$jar" bench "$addr" "$@" >/dev/null 2>&1 &
fi
bench=$!
peak=0
while kill -0 $bench 2>/dev/null; do
    r=$(rss); [ "$r" -gt "$peak" ] && peak=$r
    sleep 0.2
done
echo "peak under load: $peak MiB"
t=0
while [ $t -lt "$idle" ]; do
    sleep "$step"; t=$((t + step))
    echo "idle ${t}s: $(rss) MiB"
done

#!/bin/sh
# bin/weft of the ./build dist image: runs lib/weft/weft.jar on the image's own Java runtime (no JDK
# needed), with the AppCDS archive lib/weft/weft.jsa for a fast start. Works when symlinked onto PATH.
# JVM options: lib/weft/jvm.options, then $JAVA_OPTS, then $WEFT_OPTS (later ones win); when one of
# them or JAVA_TOOL_OPTIONS picks a collector, the file's collector lines are left out.
set -e
self=$0
while [ -L "$self" ]; do # follow symlinks to the real script
    link=$(readlink "$self")
    case $link in /*) self=$link ;; *) self=$(dirname "$self")/$link ;; esac
done
home=$(cd "$(dirname "$self")/.." && pwd -P)
app="$home/lib/weft"
. "$app/jvm-opts.sh"
opts=$(weft_jvm_opts "$app/jvm.options")
# A stale or foreign archive is skipped by the JVM (-Xshare:auto), never fatal. It saves start time
# and memory: an idle tunnel client's RSS was 95 MiB with -Xshare:off, 76 MiB with it (docs/benchmarks.md).
cds="-XX:SharedArchiveFile=$app/weft.jsa"
[ -f "$app/weft.jsa" ] || cds=""
# Only for the image's own Java (25; the flag is not in every JDK 21 build, so ./weft does not pass
# it): every second give the C heap's free pages back (malloc_trim), which the JIT's arenas leave
# behind after start and after a load. An idle tunnel client 4 s after its first byte: 70.6 MiB with
# a 10 s interval (not trimmed yet), 63.9 MiB with 1 s. A trim takes 0.3 ms on its own thread when
# there is nothing to give back, 2-3 ms when there is (-Xlog:trimnative).
cds="$cds -XX:TrimNativeHeapInterval=1000"
unset JAVA_HOME
# shellcheck disable=SC2086 # one option per word
exec "$home/bin/java" $opts $cds ${JAVA_OPTS:-} ${WEFT_OPTS:-} -jar "$app/weft.jar" "$@"

#!/bin/sh
# Runs Maven on a JDK >= 21 (found by tools/jdk.sh), whatever the default java is.
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/tools/jdk.sh"
weft_find_jdk || exit 1
if [ "$(weft_java_feature "$JAVA_HOME")" -ge 24 ]; then
    # Maven 3.8's bundled Guava warns about sun.misc.Unsafe on JDK 24+.
    MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"; export MAVEN_OPTS
fi
command -v mvn >/dev/null 2>&1 || { echo "weft: needs Maven 3.8+ on PATH (apt-get install maven)" >&2; exit 1; }
exec mvn "$@"

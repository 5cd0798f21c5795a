# Sourced by ./weft, ./build and .ci/run: finds a JDK >= 21 and exports JAVA_HOME.
# Order: $JAVA_HOME when it is new enough, then the usual install locations (newest first),
# then the java on PATH. Prints one line and returns 1 when none is found.
# WEFT_JDK_SEARCH_PATH (colon-separated directories of JDKs) replaces the install locations; tests use it.

weft_java_feature() { # prints the feature version of the JDK at $1, or nothing
    [ -x "$1/bin/java" ] && [ -x "$1/bin/javac" ] || return 0
    "$1/bin/java" -XshowSettings:properties -version 2>&1 \
        | sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

weft_find_jdk() {
    weft_min=21
    if [ -n "${JAVA_HOME:-}" ]; then
        v=$(weft_java_feature "$JAVA_HOME")
        if [ -n "$v" ] && [ "$v" -ge "$weft_min" ]; then export JAVA_HOME; return 0; fi
    fi
    best=""; best_v=0
    search=${WEFT_JDK_SEARCH_PATH:-/usr/lib/jvm:/usr/java:/opt/java:/opt:/Library/Java/JavaVirtualMachines:$HOME/.sdkman/candidates/java:$HOME/.jdks}
    old_ifs=$IFS; IFS=:
    for dir in $search; do
        for cand in "$dir"/* "$dir"/*/Contents/Home; do
            [ -d "$cand" ] || continue
            v=$(weft_java_feature "$cand")
            if [ -n "$v" ] && [ "$v" -ge "$weft_min" ] && [ "$v" -gt "$best_v" ]; then best=$cand; best_v=$v; fi
        done
    done
    IFS=$old_ifs
    if [ -z "$best" ] && [ -z "${WEFT_JDK_SEARCH_PATH:-}" ] && command -v javac >/dev/null 2>&1; then
        cand=$(dirname "$(dirname "$(readlink -f "$(command -v javac)")")")
        v=$(weft_java_feature "$cand")
        if [ -n "$v" ] && [ "$v" -ge "$weft_min" ]; then best=$cand; fi
    fi
    if [ -z "$best" ]; then
        echo "weft: needs a JDK $weft_min or newer (found none in JAVA_HOME, /usr/lib/jvm or on PATH); install one or set JAVA_HOME to it" >&2
        return 1
    fi
    JAVA_HOME=$best; export JAVA_HOME
}

#!/bin/sh
# ./build dist: makes cli/target/weft-VERSION-linux-x64.tar.gz, a weft that needs no JDK:
#   weft-VERSION/bin/weft          the launcher (works when symlinked onto PATH)
#   weft-VERSION/bin/java, lib/    a jlink runtime image with only the JDK modules weft's jars use
#   weft-VERSION/lib/weft/         weft.jar, weft.jsa (AppCDS archive), jvm.options, jvm-opts.sh
# The modules are what `jdeps --print-module-deps` finds in weft.jar (every runtime dependency of
# cli is shaded into it, so a new dependency brings its modules along). Needs a JDK >= 22 (the epoll
# module's floor) with jlink; a JDK without jmods links from its own run-time image.
# Extra arguments go to Maven (e.g. ./build dist -o).
set -e
root=$(cd "$(dirname "$0")/.." && pwd -P)
cd "$root"
. "$root/tools/jdk.sh"
. "$root/tools/jvm-opts.sh"
weft_find_jdk || exit 1
jdk=$JAVA_HOME
if [ "$(weft_java_feature "$jdk")" -lt 22 ] || [ ! -x "$jdk/bin/jlink" ]; then
    echo "weft dist: needs a JDK 22 or newer with jlink (found $jdk); set JAVA_HOME to one" >&2
    exit 1
fi
case "$(uname -s)-$(uname -m)" in
    Linux-x86_64) platform=linux-x64 ;;
    Linux-aarch64) platform=linux-aarch64 ;;
    *) echo "weft dist: only Linux is supported (epoll); this is $(uname -s)-$(uname -m)" >&2; exit 1 ;;
esac
echo "weft dist: building cli/target/weft.jar" >&2
"$root/tools/mvn.sh" -q -B -ntp -Dstyle.color=never -DskipTests -Dmaven.javadoc.skip=true -Dmaven.source.skip=true -pl cli -am "$@" package
jar="$root/cli/target/weft.jar"
version=$(sed -n 's/^version=//p' "$root/cli/target/classes/io/weft/cli/version.properties")
name="weft-$version"
work="$root/cli/target/dist"
image="$work/$name"
rm -rf "$work"
mkdir -p "$work"

# Every module weft.jar uses directly (--list-deps, not the reduced --print-module-deps, which leaves
# out what another listed module brings along), less java.desktop, java.sql and java.xml: only
# jackson-databind (--config) names them, as optional modules (`requires static`; it checks for
# their types and works without them), and java.desktop alone is most of an image.
modules=$("$jdk/bin/jdeps" --multi-release "$(weft_java_feature "$jdk")" --ignore-missing-deps -q \
    --list-deps "$jar" | sed 's/^ *//' | grep -v -x -e java.desktop -e java.sql -e java.xml | paste -sd, -)
echo "weft dist: jlink $modules" >&2
"$jdk/bin/jlink" --add-modules "$modules" --output "$image" \
    --strip-debug --no-header-files --no-man-pages --compress zip-6

app="$image/lib/weft"
mkdir -p "$app"
# picocli's Java 5 class files would stay out of the CDS archive; with stack maps they go in
# (tools/UpgradeClassFiles.java says why; it needs the JDK 24+ class-file API).
if [ "$(weft_java_feature "$jdk")" -ge 24 ]; then
    upgraded=$("$jdk/bin/java" "$root/tools/UpgradeClassFiles.java" "$jar" "$app/weft.jar")
    echo "weft dist: $upgraded Java 5 class files upgraded for CDS" >&2
else
    cp "$jar" "$app/weft.jar"
    echo "weft dist: JDK $(weft_java_feature "$jdk") has no class-file API; picocli stays out of the CDS archive" >&2
fi
cp "$root/tools/jvm.options" "$root/tools/jvm-opts.sh" "$app/"
cp "$root/tools/dist-launcher.sh" "$image/bin/weft"
chmod 755 "$image/bin/weft"
cp "$root/LICENSE" "$image/LICENSE"

# AppCDS: training runs record the classes weft loads as users start it (--version, a demo, a TCP
# tunnel's two ends with traffic and a SIGTERM drain; tools/CdsTraining.java), then a static
# archive of them is dumped. The class path is the jar's absolute path here; the JVM accepts the
# archive after the whole directory moves (same layout, same file times: tar keeps them).
echo "weft dist: AppCDS training runs (--version, demo, tunnel)" >&2
opts=$(JAVA_TOOL_OPTIONS='' JDK_JAVA_OPTIONS='' JAVA_OPTS='' WEFT_OPTS='' weft_jvm_opts "$app/jvm.options")
# shellcheck disable=SC2086
"$jdk/bin/java" "$root/tools/CdsTraining.java" "$work/training" "$work/classes.lst" "$app/weft.jar" \
    -- "$image/bin/java" $opts >"$work/training.log" 2>&1 || { cat "$work/training.log" >&2; exit 1; }
# shellcheck disable=SC2086
"$image/bin/java" $opts -Xshare:dump -XX:SharedClassListFile="$work/classes.lst" \
    -XX:SharedArchiveFile="$app/weft.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off -cp "$app/weft.jar" \
    >"$work/dump.log" 2>&1 || { cat "$work/dump.log" >&2; exit 1; }
"$image/bin/weft" --version >/dev/null

tarball="$root/cli/target/$name-$platform.tar.gz"
tar -C "$work" -czf "$tarball" "$name"
echo "weft dist: $tarball ($(du -k "$tarball" | cut -f1) KiB; unpacked $(du -sk "$image" | cut -f1) KiB)" >&2

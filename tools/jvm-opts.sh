# Sourced by ./weft and by bin/weft of the ./build dist image: the JVM options of the weft command.
# weft_jvm_opts FILE prints FILE's options (one per line; blank lines and # comments dropped).
# When the user picks a collector (-XX:+Use...GC in JAVA_TOOL_OPTIONS, JDK_JAVA_OPTIONS, JAVA_OPTS
# or WEFT_OPTS), FILE's collector lines (-XX:+Use...GC and -XX:...G1...) are left out: the JVM
# refuses to start with two collectors, and the user's choice wins.
weft_user_picks_gc() {
    case " ${JAVA_TOOL_OPTIONS:-} ${JDK_JAVA_OPTIONS:-} ${JAVA_OPTS:-} ${WEFT_OPTS:-} " in
        *-XX:+Use*GC*) return 0 ;;
    esac
    return 1
}

weft_jvm_opts() {
    if weft_user_picks_gc; then
        sed -e 's/#.*//' -e '/^[[:space:]]*$/d' -e '/-XX:[+-]Use[A-Za-z0-9]*GC/d' -e '/-XX:[+-]\{0,1\}G1/d' "$1"
    else
        sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$1"
    fi
}


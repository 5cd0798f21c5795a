package io.weft.netpoll.epoll;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/**
 * The FFM downcall handles behind {@link LibC}, one holder class per libc function, so a handle
 * is linked when its function is first called and not before.
 *
 * <p>Linking is the expensive part of a cold start: each function type spins a stub class and its
 * method-handle adapters, 5-15 ms apiece in an interpreted JVM, 0.1-0.2 s for all of them. A
 * process that only checks that the binding works ({@code weft --version} calls {@code close(-1)})
 * links one; a process about to listen or dial can link the rest ahead of time on another thread
 * with {@link #linkAll()}. Class initialisation makes each link happen once, whichever thread
 * gets there first; the others wait for it. A {@code static final} handle in an initialised class
 * is a constant to the JIT, as it was as a field of {@link LibC}.
 *
 * <p>Calls other than {@code epoll_wait} and {@code poll} are linked critical, with heap access
 * (see {@link LibC}). Stateless; any thread.
 */
@SuppressWarnings("restricted") // binding libc is this class's purpose; callers check native access first
final class Downcalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final SymbolLookup LIBC = LINKER.defaultLookup();
    private static final Linker.Option CAPTURE = Linker.Option.captureCallState("errno");
    private static final Linker.Option CRITICAL = Linker.Option.critical(true);

    private Downcalls() {}

    /**
     * Links every handle not linked yet, in about the order a TCP listener or dialer first needs
     * them, and returns how many handles there are; takes 0.1-0.2 s on a cold JVM. Throws what linking throws: {@link LinkageError} (an
     * {@link ExceptionInInitializerError} or, once one holder failed, {@link NoClassDefFoundError})
     * when libc lacks a symbol or native access is denied.
     */
    static int linkAll() {
        MethodHandle[] linked = {
            Close.HANDLE, Socket.HANDLE, SetSockOpt.HANDLE, Bind.HANDLE, Listen.HANDLE, GetSockName.HANDLE,
            EpollCreate1.HANDLE, EventFd.HANDLE, EpollCtl.HANDLE, EpollWait.HANDLE, Connect.HANDLE,
            GetSockOpt.HANDLE, GetPeerName.HANDLE, Accept4.HANDLE, Write.HANDLE, WriteV.HANDLE, Read.HANDLE,
            ReadV.HANDLE, Send.HANDLE, Shutdown.HANDLE, Poll.HANDLE
        };
        return linked.length;
    }

    /** The libc functions behind the holders below, in the order {@link #linkAll} links them. */
    static final java.util.List<String> SYMBOLS = java.util.List.of("close", "socket", "setsockopt", "bind",
            "listen", "getsockname", "epoll_create1", "eventfd", "epoll_ctl", "epoll_wait", "connect", "getsockopt",
            "getpeername", "accept4", "write", "writev", "read", "readv", "send", "shutdown", "poll");

    /**
     * The first of {@link #SYMBOLS} libc does not export, or {@code null} when it exports them all.
     * A look-up only, links nothing (microseconds): the availability check calls it so that a libc
     * without one of them makes the backend unavailable (and nio the choice) up front, rather than
     * failing the first call that needs it.
     */
    static String firstMissingSymbol() {
        for (String name : SYMBOLS) {
            if (LIBC.find(name).isEmpty()) {
                return name;
            }
        }
        return null;
    }

    private static MethodHandle critical(String name, MemoryLayout result, MemoryLayout... args) {
        return LINKER.downcallHandle(symbol(name), FunctionDescriptor.of(result, args), CAPTURE, CRITICAL);
    }

    /** Blocking calls are not critical: their arguments must be native memory. */
    private static MethodHandle blocking(String name, MemoryLayout result, MemoryLayout... args) {
        return LINKER.downcallHandle(symbol(name), FunctionDescriptor.of(result, args), CAPTURE);
    }

    private static MemorySegment symbol(String name) {
        return LIBC.find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no symbol " + name));
    }

    static final class Close {
        static final MethodHandle HANDLE = critical("close", JAVA_INT, JAVA_INT);
    }

    static final class Socket {
        static final MethodHandle HANDLE = critical("socket", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT);
    }

    static final class SetSockOpt {
        static final MethodHandle HANDLE =
                critical("setsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    }

    static final class Bind {
        static final MethodHandle HANDLE = critical("bind", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    }

    static final class Listen {
        static final MethodHandle HANDLE = critical("listen", JAVA_INT, JAVA_INT, JAVA_INT);
    }

    static final class GetSockName {
        static final MethodHandle HANDLE = critical("getsockname", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    }

    static final class EpollCreate1 {
        static final MethodHandle HANDLE = critical("epoll_create1", JAVA_INT, JAVA_INT);
    }

    static final class EventFd {
        static final MethodHandle HANDLE = critical("eventfd", JAVA_INT, JAVA_INT, JAVA_INT);
    }

    static final class EpollCtl {
        static final MethodHandle HANDLE = critical("epoll_ctl", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS);
    }

    static final class EpollWait {
        static final MethodHandle HANDLE = blocking("epoll_wait", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT);
    }

    static final class Connect {
        static final MethodHandle HANDLE = critical("connect", JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT);
    }

    static final class GetSockOpt {
        static final MethodHandle HANDLE =
                critical("getsockopt", JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    }

    static final class GetPeerName {
        static final MethodHandle HANDLE = critical("getpeername", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS);
    }

    static final class Accept4 {
        static final MethodHandle HANDLE = critical("accept4", JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT);
    }

    static final class Write {
        static final MethodHandle HANDLE = critical("write", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    }

    static final class WriteV {
        static final MethodHandle HANDLE = critical("writev", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    }

    static final class Read {
        static final MethodHandle HANDLE = critical("read", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);
    }

    static final class ReadV {
        static final MethodHandle HANDLE = critical("readv", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    }

    static final class Send {
        static final MethodHandle HANDLE = critical("send", JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    }

    static final class Shutdown {
        static final MethodHandle HANDLE = critical("shutdown", JAVA_INT, JAVA_INT, JAVA_INT);
    }

    static final class Poll {
        static final MethodHandle HANDLE = blocking("poll", JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    }
}

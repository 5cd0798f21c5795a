package io.weft.bench;

import io.weft.netpoll.Conn;
import io.weft.netpoll.Listener;
import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * The few Weft entry points the harness needs to set a cell up ({@code Net.listen},
 * {@code Net.dial}, {@code Session.client/server}, {@code openStream}, {@code acceptStream}).
 *
 * <p>They are looked up by name once, so the harness compiles and runs against a library that is
 * still missing pieces and reports those cells as unavailable instead of failing to build. Only
 * set-up goes through here; every measured read and write is a direct {@link Conn} call.
 * Used from any thread; holds no state besides the resolved handles.
 */
final class WeftLibrary {

    private static final MethodHandles.Lookup LOOKUP = MethodHandles.publicLookup();

    private WeftLibrary() {}

    /** {@code Net.listen("tcp", address)}. */
    static Listener listen(String address) throws IOException {
        MethodHandle listen = find("io.weft.netpoll.Net", "listen",
                MethodType.methodType(Listener.class, String.class, String.class));
        return (Listener) invoke(listen, "tcp", address);
    }

    /** {@code Net.dial("tcp", address)}. */
    static Conn dial(String address) throws IOException {
        MethodHandle dial = find("io.weft.netpoll.Net", "dial",
                MethodType.methodType(Conn.class, String.class, String.class));
        return (Conn) invoke(dial, "tcp", address);
    }

    /** Opens one stream on a new client session over {@code conn} with default configuration. */
    static Conn yamuxClientStream(Conn conn) throws IOException {
        Object session = newSession("client", conn);
        MethodHandle open = findVirtual(session.getClass(), "openStream");
        return (Conn) invoke(open, session);
    }

    /** Accepts one stream on a new server session over {@code conn} with default configuration. */
    static Conn yamuxServerStream(Conn conn) throws IOException {
        Object session = newSession("server", conn);
        MethodHandle accept = findVirtual(session.getClass(), "acceptStream");
        return (Conn) invoke(accept, session);
    }

    /** Whether the named Weft class is on the class path. */
    static boolean present(String className) {
        try {
            Class.forName(className, false, WeftLibrary.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static Object newSession(String side, Conn conn) throws IOException {
        Class<?> configType = load("io.weft.yamux.YamuxConfig");
        Class<?> sessionType = load("io.weft.yamux.Session");
        MethodHandle defaults = find(configType.getName(), "defaults", MethodType.methodType(configType));
        MethodHandle factory = find(sessionType.getName(), side,
                MethodType.methodType(sessionType, Conn.class, configType));
        return invoke(factory, conn, invoke(defaults));
    }

    private static Class<?> load(String name) {
        try {
            return Class.forName(name, true, WeftLibrary.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new UnsupportedOperationException(name + " is not in this build of Weft", e);
        }
    }

    private static MethodHandle find(String className, String method, MethodType type) {
        try {
            return LOOKUP.findStatic(load(className), method, type);
        } catch (ReflectiveOperationException e) {
            throw new UnsupportedOperationException(className + "." + method + type + " is missing", e);
        }
    }

    private static MethodHandle findVirtual(Class<?> owner, String method) {
        // The public type declaring the method, not a possibly hidden implementation class.
        try {
            return LOOKUP.findVirtual(owner, method, MethodType.methodType(load("io.weft.yamux.Stream")));
        } catch (ReflectiveOperationException e) {
            throw new UnsupportedOperationException(owner.getName() + "." + method + "() is missing", e);
        }
    }

    private static Object invoke(MethodHandle handle, Object... args) throws IOException {
        try {
            return handle.invokeWithArguments(args);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException(e);
        }
    }
}

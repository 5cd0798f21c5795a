package io.weft.netpoll;

import io.weft.netpoll.nio.NioTransport;
import io.weft.netpoll.spi.Transport;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;

/**
 * One poller backend ("epoll" or "nio") with {@link Net}'s listen and dial methods, for code that
 * wants a particular backend (benchmarks, tests) rather than the system's choice.
 *
 * <h2>Choosing</h2>
 * {@link #system()} is what {@link Net} uses, chosen once per JVM: the value of the system
 * property {@code weft.netpoll.poller} ({@code epoll} or {@code nio}) when set; otherwise epoll
 * when its module ({@code weft-netpoll-epoll}) is present and usable (Linux, native access
 * enabled), else nio. When Linux falls back to nio, one WARNING line is logged saying why; on
 * Java 21, where the epoll module (compiled for Java 22) cannot load, the fallback is expected and
 * logged at DEBUG only.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Poller {
    /** The system property that forces a backend: "epoll" or "nio". */
    public static final String PROPERTY = "weft.netpoll.poller";

    private static final System.Logger LOG = System.getLogger(Poller.class.getName());

    private final Transport transport;

    private Poller(Transport transport) {
        this.transport = transport;
    }

    private static final class SystemChoice {
        static final Poller POLLER = choose();
    }

    /** Providers are loaded once, so every Poller of a name shares one transport and its threads. */
    private static final class Providers {
        static final Map<String, Object> FOUND = loadProviders();
    }

    private static final class Nio {
        static final Poller POLLER = new Poller(new NioTransport());
    }

    /** The backend {@link Net} uses; see the class comment. */
    public static Poller system() {
        return SystemChoice.POLLER;
    }

    /**
     * Starts loading the poller providers, checking whether each can run here and {@linkplain
     * Transport#prepare preparing} those that can on a new daemon thread, and returns at once.
     * For the epoll backend that links its native calls (FFM downcall handles, 0.1-0.2 s of a
     * cold JVM's time), so a program that calls this first thing, before parsing its arguments,
     * finds {@link #system()} and its first listen or dial ready sooner. Logs nothing and
     * chooses nothing: the choice and its one fallback line still come from the first {@link
     * #system()}, which waits for the check if it is still running. Failures are left for that
     * call to report. Optional; calling it more than once only starts more threads that find the
     * work done.
     */
    public static void prepareInBackground() {
        Thread prepare = new Thread(Poller::prepare, "weft-netpoll-prepare");
        prepare.setDaemon(true);
        prepare.start();
    }

    private static void prepare() {
        try {
            for (Object provider : Providers.FOUND.values()) {
                if (provider instanceof Transport transport && transport.unavailableReason() == null) {
                    transport.prepare();
                }
            }
        } catch (RuntimeException | LinkageError e) {
            // system() runs the same code on its own thread and reports what fails there.
        }
    }

    /**
     * The backend called {@code name}.
     *
     * @throws IllegalArgumentException when no backend has that name
     * @throws IllegalStateException when it exists but cannot run here; the message says why
     */
    public static Poller named(String name) {
        return named(name, Providers.FOUND);
    }

    private static Poller named(String name, Map<String, Object> found) {
        String wanted = Objects.requireNonNull(name, "name").strip().toLowerCase(Locale.ROOT);
        if (wanted.equals("nio")) {
            return Nio.POLLER;
        }
        Object provider = found.get(wanted);
        if (provider == null) {
            throw new IllegalArgumentException("unknown poller \"" + name + "\"; want " + String.join(" or ", names(found)));
        }
        if (provider instanceof ProviderFailure failure) {
            throw new IllegalStateException("poller " + wanted + " is unavailable: " + failure.reason());
        }
        Transport transport = (Transport) provider;
        String reason = transport.unavailableReason();
        if (reason != null) {
            throw new IllegalStateException("poller " + wanted + " is unavailable: " + reason);
        }
        return new Poller(transport);
    }

    /** The names of the backends present, usable or not: always "nio", plus e.g. "epoll". */
    public static List<String> names() {
        return names(Providers.FOUND);
    }

    private static List<String> names(Map<String, Object> found) {
        List<String> names = new ArrayList<>(found.keySet());
        names.add("nio");
        return names;
    }

    private static Poller choose() {
        return choose(System.getProperty(PROPERTY), Providers.FOUND, System.getProperty("os.name", ""), LOG);
    }

    /**
     * The system choice as a function of its inputs: the forced name (or {@code null}), the
     * providers found (name to provider, or to the {@link ProviderFailure} that kept it from
     * loading), the OS name, and where the fallback warning goes. An expected failure (epoll on
     * Java 21) is logged at DEBUG only. Visible for testing.
     */
    static Poller choose(String forced, Map<String, Object> found, String osName, System.Logger log) {
        if (forced != null && !forced.isBlank()) {
            return named(forced, found);
        }
        Object epoll = found.get("epoll");
        String reason;
        boolean expected = false;
        if (epoll instanceof Transport transport) {
            reason = transport.unavailableReason();
            if (reason == null) {
                return new Poller(transport);
            }
        } else if (epoll instanceof ProviderFailure failure) {
            reason = failure.reason();
            expected = failure.expected();
        } else {
            reason = "the weft-netpoll-epoll module is not on the class or module path";
        }
        if (osName.toLowerCase(Locale.ROOT).startsWith("linux") && !expected) {
            log.log(Level.WARNING, "weft netpoll: using the nio poller instead of epoll: " + reason);
        } else {
            log.log(Level.DEBUG, "weft netpoll: using the nio poller: " + reason);
        }
        return Nio.POLLER;
    }

    private static Map<String, Object> loadProviders() {
        return loadProviders(Poller.class.getClassLoader(), Runtime.version().feature());
    }

    /**
     * Provider name to the provider, or to the {@link ProviderFailure} that kept it from loading,
     * for the providers {@code loader} finds on a JVM of feature version {@code javaFeature}.
     * Visible for testing.
     */
    static Map<String, Object> loadProviders(ClassLoader loader, int javaFeature) {
        Map<String, Object> found = new LinkedHashMap<>();
        Iterator<Transport> providers = ServiceLoader.load(Transport.class, loader).iterator();
        while (true) {
            try {
                if (!providers.hasNext()) {
                    break;
                }
                Transport transport = providers.next();
                found.putIfAbsent(transport.name().toLowerCase(Locale.ROOT), transport);
            } catch (ServiceConfigurationError | LinkageError e) {
                // A provider that cannot load (e.g. compiled for a newer JDK) is reported, not fatal.
                found.putIfAbsent("epoll", ProviderFailure.of(e, javaFeature));
                if (e instanceof LinkageError) {
                    break;
                }
            }
        }
        found.remove("nio");
        return found;
    }

    /** This backend's name: "epoll" or "nio". */
    public String name() {
        return transport.name();
    }

    /** Like {@link Net#listen(String, String)}, on this backend (15 s TCP keep-alive; see {@link ListenConfig}). */
    public Listener listen(String network, String address) throws IOException {
        return new ListenConfig().withPoller(this).listen(network, address);
    }

    /** Like {@link Net#dial(String, String)}, on this backend (see {@link Dialer} for the defaults). */
    public Conn dial(String network, String address) throws IOException {
        return dial(network, address, null);
    }

    /** Like {@link Net#dial(String, String, Duration)}, on this backend (see {@link Dialer}). */
    public Conn dial(String network, String address, Duration timeout) throws IOException {
        return new Dialer().withPoller(this).withTimeout(timeout).dial(network, address);
    }

    /** The backend itself, for {@link Dialer} and {@link ListenConfig}. */
    Transport transport() {
        return transport;
    }

    @Override
    public String toString() {
        return "Poller[" + name() + "]";
    }
}

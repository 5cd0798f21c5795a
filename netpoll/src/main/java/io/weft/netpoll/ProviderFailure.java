package io.weft.netpoll;

/**
 * Why a poller backend found by {@link java.util.ServiceLoader} could not be loaded, and whether
 * that is expected here. The epoll module is compiled for Java 22 (its FFM API is final there): on
 * Java 21 loading it fails with {@link UnsupportedClassVersionError}, which is the documented
 * nio fallback and not worth a warning; any other failure is.
 *
 * @param reason the text that follows "using the nio poller: " in the log, and "unavailable: " when
 *     the backend is forced
 * @param expected {@code true} when the failure is the normal state of this JVM (logged at DEBUG);
 *     {@code false} when it points at a broken install (logged as a WARNING on Linux)
 */
record ProviderFailure(String reason, boolean expected) {

    /** The Java feature version the epoll module is compiled for. */
    static final int EPOLL_MIN_JAVA = 22;

    /**
     * Classifies a failure to load a provider.
     *
     * @param error what {@link java.util.ServiceLoader} threw
     * @param javaFeature the running JVM's feature version ({@code Runtime.version().feature()})
     */
    static ProviderFailure of(Throwable error, int javaFeature) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof UnsupportedClassVersionError && javaFeature < EPOLL_MIN_JAVA) {
                return new ProviderFailure("the epoll module needs Java " + EPOLL_MIN_JAVA + " or newer (this is Java "
                        + javaFeature + ")", true);
            }
        }
        return new ProviderFailure("it failed to load: " + error, false);
    }
}

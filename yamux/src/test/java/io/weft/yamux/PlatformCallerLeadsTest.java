package io.weft.yamux;

/** {@link CallerLeadsContract} with platform-thread callers, which lead whatever the session's stream count. */
class PlatformCallerLeadsTest extends CallerLeadsContract {
    @Override
    Thread.Builder callers() {
        return Thread.ofPlatform().daemon();
    }
}

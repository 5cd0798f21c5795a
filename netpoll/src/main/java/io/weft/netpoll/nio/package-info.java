/**
 * The portable poller backend: non-blocking java.nio channels and a {@link java.nio.channels.Selector}
 * thread (virtual on Linux with JDK 25+, else platform) with read interest kept armed while its
 * reader keeps waiting. Not exported; reached through {@code io.weft.netpoll.Poller}.
 */
package io.weft.netpoll.nio;

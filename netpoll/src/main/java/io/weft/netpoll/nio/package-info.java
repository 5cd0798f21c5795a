/**
 * The portable poller backend: non-blocking java.nio channels and a {@link java.nio.channels.Selector}
 * thread with one-shot interest. Not exported; reached through {@code io.weft.netpoll.Poller}.
 */
package io.weft.netpoll.nio;

/** The Linux epoll poller, reached through FFM; found by {@link java.util.ServiceLoader}. */
package io.weft.netpoll.epoll;

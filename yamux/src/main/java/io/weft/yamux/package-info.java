/**
 * Weft yamux: {@link io.weft.yamux.Session} multiplexes {@link io.weft.yamux.Stream}s over one
 * connection, wire-compatible with hashicorp/yamux. See docs/yamux.md.
 */
package io.weft.yamux;

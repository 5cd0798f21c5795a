/**
 * The yamux wire format: the 12-byte frame header, frame types, flags and GoAway codes. Pure
 * values and functions with no threads or I/O, usable on their own (for example to dump a
 * capture).
 */
package io.weft.yamux.frame;

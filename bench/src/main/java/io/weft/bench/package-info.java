/** JMH micro-benchmarks and the end-to-end comparison harness. */
package io.weft.bench;

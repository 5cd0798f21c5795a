package io.weft.cli;

import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * A {@link System.Logger} for tests that keeps every message (the format, unformatted) with its
 * level; every level is loggable. Thread-safe: the code under test may log from its own threads.
 */
final class RecordingLogger implements System.Logger {

    private record Entry(Level level, String message) {}

    private final List<Entry> entries = new CopyOnWriteArrayList<>();

    /** The messages logged so far, oldest first. */
    List<String> messages() {
        return entries.stream().map(Entry::message).toList();
    }

    /** How many messages were logged at {@code level}. */
    long count(Level level) {
        return entries.stream().filter(e -> e.level() == level).count();
    }

    @Override
    public String getName() {
        return "test";
    }

    @Override
    public boolean isLoggable(Level level) {
        return true;
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
        entries.add(new Entry(level, msg));
    }

    @Override
    public void log(Level level, ResourceBundle bundle, String format, Object... params) {
        entries.add(new Entry(level, format));
    }

    @Override
    public void log(Level level, Supplier<String> msgSupplier) {
        entries.add(new Entry(level, msgSupplier.get()));
    }
}

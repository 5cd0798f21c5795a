package io.weft.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * A process that runs out of heap the way a server can: a worker thread allocates until
 * OutOfMemoryError and catches it (as a catch-all in a serving loop would), while the main thread
 * stays alive, as an accept loop does. Without {@code -XX:+ExitOnOutOfMemoryError} it never exits.
 * Run by {@link LauncherJvmOptionsTest} in its own JVM.
 */
final class OutOfMemoryMain {

    private OutOfMemoryMain() {}

    public static void main(String[] args) throws InterruptedException {
        Thread worker = Thread.ofPlatform().start(() -> {
            List<byte[]> held = new ArrayList<>();
            try {
                while (true) {
                    held.add(new byte[1024 * 1024]);
                }
            } catch (OutOfMemoryError e) {
                held.clear();
                System.out.println("caught " + e); // survived: the process goes on, serving nothing
            }
        });
        worker.join();
        Thread.sleep(Long.MAX_VALUE);
    }
}

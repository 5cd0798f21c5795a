package io.weft.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Facts about the machine for the report (cores, CPU model, memory, kernel, JDK) and how busy it
 * is (load average, CPU busy share sampled from {@code /proc/stat}). Linux files; elsewhere the
 * values read "unknown". Used from the orchestrator's main thread.
 */
final class Machine {

    private Machine() {}

    /** The 1-minute load average, or -1 when unknown. */
    static double loadAverage1m() {
        String[] fields = read("/proc/loadavg").split("\\s+");
        try {
            return Double.parseDouble(fields[0]);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            return -1;
        }
    }

    /** The three load averages as {@code /proc/loadavg} prints them. */
    static String loadAverages() {
        String[] fields = read("/proc/loadavg").split("\\s+");
        return fields.length >= 3 ? fields[0] + " " + fields[1] + " " + fields[2] : "unknown";
    }

    /**
     * The share of all CPUs that was busy (not idle or iowait) over {@code millis}, in percent,
     * or -1 when {@code /proc/stat} is unreadable. A better idleness gate than the load average,
     * which lags by minutes.
     */
    static double cpuBusyPercent(long millis) throws InterruptedException {
        long[] before = cpuTicks();
        TimeUnit.MILLISECONDS.sleep(millis); // the sampling interval itself
        long[] after = cpuTicks();
        if (before == null || after == null || after[0] == before[0]) {
            return -1;
        }
        return 100.0 * (1 - (double) (after[1] - before[1]) / (after[0] - before[0]));
    }

    /** {total, idle+iowait} jiffies of the aggregate "cpu" line. */
    private static long[] cpuTicks() {
        String line = read("/proc/stat").lines().filter(l -> l.startsWith("cpu ")).findFirst().orElse("");
        String[] f = line.trim().split("\\s+");
        if (f.length < 6) {
            return null;
        }
        long total = 0;
        for (int i = 1; i < f.length; i++) {
            total += Long.parseLong(f[i]);
        }
        return new long[] {total, Long.parseLong(f[4]) + Long.parseLong(f[5])};
    }

    /** A multi-line description for the report header. */
    static List<String> describe(String goVersion) {
        String cpu = read("/proc/cpuinfo").lines().filter(l -> l.startsWith("model name"))
                .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown");
        String memory = read("/proc/meminfo").lines().filter(l -> l.startsWith("MemTotal"))
                .map(l -> String.format(Locale.ROOT, "%.0f GiB",
                        Long.parseLong(l.replaceAll("\\D", "")) / 1024.0 / 1024.0))
                .findFirst().orElse("unknown");
        String kernel = read("/proc/sys/kernel/osrelease").trim();
        return List.of(
                "CPU: " + Runtime.getRuntime().availableProcessors() + " × " + cpu + ", memory " + memory,
                "Kernel: " + System.getProperty("os.name") + " " + (kernel.isEmpty() ? System.getProperty("os.version") : kernel),
                "JDK: " + System.getProperty("java.vm.name") + " " + Runtime.version()
                        + " (" + System.getProperty("java.vendor") + ")",
                "Go: " + goVersion);
    }

    private static String read(String file) {
        try {
            return Files.readString(Path.of(file));
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}

package io.weft.yamux;

/**
 * Keeps a stream's FIN behind its data. {@link Outbound} lets control frames overtake queued
 * data, so a FIN queued while a data frame of the stream is still on its way to the connection
 * could reach the peer first. Instead a FIN decided then is <em>owed</em>, and the writer whose
 * frame was the last one out sends it.
 *
 * <p>Not thread-safe: the owning {@link Stream}'s lock guards it. Writers (serialized, so at most
 * one data frame is in flight) count their frames in and out; closers decide the FIN.
 */
final class FinGate {
    /** Data frames granted window and not yet back from {@link Outbound#writeData}. */
    private int dataFramesInFlight;
    private boolean finOwed;

    /**
     * A data frame was granted window. Counted in the critical section that checked the stream
     * may write, so a FIN decided after that knows the frame is coming and waits for it.
     */
    void dataFrameGranted() {
        dataFramesInFlight++;
    }

    /**
     * Decides whether the FIN just decided must wait for an in-flight data frame.
     *
     * @return whether the FIN is now owed (the caller must not send it)
     */
    boolean oweFin() {
        finOwed = dataFramesInFlight > 0;
        return finOwed;
    }

    /** Whether a FIN is owed. Meanwhile a CLOSED stream is not finished: whoever sends the FIN does it. */
    boolean finOwed() {
        return finOwed;
    }

    /**
     * A data frame left {@link Outbound#writeData} (written, or the session failed).
     *
     * @return whether the owed FIN is due now
     */
    boolean dataFrameLeft() {
        dataFramesInFlight--;
        boolean due = dataFramesInFlight == 0 && finOwed;
        if (dataFramesInFlight == 0) {
            finOwed = false;
        }
        return due;
    }
}

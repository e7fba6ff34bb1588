package dev.alpharl.trainer.checkpoint;

import java.io.IOException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A part of the trainer that saves and restores its own state in a checkpoint (the optimizer, the data sampler, the
 * KL controller, the critic, the run's counters, every stateful callback). Each part has a key: its typed entry in
 * {@code trainer-state/state.json}, the stem of its tensor files and the name of its own directory.
 */
public interface Checkpointable {

    /** The part's key in the checkpoint ({@code null}: the part has no state). */
    String stateKey();

    void saveState(StateWriter out) throws IOException;

    void restoreState(StateReader in) throws IOException;

    /** A part whose whole state is one JSON value of type {@code type}. */
    static <T> Checkpointable json(String key, Class<T> type, Supplier<T> get, Consumer<T> set) {
        return new Checkpointable() {
            @Override
            public String stateKey() {
                return key;
            }

            @Override
            public void saveState(StateWriter out) {
                out.json(get.get());
            }

            @Override
            public void restoreState(StateReader in) throws IOException {
                set.accept(in.json(type));
            }
        };
    }
}

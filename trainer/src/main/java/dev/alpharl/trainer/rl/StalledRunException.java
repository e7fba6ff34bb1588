package dev.alpharl.trainer.rl;

import dev.alpharl.trainer.io.UserInputException;

/**
 * A run that could not make progress: {@code trainer.max-skipped-steps} steps in a row applied no optimizer step. It
 * is reported as bad input (one line, exit code 2), not as an internal failure, because the remedy is always in the
 * input — the rewards, the data, the learning rate or the weights — and the message names which.
 */
public final class StalledRunException extends UserInputException {
    public StalledRunException(String message) {
        super(message);
    }
}

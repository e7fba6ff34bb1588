package dev.alpharl.trainer.report;

import dev.alpharl.trainer.io.UserInputException;

/**
 * Bad run-directory input: a missing directory, a missing or malformed metrics.jsonl or summary.json. The message
 * names the path (and line or key) and what was expected; the command line reports it on one line with exit code 2.
 */
public final class RunDirectoryException extends UserInputException {
    public RunDirectoryException(String message) {
        super(message);
    }

    public RunDirectoryException(String message, Throwable cause) {
        super(message, cause);
    }
}

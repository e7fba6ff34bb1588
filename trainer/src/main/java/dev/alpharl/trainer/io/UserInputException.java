package dev.alpharl.trainer.io;

/**
 * Bad input — a config key, a model directory, a data file, an option value, an output directory: reported as one
 * line naming what is wrong, exit code 2. The specific kinds (config, model format, run directory) extend it.
 */
public class UserInputException extends RuntimeException {

    public UserInputException(String message) {
        super(message);
    }

    public UserInputException(String message, Throwable cause) {
        super(message, cause);
    }
}

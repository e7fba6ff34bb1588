package dev.alpharl.trainer.model;

/** A model directory or file that cannot be used; the message names the file, the key or tensor, and what was expected. */
public class ModelFormatException extends RuntimeException {

    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

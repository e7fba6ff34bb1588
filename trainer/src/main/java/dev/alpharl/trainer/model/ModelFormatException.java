package dev.alpharl.trainer.model;

import dev.alpharl.trainer.io.UserInputException;

/** A model directory or file that cannot be used; the message names the file, the key or tensor, and what was expected. */
public class ModelFormatException extends UserInputException {

    public ModelFormatException(String message) {
        super(message);
    }

    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}

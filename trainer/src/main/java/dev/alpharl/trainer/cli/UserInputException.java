package dev.alpharl.trainer.cli;

/** Bad input found by a command (an option value, a file's content): reported as one line, exit code 2. */
public class UserInputException extends RuntimeException {

    public UserInputException(String message) {
        super(message);
    }

    public UserInputException(String message, Throwable cause) {
        super(message, cause);
    }
}

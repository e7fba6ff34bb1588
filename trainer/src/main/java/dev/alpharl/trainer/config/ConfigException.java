package dev.alpharl.trainer.config;

import dev.alpharl.trainer.io.UserInputException;

/**
 * Bad configuration input: a one-line message that names where (file:line or command-line argument), the dotted
 * key, and what was expected. The command line reports it without a stack trace and exits with code 2.
 */
public final class ConfigException extends UserInputException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }

    static ConfigException at(Origin origin, String problem) {
        return new ConfigException(origin + ": " + problem);
    }
}

package dev.alpharl.trainer.cli;

/** Process exit codes of every command. */
public final class ExitCodes {
    public static final int OK = 0;
    /** An unexpected failure inside the trainer (a bug or an environment problem): message and stack trace. */
    public static final int INTERNAL = 1;
    /** Bad input (options, config, files): a one-line message, no stack trace. */
    public static final int BAD_INPUT = 2;

    private ExitCodes() {}
}

package dev.alpharl.datasets;

import java.nio.file.Path;

/** Bad dataset input: a malformed record, a bad option, an impossible request. The message says where and what. */
public class DatasetException extends IllegalArgumentException {

    public DatasetException(String message) {
        super(message);
    }

    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }

    /** An error in one line of a file, numbered from 1: {@code "train.jsonl, line 3: <what>"}. */
    public static DatasetException atLine(Path file, int line, String what) {
        return new DatasetException(file + ", line " + line + ": " + what);
    }
}

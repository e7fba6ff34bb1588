package dev.alpharl.datasets.jsonl;

/** A JSON record without the expected shape; {@link JsonlReader} prefixes the file and line number. */
public class MalformedRecordException extends RuntimeException {

    public MalformedRecordException(String message) {
        super(message);
    }
}

package dev.alpharl.datasets.synthetic;

import dev.alpharl.datasets.DatasetException;

/** Validation of an operator set given as a string such as "+-*". */
final class Operators {

    private Operators() {}

    static void validate(String task, String ops, String allowed) {
        if (ops == null || ops.isEmpty()) {
            throw new DatasetException(task + ": ops must be a non-empty subset of \"" + allowed + "\"");
        }
        for (int i = 0; i < ops.length(); i++) {
            char c = ops.charAt(i);
            if (allowed.indexOf(c) < 0 || ops.indexOf(c) != i) {
                throw new DatasetException(
                        task + ": ops must be distinct characters from \"" + allowed + "\", got \"" + ops + "\"");
            }
        }
    }
}

package dev.alpharl.rewards.math;

import java.util.List;

/** A parsed final answer: a value, an equation or inequality, a structure of values, or text. */
public sealed interface Answer {

    /** One expression; {@code percent} when it was written with a percent sign or word (28%, 28 percent). */
    record Scalar(Expr value, boolean percent) implements Answer {}

    /** Comparison operators, after flipping: a &gt; b is stored as b &lt; a. */
    enum Rel {
        EQ,
        NE,
        LT,
        LE
    }

    /** {@code sides[0] ops[0] sides[1] ops[1] …}: "x = 3", "y = 2x + 1", "1 &lt; x ≤ 2", "a = b = 5". */
    record Relation(List<Expr> sides, List<Rel> ops) implements Answer {
        public Relation {
            sides = List.copyOf(sides);
            ops = List.copyOf(ops);
        }

        /**
         * "x = …", "f(x) = …" or "x = … = …": only variables on the left (a name, possibly applied to variables)
         * and only '=': an assignment of a value.
         */
        public boolean isAssignment() {
            Expr lhs = sides.get(0);
            boolean name = lhs instanceof Expr.Symbol
                    || (lhs instanceof Expr.Product p && p.factors().stream().allMatch(f -> f instanceof Expr.Symbol));
            return name && ops.stream().allMatch(o -> o == Rel.EQ);
        }

        public boolean isEquation() {
            return ops.stream().allMatch(o -> o == Rel.EQ);
        }

        public Expr last() {
            return sides.get(sides.size() - 1);
        }
    }

    /**
     * Items between brackets, in order: a tuple or point {@code (1, 2)}, an interval {@code [0, 1)} (the
     * brackets tell open from closed), a vector {@code \langle 1, 2 \rangle} (brackets '&lt;' '&gt;').
     */
    record Bracketed(char open, char close, List<Answer> items) implements Answer {
        public Bracketed {
            items = List.copyOf(items);
        }
    }

    /** A set written with braces {@code \{1, 2\}}: order-free. */
    record SetOf(List<Answer> items) implements Answer {
        public SetOf {
            items = List.copyOf(items);
        }
    }

    /** A bare list "2, -3" or "x = 1 or x = 2" (several solutions): order-free. */
    record ListOf(List<Answer> items) implements Answer {
        public ListOf {
            items = List.copyOf(items);
        }
    }

    /** A union of intervals or sets: order-free. */
    record Union(List<Answer> parts) implements Answer {
        public Union {
            parts = List.copyOf(parts);
        }
    }

    /** A matrix, row by row. */
    record Matrix(int rows, int cols, List<Answer> cells) implements Answer {
        public Matrix {
            cells = List.copyOf(cells);
        }
    }

    /** Anything that is not mathematics this parser understands ("Monday", "(C)", "even"): compared as text. */
    record Text(String text) implements Answer {}
}

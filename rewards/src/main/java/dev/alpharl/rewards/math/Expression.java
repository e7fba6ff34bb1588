package dev.alpharl.rewards.math;

import java.util.Map;
import java.util.Set;

/**
 * A parsed scalar answer: evaluates to a {@link Num} given values for its free variables (single letters such as
 * x or n). Built by {@link ExpressionParser}.
 */
public interface Expression {
    Num eval(Map<String, Num> variables);

    /** A parsed expression together with the names of its free variables. */
    record Parsed(Expression expression, Set<String> variables) {}
}

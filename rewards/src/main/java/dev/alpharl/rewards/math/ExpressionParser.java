package dev.alpharl.rewards.math;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Parses one scalar answer, or an equation/inequality between scalars, from LaTeX or plain text that
 * {@link AnswerNormalizer} has cleaned (no {@code $}, {@code \left}, {@code \text}, units or thousands separators):
 * <pre>
 * statement := expr (relation expr)* '%'?          relation: = &lt; &gt; \le \ge \ne \approx …
 * expr      := term (('+' | '-') term)*
 * term      := signed (('*' | \cdot | \times) signed | ('/' | \div) signed | '%' | implicit-factor)*
 * signed    := ('-' | '+') signed | power
 * power     := postfix ('^' exponent)?               right-associative: 2^3^2 = 2^9
 * postfix   := primary '!'*
 * primary   := number | ( expr ) | [ expr ] | { expr } | |expr| | \frac A B | \binom A B | \sqrt[n]? A
 *            | function | \pi | \infty | e | i | letter(_sub)? | \alpha …
 * </pre>
 * A macro argument A is a braced group or one token, as in TeX ({@code \frac13}, {@code \sqrt3},
 * {@code \frac\pi2}). An integer followed by a fraction of integers is a mixed number ({@code 2\frac14} = 9/4).
 * Juxtaposition multiplies ({@code 2x}, {@code 3\sqrt2}, {@code (a+b)(a-b)}), but two bare numbers side by side
 * ("2 3") and words of three or more letters are not mathematics: a {@link ParseException}, and the caller
 * treats the answer as text. Input length, nesting depth and token count are bounded.
 */
public final class ExpressionParser {

    /** The input is not an expression this parser understands. */
    public static final class ParseException extends Exception {
        public ParseException(String message) {
            super(message, null, false, false); // thrown often on prose: no stack trace needed
        }
    }

    public static final int MAX_LENGTH = 1000;
    private static final int MAX_DEPTH = 80;

    private static final Set<String> FUNCTIONS = Set.of(
            "sin", "cos", "tan", "sec", "csc", "cot", "arcsin", "arccos", "arctan", "sinh", "cosh", "tanh", "ln", "log",
            "exp", "sqrt", "abs");
    private static final Set<String> GREEK = Set.of(
            "alpha",
            "beta",
            "gamma",
            "delta",
            "epsilon",
            "varepsilon",
            "zeta",
            "eta",
            "theta",
            "vartheta",
            "iota",
            "kappa",
            "lambda",
            "mu",
            "nu",
            "xi",
            "rho",
            "sigma",
            "tau",
            "upsilon",
            "phi",
            "varphi",
            "chi",
            "psi",
            "omega",
            "Gamma",
            "Delta",
            "Theta",
            "Lambda",
            "Xi",
            "Sigma",
            "Phi",
            "Psi",
            "Omega");
    /** Commands that start a factor, so that "2\sqrt3" or "3\pi" multiply implicitly. */
    private static final Set<String> FACTOR_COMMANDS =
            Set.of("frac", "binom", "sqrt", "pi", "infty", "infin", "lvert", "vert", "lfloor", "lceil", "operatorname");

    private enum Kind {
        NUM,
        WORD,
        CMD,
        CHAR,
        END
    }

    private record Token(Kind kind, String text, boolean spaceBefore) {
        boolean is(char c) {
            return kind == Kind.CHAR && text.charAt(0) == c;
        }

        boolean isCmd(String name) {
            return kind == Kind.CMD && text.equals(name);
        }
    }

    private final List<Token> tokens;
    private int pos;
    /** Characters of the current token already consumed by a one-token macro argument (\frac12 splits "12"). */
    private int offset;

    private int depth;
    private int openBars;

    private ExpressionParser(List<Token> tokens) {
        this.tokens = tokens;
    }

    /** A {@link Answer.Scalar} or {@link Answer.Relation}. */
    public static Answer parse(String input) throws ParseException {
        ExpressionParser p = new ExpressionParser(tokenize(input));
        Answer a = p.statement();
        if (p.peek().kind() != Kind.END)
            throw new ParseException("unexpected '" + p.peek().text() + "'");
        return a;
    }

    /** A scalar expression only (no relation, no trailing percent). */
    public static Expr parseExpression(String input) throws ParseException {
        ExpressionParser p = new ExpressionParser(tokenize(input));
        Expr e = p.expr();
        if (p.peek().kind() != Kind.END)
            throw new ParseException("unexpected '" + p.peek().text() + "'");
        return e;
    }

    // ---- tokens -------------------------------------------------------------------------------------------------

    private static List<Token> tokenize(String s) throws ParseException {
        if (s.isEmpty()) throw new ParseException("empty");
        if (s.length() > MAX_LENGTH) throw new ParseException("longer than " + MAX_LENGTH + " characters");
        List<Token> out = new ArrayList<>();
        boolean space = false;
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c)) {
                space = true;
                i++;
                continue;
            }
            int j;
            Kind kind;
            if (isDigit(c) || (c == '.' && i + 1 < n && isDigit(s.charAt(i + 1)))) {
                kind = Kind.NUM;
                j = i;
                while (j < n && isDigit(s.charAt(j))) j++;
                if (j + 1 < n && s.charAt(j) == '.' && isDigit(s.charAt(j + 1))) {
                    j++;
                    while (j < n && isDigit(s.charAt(j))) j++;
                }
                if (j < n && (s.charAt(j) == 'e' || s.charAt(j) == 'E')) { // scientific notation: 1.5e3, 2E-4
                    int k = j + 1;
                    if (k < n && (s.charAt(k) == '+' || s.charAt(k) == '-')) k++;
                    if (k < n && isDigit(s.charAt(k))) {
                        while (k < n && isDigit(s.charAt(k))) k++;
                        if (k >= n || !isLetter(s.charAt(k))) j = k;
                    }
                }
            } else if (isLetter(c)) {
                kind = Kind.WORD;
                j = i;
                while (j < n && isLetter(s.charAt(j))) j++;
            } else if (c == '\\') {
                if (i + 1 >= n) throw new ParseException("lone backslash");
                kind = Kind.CMD;
                j = i + 1;
                if (isLetter(s.charAt(j))) {
                    while (j < n && isLetter(s.charAt(j))) j++;
                } else {
                    j++;
                }
                out.add(new Token(kind, s.substring(i + 1, j), space));
                space = false;
                i = j;
                continue;
            } else {
                kind = Kind.CHAR;
                j = i + 1;
            }
            out.add(new Token(kind, s.substring(i, j), space));
            space = false;
            i = j;
        }
        out.add(new Token(Kind.END, "", space));
        return out;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private Token peek() {
        Token t = tokens.get(pos);
        return offset == 0 ? t : new Token(t.kind(), t.text().substring(offset), false);
    }

    private Token peekAfter() {
        return pos + 1 < tokens.size() ? tokens.get(pos + 1) : tokens.get(tokens.size() - 1);
    }

    private Token next() {
        Token t = peek();
        if (t.kind() != Kind.END) {
            pos++;
            offset = 0;
        }
        return t;
    }

    private boolean eatChar(char c) {
        if (peek().is(c)) {
            next();
            return true;
        }
        return false;
    }

    private boolean eatCmd(String name) {
        if (peek().isCmd(name)) {
            next();
            return true;
        }
        return false;
    }

    private void expectChar(char c) throws ParseException {
        if (!eatChar(c)) throw new ParseException("expected '" + c + "' at '" + peek().text() + "'");
    }

    private void enter() throws ParseException {
        if (++depth > MAX_DEPTH) throw new ParseException("nested deeper than " + MAX_DEPTH);
    }

    // ---- grammar ------------------------------------------------------------------------------------------------

    private Answer statement() throws ParseException {
        List<Expr> sides = new ArrayList<>();
        List<String> ops = new ArrayList<>();
        sides.add(expr());
        String op;
        while ((op = relation()) != null) {
            ops.add(op);
            sides.add(expr());
        }
        if (ops.isEmpty()) {
            boolean percent = eatChar('%');
            return new Answer.Scalar(sides.get(0), percent);
        }
        boolean flip = ops.contains(">") || ops.contains(">=");
        if (flip && (ops.contains("<") || ops.contains("<=")))
            throw new ParseException("inequality chain in both directions");
        List<Answer.Rel> rels = new ArrayList<>();
        for (String o : ops) {
            rels.add(
                    switch (o) {
                        case "=" -> Answer.Rel.EQ;
                        case "!=" -> Answer.Rel.NE;
                        case "<", ">" -> Answer.Rel.LT;
                        default -> Answer.Rel.LE;
                    });
        }
        if (flip) {
            java.util.Collections.reverse(sides);
            java.util.Collections.reverse(rels);
        }
        return new Answer.Relation(sides, rels);
    }

    /** The relation operator at the cursor ("=", "!=", "&lt;", "&lt;=", "&gt;", "&gt;="), consumed; or null. */
    private String relation() {
        Token t = peek();
        if (t.kind() == Kind.CHAR) {
            char c = t.text().charAt(0);
            boolean eqAfter = peekAfter().is('=') && !peekAfter().spaceBefore();
            switch (c) {
                case '=' -> {
                    next();
                    if (peek().is('=')) next();
                    return "=";
                }
                case '<', '>' -> {
                    next();
                    if (eqAfter) next();
                    return c + (eqAfter ? "=" : "");
                }
                case '!' -> {
                    if (!eqAfter) return null;
                    next();
                    next();
                    return "!=";
                }
                default -> {
                    return null;
                }
            }
        }
        if (t.kind() != Kind.CMD) return null;
        String op = switch (t.text()) {
            case "le", "leq", "leqslant" -> "<=";
            case "ge", "geq", "geqslant" -> ">=";
            case "lt" -> "<";
            case "gt" -> ">";
            case "ne", "neq" -> "!=";
            case "approx", "simeq", "equiv", "cong" -> "=";
            default -> null;
        };
        if (op != null) next();
        return op;
    }

    private Expr expr() throws ParseException {
        enter();
        List<Expr> terms = new ArrayList<>();
        terms.add(term());
        while (true) {
            Token t = peek();
            if (t.is('+')) {
                next();
                terms.add(term());
            } else if (t.is('-')) {
                next();
                terms.add(Expr.negate(term()));
            } else if (t.isCmd("pm") || t.isCmd("mp")) {
                throw new ParseException("± inside an expression");
            } else {
                break;
            }
        }
        depth--;
        return terms.size() == 1 ? terms.get(0) : new Expr.Sum(terms);
    }

    private Expr term() throws ParseException {
        List<Expr> factors = new ArrayList<>();
        Expr first = signed();
        factors.add(first);
        if (first instanceof Expr.Number whole
                && !whole.decimal()
                && whole.value().isInteger()) {
            Expr mixed = mixedNumber(whole);
            if (mixed != null) factors.set(0, mixed);
        }
        while (true) {
            Token t = peek();
            if (t.is('*') || t.isCmd("cdot") || t.isCmd("times") || t.isCmd("ast")) {
                next();
                factors.add(signed());
            } else if (t.is('/') || t.isCmd("div")) {
                next();
                factors.add(Expr.reciprocal(signed()));
            } else if (t.is('%') && peekAfter().kind() != Kind.END) {
                next(); // a percent inside an expression: "10% \cdot 50"
                factors.add(new Expr.Power(Expr.Number.integer(100), Expr.MINUS_ONE));
            } else if (startsImplicitFactor(factors.get(factors.size() - 1))) {
                factors.add(power());
            } else {
                break;
            }
        }
        return factors.size() == 1 ? factors.get(0) : new Expr.Product(factors);
    }

    /**
     * {@code 2\frac{1}{4}} = 9/4 and {@code -2\frac14} = -9/4; null (cursor unchanged) when no fraction of
     * integers follows.
     */
    private Expr mixedNumber(Expr.Number whole) throws ParseException {
        if (!peek().isCmd("frac")) return null;
        int savePos = pos, saveOffset = offset;
        next();
        Expr num = macroArgument(), den = macroArgument();
        if (num instanceof Expr.Number a
                && den instanceof Expr.Number b
                && !a.decimal()
                && !b.decimal()
                && a.value().isInteger()
                && b.value().isInteger()
                && a.value().signum() >= 0
                && b.value().signum() > 0) {
            Fraction part = a.value().divide(b.value());
            Fraction w = whole.value();
            return Expr.Number.exact(w.signum() < 0 ? w.subtract(part) : w.add(part));
        }
        pos = savePos;
        offset = saveOffset;
        return null;
    }

    private boolean startsImplicitFactor(Expr previous) {
        Token t = peek();
        return switch (t.kind()) {
            case NUM -> !(previous instanceof Expr.Number) && !t.spaceBefore(); // "2 3" is not a product
            case WORD -> true;
            case CMD ->
                FACTOR_COMMANDS.contains(t.text())
                        || GREEK.contains(t.text())
                        || FUNCTIONS.contains(t.text())
                        || t.text().equals("|");
            case CHAR -> t.is('(') || t.is('[') || t.is('{') || (t.is('|') && openBars == 0);
            default -> false;
        };
    }

    private Expr signed() throws ParseException {
        if (eatChar('-')) {
            enter();
            Expr e = signed();
            depth--;
            return Expr.negate(e);
        }
        if (eatChar('+')) {
            enter();
            Expr e = signed();
            depth--;
            return e;
        }
        return power();
    }

    private Expr power() throws ParseException {
        Expr base = postfix();
        if (eatChar('^')) return new Expr.Power(base, exponent());
        return base;
    }

    /** The exponent after '^': a braced group, a whole number token (2^10 = 1024), or a signed power. */
    private Expr exponent() throws ParseException {
        enter();
        Expr e;
        if (peek().is('{')) {
            e = group('{', '}');
            if (eatChar('^')) e = new Expr.Power(e, exponent()); // {a}^{b}^{c}: right-associative
        } else if (peek().is('-') || peek().is('+')) {
            boolean minus = next().is('-');
            e = power();
            if (minus) e = Expr.negate(e);
        } else {
            e = power();
        }
        depth--;
        return e;
    }

    private Expr postfix() throws ParseException {
        Expr e = primary();
        while (peek().is('!') && !(peekAfter().is('=') && !peekAfter().spaceBefore())) {
            next();
            e = new Expr.Function("factorial", List.of(e));
        }
        return e;
    }

    private Expr group(char open, char close) throws ParseException {
        expectChar(open);
        Expr e = expr();
        expectChar(close);
        return e;
    }

    private Expr primary() throws ParseException {
        Token t = peek();
        switch (t.kind()) {
            case NUM -> {
                next();
                return number(t.text());
            }
            case WORD -> {
                return word();
            }
            case CMD -> {
                return command();
            }
            case CHAR -> {
                char c = t.text().charAt(0);
                if (c == '(') return group('(', ')');
                if (c == '[') return group('[', ']');
                if (c == '{') return group('{', '}');
                if (c == '|') {
                    next();
                    openBars++;
                    Expr inner = expr();
                    openBars--;
                    expectChar('|');
                    return new Expr.Function("abs", List.of(inner));
                }
                throw new ParseException("unexpected '" + c + "'");
            }
            default -> throw new ParseException("unexpected end");
        }
    }

    private static Expr.Number number(String literal) throws ParseException {
        try {
            int e = Math.max(literal.indexOf('e'), literal.indexOf('E'));
            String mantissa = e < 0 ? literal : literal.substring(0, e);
            Fraction f = Fraction.parseDecimal(mantissa);
            int point = mantissa.indexOf('.');
            int decimals = point < 0 ? 0 : mantissa.length() - point - 1;
            if (e >= 0) {
                int exp = Integer.parseInt(literal.substring(e + 1).replace("+", ""));
                if (Math.abs(exp) > 400) throw new ParseException("exponent too large in " + literal);
                f = f.multiply(Fraction.of(10).pow(exp));
                decimals = Math.max(0, decimals - exp);
            }
            return new Expr.Number(f, point >= 0 || e >= 0, decimals);
        } catch (ArithmeticException | NumberFormatException ex) {
            throw new ParseException("bad number '" + literal + "'");
        }
    }

    private Expr word() throws ParseException {
        String w = next().text();
        if (FUNCTIONS.contains(w)) return function(w);
        switch (w) {
            case "pi" -> {
                return new Expr.Constant(Expr.ConstantKind.PI);
            }
            case "inf", "infty", "infinity" -> {
                return new Expr.Constant(Expr.ConstantKind.INFINITY);
            }
            default -> {}
        }
        if (w.length() > 2) throw new ParseException("word '" + w + "'");
        if (w.length() == 1) return letter(w);
        // two letters: a product of two variables ("ab", "xy"), the second may carry a subscript
        return new Expr.Product(List.of(letter(w.substring(0, 1)), letter(w.substring(1))));
    }

    /** One letter as a variable, or e / i as Euler's number / the imaginary unit; with an optional subscript. */
    private Expr letter(String name) throws ParseException {
        if (peek().is('_')) return new Expr.Symbol(name + "_" + subscript());
        if (name.equals("e")) return new Expr.Constant(Expr.ConstantKind.E);
        if (name.equals("i")) return new Expr.Constant(Expr.ConstantKind.I);
        return new Expr.Symbol(name);
    }

    /** The text of a subscript after '_': one token, or a braced group taken literally (spaces dropped). */
    private String subscript() throws ParseException {
        expectChar('_');
        Token t = peek();
        if (t.kind() == Kind.NUM || t.kind() == Kind.WORD) {
            next();
            return t.text();
        }
        if (t.kind() == Kind.CMD) {
            next();
            return "\\" + t.text();
        }
        if (!t.is('{')) throw new ParseException("bad subscript");
        next();
        StringBuilder b = new StringBuilder();
        int level = 1;
        while (true) {
            Token x = next();
            if (x.kind() == Kind.END) throw new ParseException("unclosed subscript");
            if (x.is('{')) level++;
            if (x.is('}') && --level == 0) break;
            b.append(x.kind() == Kind.CMD ? "\\" + x.text() : x.text());
        }
        return b.toString();
    }

    private Expr command() throws ParseException {
        String name = next().text();
        switch (name) {
            case "frac" -> {
                Expr num = macroArgument(), den = macroArgument();
                return new Expr.Product(List.of(num, Expr.reciprocal(den)));
            }
            case "binom" -> {
                Expr n = macroArgument(), k = macroArgument();
                return new Expr.Function("binom", List.of(n, k));
            }
            case "sqrt" -> {
                if (eatChar('[')) {
                    Expr index = expr();
                    expectChar(']');
                    return new Expr.Power(macroArgument(), Expr.reciprocal(index));
                }
                return new Expr.Power(macroArgument(), half());
            }
            case "pi" -> {
                return new Expr.Constant(Expr.ConstantKind.PI);
            }
            case "infty", "infin" -> {
                return new Expr.Constant(Expr.ConstantKind.INFINITY);
            }
            case "lvert", "vert", "|" -> {
                openBars++;
                Expr inner = expr();
                openBars--;
                if (!eatCmd("rvert") && !eatCmd("vert") && !eatCmd("|") && !eatChar('|'))
                    throw new ParseException("unclosed absolute value");
                return new Expr.Function("abs", List.of(inner));
            }
            case "lfloor", "lceil" -> {
                Expr inner = expr();
                if (!eatCmd(name.equals("lfloor") ? "rfloor" : "rceil")) throw new ParseException("unclosed " + name);
                return new Expr.Function(name.substring(1), List.of(inner));
            }
            default -> {}
        }
        if (FUNCTIONS.contains(name)) return function(name);
        if (GREEK.contains(name)) {
            String symbol = "\\" + name;
            if (peek().is('_')) symbol += "_" + subscript();
            return new Expr.Symbol(symbol);
        }
        throw new ParseException("unsupported command \\" + name);
    }

    private static Expr half() {
        return Expr.Number.exact(Fraction.of(java.math.BigInteger.ONE, java.math.BigInteger.TWO));
    }

    /**
     * A function application: {@code \sin x}, {@code \sin(x)}, {@code \sin^2 x}, {@code \sin^{-1} x},
     * {@code \log_2 8}, {@code \ln 2}. Without parentheses the argument runs over the following factors ("\sin
     * 2x" = sin(2x)) and stops at the next function.
     */
    private Expr function(String name) throws ParseException {
        Expr power = null;
        Expr base = null;
        if (name.equals("log") && peek().is('_')) {
            next();
            base = peek().is('{') ? group('{', '}') : macroArgument();
        }
        if (eatChar('^')) {
            Expr p = exponent();
            boolean inverse = p instanceof Expr.Number n && n.value().equals(Fraction.of(-1));
            if (inverse && Set.of("sin", "cos", "tan").contains(name)) name = "arc" + name;
            else power = p;
        }
        Expr arg;
        if (peek().is('(')) {
            arg = group('(', ')');
        } else if (peek().is('{')) {
            arg = group('{', '}');
        } else {
            enter();
            List<Expr> factors = new ArrayList<>();
            factors.add(signed());
            while (startsImplicitFactor(factors.get(factors.size() - 1))
                    && !(peek().kind() == Kind.CMD && FUNCTIONS.contains(peek().text()))
                    && !(peek().kind() == Kind.WORD && FUNCTIONS.contains(peek().text()))) {
                factors.add(power());
            }
            depth--;
            arg = factors.size() == 1 ? factors.get(0) : new Expr.Product(factors);
        }
        Expr f = switch (name) {
            case "sqrt" -> new Expr.Power(arg, half());
            case "exp" -> new Expr.Power(new Expr.Constant(Expr.ConstantKind.E), arg);
            default -> new Expr.Function(name, base == null ? List.of(arg) : List.of(arg, base));
        };
        return power == null ? f : new Expr.Power(f, power);
    }

    /** A TeX macro argument: a braced group, else one digit, one letter, or one command (\frac12, \frac\pi2). */
    private Expr macroArgument() throws ParseException {
        Token t = peek();
        if (t.is('{')) return group('{', '}');
        if (t.kind() == Kind.NUM || t.kind() == Kind.WORD) {
            String one = t.text().substring(0, 1);
            if (t.text().length() > 1) offset++;
            else next();
            if (t.kind() == Kind.NUM) {
                if (one.equals(".")) throw new ParseException("bad macro argument");
                return Expr.Number.integer(one.charAt(0) - '0');
            }
            return one.equals("e") || one.equals("i") ? letter(one) : new Expr.Symbol(one);
        }
        if (t.kind() == Kind.CMD) return command();
        throw new ParseException("missing macro argument");
    }
}

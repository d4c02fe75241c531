package io.kintsugi.cli;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Writes one JSON document, indented by two spaces, for the commands' {@code --json} output. Strings are escaped
 * as RFC 8259 requires (quote, backslash and every control character), so any text a store holds in metadata comes
 * out as valid JSON. Misuse (a value where a name is due, an unclosed container) is an {@link IllegalStateException}:
 * it is a bug in the command, not in its input.
 *
 * <pre>{@code
 * String json = new JsonWriter().beginObject().name("version").value(1).endObject().toString();
 * }</pre>
 */
public final class JsonWriter {

    private enum Scope { OBJECT, ARRAY }

    private final StringBuilder out = new StringBuilder();
    private final Deque<Scope> scopes = new ArrayDeque<>();
    /** Whether the current container already holds an element, so the next needs a comma. */
    private final Deque<Boolean> nonEmpty = new ArrayDeque<>();
    private boolean nameWritten;
    private boolean done;

    /** @return this writer, inside a new object */
    public JsonWriter beginObject() {
        beforeValue();
        out.append('{');
        push(Scope.OBJECT);
        return this;
    }

    /** @return this writer, after the object */
    public JsonWriter endObject() {
        return end(Scope.OBJECT, '}');
    }

    /** @return this writer, inside a new array */
    public JsonWriter beginArray() {
        beforeValue();
        out.append('[');
        push(Scope.ARRAY);
        return this;
    }

    /** @return this writer, after the array */
    public JsonWriter endArray() {
        return end(Scope.ARRAY, ']');
    }

    /**
     * @param name the name of the next member of the current object
     * @return this writer
     */
    public JsonWriter name(String name) {
        if (scopes.peek() != Scope.OBJECT || nameWritten) {
            throw new IllegalStateException("a name is only allowed inside an object, before its value");
        }
        separate();
        string(name);
        out.append(": ");
        nameWritten = true;
        return this;
    }

    /**
     * @param value a string, or null for JSON null
     * @return this writer
     */
    public JsonWriter value(String value) {
        beforeValue();
        if (value == null) {
            out.append("null");
        } else {
            string(value);
        }
        return afterScalar();
    }

    /**
     * @param value a number
     * @return this writer
     */
    public JsonWriter value(long value) {
        beforeValue();
        out.append(value);
        return afterScalar();
    }

    /**
     * @param value a boolean
     * @return this writer
     */
    public JsonWriter value(boolean value) {
        beforeValue();
        out.append(value);
        return afterScalar();
    }

    /**
     * @return the document
     * @throws IllegalStateException if a container is still open
     */
    @Override
    public String toString() {
        if (!done) {
            throw new IllegalStateException("the JSON document is not complete");
        }
        return out.toString();
    }

    private JsonWriter afterScalar() {
        done = scopes.isEmpty();
        return this;
    }

    private void push(Scope scope) {
        scopes.push(scope);
        nonEmpty.push(false);
    }

    private JsonWriter end(Scope scope, char close) {
        if (scopes.peek() != scope || nameWritten) {
            throw new IllegalStateException("no open " + scope.name().toLowerCase() + " to close here");
        }
        scopes.pop();
        boolean hadElements = nonEmpty.pop();
        if (hadElements) {
            newline();
        }
        out.append(close);
        done = scopes.isEmpty();
        return this;
    }

    private void beforeValue() {
        if (done) {
            throw new IllegalStateException("the JSON document is already complete");
        }
        if (scopes.peek() == Scope.OBJECT) {
            if (!nameWritten) {
                throw new IllegalStateException("a value inside an object needs a name first");
            }
            nameWritten = false;
        } else if (scopes.peek() == Scope.ARRAY) {
            separate();
        }
    }

    /** Writes the comma and line break before an array element or object member. */
    private void separate() {
        if (nonEmpty.peek()) {
            out.append(',');
        }
        nonEmpty.pop();
        nonEmpty.push(true);
        newline();
    }

    private void newline() {
        out.append('\n').append("  ".repeat(scopes.size()));
    }

    private void string(String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}

package io.kintsugi.engine;

/** The cursor of a range that holds nothing (an unknown namespace, or an empty range). */
final class EmptyCursor implements Cursor {

    static final EmptyCursor INSTANCE = new EmptyCursor();

    private EmptyCursor() {
    }

    @Override
    public boolean next() {
        return false;
    }

    @Override
    public byte[] key() {
        throw new IllegalStateException("the cursor is not on a key: the range is empty");
    }

    @Override
    public byte[] value() {
        throw new IllegalStateException("the cursor is not on a key: the range is empty");
    }

    @Override
    public long bytesVisited() {
        return 0; // an empty range steps over nothing
    }

    @Override
    public void close() {
    }
}

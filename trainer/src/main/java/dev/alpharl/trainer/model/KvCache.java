package dev.alpharl.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * A preallocated key/value cache for generation: per layer K and V of shape [B, n_kv, S_max, d] holding post-RoPE
 * keys. A forward over T new tokens writes slots [P, P+T) and attends over slots [0, P+T); nothing is copied or
 * concatenated as the sequence grows.
 */
public final class KvCache implements AutoCloseable {

    private final NDManager manager;
    private final NDArray[] keys;
    private final NDArray[] values;
    private final long capacity;
    private final long batch;
    private long length;

    private KvCache(NDManager manager, NDArray[] keys, NDArray[] values, long capacity, long batch, long length) {
        this.manager = manager;
        this.keys = keys;
        this.values = values;
        this.capacity = capacity;
        this.batch = batch;
        this.length = length;
    }

    /**
     * A new cache of {@code aRows.length + bRows.length} rows: first rows {@code aRows} of {@code a} with their slots
     * [aFrom, a.length), then rows {@code bRows} of {@code b} with slots [0, b.length), each right-aligned in a span
     * of {@code width} filled slots (so every row's newest slot is the last) with zeros to its left, for the caller's
     * key mask to hide; {@code room} empty slots follow. This is how a decode batch drops finished rows, trims slots no
     * live row reads and takes in newly prefilled ones (continuous batching). Either source may be null when its row
     * list is empty.
     */
    public static KvCache combine(
            KvCache a, long[] aRows, long aFrom, KvCache b, long[] bRows, long width, long room, NDManager parent) {
        KvCache any = aRows.length > 0 ? a : b;
        long aSpan = aRows.length > 0 ? a.length - aFrom : 0;
        long bSpan = bRows.length > 0 ? b.length : 0;
        if (width < aSpan || width < bSpan || room < 0) {
            throw new IllegalArgumentException(
                    "width " + width + " cannot hold spans " + aSpan + " and " + bSpan + " (room " + room + ")");
        }
        NDManager own = parent.newSubManager();
        int layers = any.keys.length;
        NDArray[] k = new NDArray[layers];
        NDArray[] v = new NDArray[layers];
        int rows = aRows.length + bRows.length;
        for (int i = 0; i < layers; i++) {
            Shape s = any.keys[i].getShape();
            Shape shape = new Shape(rows, s.get(1), width + room, s.get(3));
            k[i] = own.zeros(shape, any.keys[i].getDataType());
            v[i] = own.zeros(shape, any.values[i].getDataType());
            if (aRows.length > 0) {
                place(k[i], v[i], a.keys[i], a.values[i], aRows, aFrom, a.length, 0, width, own);
            }
            if (bRows.length > 0) {
                place(k[i], v[i], b.keys[i], b.values[i], bRows, 0, b.length, aRows.length, width, own);
            }
        }
        return new KvCache(own, k, v, width + room, rows, width);
    }

    /** Copies slots [from, to) of rows {@code rows} of (k, v) to rows from {@code firstRow}, ending at slot {@code width}. */
    private static void place(
            NDArray kOut,
            NDArray vOut,
            NDArray k,
            NDArray v,
            long[] rows,
            long from,
            long to,
            long firstRow,
            long width,
            NDManager scratch) {
        if (to == from) {
            return;
        }
        try (NDManager tmp = scratch.newSubManager()) {
            NDArray index = tmp.create(rows);
            NDIndex span = new NDIndex(":, :, {}:{}", from, to);
            NDIndex target =
                    new NDIndex("{}:{}, :, {}:{}", firstRow, firstRow + rows.length, width - (to - from), width);
            NDArray kSpan = k.get(span); // views, attached to the source's manager until moved here
            NDArray vSpan = v.get(span);
            kSpan.attach(tmp);
            vSpan.attach(tmp);
            NDArray kRows = kSpan.get(index);
            NDArray vRows = vSpan.get(index);
            kOut.set(target, kRows);
            vOut.set(target, vRows);
        }
    }

    /** Rows (B). */
    public long batch() {
        return batch;
    }

    public KvCache(QwenConfig config, long batch, long capacity, DataType dtype, NDManager parent) {
        this.manager = parent.newSubManager();
        this.capacity = capacity;
        this.batch = batch;
        Shape shape = new Shape(batch, config.numKvHeads(), capacity, config.headDim());
        keys = new NDArray[config.numLayers()];
        values = new NDArray[config.numLayers()];
        for (int i = 0; i < keys.length; i++) {
            keys[i] = manager.zeros(shape, dtype);
            values[i] = manager.zeros(shape, dtype);
        }
    }

    /** Slots already filled (P). */
    public long length() {
        return length;
    }

    public long capacity() {
        return capacity;
    }

    /**
     * Stores k, v [B, n_kv, T, d] at slots [past, past+T) of {@code layer} and returns views of K and V over slots
     * [0, past+T), owned by k's manager.
     */
    NDArray[] write(int layer, NDArray k, NDArray v, long past) {
        long t = k.getShape().get(2);
        checkCapacity(past, t);
        NDIndex slots = new NDIndex(":, :, {}:{}", past, past + t);
        keys[layer].set(slots, k);
        values[layer].set(slots, v);
        NDIndex filled = new NDIndex(":, :, :{}", past + t);
        NDArray kAll = keys[layer].get(filled);
        NDArray vAll = values[layer].get(filled);
        kAll.attach(k.getManager());
        vAll.attach(k.getManager());
        return new NDArray[] {kAll, vAll};
    }

    /** The whole key and value buffers [B, n_kv, capacity, d] of {@code layer}, for a write of t slots at past. */
    NDArray[] buffers(int layer, long past, long t) {
        checkCapacity(past, t);
        return new NDArray[] {keys[layer], values[layer]};
    }

    private void checkCapacity(long past, long t) {
        if (past + t > capacity) {
            throw new IllegalStateException(
                    "KV cache full: " + past + " + " + t + " tokens exceed its capacity " + capacity);
        }
    }

    void advance(long t) {
        length += t;
    }

    @Override
    public void close() {
        manager.close();
    }
}

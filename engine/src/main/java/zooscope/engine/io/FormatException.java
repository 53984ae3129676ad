package zooscope.engine.io;

import java.io.IOException;
import java.nio.file.Path;

/** A file that is not what it should be; the message names the file, the field and what was expected. */
public final class FormatException extends IOException {
    public FormatException(Path file, String field, String problem) {
        super(file + ": " + field + ": " + problem);
    }
}

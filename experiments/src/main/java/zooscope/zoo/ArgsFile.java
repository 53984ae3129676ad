package zooscope.zoo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Map;
import zooscope.engine.io.FormatException;
import zooscope.engine.io.WholeFile;

/** The arguments a job (zoo, pre-training run) records in its folder, so that a restart can be checked against them. */
public final class ArgsFile {
    private static final ObjectMapper JSON = new ObjectMapper().enable(com.fasterxml.jackson.databind.SerializationFeature.INDENT_OUTPUT);

    private ArgsFile() {}

    /**
     * A job folder's record of its arguments: written on the first start; on a restart the arguments must
     * be the same, else the first difference is named ({@code what} says what the folder holds).
     */
    public static void checkOrWrite(Path file, Map<String, Object> args, String what) throws IOException {
        JsonNode want = JSON.readTree(JSON.writeValueAsBytes(args)); // as it reads back from the file
        if (Files.exists(file)) {
            JsonNode have;
            try {
                have = JSON.readTree(file.toFile());
            } catch (IOException e) {
                throw new FormatException(file, "json", "unreadable (" + e.getMessage() + ")");
            }
            String diff = firstDifference("", have, want);
            if (diff != null) {
                throw new IllegalArgumentException(file + ": this folder holds " + what + " made with other arguments (" + diff
                    + "); resume it with the same arguments or choose another --out");
            }
            return;
        }
        WholeFile.write(file, JSON.writeValueAsBytes(want));
    }

    /** The first field where two JSON trees differ, as "field: have X, this command gives Y", or null. */
    public static String firstDifference(String path, JsonNode have, JsonNode want) {
        if (have.isObject() && want.isObject()) {
            for (Iterator<String> it = want.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                String p = path.isEmpty() ? f : path + "." + f;
                if (!have.has(f)) return "field '" + p + "' missing, this command gives " + want.get(f);
                String d = firstDifference(p, have.get(f), want.get(f));
                if (d != null) return d;
            }
            for (Iterator<String> it = have.fieldNames(); it.hasNext(); ) {
                String f = it.next();
                if (!want.has(f)) return "field '" + (path.isEmpty() ? f : path + "." + f) + "' is not an argument of this command";
            }
            return null;
        }
        return have.equals(want) ? null : "field '" + path + "' is " + have + ", this command gives " + want;
    }
}

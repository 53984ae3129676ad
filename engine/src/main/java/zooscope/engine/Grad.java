package zooscope.engine;

/**
 * Gradient recording switch, per thread. Inside {@code try (var off = Grad.off()) { ... }} ops build
 * no graph (evaluation, optimizer updates, data preparation).
 */
public final class Grad {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private Grad() {}

    /** Whether ops on this thread record the graph for backward. */
    public static boolean enabled() { return ENABLED.get()[0]; }

    /** Turns recording off until the returned scope is closed (scopes nest). */
    public static Scope off() {
        boolean[] flag = ENABLED.get();
        boolean before = flag[0];
        flag[0] = false;
        return () -> flag[0] = before;
    }

    /** Turns recording on until the returned scope is closed (for a backward pass that recomputes part of the graph). */
    public static Scope on() {
        boolean[] flag = ENABLED.get();
        boolean before = flag[0];
        flag[0] = true;
        return () -> flag[0] = before;
    }

    /** A scope that restores the previous recording state on close. */
    public interface Scope extends AutoCloseable {
        @Override void close();
    }
}

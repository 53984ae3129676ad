package zooscope.engine;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.IdentityHashMap;
import java.util.Map;
import zooscope.kernels.Backend;
import zooscope.kernels.Backends;
import zooscope.kernels.Buffer;

/**
 * A fake device for tests: its buffers live in off-heap memory of their own (no Java array the engine
 * could index), and every operation runs the scalar reference on copies: copy the operands over,
 * compute, copy every operand back, as a GPU backend looks to the engine. Calls are serialised (one
 * queue). Anything that reaches around the seam (reads an array, passes a buffer of another backend)
 * fails here, and because the arithmetic is the scalar backend's, results equal the scalar backend's
 * bit for bit.
 */
final class RemoteBackend implements InvocationHandler {
    /** Remote memory: a zeroed off-heap segment of n floats. */
    static final class RemoteBuffer extends Buffer {
        final MemorySegment memory;

        RemoteBuffer(Backend owner, int n) {
            super(owner, n);
            memory = Arena.ofAuto().allocate(Math.max(1, n) * 4L, 4);
        }
    }

    private final Backend scalar = Backends.byName("scalar");
    private Backend self;
    /** Operations run (not counting allocation, copies and sync). */
    long ops;

    private RemoteBackend() {}

    /** A new remote backend (each instance its own memory space). */
    static Backend create() {
        RemoteBackend h = new RemoteBackend();
        h.self = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class}, h);
        return h.self;
    }

    /** The handler behind a proxy made by {@link #create}. */
    static RemoteBackend of(Backend b) { return (RemoteBackend) Proxy.getInvocationHandler(b); }

    private MemorySegment memory(Buffer b) {
        if (!(b instanceof RemoteBuffer r) || b.owner() != self) {
            throw new IllegalArgumentException("a " + b + " was passed to backend 'remote'");
        }
        return r.memory;
    }

    @Override
    public synchronized Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
        switch (method.getName()) {
            case "name": return "remote";
            case "toString": return "remote backend";
            case "hashCode": return System.identityHashCode(proxy);
            case "equals": return proxy == args[0];
            case "sync": return null;
            case "allocate": return new RemoteBuffer(self, (Integer) args[0]);
            case "copyIn": {
                float[] src = (float[]) args[0];
                MemorySegment.copy(src, (Integer) args[1], memory((Buffer) args[2]), ValueLayout.JAVA_FLOAT, (Integer) args[3] * 4L, (Integer) args[4]);
                return null;
            }
            case "copyOut": {
                MemorySegment.copy(memory((Buffer) args[0]), ValueLayout.JAVA_FLOAT, (Integer) args[1] * 4L, (float[]) args[2], (Integer) args[3], (Integer) args[4]);
                return null;
            }
            default: break;
        }
        ops++;
        // an operation: every remote operand gets one scalar copy (an operand passed twice stays one buffer)
        Map<Buffer, Buffer> copies = new IdentityHashMap<>();
        Object[] local = args.clone();
        for (int i = 0; i < local.length; i++) {
            if (!(local[i] instanceof Buffer b)) continue;
            Buffer c = copies.get(b);
            if (c == null) {
                float[] host = new float[b.length()];
                MemorySegment.copy(memory(b), ValueLayout.JAVA_FLOAT, 0, host, 0, host.length);
                c = scalar.allocate(host.length);
                scalar.copyIn(host, 0, c, 0, host.length);
                copies.put(b, c);
            }
            local[i] = c;
        }
        Object result;
        try {
            result = method.invoke(scalar, local);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
        for (Map.Entry<Buffer, Buffer> e : copies.entrySet()) { // the kernel may have written any operand
            float[] host = new float[e.getKey().length()];
            scalar.copyOut(e.getValue(), 0, host, 0, host.length);
            MemorySegment.copy(host, 0, memory(e.getKey()), ValueLayout.JAVA_FLOAT, 0, host.length);
        }
        return result;
    }
}

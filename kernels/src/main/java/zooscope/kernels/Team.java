package zooscope.kernels;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A fixed team of threads, one per core, the calling thread being one of them, that runs the parts of one
 * job at a time: how {@link ParallelGemm} spreads a product over the cores. Between jobs the workers spin
 * for {@link #SPIN_NANOS} before they park, and the caller takes parts itself and spins for the rest, so a
 * job that follows another within that time costs no system call. (A ForkJoinPool woke a parked worker and
 * parked the caller through futexes for every product: with the hundreds of small products of a
 * pre-training update that was ~20 % of its CPU time, `bench/README.md`.) The parts are claimed in any
 * order by any thread; callers make each part's result independent of which thread ran it.
 */
final class Team {
    /** How long an idle worker spins for the next job before it parks. */
    private static final long SPIN_NANOS = 200_000;

    private final Worker[] workers;
    /** Set while a job runs: a second caller (or a call from inside a part) runs its parts itself. */
    private final AtomicBoolean busy = new AtomicBoolean();
    private volatile Job job;

    Team(int threads) {
        workers = new Worker[Math.max(0, threads - 1)];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker("zooscope-team-" + (i + 1));
            workers[i].start();
        }
    }

    /** Threads that run a job's parts: the workers and the caller. */
    int threads() { return workers.length + 1; }

    /** True on a team worker's thread (its products are parts already: not to be split again). */
    static boolean onWorker() { return Thread.currentThread() instanceof Worker; }

    /**
     * body(i) for i in [0, parts) on the team; returns when all are done, rethrowing the first failure.
     * Runs them in order on the calling thread where the team is busy with another job or has no workers.
     */
    void run(int parts, IntConsumer body) {
        if (workers.length == 0 || parts < 2 || onWorker() || !busy.compareAndSet(false, true)) {
            for (int i = 0; i < parts; i++) body.accept(i);
            return;
        }
        try {
            Job j = new Job(parts, body);
            job = j;
            for (Worker w : workers) if (w.parked) LockSupport.unpark(w);
            j.work();
            for (long spins = 0; j.done.get() < parts; spins++) {
                if (spins < 100_000) Thread.onSpinWait(); else Thread.yield();
            }
            Throwable t = j.failure;
            if (t instanceof RuntimeException e) throw e;
            if (t instanceof Error e) throw e;
            if (t != null) throw new RuntimeException(t);
        } finally {
            busy.set(false);
        }
    }

    private static final class Job {
        final int parts;
        final IntConsumer body;
        final AtomicInteger next = new AtomicInteger(), done = new AtomicInteger();
        volatile Throwable failure;

        Job(int parts, IntConsumer body) { this.parts = parts; this.body = body; }

        /** Claims and runs parts until none is left. */
        void work() {
            for (int i; (i = next.getAndIncrement()) < parts; ) {
                try {
                    body.accept(i);
                } catch (Throwable t) {
                    if (failure == null) failure = t;
                } finally {
                    done.incrementAndGet();
                }
            }
        }
    }

    private final class Worker extends Thread {
        volatile boolean parked;

        Worker(String name) {
            super(name);
            setDaemon(true);
        }

        @Override public void run() {
            Job seen = null;
            long idleSince = System.nanoTime();
            for (int spins = 0; ; ) {
                Job j = job;
                if (j != seen) {
                    seen = j;
                    j.work();
                    idleSince = System.nanoTime();
                    spins = 0;
                } else if ((++spins & 63) != 0 || System.nanoTime() - idleSince < SPIN_NANOS) {
                    Thread.onSpinWait();
                } else {
                    // park unless a job came after the check above; the caller unparks a worker it sees parked
                    parked = true;
                    if (job == seen) LockSupport.park(this);
                    parked = false;
                    idleSince = System.nanoTime();
                }
            }
        }
    }
}

package zooscope.kernels;

/** The Vector API backend against the reference. */
class VectorBackendProperties extends FastBackendContract {
    @Override HostBackend fast() { return new VectorBackend(); }
}

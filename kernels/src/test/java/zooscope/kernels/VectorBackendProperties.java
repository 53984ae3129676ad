package zooscope.kernels;

/** The Vector API backend against the reference. */
class VectorBackendProperties extends FastBackendContract {
    @Override Backend fast() { return new VectorBackend(); }
}

package zooscope.kernels.cuda;

/** A CUDA driver or cuBLAS call that returned an error: names the call and the library's error name and text. */
public final class CudaException extends RuntimeException {
    public CudaException(String message) { super(message); }
}

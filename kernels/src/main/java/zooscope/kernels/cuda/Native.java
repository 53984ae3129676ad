package zooscope.kernels.cuda;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;

/** Downcall handles by exported symbol name, with a message naming the library when one is missing. */
final class Native {
    private final String library;
    private final SymbolLookup lookup;

    Native(String library, SymbolLookup lookup) {
        this.library = library;
        this.lookup = lookup;
    }

    /** The function {@code name} returning an int status (CUresult, cublasStatus_t). */
    MethodHandle status(String name, MemoryLayout... args) { return handle(name, FunctionDescriptor.of(java.lang.foreign.ValueLayout.JAVA_INT, args)); }

    MethodHandle handle(String name, FunctionDescriptor d, Linker.Option... options) {
        return Linker.nativeLinker().downcallHandle(
            lookup.find(name).orElseThrow(() -> new IllegalArgumentException(library + " has no symbol " + name + " (an older or newer library?)")), d, options);
    }
}

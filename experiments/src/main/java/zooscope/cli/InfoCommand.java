package zooscope.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import zooscope.kernels.Backends;
import zooscope.kernels.NativeBackend;
import zooscope.kernels.VectorBackend;
import zooscope.kernels.cuda.CudaBackend;

@Command(name = "info", mixinStandardHelpOptions = true, description = "Print the machine, JVM and compute backend in use.")
final class InfoCommand implements Runnable {
    @Mixin BackendOption backend;

    @Override public void run() {
        System.out.printf("backend        %s (available: %s)%n", Backends.current().name(), String.join(", ", Backends.available()));
        System.out.printf("native         %s%n", NativeBackend.load().map(k -> "libzooscope.so, " + k.isa() + " code path")
            .orElse("unavailable: " + NativeBackend.unavailableReason()));
        System.out.printf("gpu            %s%n", CudaBackend.load().map(k -> k.device().describe()).orElse("unavailable: " + CudaBackend.unavailableReason()));
        System.out.printf("vector lanes   %d floats (%d-bit)%n", VectorBackend.lanes(), VectorBackend.lanes() * 32);
        System.out.printf("cores          %d%n", Runtime.getRuntime().availableProcessors());
        System.out.printf("max heap       %d MiB%n", Runtime.getRuntime().maxMemory() >> 20);
        System.out.printf("java           %s (%s)%n", System.getProperty("java.version"), System.getProperty("java.vm.name"));
        System.out.printf("os             %s %s %s%n", System.getProperty("os.name"), System.getProperty("os.version"), System.getProperty("os.arch"));
    }
}

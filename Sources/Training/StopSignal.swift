#if canImport(Glibc)
import Glibc
#endif

/// Set by the handler; read between training steps. A sig_atomic_t is the one type a signal
/// handler may write.
nonisolated(unsafe) private var stopRequests: sig_atomic_t = 0

/// Ctrl-C / SIGTERM ask a run to stop at the end of the current step, after a checkpoint; a second
/// signal ends the process at once (exit 130), for a user who does not want to wait.
public enum StopSignal {
    /// Installs the handlers for SIGINT and SIGTERM.
    public static func install() {
        let handler: @convention(c) (Int32) -> Void = { _ in
            if stopRequests != 0 { _exit(130) }
            stopRequests = 1
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
    }

    /// Whether a stop was asked for since `install()`.
    public static var requested: Bool { stopRequests != 0 }
}

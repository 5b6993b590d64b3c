import Foundation

/// A fuzz target's entry point: libFuzzer calls it with one input at a time.
public typealias FuzzEntry = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

@_silgen_name("LLVMFuzzerRunDriver")
private func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: FuzzEntry) -> CInt

/// Runs a fuzz target: under libFuzzer (built with -DFUZZING -sanitize=fuzzer) it hands the
/// command line to libFuzzer's driver; in a plain build it replays the files named.
///
/// SwiftPM links executables with their own `main`, so the target calls libFuzzer's driver
/// from it instead of using libFuzzer's `main`.
public func fuzzMain(_ entry: FuzzEntry) -> Never {
    #if FUZZING
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, entry))
    #else
    replayFiles(CommandLine.arguments.dropFirst(), entry)
    exit(0)
    #endif
}

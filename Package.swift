// swift-tools-version:6.0
import Foundation
import PackageDescription

/// The CPU the release build targets, like C's -march=native: users build on the machine they
/// train on, and the kernels' exp/erf/softmax loops run 2–4× wider with AVX2/AVX-512 than with
/// x86-64's SSE2 baseline. SGD_TARGET_CPU overrides it (e.g. "x86-64" for a portable binary).
func releaseTargetCPU() -> [String] {
    if let cpu = ProcessInfo.processInfo.environment["SGD_TARGET_CPU"] { return cpu.isEmpty ? [] : ["-target-cpu", cpu] }
    #if arch(x86_64) && os(Linux)
    guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
          let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
    let flags = Set(flagsLine.split(separator: " ").map(String.init))
    if flags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq"]) { return ["-target-cpu", "skylake-avx512"] }
    if flags.isSuperset(of: ["avx2", "fma", "bmi2"]) { return ["-target-cpu", "haswell"] }
    #endif
    return []
}

/// Whether the release target has fused multiply-add: the SIMD kernels (`FastMath.swift`) then
/// use it (`SGD_FMA`). Without FMA hardware an FMA is a libm call per lane, so a portable build
/// (SGD_TARGET_CPU=x86-64) computes a·b + c in two steps instead. Debug builds get the same
/// define (their FMA is libm's fmaf, correctly rounded like the instruction), so tests check
/// the arithmetic release builds run.
func releaseTargetHasFMA() -> Bool {
    let fmaCPUs: Set<String> = ["haswell", "broadwell", "skylake", "skylake-avx512", "cascadelake", "cooperlake",
                                "icelake-client", "icelake-server", "tigerlake", "sapphirerapids", "alderlake",
                                "znver1", "znver2", "znver3", "znver4"]
    let flags = releaseTargetCPU()
    return flags.count == 2 && fmaCPUs.contains(flags[1])
}

// Release builds are what users run: -O keeps every precondition, so a shape or index error at
// an API boundary is a message, not an out-of-bounds read (-Ounchecked would assume them true).
// The hot loops work on unsafe pointers, which carry no bounds checks in either mode.
let fastKernels: [SwiftSetting] = [.unsafeFlags(["-O", "-wmo"] + releaseTargetCPU(), .when(configuration: .release))]

let package = Package(
    name: "SceneGraphDiffusion",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bench", targets: ["bench"]),
        .executable(name: "shapeworld", targets: ["shapeworld"]),
        .executable(name: "train", targets: ["train"]),
        .executable(name: "pretrain", targets: ["pretrain"]),
        .executable(name: "sample", targets: ["sample"]),
        .executable(name: "demos", targets: ["demos"]),
        .executable(name: "prepare", targets: ["prepare"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
        // `sample serve` (Sources/Server): the HTTP server, its test client, and graceful shutdown on SIGTERM.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        // System libraries: one module map + shim header each, found through pkg-config.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CFFmpeg", pkgConfig: "libavformat",
                       providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]),
        .systemLibrary(name: "CMPI", pkgConfig: "ompi", providers: [.apt(["libopenmpi-dev"])]),

        // Libraries, dependencies pointing one way (docs/architecture.md).
        .target(name: "Output", swiftSettings: fastKernels),
        // The CPU's spin-wait hint for the worker pool (Sources/Tensors/WorkerPool.swift).
        .target(name: "CSpinWait"),
        .target(name: "Tensors", dependencies: ["CBLAS", "CSpinWait"],
                swiftSettings: fastKernels + (releaseTargetHasFMA() ? [.define("SGD_FMA")] : [])),
        .target(name: "NN", dependencies: ["Tensors", "Output"], swiftSettings: fastKernels),
        .target(name: "SceneGraphs", swiftSettings: fastKernels),
        .target(name: "ShapeWorld", dependencies: ["SceneGraphs"], swiftSettings: fastKernels),
        .target(name: "GraphEncoder", dependencies: ["NN", "SceneGraphs"], swiftSettings: fastKernels),
        .target(name: "Diffusion", dependencies: ["NN", "GraphEncoder", "SceneGraphs", "Yams"],
                swiftSettings: fastKernels),
        // Sources/Distributed; named Collectives because the toolchain ships a `Distributed` module.
        .target(name: "Collectives", dependencies: ["CMPI", "Tensors"], path: "Sources/Distributed", swiftSettings: fastKernels),
        .target(name: "Media", dependencies: ["CPNG", "CFFmpeg", "Tensors", "Output"], swiftSettings: fastKernels),
        .target(name: "Pipeline", dependencies: ["Diffusion", "GraphEncoder", "SceneGraphs", "Media", "Tensors"], swiftSettings: fastKernels),
        // Real data sets: ShapeWorld exported in their schemas, and `prepare`'s packed, memory-mapped file.
        .target(name: "Datasets", dependencies: ["CFFmpeg", "Media", "Output", "SceneGraphs", "ShapeWorld", "Tensors"], swiftSettings: fastKernels),
        // A run's config file: overrides, the train / data / pretrain sections and their checks.
        .target(name: "RunConfiguration", dependencies: ["Diffusion", "GraphEncoder", "Datasets", "ShapeWorld", "Yams"], swiftSettings: fastKernels),
        // A run's metrics: JSONL, TensorBoard event files, loss plots.
        .target(name: "RunLogging", dependencies: ["Diffusion", "Media", "Output"], swiftSettings: fastKernels),
        .target(name: "Training", dependencies: ["Tensors", "NN", "SceneGraphs", "ShapeWorld", "Datasets", "GraphEncoder", "Diffusion", "Pipeline", "RunConfiguration", "RunLogging", "Media", "Output", "Collectives", "Yams"],
                swiftSettings: fastKernels),
        .target(name: "Jobs", dependencies: ["Pipeline", "Diffusion", "GraphEncoder", "SceneGraphs", "ShapeWorld", "Media", "Output", "Tensors"],
                swiftSettings: fastKernels),
        // `sample serve`: the HTTP API and the page over one DiffusionPipeline (docs/server.md). The
        // page and openapi.yaml are compiled into the binary, so the server needs no files beside it.
        .target(name: "Server", dependencies: [
            "Pipeline", "Jobs", "Diffusion", "SceneGraphs", "Media", "Tensors",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ], resources: [.embedInCode("Resources/openapi.yaml"), .embedInCode("Resources/index.html"),
                       .embedInCode("Resources/page.js"), .embedInCode("Resources/page.css")],
                swiftSettings: fastKernels),

        // Executables: thin, flags then one call into the libraries.
        .executableTarget(name: "bench", dependencies: [
            "Tensors", "NN", "SceneGraphs", "GraphEncoder", "Diffusion", "Pipeline", "ShapeWorld", "Media", "Training",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Benchmarks/bench", swiftSettings: fastKernels),
        .executableTarget(name: "shapeworld", dependencies: [
            "ShapeWorld", "SceneGraphs", "Media", "Output", "Datasets",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "shapeworld", swiftSettings: fastKernels),
        .executableTarget(name: "sample", dependencies: [
            "Jobs", "Pipeline", "Diffusion", "Tensors", "Server", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "sample", swiftSettings: fastKernels),
        .executableTarget(name: "demos", dependencies: [
            "Media", "RunLogging", "ShapeWorld", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Tools/demos", swiftSettings: fastKernels),
        .executableTarget(name: "pretrain", dependencies: [
            "Training", "Tensors", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "pretrain", swiftSettings: fastKernels),
        .executableTarget(name: "train", dependencies: [
            "Training", "Tensors", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "train", swiftSettings: fastKernels),
        .executableTarget(name: "prepare", dependencies: [
            "Training", "Tensors", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "prepare", swiftSettings: fastKernels),

        // libFuzzer targets (scripts/fuzz builds them with -sanitize=fuzzer; a plain build gives
        // a replayer that runs each file named on the command line).
        .executableTarget(name: "fuzz-scene-graph", dependencies: ["SceneGraphs", "FuzzSupport"], path: "Fuzz/SceneGraph"),
        .executableTarget(name: "fuzz-model-config", dependencies: ["Diffusion", "FuzzSupport"], path: "Fuzz/ModelConfig"),
        .executableTarget(name: "fuzz-safetensors", dependencies: ["NN", "FuzzSupport"], path: "Fuzz/SafeTensors"),
        .executableTarget(name: "fuzz-jobs-line", dependencies: ["Jobs", "FuzzSupport"], path: "Fuzz/JobsLine"),
        .target(name: "FuzzSupport", path: "Fuzz/Support"),

        // One test target per library module.
        .testTarget(name: "OutputTests", dependencies: ["Output"]),
        .testTarget(name: "TensorsTests", dependencies: ["Tensors"]),
        .testTarget(name: "NNTests", dependencies: ["NN", "Output"]),
        .testTarget(name: "SceneGraphsTests", dependencies: ["SceneGraphs"]),
        .testTarget(name: "ShapeWorldTests", dependencies: ["ShapeWorld"]),
        .testTarget(name: "GraphEncoderTests", dependencies: ["GraphEncoder"]),
        .testTarget(name: "DiffusionTests", dependencies: ["Diffusion"]),
        .testTarget(name: "MediaTests", dependencies: ["Media"]),
        .testTarget(name: "RunConfigurationTests", dependencies: ["RunConfiguration"]),
        .testTarget(name: "RunLoggingTests", dependencies: ["RunLogging", "Media"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "RunConfiguration", "RunLogging", "Pipeline"]),
        .testTarget(name: "PipelineTests", dependencies: ["Pipeline"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets", "ShapeWorld", "SceneGraphs", "Media"]),
        .testTarget(name: "JobsTests", dependencies: ["Jobs"]),
        .testTarget(name: "ServerTests", dependencies: [
            "Server", "Pipeline", "Jobs", "Diffusion", "GraphEncoder", "NN", "Tensors", "SceneGraphs", "Media",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        .testTarget(name: "DistributedTests", dependencies: ["Collectives", "Tensors"]),
    ]
)

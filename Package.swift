// swift-tools-version:6.0
import PackageDescription

// Release builds are what users run and benchmark: -Ounchecked drops bounds and overflow checks
// in the kernels' hot loops (inputs are validated at the API boundary instead).
let fastKernels: [SwiftSetting] = [.unsafeFlags(["-Ounchecked", "-wmo"], .when(configuration: .release))]

let package = Package(
    name: "SceneGraphDiffusion",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "bench", targets: ["bench"]),
        .executable(name: "shapeworld", targets: ["shapeworld"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        // System libraries: one module map + shim header each, found through pkg-config.
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CFFmpeg", pkgConfig: "libavformat",
                       providers: [.apt(["libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]),

        // Libraries, dependencies pointing one way (DESIGN.md).
        .target(name: "Tensors", dependencies: ["CBLAS"], swiftSettings: fastKernels),
        .target(name: "NN", dependencies: ["Tensors"], swiftSettings: fastKernels),
        .target(name: "SceneGraphs", swiftSettings: fastKernels),
        .target(name: "ShapeWorld", dependencies: ["SceneGraphs"], swiftSettings: fastKernels),
        .target(name: "GraphEncoder", dependencies: ["NN", "SceneGraphs"], swiftSettings: fastKernels),
        .target(name: "Diffusion", dependencies: ["NN", "GraphEncoder", "SceneGraphs", "Yams"],
                swiftSettings: fastKernels),
        .target(name: "Media", dependencies: ["CPNG", "CFFmpeg", "Tensors"], swiftSettings: fastKernels),

        // Executables: thin, flags then one call into the libraries.
        .executableTarget(name: "bench", dependencies: [
            "Tensors", "NN", "GraphEncoder", "Diffusion", "ShapeWorld", "Media",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Benchmarks/bench", swiftSettings: fastKernels),
        .executableTarget(name: "shapeworld", dependencies: [
            "ShapeWorld", "SceneGraphs", "Media",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "shapeworld", swiftSettings: fastKernels),

        // One test target per library module.
        .testTarget(name: "TensorsTests", dependencies: ["Tensors"]),
        .testTarget(name: "NNTests", dependencies: ["NN"]),
        .testTarget(name: "SceneGraphsTests", dependencies: ["SceneGraphs"]),
        .testTarget(name: "ShapeWorldTests", dependencies: ["ShapeWorld"]),
        .testTarget(name: "GraphEncoderTests", dependencies: ["GraphEncoder"]),
        .testTarget(name: "DiffusionTests", dependencies: ["Diffusion"]),
        .testTarget(name: "MediaTests", dependencies: ["Media"]),
    ]
)

import CBLAS
import Foundation

/// Matrix products through OpenBLAS. All matrices are row-major; `lda`, `ldb`, `ldc` default to
/// the packed widths.
///
/// OpenBLAS runs single-threaded: its thread hand-off costs more than it gains on the UNet's
/// mid-sized GEMMs (measured: 45% of a training step in scheduler calls), and our kernels already
/// split work across cores at a coarser grain (images, heads, output rows — see `parallelGemm`).
public enum BLAS {
    /// Set once, before the first product.
    @usableFromInline static let singleThreaded: Void = { openblas_set_num_threads(1) }()

    /// C = alpha · op(A) · op(B) + beta · C on the calling thread, with op(A) [m, k] and op(B) [k, n].
    @inlinable
    public static func gemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil,
        b: UnsafePointer<Float>, ldb: Int? = nil,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil
    ) {
        _ = singleThreaded
        if m == 0 || n == 0 { return }
        if k == 0 {
            // The product is empty, so C = beta·C. Like BLAS, never read C when beta is 0: it may
            // be uninitialised, and 0·NaN is NaN.
            let ldc = ldc ?? n
            for i in 0..<m {
                let row = c + i * ldc
                if beta == 0 { row.update(repeating: 0, count: n) } else { for j in 0..<n { row[j] *= beta } }
            }
            return
        }
        cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha,
                    a, Int32(lda ?? (transA ? m : k)),
                    b, Int32(ldb ?? (transB ? k : n)),
                    beta, c, Int32(ldc ?? n))
    }

    /// Multiply-adds below which a product stays on one thread: below ~2 MFLOP a second thread
    /// does not pay for its hand-off.
    static let parallelWorkThreshold = 1 << 20

    /// The same product split over the cores: by rows of C when it has enough of them, else by
    /// columns. Each part is an independent single-threaded GEMM on disjoint output.
    public static func parallelGemm(
        transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
        alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil,
        b: UnsafePointer<Float>, ldb: Int? = nil,
        beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil
    ) {
        let lda = lda ?? (transA ? m : k), ldb = ldb ?? (transB ? k : n), ldc = ldc ?? n
        let threads = ParallelConfig.threadCount
        if threads <= 1 || m * n * k < parallelWorkThreshold {
            gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        if m >= 4 * threads {
            parallelChunks(m, minimumPerThread: 4) { rows in
                gemm(transA: transA, transB: transB, m: rows.count, n: n, k: k, alpha: alpha,
                     a: a + (transA ? rows.lowerBound : rows.lowerBound * lda), lda: lda, b: b, ldb: ldb,
                     beta: beta, c: c + rows.lowerBound * ldc, ldc: ldc)
            }
        } else {
            parallelChunks(n, minimumPerThread: 16) { cols in
                gemm(transA: transA, transB: transB, m: m, n: cols.count, k: k, alpha: alpha, a: a, lda: lda,
                     b: b + (transB ? cols.lowerBound * ldb : cols.lowerBound), ldb: ldb,
                     beta: beta, c: c + cols.lowerBound, ldc: ldc)
            }
        }
    }

    /// The kernel family OpenBLAS chose for this CPU (e.g. "Haswell", "SkylakeX", "Prescott").
    public static var coreName: String {
        guard let p = openblas_get_corename() else { return "unknown" }
        return String(cString: p).trimmingCharacters(in: .whitespaces)
    }

    /// OpenBLAS's worker thread count.
    public static var threadCount: Int { _ = singleThreaded; return Int(openblas_get_num_threads()) }

    /// A warning when OpenBLAS runs its generic kernels on a CPU that has AVX2 or AVX-512, nil
    /// otherwise. We never set OPENBLAS_CORETYPE ourselves: the user chooses.
    public static var genericCoreWarning: String? {
        let generic: Set<String> = ["prescott", "core2", "penryn", "dunnington", "nehalem", "atom", "katmai",
                                    "coppermine", "northwood", "banias", "generic"]
        guard generic.contains(coreName.lowercased()) else { return nil }
        guard let cpu = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flags = cpu.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        let words = Set(flags.split(separator: " "))
        let best = words.contains("avx512f") ? "AVX-512 (try OPENBLAS_CORETYPE=SkylakeX)"
            : words.contains("avx2") ? "AVX2 (try OPENBLAS_CORETYPE=Haswell)" : nil
        guard let best else { return nil }
        return "warning: OpenBLAS uses its generic '\(coreName)' kernels on a CPU with \(best); GEMM may run ~5× slower. Set OPENBLAS_CORETYPE in your environment to choose the kernels."
    }
}

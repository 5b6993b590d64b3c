// The forward product of `linear`: out = residual + bias + x·Wᵀ, as blocks of output that are
// each written with residual + bias and then accumulated onto by a β = 1 GEMM, split over the
// workers. The bias (and residual) pass used to run on the calling thread over the whole output
// before one parallel GEMM: at 2 threads it was most of the guided evaluation's serial time
// (a feed-forward's [8192, 512] output is 16 MB), and the GEMM then re-read the output from
// memory. A block of at most `linearBlockFloats` is still in L2 when its GEMM reads it.

/// Output floats per block (256 KB): fits in L2 next to the GEMM's packed panels.
let linearBlockFloats = 64 * 1024

/// out [rows, outFeatures] = residual + bias + x [rows, inFeatures] · weight [outFeatures, inFeatures]ᵀ,
/// residual and bias optional (neither: a β = 0 GEMM). Split by rows, or by output columns when
/// there are too few rows to share (a batch of one or two tokens).
func linearForward(x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
                   residual: UnsafePointer<Float>?, out: UnsafeMutablePointer<Float>,
                   rows: Int, inFeatures: Int, outFeatures: Int) {
    if rows == 0 || outFeatures == 0 { return }
    let threads = ParallelConfig.threadCount
    let parallel = threads > 1 && rows * outFeatures * inFeatures >= BLAS.parallelWorkThreshold
    func block(_ rowRange: Range<Int>, _ columns: Range<Int>) {
        let n = columns.count, c0 = columns.lowerBound
        for r in rowRange {
            let o = out + r * outFeatures + c0
            if let residual {
                if let bias { addRow(residual + r * outFeatures + c0, bias + c0, o, n) } else { o.update(from: residual + r * outFeatures + c0, count: n) }
            } else if let bias {
                o.update(from: bias + c0, count: n)
            }
        }
        BLAS.gemm(transB: true, m: rowRange.count, n: n, k: inFeatures, a: x + rowRange.lowerBound * inFeatures, lda: inFeatures,
                  b: weight + c0 * inFeatures, ldb: inFeatures, beta: bias == nil && residual == nil ? 0 : 1,
                  c: out + rowRange.lowerBound * outFeatures + c0, ldc: outFeatures)
    }
    if parallel && rows < 4 * threads {
        parallelChunks(outFeatures, minimumPerThread: 16) { columns in block(0..<rows, columns) }
        return
    }
    let blockRows = max(4, linearBlockFloats / outFeatures)
    parallelChunks(rows, minimumPerThread: parallel ? 4 : rows) { range in
        for start in stride(from: range.lowerBound, to: range.upperBound, by: blockRows) {
            block(start..<min(start + blockRows, range.upperBound), 0..<outFeatures)
        }
    }
}

/// o = a + b over n floats.
@inline(never)
func addRow(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ o: UnsafeMutablePointer<Float>, _ n: Int) {
    struct Add: LaneFunction2 { @inline(__always) func callAsFunction(_ a: FloatVector, _ b: FloatVector) -> FloatVector { a + b } }
    vectorMap(a, b, o, 0..<n, Add())
}

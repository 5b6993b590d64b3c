import Foundation
import Tensors

/// 2-D sine-cosine positions of a rows × columns grid as [rows·columns, width] row-major tokens:
/// the first half of the channels encode the row, the second the column, each as sin then cos of
/// position·ω_k with ω_k = 10000^(−k/(width/4)) (MAE's fixed 2-D table).
public func sineCosinePositions(rows: Int, columns: Int, width: Int) -> [Float] {
    require(width % 4 == 0 && width > 0, "sine-cosine positions: the width \(width) must be a positive multiple of 4")
    let quarter = width / 4
    let frequencies = (0..<quarter).map { pow(10000, -Double($0) / Double(quarter)) }
    var out = [Float](repeating: 0, count: rows * columns * width)
    for row in 0..<rows {
        for column in 0..<columns {
            let base = (row * columns + column) * width
            for (half, position) in [row, column].enumerated() {
                for (k, omega) in frequencies.enumerated() {
                    let angle = Double(position) * omega
                    out[base + half * 2 * quarter + k] = Float(sin(angle))
                    out[base + half * 2 * quarter + quarter + k] = Float(cos(angle))
                }
            }
        }
    }
    return out
}

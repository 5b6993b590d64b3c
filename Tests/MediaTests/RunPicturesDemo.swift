import Foundation
import Testing
@testable import Media

/// Writes the pictures for a person to look at (the font, a sample sheet) into
/// RUN_LOGGING_DEMO_DIR; skipped without it.
@Suite struct RunPicturesDemo {
    static let folder = ProcessInfo.processInfo.environment["RUN_LOGGING_DEMO_DIR"]

    @Test(.enabled(if: folder != nil)) func writeDemoPictures() throws {
        let folder = URL(fileURLWithPath: Self.folder ?? "")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var font = try ByteImage(width: 600, height: 300, channels: 3, fill: 255)
        let ascii = String((32...126).map { Character(UnicodeScalar(UInt8($0))) })
        font.drawText(String(ascii.prefix(32)) + "\n" + String(ascii.dropFirst(32).prefix(32)) + "\n" + String(ascii.dropFirst(64))
                      + "\n· × – — → … ≤ ≥ γ ° ¿", x: 4, y: 4, color: .black, scale: 3)
        font.drawText("red circle left of blue square\nstep 2000 · DDIM-50 · guidance 3", x: 4, y: 150, color: PixelColor(40, 40, 40), scale: 2)
        font.drawText("jumpy quartz glyphs; 0.0123 train/loss_ema", x: 4, y: 200, color: PixelColor(200, 30, 30), scale: 1)
        try PNGCodec.write(font, to: folder.appendingPathComponent("font.png"))

        let graphs = [
            ["red circle left of blue square"],
            ["green triangle below blue square", "red circle left of blue square"],
            ["yellow square", "purple circle inside yellow square"],
            ["blue circle above green square", "green square right of red triangle", "red triangle surrounding a very small white circle in the middle"],
            ["cyan triangle"],
            ["white square left of red circle", "red circle above blue triangle"],
        ]
        let items = try graphs.enumerated().map { (i, caption) in (image: try syntheticFrame(i * 3), caption: caption) }
        let sheet = SampleSheet.render(title: "step 2000 · DDIM-50 · guidance 3", items: items, columns: 3, scale: 4)
        try PNGCodec.write(sheet, to: folder.appendingPathComponent("sheet.png"))
    }
}

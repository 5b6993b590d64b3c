import Foundation

/// Tests/Fixtures, found from this file so the suite runs from any working directory.
let fixturesFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures")

import Foundation

/// Names for default run folders.
public enum RunClock {
    /// UTC date and time as yyyyMMdd-HHmmss.
    public static func timestamp(_ date: Date = Date()) -> String {
        let f = DateFormatter()
        f.dateFormat = "yyyyMMdd-HHmmss"; f.timeZone = TimeZone(identifier: "UTC"); f.locale = Locale(identifier: "en_US_POSIX")
        return f.string(from: date)
    }
}

/// Job ids as file names: letters, digits, `.`, `_` and `-` are kept, anything else becomes `_`;
/// an id that had to change gets a hash of the original appended, so `a/b` and `a_b` stay apart.
public enum SafeFileName {
    /// Longest name kept before the hash, well under file systems' 255-byte limit.
    static let maxStem = 80

    /// The file name for `id`.
    public static func make(_ id: String) -> String {
        var stem = ""
        for scalar in id.unicodeScalars {
            let keep = scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "._-".unicodeScalars.contains(scalar))
            stem.unicodeScalars.append(keep ? scalar : "_")
        }
        // A leading dot would hide the folder and clash with the temporary files of atomic writes.
        while stem.hasPrefix(".") { stem = "_" + stem.dropFirst() }
        if stem.count > maxStem { stem = String(stem.prefix(maxStem)) }
        return stem == id && !stem.isEmpty ? stem : stem + "-" + hash(id)
    }

    /// 8 hex digits of FNV-1a over the UTF-8 bytes: stable across runs and machines (unlike `hashValue`).
    static func hash(_ text: String) -> String {
        var h: UInt32 = 0x811c_9dc5
        for byte in text.utf8 { h = (h ^ UInt32(byte)) &* 0x0100_0193 }
        let hex = String(h, radix: 16)
        return String(repeating: "0", count: 8 - hex.count) + hex
    }
}

import Foundation

extension ImageEncoderConfiguration {
    /// The sizes as one JSON object, as an encoder file's `image_encoder` metadata holds them.
    public var json: String {
        "{\"image_size\": \(imageSize), \"patch\": \(patch), \"width\": \(width), \"depth\": \(depth), \"heads\": \(heads), "
            + "\"in_channels\": \(inChannels), \"global_dimension\": \(globalDimension)}"
    }

    /// Reads `json` (written by `json`); every key is required and checked, errors name it.
    public init(json: String) throws {
        guard let object = (try? JSONSerialization.jsonObject(with: Data(json.utf8))) as? [String: Any] else {
            throw ImageEncoderConfigurationError(message: "image_encoder metadata is not a JSON object")
        }
        func size(_ key: String, _ range: ClosedRange<Int>) throws -> Int {
            guard let value = object[key] as? Int, range.contains(value) else {
                throw ImageEncoderConfigurationError(message: "image_encoder.\(key): expected an integer in \(range.lowerBound)...\(range.upperBound), got \(object[key].map { "\($0)" } ?? "nothing")")
            }
            return value
        }
        self.init(imageSize: try size("image_size", 1...4096), patch: try size("patch", 1...4096), width: try size("width", 1...65536),
                  depth: try size("depth", 0...256), heads: try size("heads", 1...1024), globalDimension: try size("global_dimension", 1...65536))
        inChannels = try size("in_channels", 1...4)
        guard imageSize % patch == 0, width % heads == 0 else {
            throw ImageEncoderConfigurationError(message: "image_encoder: image_size \(imageSize) must be a multiple of patch \(patch), width \(width) of heads \(heads)")
        }
    }
}

/// Image encoder sizes that cannot be used.
public struct ImageEncoderConfigurationError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}

import Diffusion
import FuzzSupport

/// Any text either parses as a valid model configuration or throws ConfigurationError; a crash,
/// hang or sanitizer report is a bug in the YAML loader or the validation.
@main enum FuzzModelConfig {
    static func main() { fuzzMain(fuzzOne) }
}

private func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = data.map { String(decoding: UnsafeBufferPointer(start: $0, count: size), as: UTF8.self) } ?? ""
    do {
        let configuration = try ModelConfiguration.parse(yaml: text, source: "fuzz.yaml")
        // Whatever parses must be a configuration validation accepts.
        _ = try configuration.validated(source: "fuzz.yaml")
    } catch is ConfigurationError {
        return 0
    } catch {
        fatalError("not a ConfigurationError: \(error)")
    }
    return 0
}

import Diffusion
import Testing

@Suite struct ConfigurationValidationTests {
    static let sizeKeys = ["channels", "num_res", "heads", "in_channels", "norm_groups", "context_dim", "num_objects",
                           "num_predicates", "D", "H", "layers", "G", "max_triples"]

    func error(_ yaml: String) -> ConfigurationError? {
        do { _ = try ModelConfiguration.parse(yaml: yaml, source: "c.yaml"); return nil } catch let e as ConfigurationError { return e } catch { return nil }
    }

    @Test(arguments: sizeKeys)
    func nonPositiveSizeIsRefusedByName(key: String) {
        for value in [0, -3] {
            let e = error("model:\n  \(key): \(value)\n")
            #expect(e?.key == "model.\(key)", "\(key): \(value) gave \(String(describing: e))")
            #expect(e?.description == "c.yaml: model.\(key): must be a positive integer, found \(value)")
        }
    }

    @Test(arguments: sizeKeys)
    func absurdlyLargeSizeIsRefusedByName(key: String) {
        let e = error("model:\n  \(key): 9223372036854775807\n")
        #expect(e?.key == "model.\(key)", "\(key) gave \(String(describing: e))")
    }

    @Test func nonPositiveOrMissingLevelIsRefused() {
        #expect(error("model:\n  mult: [1, 0, 2]\n")?.description == "c.yaml: model.mult: every entry must be a positive integer, found 0")
        #expect(error("model:\n  mult: [-1]\n")?.key == "model.mult")
        #expect(error("model:\n  mult: []\n  attn_levels: []\n")?.description == "c.yaml: model.mult: must list at least one level")
        #expect(error("model:\n  mult: [1, 4611686018427387904]\n")?.key == "model.mult")
    }

    @Test func theDefaultAndTheFixtureSizesStillPass() throws {
        #expect(try ModelConfiguration.shapes32.validated(source: "default") == .shapes32)
        #expect(error("model:\n  channels: 16\n  mult: [1, 1]\n  heads: 2\n  attn_levels: [1]\n") == nil)
    }
}

/// Inputs the fuzzer found (Fuzz/Corpus/model-config/ keeps them as seeds).
@Suite struct ConfigurationFuzzRegressionTests {
    func error(_ yaml: String) -> ConfigurationError? {
        do { _ = try ModelConfiguration.parse(yaml: yaml, source: "c.yaml"); return nil } catch let e as ConfigurationError { return e } catch { return nil }
    }

    /// Yams reads "1:1:…" as a base-60 integer and overflowed (a trap) past 11 places.
    @Test func baseSixtyIntegersAreRefusedNotOverflowed() {
        #expect(error("model:\n  channels: 1:1:1:1:1:1:1:1:1:1:1:1\n")?.description
                == "c.yaml:2: model.channels: expected an integer, found \"1:1:1:1:1:1:1:1:1:1:1:1\"")
        #expect(error("model:\n  mult: [1, 1:1:1:1:1:1:1:1:1:1:1:1]\n")?.key == "model.mult")
        #expect(error("model:\n  heads: 1:30\n")?.key == "model.heads")
    }

    @Test func onlyPlainDecimalIntegersAreIntegers() {
        #expect(error("model:\n  channels: 0x20\n")?.key == "model.channels")
        #expect(error("model:\n  channels: \"32\"\n")?.key == "model.channels")
        #expect(error("model:\n  channels: 99999999999999999999\n")?.key == "model.channels")
        #expect(error("model:\n  channels: +32\n  mult: [1, 2]\n  attn_levels: [1]\n") == nil)
    }
}

import Testing
import Tensors
@testable import NN

/// A two-level module tree named like a PyTorch model.
final class TinyNet: Module {
    let net1: MLP, norm: LayerNorm, blocks: ModuleList<Linear>
    init(rng: inout RandomGenerator) {
        net1 = MLP([4, 8, 3], rng: &rng)
        norm = LayerNorm(3)
        blocks = ModuleList([Linear(3, 3, rng: &rng), Linear(3, 2, bias: false, rng: &rng)])
    }
    var children: [(String, any Module)] { [("net1", net1), ("norm", norm), ("blocks", blocks)] }
}

@Suite struct ModuleTests {
    @Test func parameterNamesFollowPyTorch() {
        var rng = RandomGenerator(seed: 1)
        let names = TinyNet(rng: &rng).namedParameters().map(\.0)
        #expect(names == ["net1.0.weight", "net1.0.bias", "net1.2.weight", "net1.2.bias", "norm.weight", "norm.bias",
                          "blocks.0.weight", "blocks.0.bias", "blocks.1.weight"])
    }

    @Test func loadingReportsEveryMismatchAtOnce() {
        var rng = RandomGenerator(seed: 2)
        let net = TinyNet(rng: &rng)
        var dict = net.stateDict()
        dict["net1.0.bias"] = nil
        dict["extra.weight"] = SafeTensor(shape: [1], data: .f32([0]))
        dict["norm.weight"] = SafeTensor(shape: [4], data: .f32([1, 1, 1, 1]))
        let file = SafeTensorsFile(tensors: dict, metadata: [:])
        do {
            try net.loadParameters(from: file, source: "tiny.safetensors")
            Issue.record("expected an error")
        } catch let error as ParameterLoadError {
            #expect(error.missing == ["net1.0.bias"])
            #expect(error.unexpected == ["extra.weight"])
            #expect(error.misshapen.map(\.0) == ["norm.weight"])
            #expect(error.description.contains("tiny.safetensors"))
        } catch { Issue.record("wrong error \(error)") }
    }

    @Test func loadingCopiesValuesByName() throws {
        var a = RandomGenerator(seed: 3), b = RandomGenerator(seed: 4)
        let source = TinyNet(rng: &a), target = TinyNet(rng: &b)
        try target.loadParameters(from: SafeTensorsFile(tensors: source.stateDict(), metadata: [:]), source: "memory")
        for ((_, x), (_, y)) in zip(source.namedParameters(), target.namedParameters()) { #expect(x.scalars == y.scalars) }
    }
}

/// Index checks must hold in release builds too (`swift test -c release` runs these).
@Suite struct EmbeddingBoundsTests {
    @Test func idPastTheTableStopsWithAMessage() async {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var rng = RandomGenerator(seed: 0)
            let table = Embedding(3, 2, rng: &rng)
            _ = table([0, 3])
        }
        let stderr = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
        #expect(stderr.contains("Embedding: id 3 is outside the table's 3 rows"))
    }

    @Test func negativeIdStops() async {
        await #expect(processExitsWith: .failure) {
            var rng = RandomGenerator(seed: 0)
            _ = Embedding(3, 2, rng: &rng)([-1])
        }
    }
}

import Testing
@testable import Tensors

@Suite struct OpenBLASCoreTests {
    let avx512: Set<String> = ["sse4_2", "avx", "avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512dq"]
    let avx2: Set<String> = ["sse4_2", "avx", "avx2", "fma"]

    @Test func genericCoreWithAVX512BecomesSkylakeX() {
        #expect(OpenBLASCore.coreTypeToSet(detectedCore: "Prescott", cpuFlags: avx512, userValue: nil) == "SkylakeX")
        #expect(OpenBLASCore.coreTypeToSet(detectedCore: " prescott ", cpuFlags: avx512, userValue: nil) == "SkylakeX")
    }

    @Test func genericCoreWithAVX2AndFMABecomesHaswell() {
        #expect(OpenBLASCore.coreTypeToSet(detectedCore: "Prescott", cpuFlags: avx2, userValue: nil) == "Haswell")
        // AVX-512 F alone (no BW/VL/DQ) is not enough for the SkylakeX kernels.
        #expect(OpenBLASCore.coreTypeToSet(detectedCore: "Nehalem", cpuFlags: avx2.union(["avx512f"]), userValue: nil) == "Haswell")
        #expect(OpenBLASCore.coreTypeToSet(detectedCore: "Prescott", cpuFlags: ["avx2"], userValue: nil) == nil)
    }

    @Test func userValueIsNeverOverridden() {
        #expect(OpenBLASCore.coreTypeToSet(detectedCore: "Prescott", cpuFlags: avx512, userValue: "Prescott") == nil)
        #expect(OpenBLASCore.coreTypeToSet(detectedCore: "Prescott", cpuFlags: avx512, userValue: "") == nil)
    }

    @Test func knownCoreIsLeftAlone() {
        #expect(OpenBLASCore.coreTypeToSet(detectedCore: "SkylakeX", cpuFlags: avx512, userValue: nil) == nil)
        #expect(OpenBLASCore.coreTypeToSet(detectedCore: "Zen", cpuFlags: avx2, userValue: nil) == nil)
        #expect(OpenBLASCore.coreTypeToSet(detectedCore: "Prescott", cpuFlags: ["sse4_2"], userValue: nil) == nil)
    }
}

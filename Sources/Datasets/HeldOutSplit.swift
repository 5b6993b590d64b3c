import SceneGraphs

/// The held-out split: an image is held out when a hash of its data-set id falls under the share,
/// so the split is the same on every machine, does not depend on order, and an image keeps its
/// side when others are added or skipped.
public enum HeldOutSplit {
    public static func isHeldOut(imageID: Int, share: Double) -> Bool {
        var rng = SplitMix64(seed: UInt64(bitPattern: Int64(imageID)) ^ 0x48E1_D0C7_5A11_7E57)
        return rng.unit() < share
    }
}

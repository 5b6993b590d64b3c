import Foundation
import NN
import Tensors

/// Sizes of the pretraining image encoder (the `pretrain.image_encoder` section).
public struct ImageEncoderConfiguration: Sendable, Equatable {
    public var imageSize = 32, patch = 4, width = 128, depth = 4, heads = 4
    public var inChannels = 3
    /// Width of the global vector; equal to the graph encoder's G so the two can be compared.
    public var globalDimension = 256

    public init(imageSize: Int = 32, patch: Int = 4, width: Int = 128, depth: Int = 4, heads: Int = 4, globalDimension: Int = 256) {
        self.imageSize = imageSize; self.patch = patch; self.width = width; self.depth = depth; self.heads = heads
        self.globalDimension = globalDimension
    }

    /// Patches along one side.
    public var grid: Int { imageSize / patch }
    public var tokens: Int { grid * grid }
}

/// A small ViT, trained from scratch (no CLIP weights can be downloaded here): p×p patches →
/// tokens with learned positions → pre-LayerNorm blocks; global = Linear(LayerNorm(mean of tokens)).
public final class ImageEncoder: Module {
    public let configuration: ImageEncoderConfiguration
    public let patchEmbedding: Conv2d
    public let positions: Tensor
    public let blocks: ModuleList<ViTBlock>
    public let norm: LayerNorm
    public let globalProjection: Linear

    public init(_ c: ImageEncoderConfiguration, rng: inout RandomGenerator) {
        require(c.imageSize % c.patch == 0, "ImageEncoder: image size \(c.imageSize) is not a multiple of the patch \(c.patch)")
        configuration = c
        patchEmbedding = Conv2d(c.inChannels, c.width, kernelSize: c.patch, stride: c.patch, rng: &rng)
        // 2-D sine-cosine positions (as MAE), still trained: with ViT's N(0, 0.02) start the positions
        // were ~1/25 of the patch embeddings, and the global vector of an image and of its mirror
        // stayed at cosine 0.96–0.98 even with mirrored images as negatives (mirror accuracy 0.50).
        positions = Tensor(shape: [c.tokens, c.width], scalars: sineCosinePositions(rows: c.grid, columns: c.grid, width: c.width))
        positions.requiresGrad = true
        blocks = ModuleList((0..<c.depth).map { _ in ViTBlock(width: c.width, heads: c.heads, rng: &rng) })
        norm = LayerNorm(c.width)
        globalProjection = Linear(c.width, c.globalDimension, rng: &rng)
    }

    public var localParameters: [(String, Tensor)] { [("pos", positions)] }

    public var children: [(String, any Module)] {
        [("patch", patchEmbedding), ("blocks", blocks), ("norm", norm), ("global_proj", globalProjection)]
    }

    /// Patch tokens with positions, before the blocks: images [B, C, S, S] → [B, N, W].
    public func embed(_ images: Tensor) -> Tensor {
        let b = images.shape[0], c = configuration
        require(images.rank == 4 && images.shape[2] == c.imageSize && images.shape[3] == c.imageSize,
                     "ImageEncoder: expected [B, \(c.inChannels), \(c.imageSize), \(c.imageSize)], got \(images.shape)")
        let patches = patchEmbedding(images).reshaped([b, c.width, c.tokens]).permuted([0, 2, 1])
        return patches + positions.reshaped([1, c.tokens, c.width])
    }

    /// Runs the blocks on embedded tokens [B, N, W] → tokens [B, N, W].
    public func encode(_ tokens: Tensor) -> Tensor {
        var h = tokens
        for block in blocks.items { h = block(h) }
        return h
    }

    /// The global vector of encoded tokens [B, N, W] → [B, G].
    public func global(_ tokens: Tensor) -> Tensor {
        globalProjection(norm(tokens.mean(axes: [1])))
    }
}

/// Pre-LayerNorm transformer block: x + Attn(LN(x)), then x + MLP(LN(x)) with a 4× GELU MLP.
public final class ViTBlock: Module {
    public let ln1: LayerNorm, attention: Attention, ln2: LayerNorm, fc1: Linear, fc2: Linear

    public init(width w: Int, heads: Int, rng: inout RandomGenerator) {
        ln1 = LayerNorm(w); attention = Attention(dimension: w, contextDimension: w, heads: heads, rng: &rng)
        ln2 = LayerNorm(w); fc1 = Linear(w, 4 * w, rng: &rng); fc2 = Linear(4 * w, w, rng: &rng)
    }

    public var children: [(String, any Module)] { [("ln1", ln1), ("attn", attention), ("ln2", ln2), ("fc1", fc1), ("fc2", fc2)] }

    /// x [B, N, W] → [B, N, W].
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let h = x + attention(ln1(x))
        return h + fc2(gelu(fc1(ln2(h))))
    }
}

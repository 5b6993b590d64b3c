import Datasets
import SceneGraphs

/// A pack's batches split over ranks like ShapeWorld's (`ExampleStream`, DataParallel.swift).
extension PackedBatches: ExampleStream {}

import SceneGraphs

/// How well one clip shows its frame graphs: the image figures per frame, whether every object
/// stayed visible, and whether objects moved as ShapeWorld objects can (≤ 2 px a frame at 32 px).
public struct ClipCheck: Sendable, Equatable {
    /// The checker's figures for each frame.
    public var frames: [ImageCheck]
    /// Every graph object was found in every frame.
    public var identityKept: Bool
    /// Consecutive-frame pairs judged for motion (F − 1).
    public var motionPairs: Int
    /// Pairs where every object was found in both frames and its centre moved at most the limit.
    public var consistentPairs: Int
    /// Some frame's relationships differ from the first frame's: the clip asks for motion that
    /// changes the layout, which a still image cannot show.
    public var relationsChange = false
    /// Mean absolute change of a pixel value (0–255, every channel) between consecutive frames.
    public var flicker = 0.0

    /// Every consecutive pair of frames is consistent: the clip is smooth from first frame to last.
    public var smooth: Bool { consistentPairs == motionPairs }
}

/// Totals over many clips: the video figures.
public struct ClipMetrics: Sendable, Equatable {
    public var clips = 0, identityKept = 0, motionPairs = 0, consistentPairs = 0, smoothClips = 0
    /// Sum over clips of their flicker.
    public var flickerSum = 0.0
    /// The image figures over every frame of every clip.
    public var frames = CheckMetrics()

    public init() {}

    public mutating func add(_ c: ClipCheck) {
        clips += 1; identityKept += c.identityKept ? 1 : 0; motionPairs += c.motionPairs; consistentPairs += c.consistentPairs
        smoothClips += c.smooth ? 1 : 0; flickerSum += c.flicker
        for f in c.frames { frames.add(f) }
    }

    public var objectRecall: Double { frames.objectRecall }
    public var relationAccuracy: Double { frames.relationAccuracy }
    /// Share of clips in which every object is found in every frame.
    public var identityRate: Double { clips == 0 ? 0 : Double(identityKept) / Double(clips) }
    /// Share of consecutive-frame pairs whose objects all moved plausibly.
    public var motionConsistency: Double { motionPairs == 0 ? 1 : Double(consistentPairs) / Double(motionPairs) }
    /// Share of clips smooth from first frame to last.
    public var smoothRate: Double { clips == 0 ? 0 : Double(smoothClips) / Double(clips) }
    /// Mean flicker of a clip.
    public var flicker: Double { clips == 0 ? 0 : flickerSum / Double(clips) }

    /// The figures as JSON members (no braces).
    public var jsonMembers: String {
        func f(_ x: Double) -> String { String(format: "%.4f", x) }
        return "\"clips\": \(clips), \"frames\": \(frames.images), \"object_recall\": \(f(objectRecall)), "
            + "\"relation_accuracy\": \(f(relationAccuracy)), \"graph_accuracy\": \(f(frames.graphAccuracy)), "
            + "\"identity_kept\": \(f(identityRate)), \"motion_consistency\": \(f(motionConsistency)), "
            + "\"smooth_clips\": \(f(smoothRate)), \"flicker\": \(String(format: "%.2f", flicker))"
    }

    /// One JSON object with the video figures.
    public var json: String { "{" + jsonMembers + "}" }
}

/// The clip figures for all clips and, apart, for the clips whose relations change — the ones a
/// still image cannot pass.
public struct ClipReport: Sendable, Equatable {
    public var all = ClipMetrics()
    public var changing = ClipMetrics()

    public init() {}

    public mutating func add(_ c: ClipCheck) {
        all.add(c)
        if c.relationsChange { changing.add(c) }
    }

    /// `{…all figures…, "changing": {…}}`.
    public var json: String { "{" + all.jsonMembers + ", \"changing\": " + changing.json + "}" }
}

extension SceneChecker {
    /// Largest centre displacement between consecutive frames still counted as consistent, in
    /// pixels at 32 px (scaled with the image): objects move ≤ 2 px a frame, detection adds ±1.
    public static let motionLimit = 3.0

    /// Checks a clip: `frames[i]` is an RGB image (`width`×`height`) meant to show `graphs[i]`.
    /// Objects are matched by class (and, once seen, by where they were last); a pair of frames in
    /// which an object is missing counts as inconsistent: nothing can be said to have moved plausibly.
    public func check(clip frames: [[UInt8]], width: Int, height: Int, graphs: [SceneGraph]) -> ClipCheck {
        precondition(frames.count == graphs.count, "\(frames.count) frames for \(graphs.count) graphs")
        var checks: [ImageCheck] = []
        var centres: [[(Double, Double)?]] = []
        // Tracking: once every object has been seen, each frame matches objects to the detections
        // nearest their last known boxes, so two objects of one class keep their identities.
        var lastBoxes = [Box?](repeating: nil, count: graphs.first?.objects.count ?? 0)
        for (pixels, graph) in zip(frames, graphs) {
            var tracked = graph
            let detections = detector.detect(rgb: pixels, width: width, height: height)
            if lastBoxes.count == graph.objects.count, lastBoxes.allSatisfy({ $0 != nil }) {
                tracked.boxes = lastBoxes.compactMap { $0 }
            } else {
                let best = bestMatch(graph, detections)
                if best.allSatisfy({ $0 != nil }) { tracked.boxes = best.map { detections[$0!].box } }
            }
            checks.append(check(rgb: pixels, width: width, height: height, graph: tracked))
            let match = matchObjects(tracked, detections)
            for (i, m) in match.enumerated() where i < lastBoxes.count { if let m { lastBoxes[i] = detections[m].box } }
            centres.append(match.map { m in
                m.map { (detections[$0].box.centerX * Double(width), detections[$0].box.centerY * Double(height)) }
            })
        }
        let limit = Self.motionLimit * Double(width) / 32
        var consistent = 0
        for i in centres.indices.dropFirst() {
            let moved = zip(centres[i - 1], centres[i]).allSatisfy { a, b in
                guard let a, let b else { return false }
                return ((a.0 - b.0) * (a.0 - b.0) + (a.1 - b.1) * (a.1 - b.1)).squareRoot() <= limit
            }
            if moved { consistent += 1 }
        }
        let identity = checks.allSatisfy { $0.objectsFound == $0.objects }
        var flicker = 0.0
        for i in frames.indices.dropFirst() {
            var sum = 0
            for (a, b) in zip(frames[i - 1], frames[i]) { sum += abs(Int(a) - Int(b)) }
            flicker += Double(sum) / Double(max(frames[i].count, 1))
        }
        if frames.count > 1 { flicker /= Double(frames.count - 1) }
        return ClipCheck(frames: checks, identityKept: identity, motionPairs: max(frames.count - 1, 0), consistentPairs: consistent,
                         relationsChange: graphs.relationsChange, flicker: flicker)
    }
}

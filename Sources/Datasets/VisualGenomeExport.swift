import SceneGraphs

/// ShapeWorld scenes as Visual Genome's three files: `image_data.json` (id, size, url ending in
/// the file name), `objects.json` (per image: objects with ids, names, pixel boxes) and
/// `relationships.json` (per image: the generator's relations between object ids).
enum VisualGenomeExport {
    static func documents(_ scenes: [(id: Int, file: String, graph: SceneGraph)], size: Int)
        -> (images: [[String: Any]], objects: [[String: Any]], relationships: [[String: Any]]) {
        var images: [[String: Any]] = [], objects: [[String: Any]] = [], relationships: [[String: Any]] = []
        var relationshipID = 0
        for scene in scenes {
            images.append(["image_id": scene.id, "width": size, "height": size, "url": "images/" + scene.file])
            // Object ids unique over the set: 16 slots per image (scenes hold at most 8 objects).
            func objectID(_ k: Int) -> Int { scene.id * 16 + k }
            let list: [[String: Any]] = scene.graph.objects.enumerated().map { k, name in
                let b = pixelBox(scene.graph.boxes![k], size: size)
                return ["object_id": objectID(k), "names": [name], "x": b.x, "y": b.y, "w": b.w, "h": b.h]
            }
            objects.append(["image_id": scene.id, "objects": list])
            let relations: [[String: Any]] = scene.graph.relationships.map { r in
                relationshipID += 1
                return ["relationship_id": relationshipID, "predicate": r.predicate,
                        "subject": list[r.subject], "object": list[r.object]]
            }
            relationships.append(["image_id": scene.id, "relationships": relations])
        }
        return (images, objects, relationships)
    }
}

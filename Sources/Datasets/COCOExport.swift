import SceneGraphs
import ShapeWorld

/// ShapeWorld scenes as a COCO instances document: the 18 classes are categories 1–18 in
/// vocabulary order (so the loader's vocabulary is ShapeWorld's), one annotation per object in
/// graph order, boxes [x, y, w, h] in pixels. Relations are not part of COCO: the loader
/// synthesises them from the boxes with the same geometric rule.
enum COCOExport {
    static func document(_ scenes: [(id: Int, file: String, graph: SceneGraph)], size: Int) -> [String: Any] {
        let categoryIDs = Dictionary(uniqueKeysWithValues: ShapeClass.all.enumerated().map { ($1.name, $0 + 1) })
        var images: [[String: Any]] = [], annotations: [[String: Any]] = []
        for scene in scenes {
            images.append(["id": scene.id, "file_name": scene.file, "width": size, "height": size])
            for (k, name) in scene.graph.objects.enumerated() {
                let b = pixelBox(scene.graph.boxes![k], size: size)
                annotations.append(["id": annotations.count + 1, "image_id": scene.id, "category_id": categoryIDs[name]!,
                                    "bbox": [b.x, b.y, b.w, b.h], "area": b.w * b.h, "iscrowd": 0])
            }
        }
        let categories: [[String: Any]] = ShapeClass.all.enumerated().map { i, c in
            ["id": i + 1, "name": c.name, "supercategory": c.shape.rawValue]
        }
        return ["info": ["description": "ShapeWorld scenes exported by `shapeworld export --format coco`"],
                "images": images, "annotations": annotations, "categories": categories]
    }
}

import Foundation

/// The geometric predicates, in vocabulary order after `__in_image__` (ids 1–6).
public let geometricPredicates = ["left of", "right of", "above", "below", "inside", "surrounding"]

/// sg2im's COCO rule for the relation of subject box `s` to object box `o`, checked in order:
/// containment first, then the direction of d = centre(s) − centre(o) (y down).
public func geometricRelation(subject s: Box, object o: Box) -> String {
    if s.x0 < o.x0 && s.y0 < o.y0 && s.x1 > o.x1 && s.y1 > o.y1 { return "surrounding" }
    if o.x0 < s.x0 && o.y0 < s.y0 && o.x1 > s.x1 && o.y1 > s.y1 { return "inside" }
    let theta = atan2(s.centerY - o.centerY, s.centerX - o.centerX)
    if theta >= 3 * Double.pi / 4 || theta < -3 * Double.pi / 4 { return "left of" }
    if theta < -Double.pi / 4 { return "above" }
    if theta < Double.pi / 4 { return "right of" }
    return "below"
}

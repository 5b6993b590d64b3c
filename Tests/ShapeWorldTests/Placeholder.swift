import Testing
@testable import ShapeWorld

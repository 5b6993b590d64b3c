import Testing
@testable import SceneGraphs

import Testing
@testable import GraphEncoder

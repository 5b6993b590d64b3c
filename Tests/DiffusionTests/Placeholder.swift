import Testing
@testable import Diffusion

import Tensors
// Filled in with the conv2d / group norm kernels.
func benchConvolutionOps(reps: Int) {}
func benchMemoryFlatness(iterations: Int) {}

import Tensors
// Filled in with the attention kernel.
func benchAttentionOps(reps: Int) {}

// The NN module; see DESIGN.md for what belongs here.

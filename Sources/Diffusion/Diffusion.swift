// The Diffusion module; see DESIGN.md for what belongs here.

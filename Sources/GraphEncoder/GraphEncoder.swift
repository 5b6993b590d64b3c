// The GraphEncoder module; see DESIGN.md for what belongs here.

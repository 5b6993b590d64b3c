// The Media module; see DESIGN.md for what belongs here.

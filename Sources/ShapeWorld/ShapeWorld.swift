// The ShapeWorld module; see DESIGN.md for what belongs here.

// The SceneGraphs module; see DESIGN.md for what belongs here.

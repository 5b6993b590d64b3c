print("shapeworld: not yet built")

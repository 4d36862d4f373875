"""Pure logic of Frankenstein: classes, strokes, raster, templates, models, classifier.

Nothing here imports pyglet, textual or any other package of this project.
"""

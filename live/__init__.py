"""The pyglet drawing window; a plain controller holds its state."""

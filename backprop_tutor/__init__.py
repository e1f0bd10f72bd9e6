"""backprop_tutor."""

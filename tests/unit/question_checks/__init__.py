"""Independent computations of each kind of question's true answer, one module per page."""

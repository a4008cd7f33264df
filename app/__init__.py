"""An interactive course on how neural networks learn: derivatives, gradients and gradient descent."""

"""The fast path (--vectorized), beyond the article: cost, gradient and the callback's
training-set figures from one forward pass per weight vector.

fmin_cg asks for the cost and the gradient at the same weights, as separate calls, and then the
training callback evaluates the training set at weights the optimizer has just evaluated. Each
would do the forward pass again. CostAndGradient remembers the last weights it saw and their
forward pass, so each distinct weight vector costs one forward pass and one backward pass.
The numbers are those of cost_function and gradient_vectorized to the last bit: the same
functions of ann.py compute them, on the same inputs.
"""
import numpy as np


class CostAndGradient:
    """cost(theta) and gradient(theta) for fmin_cg, and evaluate(theta) for the callback, on a
    History's training set. network: ann.py's names (this_module()), whose functions (reshape,
    feedforward, cost_of_outputs, backpropagate) do the arithmetic."""

    def __init__(self, network, history):
        self.network = network
        self.a1, self.y = history.a1_train, history.y_train    # (m, n + 1), (m,)
        self.lmbda, self.sizes = history.lmbda, history.sizes
        self.theta = None                                       # the weights last seen

    def forward(self, theta):
        """The forward pass at theta, unless it is the one already done."""
        if self.theta is not None and theta.tobytes() == self.theta.tobytes():
            return                                              # the very same bits
        self.theta = np.array(theta, dtype=float)               # a copy: fmin_cg reuses arrays
        self.Theta1, self.Theta2 = self.network.reshape(self.theta, *self.sizes)
        self.outputs = self.network.feedforward(self.Theta1, self.Theta2, self.a1)
        self.J = self.grad = None

    def cost(self, theta):
        self.forward(theta)
        if self.J is None:
            self.J = self.network.cost_of_outputs(self.outputs[2], self.y, self.Theta1,
                                                  self.Theta2, self.lmbda)
        return self.J

    def gradient(self, theta):
        self.forward(theta)
        if self.grad is None:
            self.grad = self.network.backpropagate(self.Theta1, self.Theta2, self.a1, self.y,
                                                   self.lmbda, self.outputs)
        return self.grad.copy()

    def evaluate(self, theta):
        """The training set's cost J and predictions (m,) at theta, as History.evaluate gives."""
        return self.cost(theta), np.argmax(self.outputs[2], axis=1)

"""Claims about activation functions: ranges, derivatives, sparsity, softmax, the output layer."""

"""Claims about training itself: speed per activation, optimizers, batch size."""

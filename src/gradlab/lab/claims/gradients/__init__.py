"""Claims about the backward pass through depth: vanishing, exploding, dying, signs, memory."""

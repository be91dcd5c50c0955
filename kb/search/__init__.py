"""Search: what a question asks, and hybrid retrieval of the passages that answer it."""

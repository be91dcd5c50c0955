"""The core: settings, data types, the Chroma store with its BM25 index, embeddings and the
French text tools they share. It imports nothing else of the project."""

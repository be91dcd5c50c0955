"""The CTG knowledge base: core (store, indexes), search, answers, catalogue, training; cli."""

import os

# Offline by default: no model hub, no telemetry. Set before any model or Chroma code is imported.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

"""Evaluation: question sets, retrieval and answer metrics, the plain BM25 baseline, reports."""

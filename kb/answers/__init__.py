"""Answers: selection of the answer unit, citations, LLM backends, the prompt and the LCEL chain."""

"""Text inside a document that addresses a language model: recognised, never quoted, and made
inert before it enters a prompt."""

from __future__ import annotations

import re

# Instructions aimed at a model, inside a document: never quoted as an answer.
_INJECTION = re.compile(
    r"\b(?:ignore[rz]?|oublie[rz]?|ne tiens pas compte)\b.{0,40}\b(?:instructions?|consignes?|"
    r"r[eè]gles?)\b|\bignore (?:all |any )?(?:previous|prior|above) instructions\b|"
    r"\bsystem prompt\b|\bprompt syst[eè]me\b|"
    # Chat-template turns and our own delimiters: text that tries to pass for the conversation,
    # or a model echoing its prompt. Also in the look-alike brackets `neutralise` writes, which
    # a model can copy back into its answer.
    r"[<‹]\|?(?:start_of_turn|end_of_turn|im_start|im_end|system|user|assistant)\|?[>›]|"
    r"[<‹]/?passages?\b|"
    r"\[/?INST\]",
    re.IGNORECASE,
)

# Angle brackets would let a document close the data block ("</passages>") or open a chat
# template's turn ("<start_of_turn>", "<|im_start|>"): they become look-alike quotes.
_BRACKETS = str.maketrans({"<": "‹", ">": "›"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def looks_like_injection(text: str) -> bool:
    """Whether a sentence addresses the model ("ignore les instructions précédentes…")."""
    return bool(_INJECTION.search(text))


def neutralise(text: str) -> str:
    """Passage text made inert inside the data block."""
    return _CONTROL.sub(" ", text).translate(_BRACKETS)

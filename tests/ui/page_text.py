"""What a practitioner must never read on a page: a Markdown mark left raw, an English word of
Streamlit's own, a file or index identifier. Shared by the page tests and the browser test."""

from __future__ import annotations

import re
from collections.abc import Iterable

RAW_MARKDOWN = re.compile(r"\*\*|^#{1,6}\s|\]\(", re.MULTILINE)
# A date field reads in its format's order (year first by default); empty, it shows that order
# in English slots ("dd/mm/yyyy"), whatever the format.
ENGLISH = re.compile(
    r"Choose an? option|Choose options|Select all|dd/mm/yyyy|yyyy/mm/dd|YYYY/MM/DD"
)
# A file of the corpus, a data file, a metadata field, a chunk id ("doc-<hash>-0003").
TECHNICAL = re.compile(r"corpus/|\.md\b|\.json\b|doc_type|\b[0-9a-f]{12}-\d{4}\b")


def leaks(texts: Iterable[str]) -> dict[str, list[str]]:
    """The texts that show each kind of leak, by its pattern; empty when the page is clean."""
    texts = list(texts)
    found = {
        pattern.pattern: [text for text in texts if pattern.search(text)]
        for pattern in (RAW_MARKDOWN, ENGLISH, TECHNICAL)
    }
    return {pattern: shown for pattern, shown in found.items() if shown}

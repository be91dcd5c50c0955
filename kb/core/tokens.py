"""French tokens for lexical matching: glossary-expanded, elisions removed, stemmed, accents
folded, stop words dropped; questions widened to their synonyms."""

from __future__ import annotations

import re
from functools import lru_cache

from kb.core.glossary import SYNONYMS, expand, fold

# Bumped whenever tokens change: a saved BM25 index made with other tokens is then rebuilt.
TOKENS_VERSION = 4

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_ELISION = re.compile(r"^(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu)['’]", re.IGNORECASE)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("french")


@lru_cache(maxsize=1)
def _stop_words() -> frozenset[str]:
    from bm25s.stopwords import STOPWORDS_FRENCH

    return frozenset(fold(w) for w in STOPWORDS_FRENCH)


# Words joined by hyphens ("fish-bowl", "co-construction"), also indexed as one word, since
# the same word is written "fishbowl" or "coconstruire" elsewhere.
_COMPOUND = re.compile(r"[^\W_]+(?:-[^\W_]+)+", re.UNICODE)


def tokenize(text: str, full_forms: bool = True) -> list[str]:
    """Lexical tokens of `text`: glossary-expanded, elisions removed, stemmed, accents folded."""
    stop = _stop_words()
    text = expand(text, full_forms).lower()
    joined = [c.replace("-", "") for c in _COMPOUND.findall(text)]
    words = [_ELISION.sub("", w) for w in [*_WORD.findall(text), *joined]]
    words = [w for w in words if w and fold(w) not in stop]
    return [f for f in (fold(s) for s in _stemmer().stemWords(words)) if f]


# Verbs by which a question asks ("que fait…", "faut-il…", "je dois…"), rather than name what it
# asks about.
_ASKING_VERBS = frozenset({
    "faire", "fait", "fais", "faisons", "faites", "faut", "faudrait", "peut", "peuvent", "peux",
    "pouvons", "pouvez", "doit", "doivent", "dois", "devons", "devez", "avoir", "etre", "vais",
    "va", "allons", "allez", "vont", "veux", "voulons", "voulez",
})
# The words a question asks with, folded.
QUESTION_WORDS = frozenset({
    "quel", "quelle", "quels", "quelles", "comment", "pourquoi", "combien", "quand", "qui", "ou",
    "que", "quoi", "est-ce",
})
# Of those, the ones no answering sentence shares by chance ("qu'est-ce que…", "à quoi sert-il")
# weigh nothing in choosing a sentence, like the asking verbs; treated so, the others cost three
# answers on seeds_dev.
_LIGHT_QUESTION_WORDS = frozenset({"est-ce", "quoi"})
# Words that ask, link or qualify rather than name what is asked about.
_NOT_NAMING = _ASKING_VERBS | QUESTION_WORDS | {
    "lequel", "laquelle", "lesquels", "lesquelles",
    "avant", "apres", "pendant", "depuis", "chez", "lors", "entre", "vers", "sans", "sous",
    "des", "ainsi", "aussi", "deja", "encore", "toujours", "jamais", "tres", "plus", "moins",
    "bien", "si",
}


@lru_cache(maxsize=1)
def light_tokens() -> frozenset[str]:
    """The tokens of the words by which a question asks ("fait", "faut", "peut", "est-ce"…): no
    sentence answers by sharing them."""
    return frozenset(t for word in _ASKING_VERBS | _LIGHT_QUESTION_WORDS for t in tokenize(word))


def content_words(text: str) -> list[str]:
    """The words of `text` that name something: no stop word, no question word, no number."""
    stop = _stop_words() | _NOT_NAMING
    words = (_ELISION.sub("", w) for w in _WORD.findall(text))
    return list(dict.fromkeys(
        w for w in words if len(w) > 1 and not w.isdigit() and fold(w.lower()) not in stop
    ))


@lru_cache(maxsize=1)
def synonyms() -> dict[str, tuple[str, ...]]:
    """Each token of a synonym group mapped to the tokens of its whole group."""
    table: dict[str, tuple[str, ...]] = {}
    for group in SYNONYMS:
        tokens = tuple(dict.fromkeys(t for word in group for t in tokenize(word)))
        for token in tokens:
            table[token] = tuple(dict.fromkeys(table.get(token, ()) + tokens))
    return table


def query_tokens(query: str) -> list[str]:
    """Tokens of a question, widened to their synonyms; the user's own words count twice so that
    a synonym never outweighs them."""
    tokens = tokenize(query, full_forms=False)
    table = synonyms()
    return tokens + tokens + [t for token in tokens for t in table.get(token, ()) if t != token]

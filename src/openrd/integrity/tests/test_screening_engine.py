"""The duplication-screening engine: pure, no database."""

from __future__ import annotations

import random

import numpy as np
import pytest
from scipy import sparse

from openrd.integrity.screening.engine import Screener, normalise, side_by_side
from openrd.integrity.screening.text import term_counts

JA = [
    "本研究では、深層学習を用いた画像認識の新しい手法を提案する。少数の学習データでも高い精度を得ることを目指す。"
    "さらに、医療画像への応用を通じて手法の有効性を検証する。得られた成果は公開ソフトウェアとして提供する。",
    "気候変動が日本の農業に与える影響を評価するため、全国の気象観測データと作物収量データを統合して解析する。"
    "地域ごとの適応策を提案し、自治体と連携して実証試験を行う。",
    "江戸時代の商家文書を網羅的に調査し、近世の流通網と金融の実態を明らかにする。"
    "文書の画像と翻刻をデータベース化し、研究者が利用できる形で公開する。",
]
EN = [
    "We propose a new method for protein structure prediction that combines graph neural networks with "  # noqa: E501
    "physical energy terms. The model is trained on experimentally solved structures. We evaluate it on "  # noqa: E501
    "blind targets and release the code and the trained weights.",
    "This project studies how coastal wetlands store carbon under rising sea levels. We combine field "  # noqa: E501
    "cores from twelve sites with remote sensing. The results will inform restoration policy.",
]
MIXED = [
    "本研究は large language model の推論効率を改善する。量子化と蒸留を組み合わせ、"
    "edge device 上での応答時間を半分にすることを目指す。評価には公開ベンチマークを用いる。",
]
UNRELATED = [
    "猫の行動生態について、都市部と農村部の違いを長期観察によって比較する。",
    "A history of medieval bridge construction in northern Italy, based on municipal archives.",
]


def _sentences(text: str) -> list[str]:
    out, current = [], ""
    for ch in text:
        current += ch
        if ch in "。.":
            out.append(current)
            current = ""
    return out + ([current] if current.strip() else [])


def _drop_sentence(text: str) -> str:
    parts = _sentences(text)
    return "".join(parts[:1] + parts[2:])


def _add_sentence(text: str) -> str:
    return text + (
        "また、国際共同研究を通じて成果を発信する。" if "。" in text else " We also train students."
    )


def _change_chars(text: str, rate: float = 0.05, seed: int = 7) -> str:
    rng = random.Random(seed)
    chars = list(text)
    for i in rng.sample(range(len(chars)), max(1, int(len(chars) * rate))):
        chars[i] = "x" if chars[i] != "x" else "y"
    return "".join(chars)


@pytest.fixture
def screener() -> Screener:
    s = Screener(threshold=0.6)
    for i, text in enumerate(JA + EN + MIXED):
        s.upsert(f"doc:{i}", text)
    return s


@pytest.mark.parametrize("index", range(len(JA + EN + MIXED)))
@pytest.mark.parametrize("edit", [_drop_sentence, _add_sentence, _change_chars])
def test_planted_near_duplicates_are_found_in_japanese_english_and_mixed(screener, index, edit):
    original = (JA + EN + MIXED)[index]
    matches = screener.query(edit(original))
    assert matches, "the planted copy was not found"
    assert matches[0].key == f"doc:{index}"
    assert matches[0].score >= 0.6


@pytest.mark.parametrize("text", UNRELATED)
def test_unrelated_text_stays_quiet(screener, text):
    assert screener.query(text) == []


def test_upsert_replaces_and_remove_removes(screener):
    screener.upsert("doc:0", UNRELATED[0])
    assert len(screener) == len(JA + EN + MIXED)
    assert [m.key for m in screener.query(UNRELATED[0])] == ["doc:0"]
    assert screener.query(JA[0]) == []
    screener.remove("doc:0")
    screener.remove("doc:absent")
    assert "doc:0" not in screener
    assert screener.query(UNRELATED[0]) == []


def test_exclude_leaves_out_the_given_keys(screener):
    screener.upsert("copy", JA[1])
    assert {m.key for m in screener.query(JA[1])} == {"doc:1", "copy"}
    assert [m.key for m in screener.query(JA[1], exclude=["doc:1"])] == ["copy"]


def test_limit_and_order(screener):
    screener.upsert("copy", _change_chars(EN[0], 0.02))
    matches = screener.query(EN[0], limit=1)
    assert [m.key for m in matches] == ["doc:3"]
    both = screener.query(EN[0])
    assert [m.score for m in both] == sorted((m.score for m in both), reverse=True)
    assert both[0].score == pytest.approx(1.0)


def test_normalise_folds_width_case_and_spaces():
    assert normalise("  ＡＢＣ　Deep\n\tLearning ｶﾀｶﾅ ") == "abc deep learning カタカナ"


def test_similarity_is_the_query_cosine(screener):
    copy = _drop_sentence(JA[2])
    [match] = screener.query(copy)
    assert screener.similarity(copy, JA[2]) == pytest.approx(match.score)


def _brute_force(corpus: dict[str, str], queries: list[str], threshold: float) -> list[set[str]]:
    keys = list(corpus)
    counts = term_counts(corpus[k] for k in keys)
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log((1 + len(keys)) / (1 + df)) + 1

    def weigh(m):
        w = sparse.csr_matrix(m.astype(np.float64).multiply(idf))
        norms = np.sqrt(np.asarray(w.multiply(w).sum(axis=1)).ravel())
        norms[norms == 0] = 1
        return sparse.diags(1 / norms) @ w

    scores = (weigh(term_counts(queries)) @ weigh(counts).T).toarray()
    return [{keys[j] for j in np.flatnonzero(row >= threshold)} for row in scores]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_query_equals_brute_force_cosine_on_a_random_corpus(seed):
    rng = random.Random(seed)
    alphabet = "あいうえおかきくけこさしすabcde "
    corpus: dict[str, str] = {}
    for i in range(120):
        base = "".join(rng.choice(alphabet) for _ in range(rng.randint(15, 90)))
        corpus[f"d{i}"] = base
        for j in range(rng.randint(0, 3)):
            corpus[f"d{i}.{j}"] = "".join(
                rng.choice(alphabet) if rng.random() < 0.12 else ch for ch in base
            )
    screener = Screener(threshold=0.5)
    for key, text in corpus.items():
        screener.upsert(key, text)
    for key in rng.sample(sorted(corpus), 40):  # removals and replacements move the IDF
        if rng.random() < 0.5:
            screener.remove(key)
            del corpus[key]
        else:
            corpus[key] = corpus[key][::-1]
            screener.upsert(key, corpus[key])
    queries = [corpus[k] for k in rng.sample(sorted(corpus), 60)] + ["zzz", ""]
    expected = _brute_force(corpus, queries, 0.5)
    batch = screener.query_batch(queries, limit=10**6)
    for query, want, got in zip(queries, expected, batch, strict=True):
        assert {m.key for m in got} == want
        assert {m.key for m in screener.query(query, limit=10**6)} == want


@pytest.mark.parametrize("seed", [4, 5])
def test_checks_between_changes_stay_exact_as_the_idf_drifts(seed):
    # Checks between the changes: the index keeps prefixes cut under an older IDF,
    # bounded by the drift since, and is cut again only when the bound runs out.
    rng = random.Random(seed)
    words = ["量子", "計測", "細胞", "材料", "climate", "model", "data", "の", "を", "a"]
    corpus: dict[str, str] = {}
    screener = Screener(threshold=0.5)
    for step in range(12):
        for _ in range(rng.randint(5, 40)):
            key = f"s{step}.{rng.randrange(10**6)}"
            corpus[key] = "".join(rng.choice(words) for _ in range(rng.randint(8, 30)))
            screener.upsert(key, corpus[key])
        for key in rng.sample(sorted(corpus), min(len(corpus) // 6, 10)):
            screener.remove(key)
            del corpus[key]
        queries = [corpus[k] for k in rng.sample(sorted(corpus), 5)]
        queries.append("".join(rng.choice(words) for _ in range(20)))
        for threshold in (0.5, 0.8, 0.35):  # 0.35: below the index's cut, a scan
            expected = _brute_force(corpus, queries, threshold)
            got = [screener.query(q, threshold=threshold, limit=10**6) for q in queries]
            assert [{m.key for m in g} for g in got] == expected


def test_many_documents_seal_blocks_and_stay_exact():
    rng = random.Random(5)
    corpus = {f"k{i}": "".join(rng.choice("abcdefgh") for _ in range(40)) for i in range(1500)}
    screener = Screener(threshold=0.3)
    screener.upsert_many(corpus.items())
    for key in list(corpus)[::3]:
        screener.remove(key)
        del corpus[key]
    queries = list(corpus.values())[:30]
    expected = _brute_force(corpus, queries, 0.3)
    got = screener.query_batch(queries, threshold=0.3, limit=10**6)
    assert [{m.key for m in g} for g in got] == expected


def test_side_by_side_returns_the_shared_passage_with_offsets_in_the_originals():
    shared = "深層学習を用いた画像認識の新しい手法を提案する。"
    a = "本研究では、" + shared + "以上。"
    b = "ＡＢＣ　我々は " + shared + "終わり"
    [passage] = side_by_side(a, b)
    assert a[passage.a_start : passage.a_end] == passage.a_text
    assert b[passage.b_start : passage.b_end] == passage.b_text
    assert shared in passage.a_text
    assert shared in passage.b_text
    assert passage.a_start <= a.index(shared)
    assert passage.b_start <= b.index(shared)


def test_side_by_side_maps_folded_text_back_to_the_original():
    a = "Ｄｅｅｐ　Ｌｅａｒｎｉｎｇ for images"
    b = "We use deep learning for images today"
    [passage] = side_by_side(a, b)
    assert passage.a_text == a
    assert passage.b_text == "deep learning for images"


def test_side_by_side_ignores_short_coincidences():
    assert side_by_side("研究を行う。", "調査を行う。") == []

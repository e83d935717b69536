"""Duplication screening: the Screener beside the exact brute-force TF-IDF product.

Builds proposal-sized documents (200-800 characters, Japanese and English) from the
real text in ../shared/research-data (read at run time, never copied), plants edited
copies, and measures per corpus size: build, memory, online p50/p95 of query(), the
batch's time per query, both against Q @ D.T in chunks, and recall against it.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import random
import resource
import sys
import time
from pathlib import Path

import numpy as np
from scipy import sparse

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))

from common import print_machine

from openrd.integrity.screening.engine import Screener
from openrd.integrity.screening.text import term_counts

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "research-data"
THRESHOLD = 0.6


def _split_ja(text: str) -> list[str]:
    return [s + "。" for s in text.replace("\n", "").split("。") if len(s) >= 8]


def load_sentences() -> tuple[list[str], list[str]]:
    ja: list[str] = []
    for path in sorted(glob.glob(str(DATA / "jaquad" / "data" / "*" / "*.json"))):
        for article in json.loads(Path(path).read_text())["data"]:
            for paragraph in article["paragraphs"]:
                ja.extend(_split_ja(paragraph["context"]))
    for path in sorted(glob.glob(str(DATA / "wikipedia-annotated-corpus" / "org" / "*" / "*.org"))):
        lines = [ln for ln in Path(path).read_text().splitlines() if ln and not ln.startswith("#")]
        ja.extend(_split_ja("".join(lines)))
    en: list[str] = []
    for path in sorted(glob.glob(str(DATA / "scitldr" / "SciTLDR-A" / "*.jsonl"))):
        for line in Path(path).read_text().splitlines():
            en.extend(s.strip() + " " for s in json.loads(line)["source"] if len(s) > 20)
    return list(dict.fromkeys(ja)), list(dict.fromkeys(en))


def make_document(rng: random.Random, pool: list[str]) -> str:
    """A title-and-abstract sized text of real sentences drawn from one language."""
    target = rng.randint(200, 800)
    parts: list[str] = []
    length = 0
    while length < target:
        sentence = pool[rng.randrange(len(pool))]
        parts.append(sentence)
        length += len(sentence)
    return "".join(parts)[:800]


def plant(rng: random.Random, text: str, pool: list[str]) -> str:
    """An edited copy: a sentence dropped, one added, or 5 % of characters changed."""
    kind = rng.randrange(3)
    mark = "。" if "。" in text else ". "
    sentences = [s for s in text.split(mark) if s]
    if kind == 0 and len(sentences) > 3:
        del sentences[rng.randrange(len(sentences))]
        return mark.join(sentences)
    if kind == 1:
        return text + pool[rng.randrange(len(pool))]
    chars = list(text)
    for i in rng.sample(range(len(chars)), max(1, len(chars) // 20)):
        chars[i] = rng.choice("あいうえおかきくけこabcdefghij")
    return "".join(chars)


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def brute_force(
    docs_w: sparse.csr_matrix, q_w: sparse.csr_matrix, chunk: int = 50
) -> list[set[int]]:
    """Every (query, document) pair scored: documents x queries, a chunk at a time."""
    out: list[set[int]] = []
    for start in range(0, q_w.shape[0], chunk):
        block = q_w[start : start + chunk]
        scores = (docs_w @ sparse.csr_matrix(block.T)).tocoo()
        keep = scores.data >= THRESHOLD - 1e-6
        rows, cols = scores.row[keep], scores.col[keep]
        for i in range(block.shape[0]):
            out.append(set(rows[cols == i].tolist()))
    return out


def counts_of(texts: list[str], chunk: int = 50000) -> sparse.csr_matrix:
    return sparse.vstack(
        [term_counts(texts[i : i + chunk]) for i in range(0, len(texts), chunk)], format="csr"
    )


def weigh(counts: sparse.csr_matrix, df: np.ndarray, n: int) -> sparse.csr_matrix:
    """TF-IDF rows of unit length, in place and in float32 (as the Screener stores counts)."""
    w = counts
    w.data *= (np.log((1.0 + n) / (1.0 + df[w.indices])) + 1.0).astype(np.float32)
    norms = np.sqrt(np.add.reduceat(w.data.astype(np.float64) ** 2, w.indptr[:-1]))
    norms[np.diff(w.indptr) == 0] = 1.0
    w.data /= np.repeat(norms, np.diff(w.indptr)).astype(np.float32)
    return w


def run(size: int, args: argparse.Namespace, ja: list[str], en: list[str]) -> dict[str, float]:
    rng = random.Random(args.seed)

    def pool() -> list[str]:
        return ja if rng.random() < 0.75 else en

    docs = [make_document(rng, pool()) for _ in range(size)]
    queries = []
    for i in range(args.queries):
        if i % 2 == 0:
            original = docs[rng.randrange(size)]
            queries.append(plant(rng, original, ja if "。" in original else en))
        else:
            queries.append(make_document(rng, pool()))

    rss0 = rss_mib()
    t0 = time.perf_counter()
    screener = Screener(threshold=THRESHOLD)
    for start in range(0, size, 20000):
        screener.upsert_many((f"d{i}", docs[i]) for i in range(start, min(size, start + 20000)))
    screener.query(queries[0])  # the first check orders the features and cuts the prefixes
    build = time.perf_counter() - t0
    rss_screener = rss_mib() - rss0

    online = []
    for q in queries[: args.online]:
        t = time.perf_counter()
        screener.query(q)
        online.append(time.perf_counter() - t)

    t = time.perf_counter()
    batch = screener.query_batch(queries, limit=10**6)
    batch_per_query = (time.perf_counter() - t) / len(queries)

    # The reference: same vectoriser and IDF, every pair scored.
    t = time.perf_counter()
    del screener
    counts = counts_of(docs)
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    docs_w = weigh(counts, df, size)
    ref_build = time.perf_counter() - t
    sample = queries[: args.exact]
    t = time.perf_counter()
    exact = brute_force(docs_w, weigh(term_counts(sample), df, size))
    del docs_w, counts
    exact_per_query = (time.perf_counter() - t) / len(sample)

    want = sum(len(e) for e in exact)
    got = sum(len(e & {int(m.key[1:]) for m in b}) for e, b in zip(exact, batch, strict=False))
    extra = sum(len({int(m.key[1:]) for m in b} - e) for e, b in zip(exact, batch, strict=False))
    return {
        "size": size,
        "build_s": build,
        "rss_mib": rss_screener,
        "p50_ms": 1000 * float(np.percentile(online, 50)),
        "p95_ms": 1000 * float(np.percentile(online, 95)),
        "batch_ms": 1000 * batch_per_query,
        "exact_ms": 1000 * exact_per_query,
        "ref_build_s": ref_build,
        "pairs": want,
        "recall": got / want if want else 1.0,
        "extra": extra,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10000,50000", help="corpus sizes, comma-separated")
    parser.add_argument("--queries", type=int, default=2000, help="queries in the batch")
    parser.add_argument("--online", type=int, default=300, help="single query() checks timed")
    parser.add_argument(
        "--exact", type=int, default=300, help="queries scored by the exact product"
    )
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    print_machine()
    print("Data (read at run time from ../shared/research-data; see its SOURCES.md)")
    print("  JaQuAD (SkelterLabsInc/JaQuAD, CC BY-SA 3.0): Japanese Wikipedia paragraphs")
    print("  WikipediaAnnotatedCorpus (ku-nlp, CC BY-SA 4.0): Japanese Wikipedia article leads")
    print("  SciTLDR (allenai/scitldr, Apache-2.0): English abstracts from OpenReview papers")
    ja, en = load_sentences()
    print(f"  sentences: {len(ja):,} Japanese, {len(en):,} English")
    print(
        f"Documents: 200-800 chars of real sentences (75 % ja); queries: {args.queries:,}, "
        f"half planted copies; threshold {THRESHOLD}"
    )
    header = (
        f"{'docs':>9} {'build s':>8} {'RSS MiB':>8} {'p50 ms':>7} {'p95 ms':>7} {'batch ms/q':>10} "
        f"{'exact ms/q':>10} {'speed-up':>8} {'pairs':>6} {'recall':>7} {'extra':>5}"
    )
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        r = run(size, args, ja, en)
        rows.append(r)
        print(header if len(rows) == 1 else "", end="\n" if len(rows) == 1 else "")
        print(
            f"{r['size']:>9,} {r['build_s']:>8.1f} {r['rss_mib']:>8.0f} {r['p50_ms']:>7.2f} "
            f"{r['p95_ms']:>7.2f} {r['batch_ms']:>10.2f} {r['exact_ms']:>10.1f} "
            f"{r['exact_ms'] / r['batch_ms']:>7.0f}x {r['pairs']:>6} {r['recall']:>7.4f} {r['extra']:>5}",  # noqa: E501
            flush=True,
        )
    last = rows[-1]
    print(
        f"A batch of 100,000 at {last['size']:,} docs: Screener ~{last['batch_ms'] * 100:.0f} s, "
        f"exact ~{last['exact_ms'] * 100:.0f} s (per-query times x 100,000)"
    )
    if len(rows) >= 2:
        a, b = rows[-2], rows[-1]
        grow = b["size"] / a["size"]
        print(
            f"From {a['size']:,} to {b['size']:,} docs (x{grow:.0f}): p95 x{b['p95_ms'] / a['p95_ms']:.1f}, "  # noqa: E501
            f"exact x{b['exact_ms'] / a['exact_ms']:.1f}, memory x{b['rss_mib'] / max(a['rss_mib'], 1):.1f}"  # noqa: E501
        )
    print(
        f"Peak RSS of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"  # noqa: E501
    )


if __name__ == "__main__":
    main()

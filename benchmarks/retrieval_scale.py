"""BUCC-style mining at scale: stiltx's chunked numpy k-NN against faiss `IndexFlatIP`.

Synthetic unit vectors: `--n` sources and `--n` targets of `--dim` dimensions, half of the
targets a noisy copy of a source (true pairs), the rest random. Mining is
`stiltx.evaluation.retrieval.bucc_mine` (k=4 neighbours in both directions, ratio margin, "max"
extraction), run twice in fresh subprocesses:

  stiltx: as shipped: `knn` multiplies query chunks by the candidates (no block larger than
          MAX_BLOCK_ELEMENTS floats; the N x N matrix is never materialised) and keeps the top k;
  faiss:  the same `bucc_mine`, its `knn` replaced by exact search in a faiss `IndexFlatIP`
          (the reference; `pip install -e ".[bench]"`).

It prints the wall time of each, the ratio, whether the neighbours (indices, both directions)
and the mined pairs are identical, and the peak memory each process added on top of the data
(growth of peak RSS). Usage:

    python benchmarks/retrieval_scale.py                  # 100k x 100k x 1024 (long on 2 cores)
    python benchmarks/retrieval_scale.py --n 20000        # minutes
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np


def make_embeddings(n: int, dim: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    from stiltx.evaluation.retrieval import normalize_rows

    rng = np.random.default_rng(seed)
    x = normalize_rows(rng.standard_normal((n, dim), dtype=np.float32))
    y = rng.standard_normal((n, dim), dtype=np.float32)
    half = n // 2
    y[:half] = x[rng.permutation(n)[:half]] * 4 + y[:half]  # noisy copies: true pairs
    return x, normalize_rows(y)


def faiss_knn(queries: np.ndarray, candidates: np.ndarray, k: int, **_: object):
    import faiss

    index = faiss.IndexFlatIP(candidates.shape[1])
    index.add(np.ascontiguousarray(candidates, dtype=np.float32))
    sims, idx = index.search(np.ascontiguousarray(queries, dtype=np.float32), k)
    return sims, idx.astype(np.int64)


def run_one(method: str, n: int, dim: int, threads: int, out: Path) -> None:
    """In a fresh process: mine once, write time, peak memory growth and the neighbours."""
    from stiltx.evaluation import retrieval

    if method == "faiss":
        import faiss

        faiss.omp_set_num_threads(threads)
        retrieval.knn = faiss_knn  # bucc_mine looks knn up in its module
    real_knn = retrieval.knn
    found: list[np.ndarray] = []

    def recording_knn(queries, candidates, k, **kwargs):
        sims, idx = real_knn(queries, candidates, k, **kwargs)
        found.append(idx)
        return sims, idx

    retrieval.knn = recording_knn
    x, y = make_embeddings(n, dim)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    pairs = retrieval.bucc_mine(x, y)
    seconds = time.perf_counter() - start
    peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    np.save(out / f"{method}-x2y.npy", found[0])
    np.save(out / f"{method}-y2x.npy", found[1])
    np.save(out / f"{method}-pairs.npy", np.array([(i, j) for i, j, _ in pairs], dtype=np.int64))
    (out / f"{method}.json").write_text(json.dumps({"seconds": seconds, "peak_mib": peak}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=100_000, help="sources (and targets)")
    parser.add_argument("--dim", type=int, default=1024)
    parser.add_argument("--threads", type=int, default=0, help="BLAS / OpenMP threads (0: all)")
    parser.add_argument("--only", choices=["stiltx", "faiss"], help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    import os

    threads = args.threads or os.cpu_count() or 1
    if args.only:
        run_one(args.only, args.n, args.dim, threads, Path(args.out))
        return

    print(f"BUCC mining, {args.n:,} x {args.n:,} x {args.dim}, k=4 both directions, "
          f"ratio margin; {threads} threads")  # fmt: skip
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for method in ("stiltx", "faiss"):
            env = {**os.environ, "OMP_NUM_THREADS": str(threads),
                   "OPENBLAS_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}  # fmt: skip
            command = [sys.executable, __file__, "--only", method, "--out", tmp,
                       "--n", str(args.n), "--dim", str(args.dim), "--threads", str(threads)]  # fmt: skip
            subprocess.run(command, check=True, env=env)
            results[method] = json.loads((Path(tmp) / f"{method}.json").read_text())
        same = {
            part: bool(
                np.array_equal(
                    np.load(f"{tmp}/stiltx-{part}.npy"), np.load(f"{tmp}/faiss-{part}.npy")
                )
            )  # fmt: skip
            for part in ("x2y", "y2x")
        }
        agree = float(np.mean(np.load(f"{tmp}/stiltx-x2y.npy") == np.load(f"{tmp}/faiss-x2y.npy")))
        # Pairs as sets: similarities equal up to float summation order can reorder equal margins.
        mined = {m: set(map(tuple, np.load(f"{tmp}/{m}-pairs.npy").tolist())) for m in results}
        differ = len(mined["stiltx"] ^ mined["faiss"])
    ours, ref = results["stiltx"], results["faiss"]
    for name, r in results.items():
        print(f"  {name:7s} {r['seconds']:8.1f} s   peak memory +{r['peak_mib']:,.0f} MiB")
    print(f"  stiltx/faiss time = {ours['seconds'] / ref['seconds']:.2f}   (target <= 1.5)")
    print(f"  identical neighbours x->y: {same['x2y']}  y->x: {same['y2x']}  "
          f"(x->y entries equal: {agree:.4%})")  # fmt: skip
    print(f"  mined pairs: {len(mined['stiltx']):,} vs {len(mined['faiss']):,}, "
          f"{differ} in only one of them")  # fmt: skip


if __name__ == "__main__":
    main()

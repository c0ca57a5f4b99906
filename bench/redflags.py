"""`python -m bench.redflags`: the red-flag lexicon's per-message scan cost, old against new.

Both matchers run over the same message mix with every language live: the old one is the
naive loop kept as the reference (``RedFlagLexicon.naive_find``: every pattern of every
category in turn), the new one ``RedFlagLexicon.find`` (literal prefilter, then only the
patterns that can match). The mix, fixed by a seed (see ``message_mix``): short chat
messages (the language files' own examples in every script, English NLU examples), medium
ones (2 to 4 of those joined), 1,000- and 10,000-character messages in one language, and
adversarial 5,000-character ones. Long messages are 10% of the mix, far more than in real
traffic, so the p95 is that of a 1,000-character message. Prints a markdown table; ``run()`` returns the numbers as a dict and
``render()`` makes the table, so that `make bench` can include it.
"""
from __future__ import annotations

import argparse
import random
import statistics
import time
from typing import Callable, Dict, List, Tuple

from bot.redflags import (
    DEFAULT_LEXICON, RedFlagLexicon, build_index, language_examples, language_files, load_lexicon_data,
    nlu_examples,
)

KINDS = ("short", "medium", "1,000 chars", "10,000 chars", "adversarial")


def message_mix(seed: int = 7, short: int = 700, medium: int = 200, long: int = 60, huge: int = 20,
                adversarial: int = 20) -> List[Tuple[str, str]]:
    """(kind, text) pairs. Short and medium messages come from every language; a long one is
    in one language (its harmless examples, or English NLU examples, run together), half of
    them ending with an emergency in that language; adversarial ones repeat a word of the
    lexicon 5,000 characters long, without spaces, or mix every language."""
    rng = random.Random(seed)
    nlu = [text for _, _, text in nlu_examples()]
    by_language: Dict[str, Tuple[List[str], List[str]]] = {}
    for path in language_files(DEFAULT_LEXICON):
        must_flag, must_not_flag = language_examples(path)
        by_language[path.stem] = ([t for texts in must_flag.values() for t in texts], must_not_flag)
    english_flags = ["I can't breathe", "my dad has collapsed", "I have crushing chest pain", "I want to kill myself"]
    by_language["en"] = (english_flags, nlu)
    flagged = [t for f, _ in by_language.values() for t in f]
    everything = flagged + [t for _, h in by_language.values() for t in h]

    def long_message(length: int, emergency: bool) -> str:
        flags, harmless = by_language[rng.choice(sorted(by_language))]
        parts: List[str] = []
        while sum(len(p) + 1 for p in parts) < length:
            parts.append(rng.choice(harmless))
        text = " ".join(parts)[:length]
        if emergency:
            tail = rng.choice(flags)
            text = text[:length - len(tail) - 1] + " " + tail
        return text

    mix = [("short", rng.choice(everything)) for _ in range(short)]
    mix += [("medium", " ".join(rng.choice(everything) for _ in range(rng.randint(2, 4)))) for _ in range(medium)]
    mix += [("1,000 chars", long_message(1000, i % 2 == 1)) for i in range(long)]
    mix += [("10,000 chars", long_message(10000, i % 2 == 1)) for i in range(huge)]
    words = ["a", "chest", "ਛਾਤੀ", "గుండె", "胸", "नस", "صدر", "ọ́", "!", "x" * 49 + " "]
    hostile = [(words[i % len(words)] * 5000)[:5000] for i in range(adversarial - adversarial // 4)]
    hostile += [" ".join(rng.choice(everything) for _ in range(100))[:5000] for _ in range(adversarial // 4)]
    mix += [("adversarial", text) for text in hostile]
    return mix


def _costs(scan: Callable[[str], object], mix: List[Tuple[str, str]], repeats: int) -> Tuple[List[float], List]:
    """Per message, the median over ``repeats`` of one scan's time in ms (CPU time of this
    thread, so that other work on a shared machine does not count), and what it found."""
    timer = time.thread_time
    costs, found = [], []
    for _, text in mix:
        samples = []
        for _ in range(repeats):
            began = timer()
            result = scan(text)
            samples.append((timer() - began) * 1000)
        costs.append(statistics.median(samples))
        found.append(result)
    return costs, found


def _percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _summary(costs: List[float]) -> Dict[str, float]:
    return {"p50_ms": _percentile(costs, 0.50), "p95_ms": _percentile(costs, 0.95), "max_ms": max(costs)}


def run(repeats: int = 3, seed: int = 7) -> Dict:
    """Scan costs of both matchers on the same mix, plus what loading the lexicon costs."""
    began = time.perf_counter()
    data = load_lexicon_data()
    read_s = time.perf_counter() - began
    began = time.perf_counter()
    data["index"] = build_index(data)           # done once, when a model is trained
    index_s = time.perf_counter() - began
    began = time.perf_counter()
    lexicon = RedFlagLexicon(data)               # what loading a trained model costs
    load_s = time.perf_counter() - began
    began = time.perf_counter()
    lexicon.compile_all()                         # otherwise spread over the first messages
    compile_s = time.perf_counter() - began
    mix = message_mix(seed)
    old, old_found = _costs(lexicon.naive_find, mix, repeats)
    new, new_found = _costs(lexicon.find, mix, repeats)
    disagreements = sum(a != b for a, b in zip(old_found, new_found))  # must be 0 for speed to mean anything
    by_kind = {}
    for kind in KINDS:
        picked = [i for i, (k, _) in enumerate(mix) if k == kind]
        if picked:
            by_kind[kind] = {"messages": len(picked), "old": _summary([old[i] for i in picked]),
                             "new": _summary([new[i] for i in picked])}
    return {
        "languages": 1 + len(language_files(DEFAULT_LEXICON)),
        "patterns": len(lexicon.rules()),
        "messages": len(mix),
        "repeats": repeats,
        "disagreements": disagreements,
        "old": _summary(old),
        "new": _summary(new),
        "by_kind": by_kind,
        "read_s": read_s,
        "index_s": index_s,
        "load_s": load_s,
        "compile_all_s": compile_s,
    }


def _ratio(old: float, new: float) -> str:
    return f"{old / new:.0f}x" if new else "n/a"


def render(result: Dict) -> str:
    lines = [
        f"Red-flag lexicon: {result['languages']} languages, {result['patterns']} patterns; "
        f"{result['messages']} messages (median of {result['repeats']} scans each, CPU time); "
        f"old and new disagree on {result['disagreements']}.",
        "",
        "| per-message scan cost (ms) | old: naive loop | new: prefiltered | old / new |",
        "|---|---:|---:|---:|",
    ]
    rows = [("all messages", result["old"], result["new"])]
    rows += [(f"{kind} ({v['messages']})", v["old"], v["new"]) for kind, v in result["by_kind"].items()]
    for label, old, new in rows:
        for key, name in (("p50_ms", "p50"), ("p95_ms", "p95"), ("max_ms", "max")):
            if label != "all messages" and key == "p50_ms":
                continue
            lines.append(f"| {label}, {name} | {old[key]:.3f} | {new[key]:.3f} | {_ratio(old[key], new[key])} |")
    lines += [
        "",
        f"Loading: read YAML {result['read_s']:.2f} s; analyse patterns (at training, stored in the model) "
        f"{result['index_s']:.2f} s; build the matcher from a trained model {result['load_s']:.2f} s; "
        f"compile every pattern (otherwise on first use) {result['compile_all_s']:.2f} s.",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="scans per message (median kept)")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    print(render(run(args.repeats, args.seed)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

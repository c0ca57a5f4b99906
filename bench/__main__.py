"""`make bench`: TellOnce against a stock `rasa init` assistant, in one run, as ratios.

Measures, for both on this machine: server start-up time and peak resident
memory; per-message latency (p50, p95) and throughput over the REST channel with
1 and 16 concurrent conversations; NLU cross-validation intent F1 and the most
confused intent pairs. Then the language layer: its added cost per message against
the layer off (bench.multilingual), the red-flag scan with every language loaded
against the naive loop (bench.redflags), language identification accuracy by text
length, per language and per detector on ../shared/langid (bench.langid), and the handoff:
request to case and to email, and the live relay both ways against a bot turn (bench.handoff).
Writes bench/results/latest.json and prints the tables.
"""
from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from bench import handoff, langid, load, multilingual, nlu, redflags, servers
from bot.model import CONFIG, DOMAIN, ensure_model
from bot.settings import PROJECT_ROOT, load_settings

RESULTS = PROJECT_ROOT / "bench" / "results"


def run_assistant(name: str, start, script, starts: int, per_worker: int) -> dict:
    startups, result = [], {}
    for attempt in range(starts):
        running = start(attempt)
        startups.append(running.startup_seconds)
        try:
            if attempt == starts - 1:
                result["latency_1"] = load.measure(running.url, script, 1, per_worker * 4)
                result["latency_16"] = load.measure(running.url, script, 16, per_worker)
                result.update(running.memory())
        finally:
            running.stop()
    result["startup_s"] = statistics.median(startups)
    print(f"  {name}: started in {result['startup_s']:.1f} s", flush=True)
    return result


def ratio(ours: float, theirs: float) -> str:
    return f"{ours / theirs:.2f}" if theirs else "n/a"


def table(t: dict, s: dict) -> str:
    rows = [
        ("start-up (s)", t["startup_s"], s["startup_s"]),
        ("Rasa server peak RSS (MB)", t["rasa_peak_kb"] / 1024, s["rasa_peak_kb"] / 1024),
        ("all servers peak RSS (MB)", t["total_peak_kb"] / 1024, s["total_peak_kb"] / 1024),
    ]
    for c in ("1", "16"):
        for key, label in (("p50_ms", "p50 latency (ms)"), ("p95_ms", "p95 latency (ms)"),
                           ("throughput_msg_s", "throughput (msg/s)")):
            rows.append((f"{label}, {c} concurrent", t[f"latency_{c}"][key], s[f"latency_{c}"][key]))
    if "nlu" in t:
        rows += [("NLU intent macro F1 (CV)", t["nlu"]["macro_f1"], s["nlu"]["macro_f1"]),
                 ("NLU intents", t["nlu"]["intents"], s["nlu"]["intents"])]
    lines = ["| measure | TellOnce | stock rasa init | ratio |", "|---|---:|---:|---:|"]
    lines += [f"| {label} | {a:.2f} | {b:.2f} | {ratio(a, b)} |" for label, a, b in rows]
    return "\n".join(lines)


def render_languages(languages: dict) -> str:
    parts = [multilingual.render(languages["layer"]), redflags.render(languages["red_flags"])]
    if "langid" in languages:
        parts.append(langid.render(languages["langid"]))
    return "\n\n".join(parts)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=2, help="start-ups per assistant (median reported)")
    parser.add_argument("--per-worker", type=int, default=2, help="conversations per worker at 16 concurrent")
    parser.add_argument("--folds", type=int, default=3)
    parser.add_argument("--skip-nlu", action="store_true")
    parser.add_argument("--skip-langid", action="store_true", help="skip language identification (bench.langid)")
    parser.add_argument("--skip-handoff", action="store_true", help="skip the handoff timings (bench.handoff)")
    parser.add_argument("--only-languages", action="store_true",
                        help="only the language sections: layer cost, red-flag scan, language identification")
    args = parser.parse_args(argv)

    print("Multilingual layer cost, layer on against off", flush=True)
    languages = {"layer": multilingual.run(), "red_flags": redflags.run()}
    if not args.skip_langid:
        print("Language identification on ../shared/langid (takes a few minutes)", flush=True)
        languages["langid"] = langid.run()
    if args.only_languages:
        print("\n" + render_languages(languages))
        return 0

    cache = load_settings().var_dir / "bench-cache"
    work = Path(tempfile.mkdtemp(prefix="tellonce-bench-"))
    print("Preparing models (cached after the first run)...", flush=True)
    stock = servers.stock_project(cache)
    stock_model = servers.latest_model(stock)
    ensure_model()

    print("Servers: start-up, latency, memory", flush=True)
    stock_result = run_assistant(
        "stock", lambda i: servers.start_stock(stock, stock_model, work / f"stock-{i}.log"),
        load.STOCK_SCRIPT, args.starts, args.per_worker)
    tellonce_result = run_assistant(
        "TellOnce", lambda i: servers.start_tellonce(work / f"var-{i}", work),
        load.TELLONCE_SCRIPT, args.starts, args.per_worker)

    if not args.skip_nlu:
        print(f"NLU {args.folds}-fold cross-validation (takes several minutes)", flush=True)
        stock_result["nlu"] = nlu.cross_validate(stock / "config.yml", [stock / "data" / "nlu.yml"],
                                                 work / "nlu-stock", args.folds)
        tellonce_result["nlu"] = nlu.cross_validate(CONFIG, [PROJECT_ROOT / "data" / "nlu"], work / "nlu-tellonce",
                                                    args.folds, DOMAIN)

    handoff_result = None
    if not args.skip_handoff:
        print("Handoff: request to case and email, live relay both ways", flush=True)
        handoff_result = handoff.run()

    report = {"when": time.strftime("%Y-%m-%d %H:%M"), "tellonce": tellonce_result, "stock": stock_result,
              "handoff": handoff_result}
    report["languages"] = languages
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2))
    print("\n" + table(tellonce_result, stock_result))
    if "nlu" in tellonce_result:
        print("\nTellOnce most confused intents:", "; ".join(tellonce_result["nlu"]["confusions"]) or "none")
        print("Stock most confused intents:", "; ".join(stock_result["nlu"]["confusions"]) or "none")
    print("\nRatios are TellOnce / stock: below 1 is better for time and memory, above 1 for throughput and F1.")
    if handoff_result:
        print("\n" + handoff.render(handoff_result))
    print("\n" + render_languages(languages))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The multilingual layer's own cost per message, side by side with the layer off.

Layer on, per patient message: the inbound pipeline (conversation state, explicit
requests, detection, red-flag lexicon, masking, translation served from the cache)
plus rendering one reply in the conversation's language from its catalogue. Layer
off: the same bot without it: the text goes to Rasa as it is and the reply is
rendered in English. Provider time is excluded by warming the cache first (the
provider is the fake LibreTranslate on 127.0.0.1). Also measured: the translation
cache hit path on its own.

`python -m bench.multilingual [--rounds N]`; ``run()``/``render()`` for `make bench`.
"""
from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Tuple


# What patients write, in a spread of languages and scripts (the phrasebook's lines plus
# some longer messages); each is sent in its own conversation so detection decides.
MESSAGES: List[Tuple[str, str]] = [
    ("en", "when is my next appointment please"),
    ("en", "I can't remember if the nurse is coming on Tuesday or Wednesday, can you check?"),
    ("pl", "Kiedy jest moja następna wizyta?"),
    ("pl", "Mój numer NHS to 999 000 0018, proszę o pomoc"),
    ("pa", "ਮੇਰੀ ਅਗਲੀ ਮੁਲਾਕਾਤ ਕਦੋਂ ਹੈ?"),
    ("ur", "میری اگلی ملاقات کب ہے؟"),
    ("ne", "मेरो अर्को अपोइन्टमेन्ट कहिले हो?"),
    ("ro", "Când este următoarea mea programare?"),
    ("lt", "Kada mano kitas vizitas?"),
    ("ru", "Здравствуйте, когда мой следующий приём у медсестры?"),
    ("ar", "متى موعدي القادم مع الممرضة؟"),
    ("zh", "我的下一个预约是什么时候？"),
    ("ta", "என் அடுத்த சந்திப்பு எப்போது?"),
    ("de", "Wann ist mein nächster Termin?"),
    ("tr", "Bir sonraki randevum ne zaman? Kızım beni götürecek."),
    ("es", "¿Cuándo es mi próxima cita? Mi hija no puede venir el martes."),
]
REPLY = "utter_anything_else"


def percentile(values: List[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def summary(samples_s: List[float]) -> Dict[str, float]:
    ms = [s * 1000 for s in samples_s]
    return {"p50_ms": statistics.median(ms), "p95_ms": percentile(ms, 0.95), "max_ms": max(ms), "n": len(ms)}


async def _measure(rounds: int, libre_url: str, work: Path) -> Dict:
    import os

    from rasa.shared.core.domain import Domain
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.db import Database
    from bot.inbound import InboundPipeline, registry_names
    from bot.language.conversations import ConversationLanguages
    from bot.language.detect import default_detector
    from bot.languages import default_table
    from bot.nlg import CatalogueNaturalLanguageGenerator
    from bot.redflags import default_lexicon
    from bot.seed import seed
    from bot.settings import PROJECT_ROOT
    from bot.translation.cache import TranslationCache
    from bot.translation.masking import Masker
    from bot.translation.service import TranslationService

    os.environ["LIBRETRANSLATE_URL"] = libre_url
    db = Database(f"sqlite:///{work / 'bench.db'}")
    seed(db, today=dt.date.today(), generated=300)
    translator = TranslationService("libre", TranslationCache(db), timeout=5.0, retries=0)
    pipeline = InboundPipeline(default_table(), default_detector(), default_lexicon(),
                               ConversationLanguages(db), translator, lambda: Masker(registry_names(db)))
    await asyncio.get_running_loop().run_in_executor(None, pipeline.warm_up)
    domain = Domain.load(str(PROJECT_ROOT / "bot" / "domain"))
    nlg = CatalogueNaturalLanguageGenerator(None, domain, translator=translator)

    async def layer_on(conversation: str, text: str) -> None:
        inbound = await pipeline.process(conversation, text)
        tracker = DialogueStateTracker(conversation, domain.slots)
        tracker.update(UserUttered(inbound.text, {"name": "greet", "confidence": 1.0},
                                   metadata=dict(inbound.metadata)))
        await nlg.generate(REPLY, tracker, "rest")

    async def layer_off(conversation: str, text: str) -> None:
        tracker = DialogueStateTracker(conversation, domain.slots)
        tracker.update(UserUttered(text, {"name": "greet", "confidence": 1.0}))
        await nlg.generate(REPLY, tracker, "rest")

    for index, (_, text) in enumerate(MESSAGES):  # warm the cache: provider time is excluded
        await layer_on(f"warm-{index}", text)

    # Each message is a turn in its own ongoing conversation (as patients write): the first
    # round opens the conversations, which costs a database write each; that cost is
    # reported on its own as "first message".
    on: List[float] = []
    off: List[float] = []
    first: List[float] = []
    for round_ in range(rounds + 1):
        for index, (_, text) in enumerate(MESSAGES):
            conversation = f"c{index}"
            for runner, samples in ((layer_off, off), (layer_on, on)):  # interleaved, same conditions
                started = time.perf_counter()
                await runner(conversation, text)
                elapsed = time.perf_counter() - started
                if round_ == 0:
                    if runner is layer_on:
                        first.append(elapsed)
                else:
                    samples.append(elapsed)

    hits: List[float] = []
    masked = [pipeline.masker().mask(text).text for _, text in MESSAGES]
    for _ in range(rounds):
        for (language, _), text in zip(MESSAGES, masked):
            if language == "en":
                continue
            started = time.perf_counter()
            translator.translate(text, default_table().provider_code(language, "libre"), "en")
            hits.append(time.perf_counter() - started)
    db.dispose()
    return {"layer_on": summary(on), "layer_off": summary(off),
            "added_p95_ms": summary(on)["p95_ms"] - summary(off)["p95_ms"],
            "cache_hit": summary(hits), "first_message": summary(first),
            "messages": len(MESSAGES), "rounds": rounds}


def run(rounds: int = 30) -> Dict:
    from bot.translation.fake_libre import running

    work = Path(tempfile.mkdtemp(prefix="tellonce-bench-ml-"))
    phrasebook = work / "phrasebook.yml"
    phrasebook.write_text("{}\n", encoding="utf-8")
    with running(phrasebook, ",".join(sorted({"en", *load_languages()}))) as url:
        return asyncio.run(_measure(rounds, url, work))


def load_languages() -> List[str]:
    from bot.languages import default_table

    return [default_table().provider_code(code, "libre") for code, _ in MESSAGES]


def render(result: Dict) -> str:
    on, off, hit = result["layer_on"], result["layer_off"], result["cache_hit"]
    lines = [
        f"Multilingual layer cost per message ({result['messages']} ongoing conversations x "
        f"{result['rounds']} turns, provider time excluded: translations served from the cache)",
        "",
        "| measure | layer on | layer off | added | target |",
        "|---|---:|---:|---:|---|",
        f"| p50 (ms) | {on['p50_ms']:.2f} | {off['p50_ms']:.2f} | {on['p50_ms'] - off['p50_ms']:.2f} | |",
        f"| p95 (ms) | {on['p95_ms']:.2f} | {off['p95_ms']:.2f} | {result['added_p95_ms']:.2f} | added <= 5 |",
        f"| max (ms) | {on['max_ms']:.2f} | {off['max_ms']:.2f} | {on['max_ms'] - off['max_ms']:.2f} | |",
        "",
        f"First message of a conversation (layer on, stores its language): p50 "
        f"{result['first_message']['p50_ms']:.2f} ms, p95 {result['first_message']['p95_ms']:.2f} ms",
        f"Translation cache hit: p50 {hit['p50_ms']:.3f} ms, p95 {hit['p95_ms']:.3f} ms (target <= 1 ms)",
    ]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args(argv)
    print(render(run(args.rounds)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

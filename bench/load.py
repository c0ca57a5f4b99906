"""Per-message latency and throughput over the REST channel, 1 and 16 conversations at once."""
from __future__ import annotations

import json
import statistics
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List

TELLONCE_SCRIPT = [
    "hello", "what does the community treatment team do", "when is my next appointment",
    "999 000 0018", "14/03/1948", "what should I bring", "thank you", "bye",
]
STOCK_SCRIPT = ["hello", "I am sad", "yes", "are you a bot?", "great", "bye"]


def say(url: str, sender: str, message: str) -> float:
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(f"{url}/webhooks/rest/webhook", data=body,
                                     headers={"Content-Type": "application/json"})
    began = time.perf_counter()
    with urllib.request.urlopen(request, timeout=120) as reply:
        reply.read()
        assert reply.status == 200
    return time.perf_counter() - began


def conversation(url: str, script: List[str]) -> List[float]:
    sender = f"bench-{uuid.uuid4().hex}"
    return [say(url, sender, message) for message in script]


def percentile(values: List[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def measure(url: str, script: List[str], concurrency: int, conversations_per_worker: int) -> Dict[str, float]:
    conversation(url, script)  # warm-up, not counted
    began = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [pool.submit(conversation, url, script) for _ in range(concurrency * conversations_per_worker)]
        latencies = [t for f in futures for t in f.result()]
    elapsed = time.perf_counter() - began
    return {
        "messages": len(latencies),
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * percentile(latencies, 0.95),
        "throughput_msg_s": len(latencies) / elapsed,
    }

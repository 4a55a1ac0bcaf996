"""Benchmark of /generate on a running VisionServe: step-level batching against one-at-a-time.

Measures, in one run on one machine:
  1. one 50-step generation alone (median of --repeats),
  2. 8 generations one after another,
  3. the same 8 generations at once (8 concurrent clients), which the engine batches step by step,
and prints jobs/second for 2 and 3 and their ratio. Start the service first (mvn spring-boot:run), then:

    /usr/bin/python3 bench/generate_bench.py [--url http://localhost:8080] [--steps 50] [--jobs 8]
"""
import argparse
import json
import statistics
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor


def generate(url, label, seed, steps):
    body = json.dumps({"label": label, "seed": seed, "steps": steps}).encode()
    request = urllib.request.Request(f"{url}/generate", data=body, headers={"Content-Type": "application/json"})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=600) as response:
        json.load(response)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://localhost:8080")
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the text lines")
    args = parser.parse_args()

    generate(args.url, 0, 1, args.steps)  # warm-up: first-request costs are not what we measure
    alone = [generate(args.url, i % 10, 10 + i, args.steps) for i in range(args.repeats)]

    start = time.perf_counter()
    for i in range(args.jobs):
        generate(args.url, i % 10, 100 + i, args.steps)
    sequential = time.perf_counter() - start

    start = time.perf_counter()
    with ThreadPoolExecutor(args.jobs) as pool:
        list(pool.map(lambda i: generate(args.url, i % 10, 100 + i, args.steps), range(args.jobs)))
    concurrent = time.perf_counter() - start

    if args.json:
        # Guided (label given, guidance 2): two denoiser rows per step.
        print(json.dumps({"steps": args.steps, "jobs": args.jobs, "alone_s": statistics.median(alone),
                          "sequential_s": sequential, "concurrent_s": concurrent,
                          "rows_solo": 2 * args.steps / statistics.median(alone),
                          "rows_concurrent": 2 * args.steps * args.jobs / concurrent}))
        return
    print(f"one {args.steps}-step generation alone: median {statistics.median(alone):.3f} s "
          f"(runs: {', '.join(f'{t:.3f}' for t in alone)})")
    print(f"{args.jobs} generations one after another: {sequential:.2f} s = {args.jobs / sequential:.2f} jobs/s")
    print(f"{args.jobs} generations at once:           {concurrent:.2f} s = {args.jobs / concurrent:.2f} jobs/s")
    print(f"step-level batching speed-up: {sequential / concurrent:.2f}x")


if __name__ == "__main__":
    main()

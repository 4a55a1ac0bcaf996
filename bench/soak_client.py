"""Soak client: mixed /classify and /generate load against a running VisionServe, sampling the server's RSS.

Drives --classify-clients closed-loop /classify callers (one Fashion-MNIST test image each, with a short pause so
the load is steady rather than saturating) and --generate-clients /generate callers (10 steps), samples VmRSS of
--pid every --sample-seconds, prints one table row per sample and a last line

    rss_start_mb=... rss_end_mb=... rss_slope_mb_per_hour=...

where the slope is the least-squares fit over the samples after the first minute (start-up and warm-up growth are
not a leak). Standard library only. Normally started by bench/soak.sh, which starts the jar and passes its pid.
"""
import argparse
import glob
import json
import os
import random
import threading
import time
import urllib.error
import urllib.request
import uuid


class Counts:
    def __init__(self):
        self.lock = threading.Lock()
        self.values = {}

    def add(self, key):
        with self.lock:
            self.values[key] = self.values.get(key, 0) + 1

    def snapshot(self):
        with self.lock:
            return dict(self.values)


def multipart(png):
    boundary = "----soak" + uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"i.png\"\r\n"
            f"Content-Type: image/png\r\n\r\n").encode() + png + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def call(request, counts, name):
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            response.read()
            counts.add(f"{name}_{response.status}")
    except urllib.error.HTTPError as error:
        error.read()
        counts.add(f"{name}_{error.code}")
    except OSError:
        counts.add(f"{name}_io_error")


def classify_loop(url, images, stop, counts, pause):
    rng = random.Random()
    while not stop.is_set():
        body, content_type = multipart(rng.choice(images))
        call(urllib.request.Request(f"{url}/classify", data=body, headers={"Content-Type": content_type}),
             counts, "classify")
        time.sleep(pause)


def generate_loop(url, stop, counts, steps):
    seed = 0
    while not stop.is_set():
        seed += 1
        body = json.dumps({"label": seed % 10, "seed": seed, "steps": steps}).encode()
        call(urllib.request.Request(f"{url}/generate", data=body, headers={"Content-Type": "application/json"}),
             counts, "generate")


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def slope_per_hour(samples):
    if len(samples) < 2:
        return 0.0
    n = len(samples)
    mean_t = sum(t for t, _ in samples) / n
    mean_r = sum(r for _, r in samples) / n
    var = sum((t - mean_t) ** 2 for t, _ in samples)
    if var == 0:
        return 0.0
    return sum((t - mean_t) * (r - mean_r) for t, r in samples) / var * 3600


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://localhost:8080")
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--classify-clients", type=int, default=4)
    parser.add_argument("--classify-pause", type=float, default=0.01)
    parser.add_argument("--generate-clients", type=int, default=2)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--sample-seconds", type=float, default=10)
    parser.add_argument("--images", default="src/test/resources/fashion-mnist")
    args = parser.parse_args()

    images = [open(path, "rb").read() for path in sorted(glob.glob(os.path.join(args.images, "*.png")))[:50]]
    if not images:
        raise SystemExit(f"no PNG in {args.images}")
    stop = threading.Event()
    counts = Counts()
    threads = [threading.Thread(target=classify_loop, args=(args.url, images, stop, counts, args.classify_pause))
               for _ in range(args.classify_clients)]
    threads += [threading.Thread(target=generate_loop, args=(args.url, stop, counts, args.steps))
                for _ in range(args.generate_clients)]
    for thread in threads:
        thread.daemon = True
        thread.start()

    start = time.monotonic()
    end = start + args.minutes * 60
    samples = []
    previous = {}
    print(f"{'elapsed_s':>9} {'rss_mb':>8} {'classify/s':>10} {'generate/s':>10} {'errors':>6}", flush=True)
    while True:
        now = time.monotonic()
        elapsed = now - start
        rss = rss_mb(args.pid)
        samples.append((elapsed, rss))
        snapshot = counts.snapshot()
        delta = {key: snapshot.get(key, 0) - previous.get(key, 0) for key in snapshot}
        interval = args.sample_seconds if previous else max(elapsed, 1e-9)
        errors = sum(v for k, v in delta.items() if not k.endswith("_200"))
        print(f"{elapsed:9.0f} {rss:8.1f} {delta.get('classify_200', 0) / interval:10.1f} "
              f"{delta.get('generate_200', 0) / interval:10.1f} {errors:6d}", flush=True)
        previous = snapshot
        if now >= end:
            break
        time.sleep(max(0.0, min(args.sample_seconds, end - time.monotonic())))
    stop.set()
    totals = counts.snapshot()
    print("totals: " + ", ".join(f"{k}={v}" for k, v in sorted(totals.items())), flush=True)
    steady = [(t, r) for t, r in samples if t >= 60] or samples
    print(f"rss_start_mb={samples[0][1]:.1f} rss_end_mb={samples[-1][1]:.1f} "
          f"rss_slope_mb_per_hour={slope_per_hour(steady):.1f}", flush=True)


if __name__ == "__main__":
    main()

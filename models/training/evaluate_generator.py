"""Generation quality of a running VisionServe, measured only through its public endpoints.

For every class the service generates images with POST /generate (JSON; by default 5 requests x 10 images = 50 per
class, 500 in all, with fixed seeds), then classifies them with POST /classify (multipart, several `image` parts per
request, ?topK=1) and counts how many are classified as the requested class ("label agreement"). Everything goes
through the service's own path (sampler, guidance, PNG encoding, decoding, preprocessing, batching), as a client's
would. Also prints the generation throughput and writes a sample grid (one row per class, first 10 images each).

Start the service first (mvn spring-boot:run), then from the repository root:

    /usr/bin/python3 models/training/evaluate_generator.py [--url http://localhost:8080] [--per-class 50]
        [--guidance 2.0] [--sampler ddim] [--steps 50] [--model fashion-ddpm] [--grid models/fashion-ddpm/samples.png]

Model, sampler and guidance are left to the service's (the model's) defaults unless given. Python stdlib + PIL only.
"""
import argparse
import base64
import io
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
# fashion_mnist.LABELS, in class-id order (copied: importing fashion_mnist would pull in numpy).
FASHION_LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag",
                  "Ankle boot"]

DEFAULT_GRID = os.path.normpath(os.path.join(HERE, "..", "fashion-ddpm", "samples.png"))
MAX_RETRIES = 5


class ServiceError(Exception):
    pass


def http(url, data=None, headers=None, timeout=600.0):
    """One request; returns the decoded JSON answer. Retries 429 QUEUE_FULL after its Retry-After; every other
    failure becomes a ServiceError with the status and the response body (the service answers problem JSON)."""
    for attempt in range(MAX_RETRIES + 1):
        request = urllib.request.Request(url, data=data, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return json.load(response)
        except urllib.error.HTTPError as e:
            body = e.read().decode("utf-8", "replace").strip()
            if e.code == 429 and attempt < MAX_RETRIES:
                time.sleep(float(e.headers.get("Retry-After") or 1))
                continue
            raise ServiceError(f"{request.get_method()} {url} -> HTTP {e.code} {e.reason}\n{body}") from None
        except urllib.error.URLError as e:
            raise ServiceError(f"cannot reach {url}: {e.reason}. Is the service running "
                               f"(mvn spring-boot:run), and is --url right?") from None
        except (TimeoutError, OSError) as e:
            raise ServiceError(f"{request.get_method()} {url} failed: {e!r}") from None
        except json.JSONDecodeError as e:
            raise ServiceError(f"{request.get_method()} {url}: the answer is not JSON ({e})") from None
    raise AssertionError("unreachable")


def generate(args, label, seed):
    body = {"label": label, "count": args.count, "seed": seed}
    if args.steps is not None:
        body["steps"] = args.steps
    if args.model:
        body["model"] = args.model
    if args.sampler:
        body["sampler"] = args.sampler
    if args.guidance is not None:
        body["guidanceScale"] = args.guidance
    start = time.time()
    answer = http(f"{args.url}/generate", json.dumps(body).encode(),
                  {"Content-Type": "application/json", "Accept": "application/json"}, args.timeout)
    seconds = time.time() - start
    images = answer.get("images")
    if not isinstance(images, list) or len(images) != args.count:
        raise ServiceError(f"/generate for {label!r} seed {seed}: expected {args.count} images, got "
                           f"{json.dumps(answer)[:500]}")
    pngs = [base64.b64decode(image["png"]) for image in images]
    return answer, pngs, seconds


def classify(args, pngs):
    boundary = uuid.uuid4().hex
    body = io.BytesIO()
    for i, data in enumerate(pngs):
        body.write(f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="{i}.png"\r\n'
                   f'Content-Type: image/png\r\n\r\n'.encode())
        body.write(data)
        body.write(b"\r\n")
    body.write(f"--{boundary}--\r\n".encode())
    query = {"topK": 1}
    if args.classifier:
        query["model"] = args.classifier
    answer = http(f"{args.url}/classify?{urllib.parse.urlencode(query)}", body.getvalue(),
                  {"Content-Type": f"multipart/form-data; boundary={boundary}"}, args.timeout)
    results = answer.get("results")
    if not isinstance(results, list) or len(results) != len(pngs):
        raise ServiceError(f"/classify: expected {len(pngs)} results, got {json.dumps(answer)[:500]}")
    return [r["predictions"][0] for r in results]


def save_grid(path, rows, scale=2, gap=2, gap_value=128):
    """rows: one list of PNG bytes per class. Tiles scaled x`scale` (nearest), `gap` px of grey between them."""
    tiles = [[Image.open(io.BytesIO(data)).convert("L") for data in row] for row in rows]
    width = max(tile.width for row in tiles for tile in row) * scale
    height = max(tile.height for row in tiles for tile in row) * scale
    columns = max(len(row) for row in tiles)
    grid = Image.new("L", (columns * width + (columns - 1) * gap, len(tiles) * height + (len(tiles) - 1) * gap),
                     gap_value)
    for r, row in enumerate(tiles):
        for c, tile in enumerate(row):
            grid.paste(tile.resize((tile.width * scale, tile.height * scale), Image.NEAREST),
                       (c * (width + gap), r * (height + gap)))
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    grid.save(path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://localhost:8080")
    parser.add_argument("--model", help="denoiser; default: the service's default denoiser")
    parser.add_argument("--classifier", default="fashion-resnet", help="the judge (POST /classify?model=)")
    parser.add_argument("--labels", help="file with one class name per line; default: the Fashion-MNIST labels")
    parser.add_argument("--per-class", type=int, default=50, help="images per class (a multiple of --count)")
    parser.add_argument("--count", type=int, default=10, help="images per /generate request (1-16)")
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--sampler", help="ddim, ddpm, euler, dpmpp-2m; default: the model's")
    parser.add_argument("--guidance", type=float, help="classifier-free guidance scale; default: the model's")
    parser.add_argument("--seed", type=int, default=0, help="base seed; request i of class c gets a fixed seed")
    parser.add_argument("--clients", type=int, default=4, help="concurrent HTTP clients")
    parser.add_argument("--classify-batch", type=int, default=50, help="images per /classify request")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per HTTP request")
    parser.add_argument("--grid", default=DEFAULT_GRID, help="sample grid PNG ('' for none)")
    args = parser.parse_args()
    args.url = args.url.rstrip("/")
    if args.per_class < 1 or args.count < 1 or args.per_class % args.count:
        parser.error("--per-class must be a positive multiple of --count")
    if args.labels:
        with open(args.labels, encoding="utf-8") as f:
            labels = [line.strip() for line in f if line.strip()]
    else:
        labels = list(FASHION_LABELS)
    requests_per_class = args.per_class // args.count

    # Fixed, non-overlapping seeds: request r of class c covers seeds seed0 .. seed0 + count - 1.
    jobs = [(c, r, args.seed + (c * requests_per_class + r) * args.count)
            for c in range(len(labels)) for r in range(requests_per_class)]
    try:
        http(f"{args.url}/models", timeout=30)  # fail fast, with a clear message, if nothing listens
        start = time.time()
        with ThreadPoolExecutor(args.clients) as pool:
            generated = list(pool.map(lambda job: generate(args, labels[job[0]], job[2]), jobs))
        generation_seconds = time.time() - start

        pngs = [png for _, images, _ in generated for png in images]
        classes = [c for (c, _, _) in jobs for _ in range(args.count)]
        chunks = [pngs[i:i + args.classify_batch] for i in range(0, len(pngs), args.classify_batch)]
        with ThreadPoolExecutor(args.clients) as pool:
            predictions = [p for chunk in pool.map(lambda chunk: classify(args, chunk), chunks) for p in chunk]
    except ServiceError as e:
        print(f"error: {e}", file=sys.stderr)
        sys.exit(1)

    total_correct = 0
    for c, name in enumerate(labels):
        mine = [p for p, k in zip(predictions, classes) if k == c]
        # Compare by label name; fall back to the index when the classifier has no labels.
        hits = [p.get("label") == name or (p.get("label") in (None, str(p.get("index"))) and p.get("index") == c)
                for p in mine]
        correct = sum(hits)
        total_correct += correct
        others = Counter(p.get("label", p.get("index")) for p, hit in zip(mine, hits) if not hit)
        confused = ", ".join(f"{label} {n}" for label, n in others.most_common(3))
        print(f"{name:<12} agreement {correct / len(mine):.4f} ({correct}/{len(mine)})"
              + (f"  misread as: {confused}" if confused else ""))

    first = generated[0][0]
    latencies = sorted(seconds for _, _, seconds in generated)
    n = len(pngs)
    print(f"label agreement {total_correct / n:.4f} ({total_correct}/{n}) "
          f"model {first.get('model')}, sampler {first.get('sampler')}, {first.get('steps')} steps, guidance "
          f"{args.guidance if args.guidance is not None else 'default'}; judged by "
          f"{args.classifier or 'the default classifier'} via {args.url}")
    print(f"generation: {n} images in {generation_seconds:.1f} s = {n / generation_seconds:.2f} images/s "
          f"({len(jobs)} requests of {args.count}, {args.clients} clients; request latency median "
          f"{latencies[len(latencies) // 2]:.1f} s, max {latencies[-1]:.1f} s)")

    if args.grid:
        per_row = min(10, args.per_class)
        save_grid(args.grid, [[png for png, k in zip(pngs, classes) if k == c][:per_row] for c in range(len(labels))])
        print(f"wrote {args.grid} (rows: {', '.join(labels)})")


if __name__ == "__main__":
    main()

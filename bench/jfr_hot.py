"""Summarises a JFR recording's CPU samples: by layer (what code the sampled thread was running) and the hottest
methods by self time. Java samples (jdk.ExecutionSample) are threads running Java code; native samples
(jdk.NativeMethodSample) are threads inside native code, where ONNX Runtime's session run is the work and a
socket poll or park is waiting, so waiting frames are left out.

    /usr/bin/python3 bench/jfr_hot.py RECORDING.jfr [--top N]
"""
import argparse
import collections
import json
import subprocess

LAYERS = [  # first match wins, on the frames from the top of the stack down
    ("onnxruntime (native run)", ("ai.onnxruntime.OrtSession.run",)),
    ("onnxruntime (java glue)", ("ai.onnxruntime.",)),
    ("visionserve", ("dev.visionserve.",)),
    ("image decoding (javax.imageio)", ("javax.imageio.", "com.sun.imageio.", "java.awt.image.", "sun.awt.image.")),
    ("json (jackson)", ("tools.jackson.", "com.fasterxml.jackson.")),
    ("tomcat", ("org.apache.catalina.", "org.apache.coyote.", "org.apache.tomcat.")),
    ("spring", ("org.springframework.",)),
    ("metrics (micrometer)", ("io.micrometer.",)),
]
WAITING = ("sun.nio.ch.EPoll", "sun.nio.ch.Net.accept", "sun.nio.ch.SocketDispatcher.read", "jdk.internal.misc.Unsafe.park",
           "java.lang.Object.wait", "java.lang.Thread.sleep", "sun.nio.ch.Net.poll")


def frames(event):
    stack = event["values"].get("stackTrace") or {}
    for frame in stack.get("frames", []):
        method = frame["method"]
        yield method["type"]["name"].replace("/", ".") + "." + method["name"]


def layer(names):
    for name in names:  # top of the stack first: the innermost known layer is what runs
        for label, prefixes in LAYERS:
            if name.startswith(prefixes):
                return label
    return "jdk and other"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("recording")
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    printed = subprocess.run(["jfr", "print", "--json", "--events", "jdk.ExecutionSample,jdk.NativeMethodSample",
                              args.recording], check=True, capture_output=True, text=True).stdout
    events = json.loads(printed)["recording"]["events"]
    by_layer, by_method, total = collections.Counter(), collections.Counter(), 0
    for event in events:
        names = list(frames(event))
        if not names:
            continue
        if event["type"] == "jdk.NativeMethodSample" and names[0].startswith(WAITING):
            continue
        if event["type"] == "jdk.NativeMethodSample" and not any(n.startswith("ai.onnxruntime.") for n in names[:3]):
            continue  # other native waits (socket writes, file reads) are not CPU work we can attribute
        total += 1
        # An ONNX Runtime run is one native frame whatever the layers below it.
        by_layer[layer(names[:1] if names[0].startswith("ai.onnxruntime.") else names)] += 1
        by_method[names[0]] += 1
    print(f"| layer | share of CPU samples ({total}) |")
    print("|---|---|")
    for label, count in by_layer.most_common():
        print(f"| {label} | {100 * count / total:.1f}% |")
    print()
    print("| hottest methods (self) | share |")
    print("|---|---|")
    for name, count in by_method.most_common(args.top):
        print(f"| `{name}` | {100 * count / total:.1f}% |")


if __name__ == "__main__":
    main()

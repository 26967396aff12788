#!/usr/bin/env python3
"""Analyse a neb-atlas landscape from Python with the standard library only (through the
neb_atlas client in clients/python).

Lists the landscapes, prints the paper's Table 1 summary of one, downloads a minimum and the
saddle of a path as safetensors and parses them by hand (or with the `safetensors` package when
it is installed), and reports how far the saddle lies from the minimum.

    python3 examples/analyze.py                         # the server at $NEB_ATLAS_URL or 127.0.0.1:4000
    python3 examples/analyze.py --url http://host:4000/graphql --landscape ID --json

A token (servers with authentication) comes from --token or $NEB_ATLAS_TOKEN. With --torch (needs
PyTorch, and the data set's files readable here), the minimum is also loaded into PyTorch with the
neb_atlas client and its test error computed there, next to the server's.
"""
import argparse
import json
import math
import os
import sys

# The client package from this checkout when it is not installed (pip install ./clients/python).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "clients", "python"))
from neb_atlas import ApiError, Client, decode_safetensors  # noqa: E402


def parse_safetensors(data):
    """Tensors (name -> (shape, flat list of numbers)) and metadata of a safetensors file."""
    point = decode_safetensors(data)
    return {name: (t.shape, list(t.values)) for name, t in point.tensors.items()}, point.metadata


def parse_with_library(data):
    """The same through the `safetensors` package, or None when it is not installed."""
    try:
        from safetensors.numpy import load  # type: ignore
    except ImportError:
        return None
    return {name: (list(array.shape), array.reshape(-1).tolist()) for name, array in load(data).items()}


def flat(tensors):
    return [v for name in sorted(tensors) for v in tensors[name][1]]


def table1(landscape):
    s = landscape["summary"]

    def f(v, pct=False):
        return "-" if v is None else ("%.2f" % (100 * v) if pct else "%.4g" % v)

    rows = [
        ("", "train loss", "test loss", "train error %", "test error %"),
        ("minima (%d)" % s["minima"]["count"], f(s["minima"]["trainLoss"]), f(s["minima"]["testLoss"]), f(s["minima"]["trainError"], True), f(s["minima"]["testError"], True)),
        ("saddles (%d)" % s["saddles"]["count"], f(s["saddles"]["trainLoss"]), f(s["saddles"]["testLoss"]), f(s["saddles"]["trainError"], True), f(s["saddles"]["testError"], True)),
    ]
    lines = ["  ".join(cell.ljust(14) for cell in row) for row in rows]
    lines.append("factor %s   test-error rise %s points   linear barrier (tree paths) %s"
                 % (f(s["trainLossFactor"]), f(s["testErrorRise"], True), f(s["linearBarrierTree"])))
    return "\n".join(lines)


LANDSCAPES = "{ landscapes(first: 100) { edges { node { id name architecture { kind widths } } } } }"
LANDSCAPE = """query($id: ID!) { landscape(id: $id) { id name
  summary { minima { trainLoss testLoss trainError testError count } saddles { trainLoss testLoss trainError testError count }
            trainLossFactor testErrorRise linearBarrierTree linearBarrierAll }
  minima(first: 100) { edges { node { id seed status parameterCount trainLoss testError } } }
  paths(first: 100) { edges { node { id status minimumA { id } saddle { t trainLoss } downloads { saddle } } } } } }"""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default=os.environ.get("NEB_ATLAS_URL", "http://127.0.0.1:4000/graphql"))
    parser.add_argument("--token", default=os.environ.get("NEB_ATLAS_TOKEN"))
    parser.add_argument("--landscape", help="landscape id (default: the newest)")
    parser.add_argument("--out", help="directory to keep the downloaded .safetensors files in")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    parser.add_argument("--torch", action="store_true", help="also evaluate the minimum in PyTorch")
    args = parser.parse_args()
    api = Client(args.url, args.token)

    landscapes = [e["node"] for e in api.query(LANDSCAPES)["landscapes"]["edges"]]
    if not landscapes:
        raise ApiError("the server has no landscapes")
    landscape_id = args.landscape or landscapes[-1]["id"]
    landscape = api.query(LANDSCAPE, id=landscape_id)["landscape"]
    result = {"landscapes": landscapes, "landscape": landscape["id"], "summary": landscape["summary"]}

    ready = [e["node"] for e in landscape["minima"]["edges"] if e["node"]["status"] == "READY"]
    paths = [e["node"] for e in landscape["paths"]["edges"] if e["node"]["saddle"] is not None]
    if ready:
        minimum = ready[0]
        data = api.download("/tensors/minima/" + minimum["id"])
        tensors, metadata = parse_safetensors(data)
        values = flat(tensors)
        result["minimum"] = {
            "id": minimum["id"],
            "bytes": len(data),
            "tensors": {name: shape for name, (shape, _) in tensors.items()},
            "parameters": len(values),
            "sum": math.fsum(values),
            "norm": math.sqrt(math.fsum(v * v for v in values)),
            "metadata": metadata,
        }
        library = parse_with_library(data)
        result["minimum"]["checkedWithSafetensors"] = library is not None and flat(library) == values
        if args.out:
            os.makedirs(args.out, exist_ok=True)
            with open(os.path.join(args.out, "minimum-%s.safetensors" % minimum["id"]), "wb") as f:
                f.write(data)
        if args.torch:
            from neb_atlas.pytorch import evaluate

            model = api.to_torch(minimum["id"])
            loss, error = evaluate(model, *api.test_set(landscape["id"]))
            result["minimum"]["torch"] = {"testLoss": loss, "testError": error, "serverTestError": minimum["testError"]}
        path = next((p for p in paths if p["minimumA"]["id"] == minimum["id"]), paths[0] if paths else None)
        if path:
            saddle_data = api.download(path["downloads"]["saddle"])
            saddle, saddle_meta = parse_safetensors(saddle_data)
            saddle_values = flat(saddle)
            minimum_a = parse_safetensors(api.download("/tensors/minima/" + path["minimumA"]["id"]))[0]
            result["saddle"] = {
                "path": path["id"],
                "t": path["saddle"]["t"],
                "trainLoss": path["saddle"]["trainLoss"],
                "parameters": len(saddle_values),
                "distanceFromMinimumA": math.sqrt(math.fsum((a - b) ** 2 for a, b in zip(saddle_values, flat(minimum_a)))),
                "metadata": saddle_meta,
            }

    if args.json:
        print(json.dumps(result, indent=2))
        return
    print("landscapes:")
    for l in landscapes:
        print("  %s  %s (%s)" % (l["id"], l["name"], l["architecture"]["kind"]))
    print("\nTable 1 summary of %s:\n%s" % (landscape["name"], table1(landscape)))
    if "minimum" in result:
        m = result["minimum"]
        print("\nminimum %s: %d parameters in %d tensors, |theta| = %.4f" % (m["id"], m["parameters"], len(m["tensors"]), m["norm"]))
        for name, shape in m["tensors"].items():
            print("  %-24s %s" % (name, shape))
        if "torch" in m:
            print("  in PyTorch: test error %.4f (server: %s)" % (m["torch"]["testError"], m["torch"]["serverTestError"]))
    if "saddle" in result:
        s = result["saddle"]
        print("saddle of path %s at t = %.3f: train loss %s, %.4f away from its minimum A" % (s["path"], s["t"], s["trainLoss"], s["distanceFromMinimumA"]))


if __name__ == "__main__":
    try:
        main()
    except ApiError as err:
        print("analyze.py: %s" % err, file=sys.stderr)
        sys.exit(3 if "cannot reach" in str(err) else 4)

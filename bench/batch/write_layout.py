#!/usr/bin/python3
"""Writes raw JSON-lines files into the S3 sink layout that `pinpipe sink` produces:

    <out>/topics/<user_id>.<table>/partition=<p>/<user_id>.<table>+<p>+<start offset, 10 digits>.json

one JSON value per line, `flush_size` records per object. A record goes to partition
ind % partitions (keyed by ind, so every copy of a post lands in one partition and "first
arrival" is simply the lowest offset); a record without a usable key goes to partition 0.
Lines are copied byte for byte, in input order.

    write_layout.py OUT [--user-id ID] [--partitions N] [--flush-size N] pin=FILE geo=FILE user=FILE
"""
import argparse
import json
import os
import sys


def key_of(line):
    try:
        value = json.loads(line)
    except ValueError:
        return None
    if not isinstance(value, dict):
        return None
    key = value.get("index", value.get("ind"))
    try:
        return int(key)
    except (TypeError, ValueError):
        return None


def write_topic(out, topic, path, partitions, flush_size):
    buffers = {}  # partition -> (start offset, [lines])
    next_offset = [0] * partitions

    def flush(p):
        start, lines = buffers.pop(p)
        folder = os.path.join(out, "topics", topic, f"partition={p}")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"{topic}+{p}+{start:010d}.json"), "w", encoding="utf-8") as f:
            f.write("".join(lines))

    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            if not line.endswith("\n"):
                line += "\n"
            key = key_of(line)
            p = key % partitions if key is not None else 0
            if p not in buffers:
                buffers[p] = (next_offset[p], [])
            buffers[p][1].append(line)
            next_offset[p] += 1
            if len(buffers[p][1]) >= flush_size:
                flush(p)
    for p in list(buffers):
        flush(p)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out")
    parser.add_argument("inputs", nargs="+", help="table=FILE, table in pin|geo|user")
    parser.add_argument("--user-id", default="0a1b2c3d4e5f")
    parser.add_argument("--partitions", type=int, default=1)
    parser.add_argument("--flush-size", type=int, default=1)
    args = parser.parse_args()
    for spec in args.inputs:
        table, _, path = spec.partition("=")
        if table not in ("pin", "geo", "user") or not path:
            sys.exit(f"write_layout: want table=FILE with table pin|geo|user, got '{spec}'")
        write_topic(args.out, f"{args.user_id}.{table}", path, args.partitions, args.flush_size)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Generates the input of the batch benchmark: what `pinpipe sink` would have written after the
emulator sent POSTS posts, straight into the sink layout (no HTTP, no log):

    <out>/topics/<user_id>.<pin|geo|user>/partition=<p>/<topic>+<p>+<start offset, 10 digits>.json

    generate.py OUT --posts N [--rows R] [--flush-size F] [--partitions P] [--seed S]
                [--user-id ID] [--source DB] [--pinpipe BIN]

1. The source rows come from `pinpipe seed --rows R --seed S` (the generator that makes data
   like the original: the 13 categories, k/M follower counts, story-placeholder rows,
   `User Info Error`, Faker countries, users on many posts), into a temp SQLite file, or from
   an existing source database (--source).
2. Like user_posting_emulation.py, each post draws a row offset uniformly with replacement
   (Python's random, seeded with S) and sends that row of all three tables, so the same post
   arrives several times (with R = N, about 37% of the sends are re-sends).
3. Each record is the JSON object the emulator sends (keys in column order, datetimes
   `YYYY-MM-DD HH:MM:SS`), compact and UTF-8 as the sink stores it (the API minifies values),
   rendered by SQLite's json_object in one scan per table; a record goes to partition
   ind % P, objects hold F records each (the last one of a partition may hold fewer).

Deterministic: the same arguments give byte-identical files. Prints what it wrote.
"""
import argparse
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

# Each table's rows in scan order (row offset n = the row `LIMIT n, 1` reads), as (key, JSON).
QUERIES = {
    "pin": """SELECT "index", json_object(
                 'index', "index", 'unique_id', unique_id, 'title', title,
                 'description', description, 'poster_name', poster_name,
                 'follower_count', follower_count, 'tag_list', tag_list,
                 'is_image_or_video', is_image_or_video, 'image_src', image_src,
                 'downloaded', downloaded, 'save_location', save_location, 'category', category)
              FROM pinterest_data ORDER BY rowid LIMIT ?""",
    "geo": """SELECT ind, json_object('ind', ind, 'timestamp', "timestamp", 'latitude', latitude,
                                      'longitude', longitude, 'country', country)
              FROM geolocation_data ORDER BY rowid LIMIT ?""",
    "user": """SELECT ind, json_object('ind', ind, 'first_name', first_name,
                                       'last_name', last_name, 'age', age,
                                       'date_joined', date_joined)
               FROM user_data ORDER BY rowid LIMIT ?""",
}


def write_topic(db, out, topic, query, draws, rows, partitions, flush_size):
    """Writes the records of `draws` (row offsets, in send order) into the topic's objects;
    returns [records, objects, bytes]. Holds the JSON of the drawn rows of one table in memory
    (one sequential scan; a lookup per draw would be several times slower)."""
    wanted = bytearray(rows)
    for r in draws:
        wanted[r] = 1
    records = [None] * rows
    for offset, row in enumerate(db.execute(query, (rows,))):
        if wanted[offset]:
            records[offset] = row
    del wanted

    buffers = [[] for _ in range(partitions)]
    start = [0] * partitions
    counts = [0, 0, 0]

    def flush(p):
        folder = os.path.join(out, "topics", topic, f"partition={p}")
        os.makedirs(folder, exist_ok=True)
        data = "".join(buffers[p]).encode("utf-8")
        with open(os.path.join(folder, f"{topic}+{p}+{start[p]:010d}.json"), "wb") as f:
            f.write(data)
        start[p] += len(buffers[p])
        counts[1] += 1
        counts[2] += len(data)
        buffers[p] = []

    for r in draws:
        ind, value = records[r]
        p = ind % partitions if ind is not None else 0
        buffers[p].append(value + "\n")
        counts[0] += 1
        if len(buffers[p]) >= flush_size:
            flush(p)
    for p in range(partitions):
        if buffers[p]:
            flush(p)
    return counts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out", help="the layout directory (topics/ is created in it)")
    parser.add_argument("--posts", type=int, required=True, help="posts sent (records per topic)")
    parser.add_argument("--rows", type=int, help="source rows drawn from (default: --posts)")
    parser.add_argument("--flush-size", type=int, default=1000)
    parser.add_argument("--partitions", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--user-id", default="0a1b2c3d4e5f")
    parser.add_argument("--source", help="an existing SQLite source database (default: seed one)")
    parser.add_argument("--pinpipe", default=os.environ.get("PINPIPE_BINARY", "pinpipe"),
                        help="the binary that seeds the source (default $PINPIPE_BINARY)")
    args = parser.parse_args()
    rows = args.rows or args.posts
    if args.posts < 1 or rows < 1 or args.flush_size < 1 or args.partitions < 1:
        sys.exit("generate: --posts, --rows, --flush-size and --partitions must be >= 1")
    if os.path.exists(os.path.join(args.out, "topics")):
        sys.exit(f"generate: {args.out}/topics exists; remove it first")

    started = time.monotonic()
    tmp = tempfile.mkdtemp(prefix="pinpipe-generate.")
    try:
        source = args.source
        if not source:
            source = os.path.join(tmp, "source.db")
            subprocess.run([args.pinpipe, "--data-dir", tmp, "seed", "--rows", str(rows), "--seed",
                            str(args.seed), "--source", source], check=True,
                           stdout=subprocess.DEVNULL)
        db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        have = db.execute("SELECT count(*) FROM pinterest_data").fetchone()[0]
        if have < rows:
            sys.exit(f"generate: {source} holds {have} rows, fewer than --rows {rows}")
        db.execute("PRAGMA cache_size = -65536")
        rng = random.Random(args.seed)
        draws = [rng.randrange(rows) for _ in range(args.posts)]
        distinct = len(set(draws))
        total = [0, 0, 0]
        for table, query in QUERIES.items():
            counts = write_topic(db, args.out, f"{args.user_id}.{table}", query, draws, rows,
                                 args.partitions, args.flush_size)
            total = [a + b for a, b in zip(total, counts)]
        db.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"generate: {args.posts} posts ({distinct} distinct of {rows} source rows, seed "
          f"{args.seed}) = {total[0]} records in {total[1]} objects, {total[2] / 1e6:.1f} MB, "
          f"flush_size {args.flush_size}, {args.partitions} partition(s), "
          f"{time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""The batch job in pandas: the benchmark peer of `pinpipe batch` (bench/batch/README.md).

    pandas_batch.py LAYOUT_DIR OUT_DIR [--topics GLOB] [-v]

Reads the raw objects of the sink layout (LAYOUT_DIR/topics/<user_id>.<pin|geo|user>/
partition=<p>/<topic>+<p>+<offset>.json, one JSON value per line), cleans them as SPEC §6 and
src/model/cleaning.h say, and writes the nine analyses of SPEC §7 (the same questions as
sql/analysis/*.sql) as OUT_DIR/<name>.csv: header row, NULL as an empty field, integers
plain, rows sorted by the key columns, minimal quoting (bench/batch/README.md).

Cleaning, as in duckdb_batch.sql:
  - key `index` or `ind` (integer, or text/float holding one); records without one are
    rejected; one row per key, the first arrival (lowest partition, then offset) wins;
  - strings: NULL when empty/ASCII-whitespace-only or equal to the column's placeholder;
  - follower_count: digits with ',' between digits, optional '.digits', optional k/K/m/M/b/B,
    surrounding whitespace; fraction truncated after scaling; anything else NULL;
  - save_location without 'Local save in '; coordinates [latitude, longitude] when both parse;
  - timestamps 'YYYY-MM-DD HH:MM:SS' or ISO-8601 (fraction, zone) -> UTC; invalid NULL.
Known differences from pinpipe (none reachable with realistic data): timestamps before 1677
or after 2262 are NULL here (pandas' nanosecond range); medians go through float64, exact for
counts below 2**53.
"""
import argparse
import glob
import io
import json
import math
import os
import re
import sys
import time

import numpy as np
import pandas as pd

WS = " \t\n\r\f\v"
PLACEHOLDERS = {
    "title": ("No Title Data Available",),
    "description": ("No description available Story format", "No description available"),
    "poster_name": ("User Info Error",),
    "follower_count": ("User Info Error",),
    "tag_list": ("N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e",),
    "image_src": ("Image src error.",),
}
COLUMNS = {
    "pin": ["index", "ind", "unique_id", "title", "description", "poster_name", "follower_count",
            "tag_list", "is_image_or_video", "image_src", "save_location", "category"],
    "geo": ["ind", "index", "timestamp", "latitude", "longitude", "country"],
    "user": ["ind", "index", "first_name", "last_name", "age", "date_joined"],
}
OBJECT_NAME = re.compile(r"\+(\d+)\+(\d+)\.json$")
INT_TEXT = re.compile(r"[+-]?[0-9]+")
FLOAT_TEXT = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")
COUNT_TEXT = re.compile(r"([0-9](?:,?[0-9])*)(?:\.([0-9]+))?([kKmMbB]?)")
SCALE = {"": 1, "k": 10**3, "K": 10**3, "m": 10**6, "M": 10**6, "b": 10**9, "B": 10**9}
TIMESTAMP = (r"^([0-9]{4})-([0-9]{2})-([0-9]{2})[ Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})"
             r"(?:\.([0-9]{1,9}))?(Z|z|[+-][0-9]{2}(?::?[0-9]{2})?)?$")
INT64_MAX = 2**63 - 1


# ---------------------------------------------------------------------------------------------
# Reading the sink layout

def list_objects(layout, topics, table):
    """The topic's objects in arrival order: by partition, then start offset."""
    found = []
    for path in glob.glob(os.path.join(layout, "topics", f"{topics}.{table}", "partition=*", "*.json")):
        m = OBJECT_NAME.search(path)
        if m:
            found.append((int(m.group(1)), int(m.group(2)), path))
    found.sort()
    return [path for _, _, path in found]


def read_records(paths, columns):
    """All records of the objects, in order, as a DataFrame with `columns` (absent -> null)."""
    chunks = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        if text and not text.endswith("\n"):
            text += "\n"
        chunks.append(text)
    text = "".join(chunks)
    if not text.strip():
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    try:
        df = pd.read_json(io.StringIO(text), lines=True, dtype=False, convert_dates=False,
                          keep_default_dates=False, precise_float=True)
    except ValueError:  # a line that is not a JSON object: parse line by line, skip it
        rows = []
        for line in text.splitlines():
            try:
                value = json.loads(line)
            except ValueError:
                continue
            if isinstance(value, dict):
                rows.append(value)
        df = pd.DataFrame.from_records(rows)
    for c in columns:
        if c not in df.columns:
            df[c] = None
    return df[columns].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Values

def _is_null(v):
    return v is None or (isinstance(v, float) and math.isnan(v))


def _int_of(v):
    if _is_null(v) or isinstance(v, bool):
        return None
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return int(v) if math.isfinite(v) and v == math.floor(v) and abs(v) < 2.0**63 else None
    if isinstance(v, str):
        s = v.strip(" \t\n\r")
        if INT_TEXT.fullmatch(s):
            i = int(s)
            return i if -2**63 <= i <= INT64_MAX else None
        if FLOAT_TEXT.fullmatch(s):
            return _int_of(float(s))
    return None


def to_int(s):
    """Integers (Int64) from JSON numbers or text; anything else NA."""
    if pd.api.types.is_integer_dtype(s):
        return s.astype("Int64")
    return pd.array([_int_of(v) for v in s], dtype="Int64")


def _text_of(v):
    if _is_null(v):
        return None
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        return repr(float(v))
    return None  # arrays, objects


def to_text(s):
    """Strings as sent (numbers spelled as JSON/Python would), NULL as None."""
    if s.dtype == object and pd.api.types.infer_dtype(s, skipna=True) in ("string", "empty"):
        return s.where(s.notna(), None)
    return pd.Series([_text_of(v) for v in s], index=s.index, dtype=object)


def clean_text(s, placeholders=()):
    s = to_text(s)
    drop = (s.str.strip(WS) == "").fillna(False).astype(bool)
    if placeholders:
        drop |= s.isin(placeholders)
    return s.mask(drop, None)


def _count_of(text):
    m = COUNT_TEXT.fullmatch(text.strip(WS))
    if not m:
        return None
    scale = SCALE[m.group(3)]
    value = int(m.group(1).replace(",", "")) * scale
    if m.group(2):
        digits = m.group(2)[:18]
        value += int(digits) * scale // 10 ** len(digits)
    return value if value <= INT64_MAX else None


def parse_follower_count(s):
    """Cleaned text -> Int64 (each distinct text parsed once)."""
    values = {v: _count_of(v) for v in s.dropna().unique()}
    return pd.array([values.get(v) for v in s], dtype="Int64")


def parse_timestamp(s):
    """Cleaned text -> datetime64[ns] UTC (naive), NaT when not a valid datetime."""
    parts = s.str.strip(WS).str.extract(TIMESTAMP)
    parts.columns = ["y", "mo", "d", "h", "mi", "s", "f", "z"]
    base = pd.to_datetime(parts.y + "-" + parts.mo + "-" + parts.d + " " + parts.h + ":" + parts.mi
                          + ":" + parts.s, format="%Y-%m-%d %H:%M:%S", errors="coerce")
    base = base.mask(pd.to_numeric(parts.s, errors="coerce") > 59)
    micros = pd.to_numeric(parts.f.str[:6].str.ljust(6, "0"), errors="coerce").fillna(0)
    zone = parts.z.fillna("").replace({"Z": "", "z": ""})
    zh = pd.to_numeric(zone.str[1:3], errors="coerce").fillna(0)
    zm = pd.to_numeric(zone.str[3:].str.lstrip(":"), errors="coerce").fillna(0)
    sign = np.where(zone.str[:1] == "-", -1, 1)
    base = base.mask((zh > 23) | (zm > 59))
    offset = sign * (zh * 3600 + zm * 60)
    return (base + pd.to_timedelta(micros, unit="us") - pd.to_timedelta(offset, unit="s"))


def to_double(s):
    if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
        d = s.astype("float64")
    else:
        d = pd.Series([_double_of(v) for v in s], index=s.index, dtype="float64")
    return d.where(np.isfinite(d))


def _double_of(v):
    if _is_null(v) or isinstance(v, bool):
        return np.nan
    if isinstance(v, (int, float, np.integer, np.floating)):
        return float(v)
    if isinstance(v, str):
        t = v.strip(" \t\n\r")
        if t.startswith("+"):
            t = t[1:]
        if FLOAT_TEXT.fullmatch(t) or t.lower() in ("inf", "-inf", "infinity", "-infinity", "nan"):
            return float(t)
    return np.nan


# ---------------------------------------------------------------------------------------------
# Cleaning (SPEC §6)

def first_arrivals(df, key_columns):
    key = pd.Series(to_int(df[key_columns[0]]), index=df.index, dtype="Int64")
    for other in key_columns[1:]:
        key = key.fillna(pd.Series(to_int(df[other]), index=df.index, dtype="Int64"))
    df = df.assign(ind=key)
    df = df[df["ind"].notna()]
    return df.drop_duplicates(subset="ind", keep="first")


def clean_pin(raw):
    df = first_arrivals(raw, ["index", "ind"])
    out = pd.DataFrame({"ind": df["ind"]})
    out["unique_id"] = clean_text(df["unique_id"])
    out["title"] = clean_text(df["title"], PLACEHOLDERS["title"])
    out["description"] = clean_text(df["description"], PLACEHOLDERS["description"])
    out["follower_count"] = parse_follower_count(
        clean_text(df["follower_count"], PLACEHOLDERS["follower_count"]))
    out["poster_name"] = clean_text(df["poster_name"], PLACEHOLDERS["poster_name"])
    out["tag_list"] = clean_text(df["tag_list"], PLACEHOLDERS["tag_list"])
    out["is_image_or_video"] = clean_text(df["is_image_or_video"])
    out["image_src"] = clean_text(df["image_src"], PLACEHOLDERS["image_src"])
    location = clean_text(df["save_location"]).str.replace(r"^Local save in ", "", regex=True)
    out["save_location"] = clean_text(location)
    out["category"] = clean_text(df["category"])
    return out.reset_index(drop=True)


def clean_geo(raw):
    df = first_arrivals(raw, ["ind", "index"])
    out = pd.DataFrame({"ind": df["ind"]})
    out["country"] = clean_text(df["country"])
    lat, lon = to_double(df["latitude"]), to_double(df["longitude"])
    both = lat.notna() & lon.notna()
    out["coordinates"] = [[a, b] if ok else None for a, b, ok in zip(lat, lon, both)]
    out["timestamp"] = parse_timestamp(clean_text(df["timestamp"]))
    return out.reset_index(drop=True)


def clean_user(raw):
    df = first_arrivals(raw, ["ind", "index"])
    out = pd.DataFrame({"ind": df["ind"]})
    first, last = clean_text(df["first_name"]), clean_text(df["last_name"])
    out["user_name"] = (first + " " + last).where(first.notna() & last.notna(), None)
    age = pd.Series(to_int(df["age"]), index=df.index, dtype="Int64")
    out["age"] = age.where((age >= -2**31) & (age < 2**31)).astype("Int32")
    out["date_joined"] = parse_timestamp(clean_text(df["date_joined"]))
    return out.reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# Analyses (SPEC §7; the same rules as sql/analysis/*.sql)

def age_group(age):
    a = age.astype("float64")
    return pd.Series(np.select([(a >= 18) & (a <= 24), (a >= 25) & (a <= 35), (a >= 36) & (a <= 50),
                                a > 50], ["18-24", "25-35", "36-50", "+50"], default=""),
                     index=age.index).replace("", None)


def most_popular(df, key, count_name="category_count"):
    counts = df.groupby([key, "category"]).size().reset_index(name=count_name)
    top = counts[counts[count_name] == counts.groupby(key)[count_name].transform("max")]
    return top.sort_values([key, "category"])


def lower_median(df, keys):
    values = df[keys].copy()
    values["v"] = df["follower_count"].astype("float64")
    med = values.groupby(keys)["v"].quantile(0.5, interpolation="lower").reset_index()
    med["median_follower_count"] = med["v"].round().astype("Int64")
    return med.drop(columns="v").sort_values(keys)


def analyses(pin, geo, user):
    pg = pin.merge(geo, on="ind")
    pu = pin.merge(user, on="ind")
    pu["age_group"] = age_group(pu["age"])
    pu["post_year"] = pu["date_joined"].dt.year.astype("Int64")
    results = {}

    rows = pg[pg["country"].notna() & pg["category"].notna()]
    results["popular_category_by_country"] = most_popular(rows, "country")

    rows = pg[pg["category"].notna() & pg["timestamp"].notna()].copy()
    rows["post_year"] = rows["timestamp"].dt.year.astype("Int64")
    rows = rows[(rows["post_year"] >= 2018) & (rows["post_year"] <= 2022)]
    results["popular_category_by_year"] = most_popular(rows, "post_year")

    rows = pg[pg["follower_count"].notna() & pg["country"].notna() & pg["poster_name"].notna()]
    per_user = rows.groupby(["country", "poster_name"])["follower_count"].max().reset_index()
    top = per_user[per_user["follower_count"]
                   == per_user.groupby("country")["follower_count"].transform("max")]
    results["top_user_by_country"] = top.sort_values(["country", "poster_name"])
    results["top_country"] = (rows[["country", "follower_count"]]
                              .sort_values(["follower_count", "country"], ascending=[False, True])
                              .head(1))

    rows = pu[pu["category"].notna() & pu["age_group"].notna()]
    results["popular_category_by_age_group"] = most_popular(rows, "age_group")

    results["median_followers_by_age_group"] = lower_median(pu[pu["age_group"].notna()],
                                                            ["age_group"])

    users = user[user["user_name"].notna() & user["date_joined"].notna()]
    users = users.drop_duplicates(subset=["user_name", "date_joined"])
    years = users["date_joined"].dt.year
    joined = years[(years >= 2015) & (years <= 2020)].value_counts().sort_index()
    results["users_joined_by_year"] = pd.DataFrame(
        {"post_year": joined.index.astype("int64"), "number_users_joined": joined.values})

    in_years = pu[pu["post_year"].notna() & (pu["post_year"] >= 2015) & (pu["post_year"] <= 2020)]
    results["median_followers_by_join_year"] = lower_median(in_years, ["post_year"])
    results["median_followers_by_age_group_and_join_year"] = lower_median(
        in_years[in_years["age_group"].notna()], ["age_group", "post_year"])
    return results


COLUMNS_OUT = {
    "popular_category_by_country": ["country", "category", "category_count"],
    "popular_category_by_year": ["post_year", "category", "category_count"],
    "top_user_by_country": ["country", "poster_name", "follower_count"],
    "top_country": ["country", "follower_count"],
    "popular_category_by_age_group": ["age_group", "category", "category_count"],
    "median_followers_by_age_group": ["age_group", "median_follower_count"],
    "users_joined_by_year": ["post_year", "number_users_joined"],
    "median_followers_by_join_year": ["post_year", "median_follower_count"],
    "median_followers_by_age_group_and_join_year": ["age_group", "post_year",
                                                    "median_follower_count"],
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("layout")
    parser.add_argument("out")
    parser.add_argument("--topics", default="*", help="topic glob prefix: a user id (default *)")
    parser.add_argument("-v", action="store_true", help="print the time of each step to stderr")
    args = parser.parse_args()
    started = last = time.monotonic()

    def step(what):
        nonlocal last
        now = time.monotonic()
        if args.v:
            print(f"pandas_batch: {what} {now - last:.3f} s", file=sys.stderr)
        last = now

    cleaned = {}
    for table, clean in (("pin", clean_pin), ("geo", clean_geo), ("user", clean_user)):
        raw = read_records(list_objects(args.layout, args.topics, table), COLUMNS[table])
        step(f"read {table} ({len(raw)} records)")
        cleaned[table] = clean(raw)
        step(f"clean {table} ({len(cleaned[table])} rows)")
    results = analyses(cleaned["pin"], cleaned["geo"], cleaned["user"])
    step("analyses")
    os.makedirs(args.out, exist_ok=True)
    for name, columns in COLUMNS_OUT.items():
        results[name][columns].to_csv(os.path.join(args.out, f"{name}.csv"), index=False,
                                      na_rep="", lineterminator="\n")
    step("write")
    if args.v:
        import resource
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        print(f"pandas_batch: total {time.monotonic() - started:.3f} s, peak RSS {peak} MiB",
              file=sys.stderr)


if __name__ == "__main__":
    main()

-- The batch job as pure DuckDB SQL: the benchmark peer of `pinpipe batch` (bench/batch/README.md).
-- Reads the raw objects of the sink layout with read_json, applies the cleaning of SPEC §6 in
-- SQL into the tables cleaned_pin, cleaned_geo, cleaned_user (in memory), and leaves the
-- analyses to sql/analysis/*.sql, which duckdb_batch.sh appends as COPY ... TO CSV statements.
--
-- Template: duckdb_batch.sh replaces ${layout} (the directory holding topics/) and ${topics}
-- (the topic glob prefix: a user id, or * for any).
--
-- Rules, as src/model/cleaning.h states them:
--   strings: NULL when empty or ASCII-whitespace-only, or equal to the column's placeholder;
--            nothing is trimmed otherwise.
--   key:     `index` or `ind` (text or number); a record without an integer key is rejected.
--   first arrival wins: the lowest (partition, offset), the offset being the object's start
--            offset (from its name) plus the line's position in the object.
--   follower_count: [ws] digits with ',' between digits [ '.' digits ] [k|K|m|M|b|B] [ws],
--            fraction truncated after scaling; anything else NULL; beyond BIGINT NULL.
--   timestamps: YYYY-MM-DD[ Tt]HH:MM:SS[.f{1,9}][Z|z|+HH|+HHMM|+HH:MM] -> UTC; invalid NULL.
SET TimeZone = 'UTC';

CREATE MACRO pp_ws() AS ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13);
-- (a regular expression: several times faster than comparing trim(s) with '')
CREATE MACRO pp_blank(s) AS regexp_full_match(s, '[ \t\n\r\f\v]*');
-- The string rule for a column without a placeholder.
CREATE MACRO pp_text(s) AS CASE WHEN pp_blank(s) THEN NULL ELSE s END;
-- ... and for a column with one or two placeholders.
CREATE MACRO pp_text_ph(s, ph1, ph2) AS
  CASE WHEN s = ph1 OR s = ph2 OR pp_blank(s) THEN NULL ELSE s END;

-- An integer from text: digits (C++'s from_chars), else an integral number like '23.0'.
CREATE MACRO pp_int_text(t) AS
  CASE WHEN regexp_full_match(t, '[+-]?[0-9]+') THEN TRY_CAST(t AS BIGINT)
       WHEN TRY_CAST(t AS DOUBLE) = floor(TRY_CAST(t AS DOUBLE)) AND abs(TRY_CAST(t AS DOUBLE)) < 9.2e18
       THEN CAST(TRY_CAST(t AS DOUBLE) AS BIGINT) END;
CREATE MACRO pp_int(s) AS pp_int_text(trim(s, pp_ws()));
CREATE MACRO pp_double(s) AS
  CASE WHEN isfinite(TRY_CAST(trim(s, pp_ws()) AS DOUBLE)) THEN TRY_CAST(trim(s, pp_ws()) AS DOUBLE) END;

CREATE MACRO pp_scale(suffix) AS
  CASE suffix WHEN 'k' THEN 1000 WHEN 'K' THEN 1000 WHEN 'm' THEN 1000000 WHEN 'M' THEN 1000000
              WHEN 'b' THEN 1000000000 WHEN 'B' THEN 1000000000 ELSE 1 END;
CREATE MACRO pp_count_of(m) AS
  CASE WHEN m.whole <> '' THEN TRY_CAST(
    TRY_CAST(replace(m.whole, ',', '') AS HUGEINT) * pp_scale(m.suffix)
    + CASE WHEN m.frac = '' THEN 0
           ELSE TRY_CAST(left(m.frac, 18) AS HUGEINT) * pp_scale(m.suffix)
                // CAST(pow(10, length(left(m.frac, 18))) AS HUGEINT) END
    AS BIGINT) END;
CREATE MACRO pp_follower_count(s) AS pp_count_of(regexp_extract(trim(s, pp_ws()),
  '^([0-9](?:,?[0-9])*)(?:\.([0-9]+))?([kKmMbB]?)$', ['whole', 'frac', 'suffix']));

CREATE MACRO pp_zone_seconds(z) AS
  CASE WHEN z = '' OR z = 'Z' OR z = 'z' THEN 0
       WHEN TRY_CAST(substr(z, 2, 2) AS INT) > 23
         OR length(z) > 3 AND TRY_CAST(right(z, 2) AS INT) > 59 THEN NULL
       ELSE (CASE WHEN left(z, 1) = '-' THEN -1 ELSE 1 END)
            * (TRY_CAST(substr(z, 2, 2) AS INT) * 3600
               + CASE WHEN length(z) > 3 THEN TRY_CAST(right(z, 2) AS INT) * 60 ELSE 0 END) END;
-- TRY_CAST throughout: DuckDB may evaluate every operand of AND, also for rows without a match.
CREATE MACRO pp_timestamp_of(m) AS
  CASE WHEN m.y <> '' AND m.y <> '0000' AND TRY_CAST(m.h AS INT) <= 23 AND TRY_CAST(m.s AS INT) <= 59
       THEN timezone('UTC',
              TRY_CAST(m.y || '-' || m.mo || '-' || m.d || ' ' || m.h || ':' || m.mi || ':' || m.s
                       AS TIMESTAMP)
              + to_microseconds(CASE WHEN m.f = '' THEN 0
                                     ELSE TRY_CAST(rpad(left(m.f, 6), 6, '0') AS BIGINT) END)
              - to_seconds(pp_zone_seconds(m.z))) END;
CREATE MACRO pp_timestamp(s) AS pp_timestamp_of(regexp_extract(trim(s, pp_ws()),
  '^([0-9]{4})-([0-9]{2})-([0-9]{2})[ Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,9}))?(Z|z|[+-][0-9]{2}(?::?[0-9]{2})?)?$',
  ['y', 'mo', 'd', 'h', 'mi', 's', 'f', 'z']));

-- The object's partition and start offset, from its name <topic>+<p>+<offset>.json.
CREATE MACRO pp_partition(filename) AS
  CAST(regexp_extract(filename, '\+([0-9]+)\+[0-9]+\.json$', 1) AS INTEGER);
CREATE MACRO pp_start_offset(filename) AS
  CAST(regexp_extract(filename, '\+([0-9]+)\.json$', 1) AS BIGINT);

CREATE TABLE cleaned_pin AS
WITH raw AS (
  SELECT pp_partition(filename) AS part, pp_start_offset(filename) AS start_offset, ordinality AS seq,
         COALESCE(pp_int("index"), pp_int(ind)) AS key, *
  FROM read_json('${layout}/topics/${topics}.pin/partition=*/*.json',
                 format = 'newline_delimited', filename = true, ignore_errors = true,
                 columns = {'index': 'VARCHAR', 'ind': 'VARCHAR', 'unique_id': 'VARCHAR',
                            'title': 'VARCHAR', 'description': 'VARCHAR', 'poster_name': 'VARCHAR',
                            'follower_count': 'VARCHAR', 'tag_list': 'VARCHAR',
                            'is_image_or_video': 'VARCHAR', 'image_src': 'VARCHAR',
                            'save_location': 'VARCHAR', 'category': 'VARCHAR'})
       WITH ORDINALITY
),
first AS (
  SELECT DISTINCT ON (key) * FROM raw WHERE key IS NOT NULL ORDER BY key, part, start_offset, seq
),
located AS (
  SELECT *, pp_text(save_location) AS loc FROM first
)
SELECT key AS ind,
       pp_text(unique_id) AS unique_id,
       pp_text_ph(title, 'No Title Data Available', NULL) AS title,
       pp_text_ph(description, 'No description available Story format', 'No description available')
         AS description,
       pp_follower_count(pp_text_ph(follower_count, 'User Info Error', NULL)) AS follower_count,
       pp_text_ph(poster_name, 'User Info Error', NULL) AS poster_name,
       pp_text_ph(tag_list, 'N,o, ,T,a,g,s, ,A,v,a,i,l,a,b,l,e', NULL) AS tag_list,
       pp_text(is_image_or_video) AS is_image_or_video,
       pp_text_ph(image_src, 'Image src error.', NULL) AS image_src,
       pp_text(CASE WHEN starts_with(loc, 'Local save in ') THEN substr(loc, 15) ELSE loc END)
         AS save_location,
       pp_text(category) AS category
FROM located;

CREATE TABLE cleaned_geo AS
WITH raw AS (
  SELECT pp_partition(filename) AS part, pp_start_offset(filename) AS start_offset, ordinality AS seq,
         COALESCE(pp_int(ind), pp_int("index")) AS key, *
  FROM read_json('${layout}/topics/${topics}.geo/partition=*/*.json',
                 format = 'newline_delimited', filename = true, ignore_errors = true,
                 columns = {'ind': 'VARCHAR', 'index': 'VARCHAR', 'timestamp': 'VARCHAR',
                            'latitude': 'VARCHAR', 'longitude': 'VARCHAR', 'country': 'VARCHAR'})
       WITH ORDINALITY
),
first AS (
  SELECT DISTINCT ON (key) * FROM raw WHERE key IS NOT NULL ORDER BY key, part, start_offset, seq
)
SELECT key AS ind,
       pp_text(country) AS country,
       CASE WHEN pp_double(latitude) IS NOT NULL AND pp_double(longitude) IS NOT NULL
            THEN [pp_double(latitude), pp_double(longitude)] END AS coordinates,
       pp_timestamp(timestamp) AS timestamp
FROM first;

CREATE TABLE cleaned_user AS
WITH raw AS (
  SELECT pp_partition(filename) AS part, pp_start_offset(filename) AS start_offset, ordinality AS seq,
         COALESCE(pp_int(ind), pp_int("index")) AS key, *
  FROM read_json('${layout}/topics/${topics}.user/partition=*/*.json',
                 format = 'newline_delimited', filename = true, ignore_errors = true,
                 columns = {'ind': 'VARCHAR', 'index': 'VARCHAR', 'first_name': 'VARCHAR',
                            'last_name': 'VARCHAR', 'age': 'VARCHAR', 'date_joined': 'VARCHAR'})
       WITH ORDINALITY
),
first AS (
  SELECT DISTINCT ON (key) * FROM raw WHERE key IS NOT NULL ORDER BY key, part, start_offset, seq
)
SELECT key AS ind,
       CASE WHEN NOT pp_blank(first_name) AND NOT pp_blank(last_name)
            THEN first_name || ' ' || last_name END AS user_name,
       CASE WHEN pp_int(age) BETWEEN -2147483648 AND 2147483647 THEN CAST(pp_int(age) AS INTEGER) END
         AS age,
       pp_timestamp(date_joined) AS date_joined
FROM first;

-- analysis_popular_category_by_year (SPEC §7, task 5): the most popular category in each year
-- from 2018 to 2022, the year being that of the post's timestamp (UTC).
-- Columns: post_year INT, category STRING, category_count BIGINT.
-- Rows: posts joined with their geolocation on ind; posts whose category or timestamp is NULL,
--   or whose year is outside 2018-2022, are left out; a year without posts has no row.
-- Ties: every category with the year's highest count is kept (RANK = 1).
-- Order: post_year, category.
-- Dialects: DuckDB and Spark SQL. year() of a TIMESTAMP WITH TIME ZONE follows the session
--   time zone in both: run with TimeZone = 'UTC' (DuckDB) / spark.sql.session.timeZone = UTC.
WITH posts AS (
  SELECT CAST(year(g.timestamp) AS INT) AS post_year, p.category
  FROM cleaned_pin p
  JOIN cleaned_geo g ON p.ind = g.ind
  WHERE p.category IS NOT NULL AND g.timestamp IS NOT NULL
),
counts AS (
  SELECT post_year, category, COUNT(*) AS category_count
  FROM posts
  WHERE post_year BETWEEN 2018 AND 2022
  GROUP BY post_year, category
),
ranked AS (
  SELECT post_year, category, category_count,
         RANK() OVER (PARTITION BY post_year ORDER BY category_count DESC) AS rnk
  FROM counts
)
SELECT post_year, category, category_count
FROM ranked
WHERE rnk = 1
ORDER BY post_year, category

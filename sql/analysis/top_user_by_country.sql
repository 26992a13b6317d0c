-- analysis_top_user_by_country (SPEC §7, task 6a): the user with the most followers in each
-- country.
-- Columns: country STRING, poster_name STRING, follower_count BIGINT (the poster's highest
--   follower count among their posts in that country).
-- Rows: posts joined with their geolocation on ind; only posts whose follower_count, country
--   and poster_name are all non-NULL (a post without a poster name names no user); a country
--   with no such post has no row.
-- Ties: every poster with the country's highest count is kept (RANK = 1).
-- Order: country, poster_name.
-- Dialects: DuckDB and Spark SQL (no exception).
WITH per_user AS (
  SELECT g.country, p.poster_name, MAX(p.follower_count) AS follower_count
  FROM cleaned_pin p
  JOIN cleaned_geo g ON p.ind = g.ind
  WHERE p.follower_count IS NOT NULL AND g.country IS NOT NULL AND p.poster_name IS NOT NULL
  GROUP BY g.country, p.poster_name
),
ranked AS (
  SELECT country, poster_name, follower_count,
         RANK() OVER (PARTITION BY country ORDER BY follower_count DESC) AS rnk
  FROM per_user
)
SELECT country, poster_name, follower_count
FROM ranked
WHERE rnk = 1
ORDER BY country, poster_name

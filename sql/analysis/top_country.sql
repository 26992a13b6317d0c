-- analysis_top_country (SPEC §7, task 6b): the country of the user with the most followers.
-- Columns: country STRING, follower_count BIGINT.
-- Rows: one row (none if no post qualifies), over the same posts as top_user_by_country
--   (follower_count, country and poster_name all non-NULL).
-- Ties: when several countries share the highest count, the first country by name wins.
-- Order: a single row (follower_count DESC, country picks it).
-- Dialects: DuckDB and Spark SQL (no exception).
SELECT g.country, p.follower_count
FROM cleaned_pin p
JOIN cleaned_geo g ON p.ind = g.ind
WHERE p.follower_count IS NOT NULL AND g.country IS NOT NULL AND p.poster_name IS NOT NULL
ORDER BY p.follower_count DESC, g.country
LIMIT 1

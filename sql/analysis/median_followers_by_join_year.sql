-- analysis_median_followers_by_join_year (SPEC §7, task 10): the median follower count of
-- posters by the year they joined, 2015 to 2020.
-- Columns: post_year INT (the year of date_joined, UTC; named as in the original notebook),
--   median_follower_count BIGINT.
-- Rows: posts joined with their poster's user row on ind (one value per post); posts whose
--   date_joined is NULL or outside 2015-2020 are left out. The median is the exact lower
--   median (percentile_disc(0.5)); NULL counts are ignored; all NULL gives NULL.
-- Ties: none (one row per year). Order: post_year.
-- Dialects: DuckDB and Spark SQL: see median_followers_by_age_group.sql (CAST, Spark version)
--   and popular_category_by_year.sql (session time zone UTC).
WITH posts AS (
  SELECT CAST(year(u.date_joined) AS INT) AS post_year, p.follower_count
  FROM cleaned_pin p
  JOIN cleaned_user u ON p.ind = u.ind
  WHERE u.date_joined IS NOT NULL
)
SELECT post_year,
       CAST(percentile_disc(0.5) WITHIN GROUP (ORDER BY follower_count) AS BIGINT)
         AS median_follower_count
FROM posts
WHERE post_year BETWEEN 2015 AND 2020
GROUP BY post_year
ORDER BY post_year

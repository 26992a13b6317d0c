-- analysis_median_followers_by_age_group (SPEC §7, task 8): the median follower count in each
-- age group.
-- Columns: age_group STRING ('18-24', '25-35', '36-50', '+50'), median_follower_count BIGINT.
-- Rows: posts joined with their poster's user row on ind (one value per post, so a user with
--   several posts counts several times, as in the original); posts whose user's age is NULL or
--   under 18 are left out. The median is the exact lower median (percentile_disc(0.5)), an
--   actual follower_count; NULL counts are ignored, and a group whose counts are all NULL has a
--   NULL median.
-- Ties: none (one row per group). Order: age_group (by its text: '+50' first).
-- Dialects: DuckDB and Spark SQL. Spark returns percentile_disc as DOUBLE and DuckDB as the
--   input type: the CAST to BIGINT makes both BIGINT. Spark before 3.3 has no percentile_disc,
--   and 3.3.0-3.3.3 / 3.4.0-3.4.1 can pick the wrong element (SPARK-44871): use 3.4.2+ / 3.5+.
WITH posts AS (
  SELECT CASE
           WHEN u.age BETWEEN 18 AND 24 THEN '18-24'
           WHEN u.age BETWEEN 25 AND 35 THEN '25-35'
           WHEN u.age BETWEEN 36 AND 50 THEN '36-50'
           WHEN u.age > 50 THEN '+50'
         END AS age_group,
         p.follower_count
  FROM cleaned_pin p
  JOIN cleaned_user u ON p.ind = u.ind
)
SELECT age_group,
       CAST(percentile_disc(0.5) WITHIN GROUP (ORDER BY follower_count) AS BIGINT)
         AS median_follower_count
FROM posts
WHERE age_group IS NOT NULL
GROUP BY age_group
ORDER BY age_group

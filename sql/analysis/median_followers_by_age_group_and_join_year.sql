-- analysis_median_followers_by_age_group_and_join_year (SPEC §7, task 11): the median follower
-- count of posters by age group and the year they joined, 2015 to 2020.
-- Columns: age_group STRING ('18-24', '25-35', '36-50', '+50'), post_year INT (the year of
--   date_joined, UTC), median_follower_count BIGINT.
-- Rows: posts joined with their poster's user row on ind (one value per post); posts whose
--   user's age is NULL or under 18, or whose date_joined is NULL or outside 2015-2020, are left
--   out. The median is the exact lower median (percentile_disc(0.5)); NULL counts are ignored;
--   a group whose counts are all NULL has a NULL median.
-- Ties: none (one row per group). Order: age_group (by its text: '+50' first), post_year.
-- Dialects: DuckDB and Spark SQL: see median_followers_by_age_group.sql (CAST, Spark version)
--   and popular_category_by_year.sql (session time zone UTC).
WITH posts AS (
  SELECT CASE
           WHEN u.age BETWEEN 18 AND 24 THEN '18-24'
           WHEN u.age BETWEEN 25 AND 35 THEN '25-35'
           WHEN u.age BETWEEN 36 AND 50 THEN '36-50'
           WHEN u.age > 50 THEN '+50'
         END AS age_group,
         CAST(year(u.date_joined) AS INT) AS post_year,
         p.follower_count
  FROM cleaned_pin p
  JOIN cleaned_user u ON p.ind = u.ind
  WHERE u.date_joined IS NOT NULL
)
SELECT age_group, post_year,
       CAST(percentile_disc(0.5) WITHIN GROUP (ORDER BY follower_count) AS BIGINT)
         AS median_follower_count
FROM posts
WHERE age_group IS NOT NULL AND post_year BETWEEN 2015 AND 2020
GROUP BY age_group, post_year
ORDER BY age_group, post_year

-- analysis_users_joined_by_year (SPEC §7, task 9): how many users joined in each year from
-- 2015 to 2020.
-- Columns: post_year INT (the year of date_joined, UTC; named as in the original notebook),
--   number_users_joined BIGINT.
-- Rows: the user table alone (a user row need not have a post). A user is a distinct
--   (user_name, date_joined) pair: the same person on many posts counts once, two people of
--   one name who joined at different times count twice. Rows with a NULL user_name or
--   date_joined name no user and are left out; a year without joiners has no row.
-- Ties: none (one row per year). Order: post_year.
-- Dialects: DuckDB and Spark SQL; run with the session time zone UTC (see
--   popular_category_by_year.sql).
WITH users AS (
  SELECT DISTINCT user_name, date_joined
  FROM cleaned_user
  WHERE user_name IS NOT NULL AND date_joined IS NOT NULL
),
joined AS (
  SELECT CAST(year(date_joined) AS INT) AS post_year
  FROM users
)
SELECT post_year, COUNT(*) AS number_users_joined
FROM joined
WHERE post_year BETWEEN 2015 AND 2020
GROUP BY post_year
ORDER BY post_year

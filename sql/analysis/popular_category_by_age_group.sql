-- analysis_popular_category_by_age_group (SPEC §7, task 7): the most popular category in each
-- age group.
-- Columns: age_group STRING ('18-24', '25-35', '36-50', '+50'), category STRING,
--   category_count BIGINT.
-- Rows: posts joined with their poster's user row on ind; posts whose category is NULL, or
--   whose user's age is NULL or under 18, are left out.
-- Ties: every category with the group's highest count is kept (RANK = 1).
-- Order: age_group, category (age_group by its text: '+50' sorts before '18-24').
-- Dialects: DuckDB and Spark SQL (no exception).
WITH posts AS (
  SELECT CASE
           WHEN u.age BETWEEN 18 AND 24 THEN '18-24'
           WHEN u.age BETWEEN 25 AND 35 THEN '25-35'
           WHEN u.age BETWEEN 36 AND 50 THEN '36-50'
           WHEN u.age > 50 THEN '+50'
         END AS age_group,
         p.category
  FROM cleaned_pin p
  JOIN cleaned_user u ON p.ind = u.ind
  WHERE p.category IS NOT NULL
),
counts AS (
  SELECT age_group, category, COUNT(*) AS category_count
  FROM posts
  WHERE age_group IS NOT NULL
  GROUP BY age_group, category
),
ranked AS (
  SELECT age_group, category, category_count,
         RANK() OVER (PARTITION BY age_group ORDER BY category_count DESC) AS rnk
  FROM counts
)
SELECT age_group, category, category_count
FROM ranked
WHERE rnk = 1
ORDER BY age_group, category

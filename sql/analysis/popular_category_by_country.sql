-- analysis_popular_category_by_country (SPEC §7, task 4): the most popular category in each
-- country.
-- Columns: country STRING, category STRING, category_count BIGINT (posts of that category in
--   that country).
-- Rows: posts joined with their geolocation on ind; posts whose country or category is NULL
--   are left out. Ties: every category with the country's highest count is kept (RANK = 1).
-- Order: country, category.
-- Dialects: DuckDB and Spark SQL (no exception).
WITH counts AS (
  SELECT g.country, p.category, COUNT(*) AS category_count
  FROM cleaned_pin p
  JOIN cleaned_geo g ON p.ind = g.ind
  WHERE g.country IS NOT NULL AND p.category IS NOT NULL
  GROUP BY g.country, p.category
),
ranked AS (
  SELECT country, category, category_count,
         RANK() OVER (PARTITION BY country ORDER BY category_count DESC) AS rnk
  FROM counts
)
SELECT country, category, category_count
FROM ranked
WHERE rnk = 1
ORDER BY country, category

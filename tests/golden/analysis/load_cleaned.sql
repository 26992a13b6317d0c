-- The cleaned fixture as the views the analyses read (DuckDB). Replace ${dir} with this
-- directory's path. Types are those of the cleaned Delta tables (SPEC §6): timestamps are
-- TIMESTAMP WITH TIME ZONE, so the session must use TimeZone 'UTC' (the analyses take year()).
SET TimeZone = 'UTC';
CREATE OR REPLACE VIEW cleaned_pin AS
SELECT * FROM read_json('${dir}/cleaned_pin.jsonl', format = 'newline_delimited', columns = {
  'ind': 'BIGINT', 'unique_id': 'VARCHAR', 'title': 'VARCHAR', 'description': 'VARCHAR',
  'follower_count': 'BIGINT', 'poster_name': 'VARCHAR', 'tag_list': 'VARCHAR',
  'is_image_or_video': 'VARCHAR', 'image_src': 'VARCHAR', 'save_location': 'VARCHAR',
  'category': 'VARCHAR'});
CREATE OR REPLACE VIEW cleaned_geo AS
SELECT * FROM read_json('${dir}/cleaned_geo.jsonl', format = 'newline_delimited', columns = {
  'ind': 'BIGINT', 'country': 'VARCHAR', 'coordinates': 'DOUBLE[]',
  'timestamp': 'TIMESTAMPTZ'});
CREATE OR REPLACE VIEW cleaned_user AS
SELECT * FROM read_json('${dir}/cleaned_user.jsonl', format = 'newline_delimited', columns = {
  'ind': 'BIGINT', 'user_name': 'VARCHAR', 'age': 'INTEGER', 'date_joined': 'TIMESTAMPTZ'});

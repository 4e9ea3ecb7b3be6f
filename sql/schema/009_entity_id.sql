-- One identity per entity across articles and languages (tasks/entity_ids.py): a GeoNames
-- id for places ("geonames:703448" for Kyiv, Kiev, Kiew, Київ), a spelling-folded name key
-- for everything else ("person:selenski" for Zelensky, Zelenskyy, Selenskyj). Rows stored
-- before this migration keep NULL until their article is processed again.
ALTER TABLE entities ADD COLUMN entity_id VARCHAR;

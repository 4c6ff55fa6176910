DROP TABLE usage_kept_since;
DROP INDEX usage_events_brand_person;

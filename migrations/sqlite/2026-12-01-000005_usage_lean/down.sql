CREATE INDEX usage_events_impression ON usage_events (impression_id);

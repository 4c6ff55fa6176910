DROP TABLE audit_log;
DROP TABLE delivery_keys;
DROP TABLE variant_revisions;
DROP TABLE variants;
DROP TABLE entries;
DROP TABLE content_types;
DROP TABLE brands;
DROP TABLE users;

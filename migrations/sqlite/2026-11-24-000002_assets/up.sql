-- Uploaded images. `id` is the SHA-256 of the original's bytes (the blob's name), so one image
-- uploaded to two brands is one file and two rows; within a brand it is one row.
CREATE TABLE assets (
    id TEXT NOT NULL,
    brand_id TEXT NOT NULL REFERENCES brands(id),
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    format TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    alt TEXT,
    focal_x DOUBLE PRECISION,
    focal_y DOUBLE PRECISION,
    dominant_color TEXT NOT NULL,
    placeholder TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (brand_id, id)
);
CREATE INDEX assets_by_id ON assets (id);
CREATE INDEX assets_brand_created ON assets (brand_id, created_at, id);

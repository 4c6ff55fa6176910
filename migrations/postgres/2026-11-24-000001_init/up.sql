CREATE TABLE users (
    id TEXT PRIMARY KEY NOT NULL,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    brands TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE brands (
    id TEXT PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    default_locale TEXT NOT NULL,
    locales TEXT NOT NULL,
    policy TEXT NOT NULL,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE content_types (
    id TEXT PRIMARY KEY NOT NULL,
    brand_id TEXT NOT NULL REFERENCES brands(id),
    name TEXT NOT NULL,
    fields TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (brand_id, name)
);

CREATE TABLE entries (
    id TEXT PRIMARY KEY NOT NULL,
    brand_id TEXT NOT NULL REFERENCES brands(id),
    entry_key TEXT NOT NULL,
    content_type_id TEXT NOT NULL REFERENCES content_types(id),
    description TEXT,
    version INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (brand_id, entry_key)
);

CREATE TABLE variants (
    id TEXT PRIMARY KEY NOT NULL,
    entry_id TEXT NOT NULL REFERENCES entries(id),
    status TEXT NOT NULL,
    version INTEGER NOT NULL,
    current_revision TEXT NOT NULL,
    published_revision TEXT,
    review_status TEXT,
    review_note TEXT,
    reviewer TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX variants_entry ON variants (entry_id);

CREATE TABLE variant_revisions (
    hash TEXT PRIMARY KEY NOT NULL,
    variant_id TEXT NOT NULL REFERENCES variants(id),
    seq INTEGER NOT NULL,
    parent TEXT,
    name TEXT NOT NULL,
    fields TEXT NOT NULL,
    tags TEXT NOT NULL,
    rule TEXT,
    devices TEXT NOT NULL,
    locale TEXT,
    priority INTEGER NOT NULL,
    starts_at TIMESTAMP,
    ends_at TIMESTAMP,
    quality TEXT NOT NULL,
    author TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (variant_id, seq)
);

CREATE TABLE delivery_keys (
    id TEXT PRIMARY KEY NOT NULL,
    brand_id TEXT NOT NULL REFERENCES brands(id),
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);

CREATE TABLE audit_log (
    seq BIGINT PRIMARY KEY NOT NULL,
    at TIMESTAMP NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    brand TEXT,
    revision_before TEXT,
    revision_after TEXT,
    note TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);

-- Tailor workspace schema, version 1.
-- Money is stored in integer minor units (hundredths) so sums are exact.
-- Instants are INTEGER seconds since the Unix epoch (UTC); calendar dates
-- (birthday, date custom fields) are TEXT 'YYYY-MM-DD'.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

CREATE TABLE import_runs (
    id            INTEGER PRIMARY KEY,
    kind          TEXT NOT NULL CHECK (kind IN ('contacts', 'orders', 'events', 'demo')),
    file_name     TEXT NOT NULL,
    started_at    INTEGER NOT NULL,
    finished_at   INTEGER,
    status        TEXT NOT NULL CHECK (status IN ('running', 'finished', 'undone')),
    summary_json  TEXT NOT NULL DEFAULT '{}',
    mapping_json  TEXT NOT NULL DEFAULT '{}'
) STRICT;

CREATE TABLE contacts (
    id            INTEGER PRIMARY KEY,
    email         TEXT,
    -- Lower-cased, trimmed email: the identity used for dedupe.
    email_key     TEXT,
    customer_id   TEXT,
    first_name    TEXT,
    last_name     TEXT,
    phone         TEXT,
    company       TEXT,
    city          TEXT,
    region        TEXT,
    country       TEXT,
    postal_code   TEXT,
    birthday      TEXT,
    language      TEXT,
    time_zone     TEXT,
    created_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    consent_status     TEXT NOT NULL DEFAULT 'unknown'
                       CHECK (consent_status IN ('subscribed', 'unsubscribed', 'unknown')),
    consent_changed_at INTEGER,
    consent_source     TEXT,
    import_run_id INTEGER REFERENCES import_runs(id) ON DELETE SET NULL,
    CHECK (email_key IS NOT NULL OR customer_id IS NOT NULL)
) STRICT;
-- Identities are unique (several NULLs allowed). They are indexes rather
-- than column constraints so that a bulk load can build them afterwards.
CREATE UNIQUE INDEX contacts_email_key ON contacts(email_key);
CREATE UNIQUE INDEX contacts_customer_id ON contacts(customer_id);

CREATE TABLE consent_history (
    id            INTEGER PRIMARY KEY,
    contact_id    INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    status        TEXT NOT NULL CHECK (status IN ('subscribed', 'unsubscribed', 'unknown')),
    changed_at    INTEGER NOT NULL,
    source        TEXT NOT NULL,
    import_run_id INTEGER REFERENCES import_runs(id) ON DELETE SET NULL
) STRICT;
CREATE INDEX consent_history_contact ON consent_history(contact_id, changed_at);

CREATE TABLE custom_fields (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    kind       TEXT NOT NULL CHECK (kind IN ('text', 'number', 'date', 'bool')),
    created_at INTEGER NOT NULL
) STRICT;

-- Values are stored with their natural SQLite type: TEXT for text and dates,
-- REAL for numbers, INTEGER 0/1 for bools.
CREATE TABLE custom_values (
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    field_id   INTEGER NOT NULL REFERENCES custom_fields(id) ON DELETE CASCADE,
    value      ANY NOT NULL,
    PRIMARY KEY (contact_id, field_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX custom_values_field ON custom_values(field_id, value);

CREATE TABLE tags (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
) STRICT;

CREATE TABLE contact_tags (
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    tag_id     INTEGER NOT NULL REFERENCES tags(id) ON DELETE CASCADE,
    PRIMARY KEY (contact_id, tag_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX contact_tags_tag ON contact_tags(tag_id, contact_id);

CREATE TABLE products (
    id       INTEGER PRIMARY KEY,
    sku      TEXT,
    name     TEXT NOT NULL,
    category TEXT
) STRICT;
CREATE UNIQUE INDEX products_identity ON products(coalesce(sku, ''), name);

CREATE TABLE orders (
    id            INTEGER PRIMARY KEY,
    contact_id    INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    reference     TEXT NOT NULL,
    ordered_at    INTEGER NOT NULL,
    total_cents   INTEGER NOT NULL,
    currency      TEXT NOT NULL,
    import_run_id INTEGER REFERENCES import_runs(id) ON DELETE SET NULL
) STRICT;
CREATE UNIQUE INDEX orders_reference ON orders(reference);
CREATE INDEX orders_contact ON orders(contact_id, ordered_at);
CREATE INDEX orders_ordered_at ON orders(ordered_at);

CREATE TABLE order_items (
    id               INTEGER PRIMARY KEY,
    order_id         INTEGER NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
    product_id       INTEGER NOT NULL REFERENCES products(id),
    quantity         INTEGER NOT NULL,
    unit_price_cents INTEGER NOT NULL
) STRICT;
CREATE INDEX order_items_order ON order_items(order_id);
CREATE INDEX order_items_product ON order_items(product_id);

-- Derived order metrics per contact, refreshed after every import; contacts
-- without orders have no row here (order_count and total_spent read as 0).
CREATE TABLE contact_metrics (
    contact_id        INTEGER PRIMARY KEY REFERENCES contacts(id) ON DELETE CASCADE,
    order_count       INTEGER NOT NULL,
    total_spent_cents INTEGER NOT NULL,
    first_order_at    INTEGER NOT NULL,
    last_order_at     INTEGER NOT NULL
) STRICT;

CREATE TABLE campaigns (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE
) STRICT;

CREATE TABLE segments (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL UNIQUE COLLATE NOCASE,
    definition_json TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;

CREATE TABLE templates (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    kind       TEXT NOT NULL CHECK (kind IN ('email', 'landing_page')),
    subject    TEXT NOT NULL DEFAULT '',
    preheader  TEXT NOT NULL DEFAULT '',
    body       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE experiments (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
    segment_id    INTEGER REFERENCES segments(id) ON DELETE SET NULL,
    holdout_share REAL NOT NULL DEFAULT 0 CHECK (holdout_share >= 0 AND holdout_share < 1),
    seed          INTEGER NOT NULL,
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE experiment_variants (
    id            INTEGER PRIMARY KEY,
    experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    template_id   INTEGER REFERENCES templates(id) ON DELETE SET NULL,
    weight        REAL NOT NULL DEFAULT 1 CHECK (weight > 0),
    UNIQUE (experiment_id, name)
) STRICT;

CREATE TABLE experiment_assignments (
    experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
    contact_id    INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    variant_id    INTEGER REFERENCES experiment_variants(id) ON DELETE CASCADE,
    -- NULL variant_id: the contact is in the holdout.
    assigned_at   INTEGER NOT NULL,
    PRIMARY KEY (experiment_id, contact_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE events (
    id            INTEGER PRIMARY KEY,
    contact_id    INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL,
    occurred_at   INTEGER NOT NULL,
    campaign_id   INTEGER REFERENCES campaigns(id) ON DELETE SET NULL,
    experiment_id INTEGER REFERENCES experiments(id) ON DELETE SET NULL,
    variant       TEXT,
    value         REAL,
    import_run_id INTEGER REFERENCES import_runs(id) ON DELETE SET NULL
) STRICT;
CREATE INDEX events_contact ON events(contact_id, kind, occurred_at);

CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY,
    at         INTEGER NOT NULL,
    action     TEXT NOT NULL,
    detail_json TEXT NOT NULL DEFAULT '{}'
) STRICT;

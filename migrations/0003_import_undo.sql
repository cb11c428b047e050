-- What an import changed, so that it can be undone: the before-image of
-- every contact it updated. Contacts it inserted carry its run id.
CREATE TABLE import_undo (
    import_run_id INTEGER NOT NULL REFERENCES import_runs(id) ON DELETE CASCADE,
    contact_id    INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    before_json   TEXT NOT NULL,
    PRIMARY KEY (import_run_id, contact_id)
) STRICT, WITHOUT ROWID;

-- Rows an import turned away, with their line and reason, for the
-- summary's "Save rejected rows…".
CREATE TABLE import_rejects (
    import_run_id INTEGER NOT NULL REFERENCES import_runs(id) ON DELETE CASCADE,
    line          INTEGER NOT NULL,
    reason        TEXT NOT NULL,
    cells_json    TEXT NOT NULL
) STRICT;
CREATE INDEX import_rejects_run ON import_rejects(import_run_id, line);

-- Indexes for the Contacts screen's default order (newest first) and for
-- segments on order metrics. Other sort columns are sorted on demand: an
-- index per column would slow every import for a rarely used sort.
CREATE INDEX contacts_created_at ON contacts(created_at);
CREATE INDEX contact_metrics_total ON contact_metrics(total_spent_cents);
CREATE INDEX contact_metrics_last_order ON contact_metrics(last_order_at);

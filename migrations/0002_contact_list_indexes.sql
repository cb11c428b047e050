-- Indexes that let the Contacts screen sort a million rows without a full sort.
CREATE INDEX contacts_name ON contacts(last_name COLLATE NOCASE, first_name COLLATE NOCASE);
CREATE INDEX contacts_country ON contacts(country);
CREATE INDEX contacts_created_at ON contacts(created_at);
CREATE INDEX contact_metrics_total ON contact_metrics(total_spent_cents);
CREATE INDEX contact_metrics_last_order ON contact_metrics(last_order_at);

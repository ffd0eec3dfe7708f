-- Version 9: what an import's confirming a contact replaced. A file that gives a stored
-- contact again confirms its details as of the import (contacts.confirmed_at, which the
-- review report's stale contacts go by); undoing the batch puts back the time it replaced.
-- `confirmed_before` is that earlier time (NULL: never confirmed) and `confirmed_at` the one
-- the batch set, so a contact confirmed again since (by hand, or by a later file) is left as
-- it is. Contacts noted before this step have neither and are left as they are.
ALTER TABLE import_met ADD COLUMN confirmed_before TEXT;
ALTER TABLE import_met ADD COLUMN confirmed_at TEXT;

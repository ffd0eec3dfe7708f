-- Version 6: a stage move made by an import names its batch, so undoing the batch takes the
-- move back (and the customer's stage date with it) instead of leaving a move to a stage the
-- customer is no longer in.

ALTER TABLE stage_moves ADD COLUMN batch_id INTEGER REFERENCES import_batches(id);

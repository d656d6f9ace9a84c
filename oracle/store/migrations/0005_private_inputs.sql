-- A private request's sealed input and attestation, as its PrivatePredictionRequested event carried them.
-- The features are never stored in the clear: a node opens the envelope when it predicts.
ALTER TABLE requests ADD COLUMN private_subject TEXT;
ALTER TABLE requests ADD COLUMN attestation_expires_at INTEGER;
ALTER TABLE requests ADD COLUMN attestation_signature BLOB;
ALTER TABLE requests ADD COLUMN encrypted_input BLOB;
-- Why a request's input was refused (answered INVALID_INPUT): a schema, envelope or attestation reason.
ALTER TABLE requests ADD COLUMN input_error TEXT;

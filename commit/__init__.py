"""modelprint.commit: the publisher side (identities, fingerprint files, commitments, grants, time evidence)."""

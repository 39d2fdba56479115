"""modelprint.verify: the verifier side (responders, verification of bundles, reveals and chains, reports)."""

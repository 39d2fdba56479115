"""modelprint.implant: the training side (data from fingerprint sets, LoRA training, merging, reports)."""

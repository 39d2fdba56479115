"""modelprint.runtime: what every side needs at run time, below commit, implant and verify.

Files (bounded reads, atomic writes of files and folders, secret-file permissions), key files
(identities, pinned log keys and TSA roots), models (the embedded default, loading, the pad-token
rule, chat rendering) and the strict HTTP request reader the servers share. It imports the sans-IO
core (:mod:`modelprint.protocol`) and nothing above it; torch and transformers are imported only
inside the functions that load or run a model.
"""

"""Personal data in the platform: pseudonymised at ingest, identifiers kept in one
encrypted restricted store, nothing identifying anywhere else.

- `keys`: where the pseudonymisation and encryption keys come from (the environment; a
  built-in key works only for synthetic sources and is refused for others);
- `pseudonymise`: keyed hashes (HMAC-SHA256) that replace record and person references;
- `restricted`: the restricted layer, its own DuckDB file encrypted at rest;
- `split`: one source's frame split into the restricted part and the part raw.<id> may hold.
"""
from .keys import KeyError_ as PrivacyKeyError, encryption_key, pseudonymisation_key
from .pseudonymise import keyed_hash, keyed_hashes
from .restricted import RestrictedStore, restricted_path
from .split import SplitFrame, split_personal

__all__ = ["PrivacyKeyError", "encryption_key", "pseudonymisation_key", "keyed_hash", "keyed_hashes",
           "RestrictedStore", "restricted_path", "SplitFrame", "split_personal"]

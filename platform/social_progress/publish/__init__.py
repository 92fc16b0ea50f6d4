"""Publication: immutable yearly releases written atomically."""

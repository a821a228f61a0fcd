"""Django's PostgreSQL backend, reading timestamps with psycopg's compiled loader.

Named as the database ENGINE in settings (Django loads `<engine>.base`)."""

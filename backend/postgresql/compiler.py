"""Django's PostgreSQL compilers, with a few rows inserted as VALUES.

Django 5.2 inserts two rows or more through UNNEST of one array per column,
which spares PostgreSQL planning a long VALUES list. But psycopg builds those
arrays in Python: for the two or three timeline events of a new report that
cost 0.26 ms of the 0.69 the insert took (bench/profile_request.py). Up to
SMALL_BATCH rows go as VALUES, which a prepared statement plans once per row
count anyway; larger batches (a notification to every follower) keep UNNEST.
"""

from django.db.backends.postgresql import compiler
from django.db.backends.postgresql.compiler import (
    SQLAggregateCompiler,
    SQLCompiler,
    SQLDeleteCompiler,
    SQLUpdateCompiler,
)
from django.db.models.sql.compiler import SQLInsertCompiler as ValuesInsertCompiler

__all__ = [
    "SQLAggregateCompiler",
    "SQLCompiler",
    "SQLDeleteCompiler",
    "SQLInsertCompiler",
    "SQLUpdateCompiler",
]

SMALL_BATCH = 10


class SQLInsertCompiler(compiler.SQLInsertCompiler):
    def assemble_as_sql(self, fields, value_rows):
        if len(value_rows) <= SMALL_BATCH:
            return ValuesInsertCompiler.assemble_as_sql(self, fields, value_rows)
        return super().assemble_as_sql(fields, value_rows)

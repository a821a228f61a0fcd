"""Indexes that a query the product makes relies on, checked on PostgreSQL's
plan (sequential scans off, so that a tiny test table does not hide a missing
index)."""

import pytest
from django.db import connection

from backend.reports.models import Report

pytestmark = pytest.mark.django_db


def plan(queryset) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


def test_deleting_a_report_finds_the_reports_merged_into_it_by_an_index():
    # What Django's PROTECT asks before a report is deleted (and PostgreSQL's
    # foreign key, the same predicate): without report_merged_into, every
    # deletion read the whole table.
    merged = Report.objects.filter(merged_into_id__in=["00000000-0000-0000-0000-000000000001"])
    assert "report_merged_into" in plan(merged)

"""Jobs queued in rq on the test's own Redis (backend/jobs.py)."""

import pytest
from rq import Queue, SimpleWorker
from rq.job import Job

from backend.jobs import enqueue, queue, redis_connection
from backend.reports.timeline import dispatch_events


@pytest.fixture
def empty_default_queue():
    queue("default").empty()
    yield queue("default")
    queue("default").empty()


@pytest.mark.django_db(transaction=True)
def test_a_queued_job_is_registered_kept_with_its_retries_and_run(empty_default_queue):
    enqueue(dispatch_events, [])
    assert empty_default_queue.name in {q.name for q in Queue.all(connection=redis_connection())}
    [job_id] = empty_default_queue.job_ids
    job = Job.fetch(job_id, connection=redis_connection())
    assert job.func_name == "backend.reports.timeline.dispatch_events"
    assert job.args == ([],)
    assert job.retries_left == 5
    assert job.retry_intervals == [10, 30, 120, 600, 1800]
    SimpleWorker([empty_default_queue], connection=redis_connection()).work(burst=True)
    assert Job.fetch(job_id, connection=redis_connection()).return_value() == 0
    assert empty_default_queue.count == 0

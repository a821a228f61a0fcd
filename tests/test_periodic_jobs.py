from rq.cron import CronScheduler

from backend.jobs import redis_connection


def test_the_scheduler_config_registers_the_periodic_jobs():
    scheduler = CronScheduler(connection=redis_connection())
    scheduler.load_config_from_file("backend/cron.py")
    jobs = {job.func.__name__: job for job in scheduler.get_jobs()}
    assert set(jobs) == {
        "escalate_overdue",
        "sweep_undispatched",
        "sweep_undelivered",
        "sweep_unprocessed_photos",
        "sweep_pending_media",
        "purge_private_originals",
    }
    assert jobs["escalate_overdue"].interval == 300
    assert jobs["sweep_undispatched"].interval == 60
    assert jobs["sweep_undelivered"].queue_name == "notifications"
    assert jobs["sweep_unprocessed_photos"].interval == 120

from rq.cron import CronScheduler

from backend.jobs import redis_connection


def test_the_scheduler_config_registers_the_periodic_jobs():
    scheduler = CronScheduler(connection=redis_connection())
    scheduler.load_config_from_file("backend/cron.py")
    jobs = {job.func.__name__: job for job in scheduler.get_jobs()}
    assert set(jobs) >= {"escalate_overdue"}
    assert jobs["escalate_overdue"].interval == 300

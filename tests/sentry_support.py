"""Failures planted for the Sentry test (a screening hook and a job that break)."""


def broken_screening(report):
    raise RuntimeError(
        f"screening broke for {report.reporter.phone_number} (an.nguyen@example.com)"
    )


def broken_job(phone: str) -> None:
    raise ValueError(f"job failed while calling {phone}")

"""Failures planted for the Sentry test (a screening hook and a job that break)."""


def broken_screening(report, history):
    raise RuntimeError(
        f"screening broke for {report.reporter.phone_number} (an.nguyen@example.com)"
    )


def broken_job(phone: str) -> None:
    raise ValueError(f"job failed while calling {phone}")


class BrokenBackend:
    """An authentication backend that breaks while it holds the password."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        raise LookupError(f"directory unreachable for {username}")

    def get_user(self, user_id):
        return None


def broken_receiver(sender, instance, **kwargs) -> None:
    raise ConnectionError("push registry unreachable")

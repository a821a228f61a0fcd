"""The screening rules. Each gives a reason and a score; the scores add up, and a
report reaching MODERATION_HOLD_SCORE is held for review. Thresholds are
settings; extra blocked terms are admin data (BlockedTerm)."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from backend.areas.models import Area
from backend.photos.models import Photo
from backend.reference_data import Snapshot
from backend.reports.history import ReporterHistory
from backend.reports.models import Report
from moderation.learned import learned_screen
from moderation.models import BlockedTerm
from moderation.text import Lexicon, build_lexicon, place_name_sequences, screen_text


def reason(rule: str, score: float, **details: object) -> dict:
    return {"rule": rule, "score": round(score, 2), **details}


def _build_lexicon() -> Lexicon:
    return build_lexicon(dict(BlockedTerm.objects.values_list("term", "weight")))


def _build_place_names() -> set[tuple[str, ...]]:
    names = Area.objects.active().values_list("name", "short_name")
    return place_name_sequences([name for pair in names for name in pair if name])


# Reference data (`backend.reference_data`): the shipped word lists with the
# moderators' terms, and the service area's place names (which are not insults).
_lexicon = Snapshot("blocked-terms", _build_lexicon, BlockedTerm)
_place_names = Snapshot("place-names", _build_place_names, Area)
lexicon = _lexicon.get
place_names = _place_names.get


def watch_reference_data() -> None:
    _lexicon.watch_saves()
    _place_names.watch_saves()


def text_reasons(text: str, learned: bool = True) -> tuple[list[dict], str]:
    """Reasons from a text, and the text as the public may see it. `learned`
    False leaves the learned screen out: an address is mostly the names of
    places, which it never learnt."""
    if not text:  # most reports give no address: nothing to screen
        return [], text
    verdict = screen_text(text, lexicon(), place_names())
    reasons = []
    if verdict.matches:
        reasons.append(reason("offensive_language", verdict.score, terms=verdict.matches))
    # The learned screen holds what the word lists miss; below its threshold
    # it says nothing, so that it never tips an ordinary complaint over.
    screen = learned_screen()
    score = screen.score(text) if learned else 0.0
    if score >= 1.0:
        reasons.append(reason("offensive_learned", score, words=screen.telling_words(text)))
    if verdict.personal_data:
        reasons.append(reason("personal_data", 0.0, kinds=verdict.personal_data))
    return reasons, verdict.redacted


def behaviour_rules(report: Report, history: ReporterHistory) -> list[dict]:
    reporter = report.reporter
    now = timezone.now()
    reasons = []
    recent = history.in_last_hour
    if recent >= settings.MODERATION_REPORTS_PER_HOUR:
        reasons.append(
            reason("many_reports", settings.MODERATION_MANY_REPORTS_SCORE, last_hour=recent)
        )
    account_age = now - reporter.date_joined
    if account_age < timedelta(hours=settings.MODERATION_NEW_ACCOUNT_HOURS):
        earlier = history.total
        if earlier < settings.MODERATION_NEW_ACCOUNT_REPORTS:
            reasons.append(
                reason(
                    "new_account", settings.MODERATION_NEW_ACCOUNT_SCORE, earlier_reports=earlier
                )
            )
    rejected = history.rejected
    if rejected >= settings.MODERATION_REJECTED_REPORTS:
        reasons.append(
            reason("earlier_rejections", settings.MODERATION_REJECTED_SCORE, rejected=rejected)
        )
    return reasons


def photo_rules(photo: Photo) -> list[dict]:
    reasons = []
    report = photo.report
    if (
        photo.distance_to_report_m is not None
        and photo.distance_to_report_m > settings.PHOTO_MAX_DISTANCE_M
    ):
        reasons.append(
            reason(
                "photo_far_from_report",
                settings.PHOTO_FAR_SCORE,
                photo=str(photo.id),
                distance_m=round(photo.distance_to_report_m),
            )
        )
    if photo.exif_taken_at and report is not None:
        age = report.created_at - photo.exif_taken_at
        if age > timedelta(days=settings.PHOTO_MAX_AGE_DAYS):
            reasons.append(
                reason(
                    "old_photo", settings.PHOTO_OLD_SCORE, photo=str(photo.id), age_days=age.days
                )
            )
    if photo.phash and report is not None:
        reused = _reused_by_another_resident(photo)
        if reused is not None:
            reasons.append(
                reason(
                    "reused_photo",
                    settings.PHOTO_REUSED_SCORE,
                    photo=str(photo.id),
                    same_as=str(reused),
                )
            )
    return reasons


def _reused_by_another_resident(photo: Photo):
    """Another resident's recent photo within the Hamming distance of this one's
    perceptual hash (64 bits: one XOR and a bit count each)."""
    limit = settings.PHOTO_DUPLICATE_MAX_DISTANCE
    mine = int(photo.phash, 16)
    since = timezone.now() - timedelta(days=settings.PHOTO_DUPLICATE_WINDOW_DAYS)
    others = (
        Photo.objects.exclude(uploader=photo.uploader)
        .exclude(phash="")
        .filter(created_at__gte=since)
        .values_list("id", "phash")
    )
    for other_id, other_hash in others.iterator():
        if bin(mine ^ int(other_hash, 16)).count("1") <= limit:
            return other_id
    return None

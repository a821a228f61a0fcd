"""The text of each notification, in Vietnamese, English and Khmer.

Short (a phone shows about 40 characters of title), with the report's
reference so a resident can quote it on the phone to the ward's office.
"""

from django.conf import settings

STATUS_NAMES = {
    "vi": {
        "acknowledged": "đã tiếp nhận",
        "in_progress": "đang xử lý",
        "resolved": "đã xử lý xong",
        "rejected": "bị từ chối",
        "closed": "đã đóng",
        "waiting": "chờ bổ sung thông tin",
    },
    "en": {
        "acknowledged": "acknowledged",
        "in_progress": "being worked on",
        "resolved": "resolved",
        "rejected": "rejected",
        "closed": "closed",
        "waiting": "waiting for your information",
    },
    "km": {
        "acknowledged": "បានទទួល",
        "in_progress": "កំពុងដោះស្រាយ",
        "resolved": "បានដោះស្រាយរួច",
        "rejected": "ត្រូវបានបដិសេធ",
        "closed": "បានបិទ",
        "waiting": "រង់ចាំព័ត៌មានបន្ថែម",
    },
}

# kind -> language -> (title, body); {ref}, {status}, {message}, {into} are filled in.
TEMPLATES = {
    "status_changed": {
        "vi": ("Phản ánh {ref} {status}", "{message}"),
        "en": ("Report {ref} {status}", "{message}"),
        "km": ("របាយការណ៍ {ref} {status}", "{message}"),
    },
    "reply": {
        "vi": ("Phản hồi về phản ánh {ref}", "{message}"),
        "en": ("Reply on report {ref}", "{message}"),
        "km": ("ការឆ្លើយតបលើរបាយការណ៍ {ref}", "{message}"),
    },
    "merged": {
        "vi": ("Phản ánh {ref} được gộp", "Vấn đề đã được báo trước trong phản ánh {into}."),
        "en": ("Report {ref} merged", "This problem was already reported as {into}."),
        "km": ("របាយការណ៍ {ref} ត្រូវបានបញ្ចូលគ្នា", "បញ្ហានេះបានរាយការណ៍រួចហើយជា {into}។"),
    },
    "reopened": {
        "vi": ("Phản ánh {ref} được mở lại", "{message}"),
        "en": ("Report {ref} reopened", "{message}"),
        "km": ("របាយការណ៍ {ref} ត្រូវបានបើកឡើងវិញ", "{message}"),
    },
    "new_ticket": {
        "vi": ("Phản ánh mới {ref}", "{category}: {message}"),
        "en": ("New report {ref}", "{category}: {message}"),
        "km": ("របាយការណ៍ថ្មី {ref}", "{category}: {message}"),
    },
    "transferred_in": {
        "vi": ("Phản ánh {ref} được chuyển đến", "{message}"),
        "en": ("Report {ref} transferred to you", "{message}"),
        "km": ("របាយការណ៍ {ref} ត្រូវបានផ្ទេរមក", "{message}"),
    },
    "tickets_rerouted": {
        "vi": ("{count} phản ánh chuyển đến sau khi sắp xếp địa giới", "Ví dụ: {ref}"),
        "en": ("{count} reports arrived after a boundary change", "For example {ref}"),
        "km": ("របាយការណ៍ {count} បានមកដល់ក្រោយការកែព្រំដែន", "ឧទាហរណ៍ {ref}"),
    },
    "overdue": {
        "vi": ("Phản ánh {ref} quá hạn", "Hạn xử lý: {due}"),
        "en": ("Report {ref} is overdue", "Was due {due}"),
        "km": ("របាយការណ៍ {ref} ហួសកំណត់", "កាលកំណត់: {due}"),
    },
    "moderation": {
        "vi": ("Phản ánh {ref}: kết quả kiểm duyệt", "{message}"),
        "en": ("Report {ref}: moderation decision", "{message}"),
        "km": ("របាយការណ៍ {ref}: សេចក្តីសម្រេចត្រួតពិនិត្យ", "{message}"),
    },
}
KINDS = sorted(TEMPLATES)
MAX_BODY = 180


class _Params(dict):
    def __missing__(self, key: str) -> str:
        return ""


def render(kind: str, params: dict, language: str) -> tuple[str, str]:
    language = language.split("-")[0] if language else settings.LANGUAGE_CODE
    if language not in TEMPLATES[kind]:
        language = settings.LANGUAGE_CODE
    title, body = TEMPLATES[kind][language]
    values = _Params(params)
    values["status"] = STATUS_NAMES[language].get(
        params.get("status", ""), params.get("status", "")
    )
    body_text = body.format_map(values).strip() or title.format_map(values)
    if len(body_text) > MAX_BODY:
        body_text = body_text[: MAX_BODY - 1] + "…"
    return title.format_map(values), body_text

from django.dispatch import Signal

# Sent with `photo=<Photo>` once a photo is processed (derivatives and hashes
# stored), and once a photo uploaded before its report is attached to it.
# Moderation screens a photo when it is both processed and on a report, once,
# whichever of the two comes last (moderation.screening.screen_photo).
photo_processed = Signal()
photo_attached = Signal()

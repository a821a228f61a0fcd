from django.dispatch import Signal

# Sent with `photo=<Photo>` once a photo is processed (derivatives and hashes stored).
photo_processed = Signal()

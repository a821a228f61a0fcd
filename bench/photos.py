"""Photo processing: the project's pipeline against a naive one, in one run.

    uv run python bench/photos.py

- a synthetic 12 MP JPEG (4000x3000, camera-like detail) and the real phone
  photos in ../shared/data/photos, each processed by `make_derivatives` (draft
  decoding, one resize chain) and by a naive pipeline (full decode, each
  derivative resized from the full image);
- the peak resident memory of a fresh process that processes a 48 MP JPEG.
"""

import io
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

import imagehash  # noqa: E402
import numpy as np  # noqa: E402
from PIL import Image, ImageOps  # noqa: E402

from backend.photos.processing import make_derivatives  # noqa: E402

PHOTOS = Path(os.environ.get("SHARED_DATA_DIR", ROOT.parent / "shared" / "data")) / "photos"


def camera_like_jpeg(width: int, height: int) -> bytes:
    """Smooth shapes plus sensor-like noise: compresses like a phone photo (~4 MB at 12 MP)."""
    small_w, small_h = width // 8, height // 8
    y, x = np.mgrid[0:small_h, 0:small_w].astype(np.float32) * 8
    base = np.stack(
        [
            127 + 100 * np.sin(x / 173) * np.cos(y / 211),
            127 + 90 * np.sin((x + y) / 97),
            127 + 80 * np.cos(x / 53 - y / 131),
        ],
        axis=-1,
    )
    smooth = Image.fromarray(base.astype(np.uint8)).resize(
        (width, height), Image.Resampling.BICUBIC
    )
    noise = Image.effect_noise((width, height), 24).convert("RGB")
    out = io.BytesIO()
    Image.blend(smooth, noise, 0.12).save(out, "JPEG", quality=90)
    return out.getvalue()


def naive(data: bytes) -> None:
    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    for side in (1280, 320):
        copy = image.copy()
        copy.thumbnail((side, side), Image.Resampling.LANCZOS)
        copy.save(io.BytesIO(), "JPEG", quality=82)
    imagehash.phash(image)


def ours(data: bytes) -> None:
    make_derivatives(data, 1280, 320)


def seconds(fn, data: bytes, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn(data)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


CHILD = """
import os, sys
sys.path.insert(0, {root!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backend.settings")
os.environ.setdefault("DEBUG", "1")
import django; django.setup()
import imagehash
from backend.photos.processing import make_derivatives
data = open({path!r}, "rb").read()
def high_water_kb():
    # VmHWM starts afresh at exec; ru_maxrss would carry the parent's peak over.
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
before = high_water_kb()
if {process}:
    make_derivatives(data, 1280, 320)
print(before, high_water_kb())
"""


def peak_memory_mb(path: Path, process: bool) -> tuple[float, float]:
    code = CHILD.format(root=str(ROOT), path=str(path), process=process)
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.split()
    before, after = (int(v) / 1024 for v in output[-2:])
    return before, after


def main() -> None:
    print("one core; median of runs; seconds per photo (ours / naive / ratio)")
    twelve = camera_like_jpeg(4000, 3000)
    rows = [("synthetic 12 MP JPEG (4000x3000)", twelve, 7)]
    for path in sorted(PHOTOS.glob("*.*")):
        if path.suffix.lower() in (".jpg", ".heic"):
            rows.append((path.name, path.read_bytes(), 3))
    for label, data, runs in rows:
        ours_s = seconds(ours, data, runs)
        naive_s = seconds(naive, data, runs)
        print(f"  {label:44s} {ours_s:6.3f} s  {naive_s:6.3f} s  {naive_s / ours_s:5.1f} x")

    big = ROOT / "var" / "bench-48mp.jpg"
    big.parent.mkdir(exist_ok=True)
    big.write_bytes(camera_like_jpeg(8000, 6000))
    _, idle_peak = peak_memory_mb(big, process=False)
    _, work_peak = peak_memory_mb(big, process=True)
    print(
        f"48 MP JPEG ({big.stat().st_size / 1e6:.1f} MB): peak RSS of the processing process "
        f"{work_peak:.0f} MB (the same process without processing: {idle_peak:.0f} MB; "
        f"processing adds {work_peak - idle_peak:.0f} MB)"
    )
    print(
        f"bench process max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB"
    )


if __name__ == "__main__":
    main()

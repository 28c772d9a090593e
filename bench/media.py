"""Uploads for bench/media.sh: 12-megapixel JPEGs made with Pillow, sent to a running newsdesk.

  media.py photos DIR N            write N distinct 4000 x 3000 JPEGs (EXIF with GPS) into DIR
  media.py one BASE TOKEN PID FILE  upload FILE; print "seconds peak_kib_delta status id"
  media.py many BASE TOKEN PID DIR  upload every JPEG of DIR at once; print "seconds peak_kib_delta statuses"
"""
import os
import sys
import threading
import time
import urllib.request


def peak_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise SystemExit("no VmHWM")


def photos(directory, n):
    from PIL import Image

    os.makedirs(directory, exist_ok=True)
    w, h = 4000, 3000
    # A gradient under sensor noise: it compresses like a phone's photo of a busy street.
    gradient = Image.linear_gradient("L").resize((w, h))
    for i in range(n):
        noise = Image.effect_noise((w, h), 40 + i)
        img = Image.merge("RGB", (gradient, noise, Image.blend(gradient, noise, 0.5)))
        exif = Image.Exif()
        exif[0x010F] = "PhoneMaker"
        exif[0x0112] = 1
        exif[0x8825] = {1: "N", 2: (29.0, 58.0, 12.0), 3: "E", 4: (113.0, 55.0, 48.0)}
        img.save(os.path.join(directory, f"photo-{i:02}.jpg"), quality=92, exif=exif)


def upload(base, token, path):
    with open(path, "rb") as f:
        body = f.read()
    req = urllib.request.Request(
        f"{base}/api/v1/media?credit=%E5%88%98%E5%BB%BA%E5%B9%B3",
        data=body,
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "image/jpeg"},
    )
    try:
        with urllib.request.urlopen(req, timeout=300) as r:
            import json

            return r.status, json.loads(r.read())["id"]
    except urllib.error.HTTPError as e:
        return e.code, None


def main():
    cmd = sys.argv[1]
    if cmd == "photos":
        photos(sys.argv[2], int(sys.argv[3]))
    elif cmd == "one":
        base, token, pid, path = sys.argv[2:6]
        before = peak_kib(pid)
        t = time.monotonic()
        status, media = upload(base, token, path)
        print(f"{time.monotonic() - t:.3f} {peak_kib(pid) - before} {status} {media}")
    elif cmd == "many":
        base, token, pid, directory = sys.argv[2:6]
        files = sorted(os.path.join(directory, f) for f in os.listdir(directory) if f.endswith(".jpg"))
        statuses = [None] * len(files)
        before = peak_kib(pid)

        def run(i, path):
            statuses[i] = upload(base, token, path)[0]

        threads = [threading.Thread(target=run, args=(i, p)) for i, p in enumerate(files)]
        t = time.monotonic()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        print(f"{time.monotonic() - t:.3f} {peak_kib(pid) - before} {','.join(map(str, statuses))}")


main()

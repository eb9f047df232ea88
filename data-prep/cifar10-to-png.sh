#!/usr/bin/env bash
# Writes CIFAR-10 as a folder tree of PNG files, one folder per class, for trying prep's image-folder input on real
# images:
#   data-prep/cifar10-to-png.sh [--archive FILE] [--output DIR] [--classes all|frog,cat,...]
# Defaults: --archive data/cifar-10-binary.tar.gz, --output data/cifar10-png, --classes all.
# Layout: DIR/train/<class>/NNNNN.png and DIR/test/<class>/NNNNN.png, NNNNN the image's id in its split
# (0-49,999 train, 0-9,999 test), so sorted paths keep the original order within a class. Then, for example:
#   submit-scripts/local.sh prep --input data/cifar10-png/train --split train --output data/cifar10-png-parquet
# Needs only python3 (standard library: tarfile, zlib); an existing output folder is refused.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
archive="$root/data/cifar-10-binary.tar.gz"
output="$root/data/cifar10-png"
classes="all"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --archive) archive="$2"; shift 2 ;;
    --output) output="$2"; shift 2 ;;
    --classes) classes="$2"; shift 2 ;;
    -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "cifar10-to-png.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
[[ -f "$archive" ]] || { echo "cifar10-to-png.sh: no archive at $archive (data-prep/download-cifar10.sh fetches it)" >&2; exit 2; }
[[ ! -e "$output" ]] || { echo "cifar10-to-png.sh: $output already exists" >&2; exit 2; }

exec python3 - "$archive" "$output" "$classes" <<'PY'
import os, struct, sys, tarfile, zlib

archive, output, wanted = sys.argv[1:4]
NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
keep = set(NAMES) if wanted == "all" else set(wanted.split(","))
unknown = keep - set(NAMES)
if unknown:
    sys.exit("cifar10-to-png.sh: unknown class %s (expected one of %s)" % (", ".join(sorted(unknown)), ", ".join(NAMES)))

def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)

def png(record):
    """A 32x32 8-bit RGB PNG of one record's planes (1,024 R, G, B bytes)."""
    r, g, b = record[0:1024], record[1024:2048], record[2048:3072]
    rows = b"".join(b"\0" + bytes(v for p in range(y * 32, y * 32 + 32) for v in (r[p], g[p], b[p])) for y in range(32))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 32, 32, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))

staging = output + ".partial"
written = 0
with tarfile.open(archive, "r:gz") as tar:
    for member in tar:
        name = os.path.basename(member.name)
        if name.startswith("data_batch_") and name.endswith(".bin"):
            split, first = "train", (int(name[len("data_batch_"):-4]) - 1) * 10000
        elif name == "test_batch.bin":
            split, first = "test", 0
        else:
            continue
        data = tar.extractfile(member).read()
        for i in range(len(data) // 3073):
            record = data[i * 3073:(i + 1) * 3073]
            label = NAMES[record[0]]
            if label not in keep:
                continue
            folder = os.path.join(staging, split, label)
            os.makedirs(folder, exist_ok=True)
            with open(os.path.join(folder, "%05d.png" % (first + i)), "wb") as f:
                f.write(png(record[1:]))
            written += 1
os.rename(staging, output)  # complete or absent: a failed run leaves only the .partial folder
print("cifar10-to-png.sh: wrote %d PNG files to %s" % (written, output))
PY

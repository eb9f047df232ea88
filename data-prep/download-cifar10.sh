#!/usr/bin/env bash
# Downloads the official CIFAR-10 binary archive into DIR (default: data/) and verifies it:
#   data-prep/download-cifar10.sh [DIR]
#   data-prep/download-cifar10.sh --verify FILE     only verify an archive you already have
# Accepted: the official archive (MD5 c32a1d4ab5d03f1284b67883e8d87530), or a re-packed archive whose six record
# files carry the published per-file MD5s. A bad download is deleted and the script exits non-zero.
set -euo pipefail

URL="${CIFAR10_URL:-https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz}"
ARCHIVE_MD5="c32a1d4ab5d03f1284b67883e8d87530"
FILE_MD5S="5dd7e06a14cb22eb9f671a540d1b7c25  cifar-10-batches-bin/data_batch_1.bin
5ea93a67294ea407fff1d09f752e9692  cifar-10-batches-bin/data_batch_2.bin
942cd6a4bcdd0dd3c604fbe906cb4421  cifar-10-batches-bin/data_batch_3.bin
ae636b3ba5c66a11e91e8cb52e771fcb  cifar-10-batches-bin/data_batch_4.bin
53f37980c15c3d472c316c40844f3f0d  cifar-10-batches-bin/data_batch_5.bin
803d5f7f4d78ea53de84dbe85f74fb6d  cifar-10-batches-bin/test_batch.bin"

die() { echo "download-cifar10: error: $*" >&2; exit 1; }

# verify FILE: 0 when the archive is the official one or holds the official record files
verify() {
  local file=$1 sum tmp
  [[ -f "$file" ]] || die "$file: no such file"
  sum=$(md5sum "$file" | cut -d' ' -f1)
  if [[ "$sum" == "$ARCHIVE_MD5" ]]; then
    echo "download-cifar10: $file is the official archive (MD5 $sum)"
    return 0
  fi
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' RETURN
  if ! tar -xzf "$file" -C "$tmp" cifar-10-batches-bin 2>/dev/null; then
    echo "download-cifar10: $file: not a gzip tar archive with cifar-10-batches-bin/ (MD5 $sum)" >&2
    return 1
  fi
  if ! (cd "$tmp" && md5sum --quiet -c - <<<"$FILE_MD5S" >/dev/null 2>&1); then
    echo "download-cifar10: $file: archive MD5 $sum is not the official one and its record files do not match the published MD5s" >&2
    return 1
  fi
  echo "download-cifar10: $file holds the six official record files (per-file MD5s match)"
}

if [[ "${1:-}" == "--verify" ]]; then
  [[ $# -eq 2 ]] || die "usage: $0 --verify FILE"
  verify "$2" || exit 1
  exit 0
fi
if [[ "${1:-}" == "--help" || "${1:-}" == "-h" ]]; then
  sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi

dir="${1:-data}"
mkdir -p "$dir"
target="$dir/cifar-10-binary.tar.gz"
if [[ -f "$target" ]] && verify "$target" >/dev/null 2>&1; then
  echo "download-cifar10: $target already present and verified"
  exit 0
fi
part="$target.part"
echo "download-cifar10: downloading $URL (about 163 MB) ..."
curl -fL --retry 3 --progress-bar -o "$part" "$URL" || { rm -f "$part"; die "download from $URL failed"; }
if ! verify "$part"; then
  rm -f "$part"
  die "downloaded file failed verification; nothing kept"
fi
mv "$part" "$target"
echo "download-cifar10: saved $target"

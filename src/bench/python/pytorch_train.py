"""Trains the PyTorch reference of sparkgan's DCGAN on CIFAR-10 records and writes its samples as CIFAR-10 records,
so that sparkgan's own `prep` and `eval --generated` score both implementations with the same code.

    python3 src/bench/python/pytorch_train.py --records frog/train.bin --steps 2000 --seed 1 \
        --preset small --output reference-seed1.bin
    submit-scripts/local.sh prep --input reference-seed1.bin --split train --output reference-seed1-parquet
    submit-scripts/local.sh eval --generated reference-seed1-parquet --class frog --reference cifar10-parquet

The model is the bench's (pytorch_reference.py), with sparkgan's and Keras' conventions: Glorot-uniform kernels and
zero biases, pixels b/127.5 - 1, RMSprop from a zero state with epsilon outside the square root (what
torch.optim.RMSprop computes), every gradient value clipped to +-1, D trained on G's fakes labelled 1 and the reals
labelled 0 (+0.05*U), G on fresh latents through D (dropout on, D's parameters untouched) toward 0. Real batches are
drawn without replacement, a new permutation per pass. --augment applies DiffAugment (Zhao et al. 2020) to every
image D sees, written here from the paper's description with autograd carrying G's gradient through it: an
implementation independent of sparkgan's hand-written one and its backward pass. Only the seed is shared with
sparkgan, not its random streams: two runs of the same seed are two independent draws, which is what a seed-spread
comparison needs.
"""
import argparse
import struct
import time
import zlib

import numpy as np
import torch
import torch.nn as nn

from pytorch_reference import discriminator, generator

RECORD = 1 + 3 * 32 * 32  # label byte, then the R, G and B planes


def read_records(path, label):
    raw = np.fromfile(path, dtype=np.uint8).reshape(-1, RECORD)
    if label is not None:
        raw = raw[raw[:, 0] == label]
    return torch.from_numpy(raw[:, 1:].reshape(-1, 3, 32, 32).astype(np.float32) / 127.5 - 1)


AUGMENT_OPS = ("color", "translation", "cutout")


def draw_augment(n, h, w, policy):
    """The numbers of one augmentation of n images of h x w under the policy, one row per image: brightness,
    saturation and contrast factors, row and column shift, cutout centre row and column (unused ones 0)."""
    numbers = torch.zeros(n, 7)
    for op in policy:
        if op == "color":
            numbers[:, 0] = torch.rand(n) - 0.5
            numbers[:, 1] = torch.rand(n) * 2
            numbers[:, 2] = torch.rand(n) + 0.5
        elif op == "translation":
            sh, sw = int(h * 0.125 + 0.5), int(w * 0.125 + 0.5)
            numbers[:, 3], numbers[:, 4] = torch.randint(-sh, sh + 1, (n,)), torch.randint(-sw, sw + 1, (n,))
        elif op == "cutout":
            ch, cw = int(h * 0.5 + 0.5), int(w * 0.5 + 0.5)
            numbers[:, 5], numbers[:, 6] = torch.randint(0, h + 1 - ch % 2, (n,)), torch.randint(0, w + 1 - cw % 2, (n,))
        else:
            raise ValueError(f"unknown augment op {op!r}")
    return numbers


def apply_augment(x, policy, numbers):
    """Each op of the policy in turn on x [n, 3, h, w] in [-1, 1], with the numbers of draw_augment."""
    n, _, h, w = x.shape
    per_image = lambda column: numbers[:, column].to(x.dtype).view(n, 1, 1, 1)
    for op in policy:
        if op == "color":
            x = x + per_image(0)
            m = x.mean(dim=1, keepdim=True)
            x = (x - m) * per_image(1) + m
            m = x.mean(dim=[1, 2, 3], keepdim=True)
            x = (x - m) * per_image(2) + m
        elif op == "translation":
            sh, sw = int(h * 0.125 + 0.5), int(w * 0.125 + 0.5)
            dr, dc = numbers[:, 3].long(), numbers[:, 4].long()
            padded = nn.functional.pad(x, [sw, sw, sh, sh])
            x = torch.stack([padded[i, :, sh + dr[i]:sh + dr[i] + h, sw + dc[i]:sw + dc[i] + w] for i in range(n)])
        elif op == "cutout":
            ch, cw = int(h * 0.5 + 0.5), int(w * 0.5 + 0.5)
            mask = torch.ones(n, 1, h, w, dtype=x.dtype)
            for i in range(n):
                top, left = int(numbers[i, 5]) - ch // 2, int(numbers[i, 6]) - cw // 2
                mask[i, :, max(0, top):max(0, top + ch), max(0, left):max(0, left + cw)] = 0
            x = x * mask
        else:
            raise ValueError(f"unknown augment op {op!r}")
    return x


def diff_augment(x, policy):
    """DiffAugment of x [n, 3, h, w]: every image draws its own numbers."""
    return apply_augment(x, policy, draw_augment(x.shape[0], x.shape[2], x.shape[3], policy))


def keras_init(net):
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)


def to_pixels(images):
    return np.clip(np.rint((images.numpy() + 1) * 127.5), 0, 255).astype(np.uint8)


def write_records(path, pixels, label):
    flat = pixels.reshape(len(pixels), -1)
    np.concatenate([np.full((len(pixels), 1), label, np.uint8), flat], axis=1).tofile(path)


def write_grid(path, pixels, side=8):
    """The first side*side images of uint8 [N, 3, 32, 32] as one PNG, 2-pixel black gutters, as sparkgan's grids."""
    n, gutter = side * side, 2
    cell = 32 + gutter
    width = side * cell + gutter
    canvas = np.zeros((width, width, 3), np.uint8)
    for i, image in enumerate(pixels[:n]):
        r, c = divmod(i, side)
        canvas[gutter + r * cell:gutter + r * cell + 32, gutter + c * cell:gutter + c * cell + 32] = image.transpose(1, 2, 0)
    rows = b"".join(b"\x00" + canvas[y].tobytes() for y in range(width))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)

    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, width, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--records", required=True, help="CIFAR-10 binary records to train on (e.g. the frogs' train.bin)")
    p.add_argument("--label", type=int, default=6, help="train on records of this label only (6: frog; -1: all)")
    p.add_argument("--preset", choices=["seed", "small"], default="small")
    p.add_argument("--steps", type=int, default=2000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--batch-size", type=int, default=20)
    p.add_argument("--g-lr", type=float, default=0.0004, help="G's RMSprop learning rate (D's stays 0.0008)")
    p.add_argument("--augment", default="none", help="none, or any of color,translation,cutout joined by commas")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--images", type=int, default=1000, help="samples written at the end, from G's own weights")
    p.add_argument("--output", required=True, help="the samples as CIFAR-10 records (label --label, or 6)")
    p.add_argument("--grid", help="also the first 64 samples as an 8x8 PNG grid")
    a = p.parse_args()
    policy = [] if a.augment == "none" else a.augment.split(",")
    unknown = [op for op in policy if op not in AUGMENT_OPS]
    if unknown:
        p.error(f"unknown augment op {unknown[0]!r} (expected none or any of {','.join(AUGMENT_OPS)})")
    augment = lambda x: diff_augment(x, policy)
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    rng = np.random.default_rng(a.seed)
    reals_all = read_records(a.records, None if a.label < 0 else a.label)
    dense, g_filters, d_filters = (128, 256, 128) if a.preset == "seed" else (32, 64, 64)
    g, d = generator(32, dense, g_filters, subpixel=True), discriminator(d_filters, 0.4)
    keras_init(g)
    keras_init(d)
    g_opt = torch.optim.RMSprop(g.parameters(), lr=a.g_lr, alpha=0.9, eps=1e-7)
    d_opt = torch.optim.RMSprop(d.parameters(), lr=0.0008, alpha=0.9, eps=1e-7)
    bce = nn.BCELoss()
    b = a.batch_size
    order, cursor = rng.permutation(len(reals_all)), 0
    t0 = time.perf_counter()
    for step in range(1, a.steps + 1):
        if cursor + b > len(order):
            order, cursor = rng.permutation(len(reals_all)), 0
        reals = reals_all[order[cursor:cursor + b]]
        cursor += b
        with torch.no_grad():
            fakes = g(torch.randn(b, 32))
        labels = torch.cat([torch.ones(b, 1), torch.zeros(b, 1)]) + 0.05 * torch.rand(2 * b, 1)
        d_opt.zero_grad()
        d_loss = bce(d(augment(torch.cat([fakes, reals]))), labels)
        d_loss.backward()
        nn.utils.clip_grad_value_(d.parameters(), 1.0)
        d_opt.step()
        for q in d.parameters():
            q.requires_grad_(False)
        g_opt.zero_grad()
        g_loss = bce(d(augment(g(torch.randn(b, 32)))), torch.zeros(b, 1))
        g_loss.backward()
        nn.utils.clip_grad_value_(g.parameters(), 1.0)
        g_opt.step()
        for q in d.parameters():
            q.requires_grad_(True)
        if step % 100 == 0 or step == a.steps:
            rate = (time.perf_counter() - t0) / step
            print(f"step {step}/{a.steps}  d_loss {d_loss.item():.4f}  g_loss {g_loss.item():.4f}  "
                  f"{rate:.2f} s/step  ETA {rate * (a.steps - step):.0f} s", flush=True)
    g.eval()
    with torch.no_grad():
        samples = torch.cat([g(torch.randn(100, 32)) for _ in range((a.images + 99) // 100)])[:a.images]
    pixels = to_pixels(samples)
    write_records(a.output, pixels, 6 if a.label < 0 else a.label)
    print(f"wrote {a.images} samples to {a.output}")
    if a.grid:
        write_grid(a.grid, pixels)


if __name__ == "__main__":
    main()

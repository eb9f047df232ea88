"""The seed preset's training step in PyTorch, for `bench` to be compared against on the same machine.

Same model, optimiser and step as sparkgan's GanStep (the Keras DCGAN of Deep Learning with Python, 8.5):
G and D as in the README, RMSprop (D lr 0.0008, G lr 0.0004, rho 0.9, eps 1e-7), gradient values clipped to +-1,
D trained on 20 fakes labelled 1 and 20 reals labelled 0 (+0.05*U noise), G trained on fresh latents through D
(dropout on, D's parameters untouched) toward 0. fp32, NCHW, random images (the arithmetic does not depend on them).

    python3 src/bench/python/pytorch_reference.py --threads 2 --iterations 5 [--subpixel]
(Debian: apt-get install python3-torch, PyTorch 1.13 with oneDNN.)
"""
import argparse
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class SubPixelConvTranspose(nn.ConvTranspose2d):
    """ConvTranspose2d(k=4, stride 2, padding 1) computed as sparkgan does: its four output phases are 2x2
    convolutions of the input, run as one conv2d with 4x the filters, then interleaved. Same parameters and result;
    it exists because a PyTorch build whose ConvTranspose2d falls back to im2col on a slow BLAS (Debian's) would
    otherwise measure that fallback, not oneDNN."""

    def __init__(self, channels_in, channels_out):
        super().__init__(channels_in, channels_out, 4, stride=2, padding=1)

    def forward(self, x):
        w = self.weight.flip(2, 3)  # [in, out, 4, 4], taps counted from the far end: t' = 2a + phase
        w = w.reshape(w.shape[0], w.shape[1], 2, 2, 2, 2).permute(3, 5, 1, 0, 2, 4)  # [r_h, r_w, out, in, a, b]
        w = w.reshape(4 * w.shape[2], w.shape[3], 2, 2)
        y = F.conv2d(x, w, self.bias.repeat(4), padding=1)  # [B, 4*out, side+1, side+1]
        n, side, out = x.shape[0], x.shape[2], self.weight.shape[1]
        y = y.reshape(n, 2, 2, out, side + 1, side + 1)
        phases = torch.stack([torch.stack([y[:, rh, rw, :, rh:rh + side, rw:rw + side] for rw in (0, 1)], 1)
                              for rh in (0, 1)], 1)  # [B, r_h, r_w, out, side, side]
        return phases.permute(0, 3, 4, 1, 5, 2).reshape(n, out, 2 * side, 2 * side)


def generator(latent, dense_channels, filters, subpixel=False):
    upsample = SubPixelConvTranspose(filters, filters) if subpixel else nn.ConvTranspose2d(filters, filters, 4, stride=2, padding=1)
    return nn.Sequential(
        nn.Linear(latent, dense_channels * 16 * 16), nn.LeakyReLU(0.3),
        nn.Unflatten(1, (dense_channels, 16, 16)),
        nn.Conv2d(dense_channels, filters, 5, padding=2), nn.LeakyReLU(0.3),
        upsample, nn.LeakyReLU(0.3),
        nn.Conv2d(filters, filters, 5, padding=2), nn.LeakyReLU(0.3),
        nn.Conv2d(filters, filters, 5, padding=2), nn.LeakyReLU(0.3),
        nn.Conv2d(filters, 3, 7, padding=3), nn.Tanh())


def discriminator(filters, dropout):
    return nn.Sequential(
        nn.Conv2d(3, filters, 3), nn.LeakyReLU(0.3),
        nn.Conv2d(filters, filters, 4, stride=2), nn.LeakyReLU(0.3),
        nn.Conv2d(filters, filters, 4, stride=2), nn.LeakyReLU(0.3),
        nn.Conv2d(filters, filters, 4, stride=2), nn.LeakyReLU(0.3),
        nn.Flatten(), nn.Dropout(dropout), nn.Linear(filters * 2 * 2, 1), nn.Sigmoid())


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--preset", choices=["seed", "small"], default="seed")
    p.add_argument("--batch-size", type=int, default=20)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--iterations", type=int, default=5)
    p.add_argument("--subpixel", action="store_true", help="the transposed convolution in sub-pixel form")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(42)
    check = SubPixelConvTranspose(3, 5)
    x = torch.randn(2, 3, 7, 7)
    assert torch.allclose(check(x), nn.ConvTranspose2d.forward(check, x), atol=1e-5), "sub-pixel form differs"
    dense, g_filters, d_filters = (128, 256, 128) if a.preset == "seed" else (32, 64, 64)
    g, d = generator(32, dense, g_filters, a.subpixel), discriminator(d_filters, 0.4)
    g_opt = torch.optim.RMSprop(g.parameters(), lr=0.0004, alpha=0.9, eps=1e-7)
    d_opt = torch.optim.RMSprop(d.parameters(), lr=0.0008, alpha=0.9, eps=1e-7)
    bce = nn.BCELoss()
    b = a.batch_size
    reals = torch.rand(b, 3, 32, 32) * 2 - 1
    phases = {"fake generation": [], "D step": [], "G step": [], "iteration": []}
    for i in range(a.warmup + a.iterations):
        t0 = time.perf_counter()
        with torch.no_grad():
            fakes = g(torch.randn(b, 32))
        t1 = time.perf_counter()
        labels = torch.cat([torch.ones(b, 1), torch.zeros(b, 1)]) + 0.05 * torch.rand(2 * b, 1)
        d_opt.zero_grad()
        bce(d(torch.cat([fakes, reals])), labels).backward()
        nn.utils.clip_grad_value_(d.parameters(), 1.0)
        d_opt.step()
        t2 = time.perf_counter()
        for q in d.parameters():
            q.requires_grad_(False)  # the frozen D of the combined model
        g_opt.zero_grad()
        bce(d(g(torch.randn(b, 32))), torch.zeros(b, 1)).backward()
        nn.utils.clip_grad_value_(g.parameters(), 1.0)
        g_opt.step()
        for q in d.parameters():
            q.requires_grad_(True)
        t3 = time.perf_counter()
        if i >= a.warmup:
            for name, s in zip(phases, (t1 - t0, t2 - t1, t3 - t2, t3 - t0)):
                phases[name].append(s)
    print(f"pytorch {torch.__version__} (oneDNN {torch.backends.mkldnn.is_available()}), {a.preset} preset, "
          f"batch {b}, {a.threads} threads, {a.warmup} warm-up + {a.iterations} measured, transposed convolution "
          f"{'sub-pixel' if a.subpixel else 'native'}")
    print(f"  {'phase':<20} {'median s':>9} {'min s':>9} {'max s':>9}")
    for name, s in phases.items():
        print(f"  {name:<20} {statistics.median(s):9.3f} {min(s):9.3f} {max(s):9.3f}")


if __name__ == "__main__":
    main()

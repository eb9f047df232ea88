"""GAN steps of sparkgan's DCGAN in PyTorch with Keras' conventions, for PyTorchReferenceTest to compare against.

    python3 src/test/python/pytorch_steps.py FOLDER

FOLDER holds what the test wrote: config.json, G's and D's initial parameters as DL4J flattens them, and per step
the latents of D's fakes, the latents of G's update and the real images; with an augment policy, also the numbers of
each step's two augmentations (D's batch, G's fakes), which pytorch_train.py's DiffAugment applies here. The model is the one of
src/bench/python/pytorch_reference.py; dropout and label noise are 0. Each step: D trained on G's fakes labelled 1
and the reals labelled 0, then G trained through D (its parameters left alone) toward 0; binary cross-entropy,
every gradient value of the batch-mean gradient clipped to +-clip, RMSprop as Keras has it (state from 0,
p -= lr * g / (sqrt(v) + eps)), which torch.optim.RMSprop computes. Writes the first step's tensors, both
networks' parameters after the first and the last step, every step's losses, and how many gradient values of D
and of G the trajectory clipped. Everything is float64, read and written as raw little-endian arrays.
"""
import json
import pathlib
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "bench" / "python"))
from pytorch_reference import discriminator, generator  # noqa: E402  (the bench's model, not a copy)
from pytorch_train import apply_augment  # noqa: E402  (the reference's DiffAugment, with autograd)


def to_dl4j(p):
    """A PyTorch parameter in DL4J's flat order. OpConvolution kernels are [kH, kW, in, out] ('c'), transposed ones
    [kH, kW, out, in]: torch's [out, in, kH, kW] and [in, out, kH, kW] permuted (2, 3, 1, 0) alike. A dense weight
    is [in, out] in 'f' order, which is torch's [out, in] in 'c' order; biases are plain vectors."""
    return (p.permute(2, 3, 1, 0) if p.dim() == 4 else p).reshape(-1)


def load_dl4j(net, flat):
    offset = 0
    for p in net.parameters():
        shape = p.permute(2, 3, 1, 0).shape if p.dim() == 4 else p.shape
        block = torch.from_numpy(flat[offset:offset + p.numel()].copy()).reshape(shape)
        p.data.copy_(block.permute(3, 2, 0, 1) if p.dim() == 4 else block)
        offset += p.numel()
    assert offset == flat.size, f"{flat.size} parameters given, the model has {offset}"


def flat(tensors):
    return torch.cat([to_dl4j(t) for t in tensors])


def main():
    folder = pathlib.Path(sys.argv[1])
    c = json.loads((folder / "config.json").read_text())
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)
    read = lambda name, *shape: torch.from_numpy(np.fromfile(folder / f"{name}.f64", dtype="<f8").reshape(shape))
    steps, b = c["steps"], c["batch"]
    z_d, z_g = read("latents_d", steps, b, c["latent"]), read("latents_g", steps, b, c["latent"])
    reals = read("reals", steps, b, 3, 32, 32)
    policy = [] if c["augment"] == "none" else c["augment"].split(",")
    if policy:
        augment_d, augment_g = read("augment_d", steps, 2 * b, 7), read("augment_g", steps, b, 7)
        seen_by_d = lambda x, step: apply_augment(x, policy, augment_d[step])
        seen_by_d_in_g_step = lambda x, step: apply_augment(x, policy, augment_g[step])
    else:
        seen_by_d = seen_by_d_in_g_step = lambda x, step: x

    g, d = generator(c["latent"], c["dense_channels"], c["g_filters"]), discriminator(c["d_filters"], 0.0)
    for m in list(g) + list(d):
        if isinstance(m, nn.LeakyReLU):
            m.negative_slope = c["leaky_alpha"]
    load_dl4j(g, read("g_params", -1).numpy())
    load_dl4j(d, read("d_params", -1).numpy())
    g_opt = torch.optim.RMSprop(g.parameters(), lr=c["g_lr"], alpha=c["rho"], eps=c["epsilon"])
    d_opt = torch.optim.RMSprop(d.parameters(), lr=c["d_lr"], alpha=c["rho"], eps=c["epsilon"])
    bce = nn.BCELoss()
    labels = torch.cat([torch.ones(b, 1), torch.zeros(b, 1)])  # fakes 1, reals 0
    out, losses, clipped = {}, [], torch.zeros(2)
    for step in range(steps):
        with torch.no_grad():
            fakes = g(z_d[step])
        d_opt.zero_grad()
        p = d(seen_by_d(torch.cat([fakes, reals[step]]), step))
        d_loss = bce(p, labels)
        d_loss.backward()
        d_gradient = flat(q.grad for q in d.parameters())
        clipped[0] += (d_gradient.abs() > c["clip"]).sum()
        nn.utils.clip_grad_value_(d.parameters(), c["clip"])
        d_opt.step()

        for q in d.parameters():
            q.requires_grad_(False)  # the frozen D of the combined model
        g_opt.zero_grad()
        g_fakes = g(z_g[step])
        p_g = d(seen_by_d_in_g_step(g_fakes, step))
        g_loss = bce(p_g, torch.zeros(b, 1))
        g_loss.backward()
        g_gradient = flat(q.grad for q in g.parameters())
        clipped[1] += (g_gradient.abs() > c["clip"]).sum()
        nn.utils.clip_grad_value_(g.parameters(), c["clip"])
        g_opt.step()
        for q in d.parameters():
            q.requires_grad_(True)

        losses.append([d_loss.item(), g_loss.item()])
        if step == 0:
            out.update(fakes=fakes, d_on_fakes=p[:b], d_on_reals=p[b:], d_gradient=d_gradient,
                       d_params_step1=flat(d.parameters()), g_fakes=g_fakes, d_on_g_fakes=p_g,
                       g_gradient=g_gradient, g_params_step1=flat(g.parameters()))
    out.update(losses=torch.tensor(losses), clipped=clipped, g_params_final=flat(g.parameters()), d_params_final=flat(d.parameters()))
    for name, t in out.items():
        t.detach().numpy().astype("<f8").tofile(folder / f"torch_{name}.f64")


if __name__ == "__main__":
    main()

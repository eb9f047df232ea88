"""The Sliced Wasserstein Distance of Progressive GAN, written from its reference code in numpy alone.

Karras et al., "Progressive Growing of GANs", ICLR 2018, section 5; github.com/tkarras/progressive_growing_of_gans,
metrics/sliced_wasserstein.py. The functions below follow that file; where it draws random numbers (patch positions,
directions) they are read from the folder instead, so the result can be compared with another implementation's
value for the same draws. Everything else (the pyramid, the descriptors, their normalisation, the projections, the
sorting and the mean) is computed here.

Usage: sliced_wasserstein_reference.py FOLDER. FOLDER holds meta.json ({"images", "side", "levels", "repeats",
"directions", "patches"}), a.u8 and b.u8 (images x 3 x side x side bytes, the reference's uint8 input), per level l
centres_l.i32 (images*patches pairs (row, column), little-endian int32) and per level l and repeat r dirs_l_r.f32
(directions x 147 unit vectors, little-endian float32, components in (channel, row, column) order). It writes
result.json ({"levels": [SWD x 1000 per level, finest first], "average": ...}) and pyramid_a_l.f32, the Laplacian
pyramid of set a.
"""
import json
import os
import sys

import numpy as np

GAUSSIAN_FILTER = np.float32([
    [1, 4, 6, 4, 1],
    [4, 16, 24, 16, 4],
    [6, 24, 36, 24, 6],
    [4, 16, 24, 16, 4],
    [1, 4, 6, 4, 1]]) / 256.0


def convolve_mirror(minibatch, kernel):
    """scipy.ndimage.convolve(minibatch, kernel[None, None], mode='mirror') for a symmetric 5x5 kernel."""
    padded = np.pad(minibatch, ((0, 0), (0, 0), (2, 2), (2, 2)), mode='reflect')  # d c b | a b c d: scipy's mirror
    out = np.zeros_like(minibatch)
    height, width = minibatch.shape[2:]
    for dy in range(5):
        for dx in range(5):
            out += kernel[dy, dx] * padded[:, :, dy:dy + height, dx:dx + width]
    return out


def pyr_down(minibatch):  # matches cv2.pyrDown()
    assert minibatch.ndim == 4
    return convolve_mirror(minibatch, GAUSSIAN_FILTER)[:, :, ::2, ::2]


def pyr_up(minibatch):  # matches cv2.pyrUp()
    assert minibatch.ndim == 4
    s = minibatch.shape
    res = np.zeros((s[0], s[1], s[2] * 2, s[3] * 2), minibatch.dtype)
    res[:, :, ::2, ::2] = minibatch
    return convolve_mirror(res, GAUSSIAN_FILTER * 4.0)


def generate_laplacian_pyramid(minibatch, num_levels):
    pyramid = [np.float32(minibatch)]
    for _ in range(1, num_levels):
        pyramid.append(pyr_down(pyramid[-1]))
        pyramid[-2] -= pyr_up(pyramid[-1])
    return pyramid


def get_descriptors_for_minibatch(minibatch, nhood_size, nhoods_per_image, centres):
    """The reference's descriptors; its np.random.randint draws of the patch centres are `centres` (row, column)."""
    s = minibatch.shape  # (minibatch, channel, height, width)
    assert len(s) == 4 and s[1] == 3
    n = nhoods_per_image * s[0]
    h = nhood_size // 2
    nhood, chan, x, y = np.ogrid[0:n, 0:3, -h:h + 1, -h:h + 1]
    img = nhood // nhoods_per_image
    x = x + centres[:, 1].reshape(n, 1, 1, 1)
    y = y + centres[:, 0].reshape(n, 1, 1, 1)
    idx = ((img * s[1] + chan) * s[2] + y) * s[3] + x
    return minibatch.flat[idx]  # (neighborhood, channel, column, row): the reference's component order


def finalize_descriptors(desc):
    assert desc.ndim == 4  # (neighborhood, channel, height, width)
    desc -= np.mean(desc, axis=(0, 2, 3), keepdims=True)
    desc /= np.std(desc, axis=(0, 2, 3), keepdims=True)
    return desc.reshape(desc.shape[0], -1)


def sliced_wasserstein(a, b, directions):
    """The reference's sliced_wasserstein; `directions` holds each repeat's (descriptor_component, direction) array."""
    assert a.ndim == 2 and a.shape == b.shape  # (neighborhood, descriptor_component)
    results = []
    for dirs in directions:
        proj_a = np.sort(np.matmul(a, dirs), axis=0)  # sort neighborhood projections for each direction
        proj_b = np.sort(np.matmul(b, dirs), axis=0)
        results.append(np.mean(np.abs(proj_a - proj_b)))  # average over neighborhoods and directions
    return np.mean(results)  # average over repeats


def main(folder):
    with open(os.path.join(folder, 'meta.json')) as f:
        meta = json.load(f)
    n, side, levels = meta['images'], meta['side'], meta['levels']
    repeats, count, patches = meta['repeats'], meta['directions'], meta['patches']

    def images(name):
        return np.fromfile(os.path.join(folder, name), dtype=np.uint8).reshape(n, 3, side, side)

    pyramids = [generate_laplacian_pyramid(images(name), levels) for name in ('a.u8', 'b.u8')]
    for level, plane in enumerate(pyramids[0]):
        plane.astype('<f4').tofile(os.path.join(folder, 'pyramid_a_%d.f32' % level))
    distances = []
    for level in range(levels):
        centres = np.fromfile(os.path.join(folder, 'centres_%d.i32' % level), dtype='<i4').reshape(-1, 2)
        desc = [finalize_descriptors(get_descriptors_for_minibatch(p[level], 7, patches, centres)) for p in pyramids]
        directions = []
        for repeat in range(repeats):
            dirs = np.fromfile(os.path.join(folder, 'dirs_%d_%d.f32' % (level, repeat)), dtype='<f4')
            # given as (direction, channel, row, column); the descriptors are (channel, column, row)
            dirs = dirs.reshape(count, 3, 7, 7).transpose(1, 3, 2, 0).reshape(-1, count)
            directions.append(dirs)
        distances.append(float(sliced_wasserstein(desc[0], desc[1], directions)) * 1e3)
    with open(os.path.join(folder, 'result.json'), 'w') as f:
        json.dump({'levels': distances, 'average': float(np.mean(distances))}, f)


if __name__ == '__main__':
    main(sys.argv[1])

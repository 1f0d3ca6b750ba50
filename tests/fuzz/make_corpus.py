#!/usr/bin/python3
"""Writes the small seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/).

The seeds are committed; this script documents where they come from and regenerates them:
    /usr/bin/python3 tests/fuzz/make_corpus.py
Needs NumPy and Pillow (Debian: python3-numpy, python3-pil). Files are written independently of
minidl, so the fuzzers start from inputs made by the reference tools.

Files named regression-* are not made here: they are inputs on which a fuzzer once found a bug
(e.g. corpus/image/regression-jpeg-dht-*: forged JPEG Huffman tables that overflow stb_image
2.27), kept so that every ctest run checks them again.
"""
import gzip
import io
import os
import struct

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def idx(type_code, dims, payload):
    return bytes([0, 0, type_code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + payload


def main():
    # IDX: the element types, one 3-d image file, and gzip'd copies (mtime 0: reproducible bytes).
    images = idx(0x08, [2, 3, 3], bytes(range(0, 180, 10)))
    labels = idx(0x08, [4], bytes([9, 0, 0, 3]))
    ints = idx(0x0C, [2], struct.pack(">ii", -2, 258))
    floats = idx(0x0D, [1, 2], struct.pack(">ff", 1.5, -0.25))
    doubles = idx(0x0E, [1], struct.pack(">d", -2.0))
    shorts = idx(0x0B, [2], struct.pack(">hh", -1, 300))
    for name, data in [("images-idx3-ubyte", images), ("labels-idx1-ubyte", labels),
                       ("ints-idx1-int", ints), ("floats-idx2-float", floats),
                       ("doubles-idx1-double", doubles), ("shorts-idx1-short", shorts)]:
        write("idx", name, data)
    write("idx", "images-idx3-ubyte.gz", gzip.compress(images, mtime=0))
    write("idx", "labels-idx1-ubyte.gz", gzip.compress(labels, mtime=0))

    # .npy: every supported dtype, a 0-d array, an empty array, and a version 2.0 file.
    arrays = {
        "f4_2x3.npy": np.arange(6, dtype="<f4").reshape(2, 3),
        "f8_scalar.npy": np.float64(2.5),
        "i8_4.npy": np.array([-1, 0, 1, 2**62], dtype="<i8"),
        "u1_2x2x2.npy": np.arange(8, dtype=np.uint8).reshape(2, 2, 2),
        "f4_empty.npy": np.zeros((0, 3), dtype="<f4"),
    }
    for name, array in arrays.items():
        buffer = io.BytesIO()
        np.save(buffer, array)
        write("npy", name, buffer.getvalue())
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, np.array([1.0, -1.0], dtype="<f8"), version=(2, 0))
    write("npy", "f8_v2.npy", buffer.getvalue())

    # Images: tiny files in each supported format, gray, RGB and with alpha. fuzz_image reads its
    # options from the first byte (bit 0: RGB, bit 1: resize, bit 7: [-1, 1]; see image_fuzz.cpp),
    # so every seed is one options byte followed by the file; the bytes vary across the seeds.
    gradient = np.arange(48, dtype=np.uint8).reshape(4, 4, 3) * 5
    rgb = Image.fromarray(gradient, "RGB")
    gray = rgb.convert("L")
    for i, (name, image, fmt, options) in enumerate([
        ("gray.png", gray, "PNG", {}),
        ("rgb.png", rgb, "PNG", {}),
        ("rgba.png", rgb.convert("RGBA"), "PNG", {}),
        ("palette.png", rgb.convert("P"), "PNG", {}),
        ("interlaced.png", rgb, "PNG", {"interlace": 1}),
        ("rgb.jpg", rgb, "JPEG", {"quality": 90}),
        ("progressive.jpg", rgb, "JPEG", {"progressive": True}),
        ("gray.jpg", gray, "JPEG", {}),
        ("rgb.bmp", rgb, "BMP", {}),
        ("gray.bmp", gray, "BMP", {}),
        ("palette.gif", rgb.convert("P"), "GIF", {}),
        ("rgb.tga", rgb, "TGA", {}),
        ("rle.tga", rgb, "TGA", {"compression": "tga_rle"}),
    ]):
        buffer = io.BytesIO()
        image.save(buffer, fmt, **options)
        option_byte = [0x00, 0x01, 0x32, 0x83, 0x5B][i % 5]
        write("image", name, bytes([option_byte]) + buffer.getvalue())


if __name__ == "__main__":
    main()

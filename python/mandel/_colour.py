"""Colouring: values to RGB exactly as the CLI's pipeline (cli/pipeline.c) does it.

This module replicates, call for call, what `mandel render` and `mandel colour` do between
the rendered field and the file: the palette and --color defaults (cli/cmd_render.c), the
survey of whole-field colourings (range, histogram, log), the mandel_color_* calls, and
anti-aliasing through mandel_color_downsample. It is kept small and alone because the
library will take the picture pipeline over as public API (notes: picture-api.md); then
this module becomes a call to it.

Invariant: for the same options, the bytes equal those of the CLI's picture.
"""

from __future__ import annotations

import ctypes
import os
from dataclasses import dataclass

import numpy as np

from . import _lib
from ._lib import lib

COLOR_MODES = ("count", "smooth", "histogram", "log", "distance")


@dataclass
class Settings:
    """The colour options after the CLI's defaults were applied."""
    color: _lib.Color
    by: str                    # one of COLOR_MODES
    palette_name: str
    palette_given: bool


def _rgb_text(value) -> bytes:
    if isinstance(value, str):
        text = value[1:] if value.startswith("#") else value
        if len(text) == 6:
            try:
                return bytes.fromhex(text)
            except ValueError:
                pass
    elif isinstance(value, (tuple, list)) and len(value) == 3 and all(
            isinstance(v, int) and 0 <= v <= 255 for v in value):
        return bytes(value)
    raise ValueError(f"interior={value!r}: expected '#rrggbb' or (r, g, b) with 0..255")


def settings(ctx: _lib.Ctx, iterations: int, palette: str | None, color: str | None,
             palette_period: float | None, palette_offset: float | None,
             interior) -> Settings:
    """cmd_render's colour setup: palette lookup, defaults by palette, overrides."""
    if color is not None and color not in COLOR_MODES:
        raise ValueError(f"color={color!r}: unknown mode (smooth, count, histogram, log, "
                         "distance)")
    by = color or "smooth"
    palette_given = palette is not None
    name = palette if palette_given else ("grey" if by == "distance" else "default")
    if not isinstance(name, (str, os.PathLike)):
        raise ValueError(f"palette={palette!r}: expected a palette name or a gradient file")
    name = os.fspath(name)
    index = ctypes.c_int(0)
    gradient_file = None
    if lib.mandel_palette_find(name.encode(), ctypes.byref(index)) != _lib.OK:
        if not os.path.exists(name):
            raise ValueError(f"palette={name!r}: no such palette (see mandel.palettes()) nor "
                             "gradient file")
        gradient_file = name
        index.value = 0
    c = _lib.Color()
    ctx.check(lib.mandel_color_init(ctypes.byref(c), index.value, iterations))
    if color is None and c.mapping == _lib.MAP_RANGE and gradient_file is None:
        by = "count"  # the matplotlib maps and grey colour counts: the tutorial's look
    if palette_period is not None:
        if not (isinstance(palette_period, (int, float)) and palette_period > 0 and
                np.isfinite(palette_period)):
            raise ValueError(f"palette_period={palette_period!r}: must be above 0")
        c.period = float(palette_period)
    if palette_offset is not None:
        if not (isinstance(palette_offset, (int, float)) and 0 <= palette_offset <= 1):
            raise ValueError(f"palette_offset={palette_offset!r}: must be 0..1")
        c.offset = float(palette_offset)
    if gradient_file is not None:
        with open(gradient_file, "rb") as f:
            text = f.read(65536)
        if len(text) == 65536:
            raise ValueError(f"palette={name!r}: a gradient file is at most 64 KiB")
        ctx.check(lib.mandel_color_gradient(ctx.ptr, ctypes.byref(c), text, len(text)),
                  f"palette={name!r}: ")
    if interior is not None:
        c.interior[:] = _rgb_text(interior)
    return Settings(c, by, name, palette_given)


def _ptr(a: np.ndarray) -> int:
    return a.ctypes.data


def colour_samples(s: Settings, counts, smooth, distance) -> np.ndarray:
    """Colours a whole field of samples (each array (h, w), C-contiguous, or None when the
    mode does not read it) into (h, w, 3) uint8: pipeline.c's survey + colour_field."""
    c = s.color
    if s.by == "histogram":
        c.mapping = _lib.MAP_HISTOGRAM
    elif s.by == "log":
        c.mapping = _lib.MAP_LOG
    some = next(a for a in (counts, smooth, distance) if a is not None)
    h, w = some.shape
    n = h * w
    # The survey: pipeline.c does it for whole-field colourings; for the others (cycling
    # palettes, distances) it sets lo/hi, which those mappings do not read.
    if c.mapping == _lib.MAP_HISTOGRAM:
        lib.mandel_color_histogram(ctypes.byref(c), _ptr(smooth), n)
    elif c.mapping == _lib.MAP_LOG:
        escaped = smooth[smooth.astype(np.float64) < c.max_iter]
        c.lo = float(escaped.min()) if escaped.size else 0.0
        c.hi = float(escaped.max()) if escaped.size else 0.0
    elif s.by == "count":
        lib.mandel_color_range(ctypes.byref(c), _ptr(counts), n)
    elif smooth is not None:
        lib.mandel_color_range_values(ctypes.byref(c), _ptr(smooth), n)
    rgb = np.empty((h, w, 3), dtype=np.uint8)
    if s.by == "count":
        err = lib.mandel_color_rgb(ctypes.byref(c), _ptr(counts), n, _ptr(rgb))
    elif s.by == "distance":
        err = lib.mandel_color_distance(ctypes.byref(c), _ptr(distance), n, 1.0, _ptr(rgb))
    else:
        err = lib.mandel_color_values(ctypes.byref(c), _ptr(smooth), n, _ptr(rgb))
    if err != _lib.OK:
        raise _lib.fail(err, "")
    return rgb


def downsample(samples: np.ndarray, aa: int) -> np.ndarray:
    """aa x aa blocks of RGB samples averaged in linear light (mandel_color_downsample)."""
    if aa == 1:
        return samples
    sh, sw, _ = samples.shape
    h, w = sh // aa, sw // aa
    out = np.empty((h, w, 3), dtype=np.uint8)
    stride = sw * 3
    base, dst = _ptr(samples), _ptr(out)
    for r in range(h):
        err = lib.mandel_color_downsample(base + r * aa * stride, stride, aa, w,
                                          dst + r * w * 3)
        if err != _lib.OK:
            raise _lib.fail(err, "")
    return out


def luma(rgb: np.ndarray) -> np.ndarray:
    """Grey as pipeline.c's luma(): Rec. 709 weights on the sRGB bytes, rounded."""
    r = rgb[..., 0].astype(np.uint32)
    g = rgb[..., 1].astype(np.uint32)
    b = rgb[..., 2].astype(np.uint32)
    return ((2126 * r + 7152 * g + 722 * b + 5000) // 10000).astype(np.uint8)


def colour_data(s: Settings, data: np.ndarray, kind: str) -> np.ndarray:
    """`mandel colour`: saved data of one kind (counts, smooth, distance) to RGB, with the
    stand-ins pipeline_colour_data() makes for the fields the data lacks."""
    if (kind == "distance") != (s.by == "distance"):
        raise ValueError(
            f"the data holds {'distances' if kind == 'distance' else 'iteration values'}: "
            "colour it with color=" +
            ("'distance'" if kind == "distance" else "'smooth', 'count', 'histogram' or 'log'"))
    if kind == "counts" and s.by == "smooth":
        s.by = "count"  # counts have no fraction: smooth colouring of counts is by count
    if kind == "smooth" and s.by == "count":
        s.by = "smooth"
    limit = s.color.max_iter
    counts = smooth = distance = None
    if kind == "counts":
        counts = data
        smooth = data.astype(np.float32)
    elif kind == "smooth":
        smooth = data
        with np.errstate(invalid="ignore"):  # inf and NaN: the where below discards them
            trunc = np.where(data > 1, data, np.float32(1)).astype(np.uint32)
        counts = np.where(data >= np.float32(limit), np.uint32(limit), trunc).astype(np.uint32)
    else:
        distance = data
        counts = np.where(data > 0, np.uint32(1), np.uint32(limit)).astype(np.uint32)
        smooth = counts.astype(np.float32)
    return colour_samples(s, np.ascontiguousarray(counts), np.ascontiguousarray(smooth),
                          None if distance is None else np.ascontiguousarray(distance))

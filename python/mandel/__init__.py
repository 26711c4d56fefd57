"""mandel: the Mandelbrot set on every core, into NumPy arrays (libmandel through ctypes).

    >>> import mandel
    >>> counts = mandel.render(bounds=(-2.5, 1, -1, 1), size=(400, 400), iterations=1000)
    >>> counts.shape, counts.dtype
    ((400, 400), dtype('uint32'))
    >>> rgb = mandel.image(center="-0.7436447860,0.1318252536", radius="3e-5",
    ...                    iterations=5000, size=(640, 360), palette="default", aa=2)
    >>> mandel.save("sea.png", center="-0.7436447860,0.1318252536", radius="3e-5",
    ...             iterations=5000)

The keywords are the long options of `mandel render` with '-' written '_' (see
`mandel render --help`; `help(mandel.render)` gives the same manual). Arrays are shaped
(height, width), row 0 at the top. Errors raise ValueError (bad arguments), MemoryError
(too big), OSError (files), KeyboardInterrupt (Ctrl-C during a render), each with the
library's message. Renders release the GIL: other Python threads run meanwhile, and two
threads may render at once (each call has its own library context).
"""

from __future__ import annotations

import ctypes
import decimal
import io
import math
import os
from typing import Any, Callable, Optional, Sequence, Tuple, Union

import numpy as np

from . import _lib
from ._lib import lib

__version__ = "0.1.0"
__all__ = ["render", "image", "save", "colour", "color", "palettes", "load_location",
           "save_location", "library_version", "__version__"]

#: Version of the libmandel actually loaded ("MAJOR.MINOR.PATCH").
library_version: str = _lib.version_string

Number = Union[str, decimal.Decimal, float, int]
Center = Union[str, Tuple[Number, Number], complex]
Progress = Callable[[int, int], Any]

MAX_SIDE = 65535
_UINT32_MAX = 2**32 - 1


# --- arguments ---------------------------------------------------------------------------

def _number_text(value: Any, what: str) -> str:
    """A coordinate as the decimal text the library parses exactly: str and Decimal keep
    every digit; a float gives its shortest exact repr."""
    if isinstance(value, bool):
        raise ValueError(f"{what}={value!r}: not a number")
    if isinstance(value, str):
        if not value or value != value.strip():
            raise ValueError(f"{what}={value!r}: not a number")
        return value
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise ValueError(f"{what}={value!r}: not finite")
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, (float, np.floating)):
        if not math.isfinite(value):
            raise ValueError(f"{what}={value!r}: not finite")
        return repr(float(value))
    raise ValueError(f"{what}={value!r}: expected a str, decimal.Decimal or float")


def _center_texts(center: Center) -> Tuple[str, str]:
    if isinstance(center, str):
        parts = center.split(",")
        if len(parts) != 2:
            raise ValueError(f"center={center[:40]!r}: expected 2 numbers separated by a comma")
        return _number_text(parts[0], "center"), _number_text(parts[1], "center")
    if isinstance(center, complex):
        return _number_text(center.real, "center"), _number_text(center.imag, "center")
    if isinstance(center, (tuple, list)) and len(center) == 2:
        return _number_text(center[0], "center"), _number_text(center[1], "center")
    raise ValueError(f"center={center!r}: expected 'RE,IM', (re, im) or a complex")


def _int_in(value: Any, lo: int, hi: int, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{what}={value!r}: not a whole number")
    if not lo <= value <= hi:
        raise ValueError(f"{what}={value!r}: must be {lo}..{hi}")
    return int(value)


def _size(size: Any) -> Tuple[int, int]:
    if isinstance(size, str):
        parts = size.lower().split("x")
        if len(parts) != 2 or not all(p.isdigit() for p in parts):
            raise ValueError(f"size={size!r}: expected WIDTHxHEIGHT")
        size = (int(parts[0]), int(parts[1]))
    if not isinstance(size, (tuple, list)) or len(size) != 2:
        raise ValueError(f"size={size!r}: expected (width, height)")
    w = _int_in(size[0], 1, MAX_SIDE, "size: width")
    h = _int_in(size[1], 1, MAX_SIDE, "size: height")
    return w, h


def _name(value: Any, known: Sequence[str], what: str) -> int:
    if value not in known:
        raise ValueError(f"{what}={value!r}: unknown {what} ({', '.join(known)})")
    return known.index(value)


def _memory_check(n_bytes: int) -> None:
    """The CLI's budget: half the machine's memory (a huge size fails at once instead of
    being killed half-way by the kernel)."""
    try:
        budget = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2
    except (ValueError, OSError):
        return
    if n_bytes > budget:
        raise MemoryError(f"this picture needs {n_bytes} bytes of memory; the limit is "
                          f"{budget} (half the RAM)")


class _Options:
    """render()'s keywords, checked; the picture's describe() as the CLI writes it."""

    def __init__(self, center, zoom, radius, bounds, location, size, iterations, formula,
                 power, julia, engine, threads, isa, guess, no_shortcuts, exact) -> None:
        self.width, self.height = _size(size)
        self.bounds = None
        self.center_re = self.center_im = self.zoom_text = self.radius_text = None
        if radius is not None and zoom is not None:
            raise ValueError("radius and zoom say the same thing; give one")
        if bounds is not None and (center is not None or zoom is not None or
                                   radius is not None):
            raise ValueError("bounds cannot be combined with center, radius or zoom")
        if location is not None and (bounds is not None or center is not None or
                                     zoom is not None or radius is not None):
            raise ValueError("location gives the view: it cannot be combined with bounds, "
                             "center, radius or zoom")
        loc_iterations = None
        if location is not None:
            loc = load_location(location)
            center, zoom, loc_iterations = loc["center"], loc["zoom"], loc["iterations"]
        if bounds is not None:
            if not isinstance(bounds, (tuple, list)) or len(bounds) != 4:
                raise ValueError(f"bounds={bounds!r}: expected (xmin, xmax, ymin, ymax)")
            try:
                self.bounds = tuple(float(b) for b in bounds)
            except (TypeError, ValueError):
                raise ValueError(f"bounds={bounds!r}: expected 4 numbers") from None
        else:
            if center is not None:
                self.center_re, self.center_im = _center_texts(center)
            if zoom is not None:
                self.zoom_text = _number_text(zoom, "zoom")
            if radius is not None:
                self.radius_text = _number_text(radius, "radius")
        if iterations is None:
            iterations = loc_iterations if loc_iterations is not None else 1000
        self.max_iter = _int_in(iterations, 1, _UINT32_MAX, "iterations")
        self.formula_name = formula
        self.formula = _name(formula or "mandelbrot", _lib.FORMULAS, "formula")
        self.power = _int_in(power, 2, 64, "power")
        self.julia = None
        if julia is not None:
            if isinstance(julia, complex):
                julia = (julia.real, julia.imag)
            elif isinstance(julia, str):
                julia = julia.split(",")
            try:
                re_, im_ = (float(v) for v in julia)
            except (TypeError, ValueError):
                raise ValueError(f"julia={julia!r}: expected (re, im) or a complex") from None
            if not (math.isfinite(re_) and math.isfinite(im_)):
                raise ValueError(f"julia={julia!r}: not finite")
            self.julia = (re_, im_)
        self.engine = _name(engine, _lib.ENGINES, "engine")
        self.threads = 0 if threads is None else _int_in(threads, 1, 1024, "threads")
        self.isa = _name(isa, _lib.ISAS, "isa")
        self.guess = bool(guess)
        self.shortcuts = not no_shortcuts
        self.exact = bool(exact)

    def setup(self, ctx: _lib.Ctx) -> None:
        if self.threads:
            ctx.set(_lib.OPT_THREADS, self.threads)
        ctx.set(_lib.OPT_SHORTCUTS, int(self.shortcuts))
        ctx.set(_lib.OPT_GUESS, int(self.guess))
        ctx.set(_lib.OPT_EXACT, int(self.exact))
        ctx.set(_lib.OPT_FORMULA, self.formula)
        ctx.set(_lib.OPT_POWER, self.power)
        if self.julia is not None:
            ctx.check(lib.mandel_ctx_set_julia(ctx.ptr, 1, *self.julia))
        if lib.mandel_ctx_set(ctx.ptr, _lib.OPT_ISA, self.isa) != _lib.OK:
            raise ValueError(f"isa={_lib.ISAS[self.isa]!r}: this CPU or build lacks it")
        ctx.set(_lib.OPT_ENGINE, self.engine)

    def view(self, ctx: _lib.Ctx, aa: int = 1) -> ctypes.c_void_p:
        """The view (aa x aa samples a pixel); free it with mandel_view_free."""
        view = ctypes.c_void_p()
        w, h = self.width * aa, self.height * aa
        if self.bounds is not None:
            err = lib.mandel_view_new_bounds(ctx.ptr, ctypes.byref(view), w, h, *self.bounds)
        elif self.zoom_text is not None:
            err = lib.mandel_view_new_zoom(ctx.ptr, ctypes.byref(view), w, h,
                                           (self.center_re or "-0.75").encode(),
                                           (self.center_im or "0").encode(),
                                           self.zoom_text.encode())
        else:
            err = lib.mandel_view_new_center(ctx.ptr, ctypes.byref(view), w, h,
                                             (self.center_re or "-0.75").encode(),
                                             (self.center_im or "0").encode(),
                                             (self.radius_text or "1.25").encode())
        ctx.check(err)
        return view


def _render_fields(ctx: _lib.Ctx, view, max_iter: int, counts=None, smooth=None,
                   distance=None, progress: Optional[Progress] = None) -> None:
    """mandel_render_fields over the whole view into C-contiguous (h, w) arrays; the GIL is
    released for the call (ctypes.CDLL), and re-taken ~10 times a second by the progress
    callback, where Ctrl-C and the user's callback run."""
    some = next(a for a in (counts, smooth, distance) if a is not None)
    h, w = some.shape
    fields = _lib.Fields(
        counts.ctypes.data if counts is not None else None,
        smooth.ctypes.data if smooth is not None else None,
        distance.ctypes.data if distance is not None else None, w, w * h)
    with _lib.Progress(progress, w * h) as watcher:
        watcher.install(ctx)
        err = lib.mandel_render_fields(ctx.ptr, view, max_iter, _lib.Rect(0, 0, w, h),
                                       ctypes.byref(fields))
        why = ctx.errmsg()  # before the next call on the ctx empties it
        lib.mandel_ctx_set_phase_progress(ctx.ptr, _lib.PHASE_PROGRESS_FN(), None)
    watcher.raise_pending()
    if err == _lib.ECANCELED:
        raise KeyboardInterrupt
    if err != _lib.OK:
        raise _lib.fail(err, why)


_DATA = {"counts": np.uint32, "smooth": np.float32, "distance": np.float32}


def _check_out(out: np.ndarray, shape: Tuple[int, int], dtype) -> np.ndarray:
    if not isinstance(out, np.ndarray):
        raise ValueError("out: expected a numpy.ndarray")
    if out.shape != shape or out.dtype != np.dtype(dtype):
        raise ValueError(f"out: expected shape {shape} and dtype {np.dtype(dtype).name}, got "
                         f"{out.shape} {out.dtype.name}")
    if not (out.flags.c_contiguous and out.flags.writeable and out.flags.aligned):
        raise ValueError("out: must be C-contiguous, aligned and writeable")
    return out


def render(center: Optional[Center] = None, zoom: Optional[Number] = None,
           radius: Optional[Number] = None,
           bounds: Optional[Tuple[float, float, float, float]] = None,
           size: Tuple[int, int] = (1200, 800), iterations: Optional[int] = None,
           formula: Optional[str] = None, power: int = 2,
           julia: Optional[Union[Tuple[float, float], complex]] = None, engine: str = "auto",
           threads: Optional[int] = None, isa: str = "auto", data: str = "counts",
           out: Optional[np.ndarray] = None, progress: Optional[Progress] = None,
           location: Optional[Union[str, os.PathLike]] = None, guess: bool = False,
           no_shortcuts: bool = False, exact: bool = False) -> np.ndarray:
    """Computes a view of the Mandelbrot set on all cores into a NumPy array.

    Returns an array of shape (height, width), row 0 at the top: uint32 escape counts
    (data="counts": the first n >= 1 with |z_n| >= 2, or `iterations` for points that
    never escape), or float32 values (data="smooth": the continuous iteration value, the
    limit inside; data="distance": the distance to the set in pixels, 0 inside).

    View (default: the whole set, center -0.75,0, radius 1.25):
      center     centre of the picture: "RE,IM", (re, im) or a complex. str and
                 decimal.Decimal keep every digit (any depth); floats suit shallow views
      radius     half the picture's height in plane units (> 0)
      zoom       magnification: radius = 2/zoom, any depth ("1e1086")
      bounds     (xmin, xmax, ymin, ymax): re = xmin + i*(xmax-xmin)/w,
                 im = ymax - k*(ymax-ymin)/h (the tutorial's convention)
      location   a Kalles Fraktaler .kfr file: its Re, Im, Zoom and Iterations
                 (`iterations` overrides them)
      size       (width, height) in pixels, 1..65535 a side (default (1200, 800))
      iterations iteration limit, 1..4294967295 (default 1000)

    Formula:
      formula    "mandelbrot" (z^d + c, the default), "burning-ship" or "tricorn"
      power      d in z^d + c, 2..64 (default 2)
      julia      (re, im) or complex c: the Julia set of c (z_0 is the pixel)

    Machine:
      threads    worker threads, 1..1024 (default: every online CPU)
      engine     "auto" (double precision while exact enough, perturbation beyond),
                 "double", "perturb" or "mpfr" (exact and very slow, for checking)
      isa        kernel: "auto", "scalar", "generic", "sse2", "avx2", "avx512"
      guess      Mariani-Silver guessing (faster, may miss filaments)
      no_shortcuts  iterate interior pixels to the limit (same counts, slower)
      exact      beyond double precision, every count equal to the MPFR engine's: the
                 pixels double deltas cannot settle computed again (slower; the other
                 formulas than z^2 + c to zooms of about 1e270)

    Output:
      data       "counts" (uint32), "smooth" or "distance" (float32)
      out        a C-contiguous, writeable array of that shape and dtype to fill (no copy);
                 it is returned
      progress   progress(pixels_done, pixels_total), called on this thread about ten
                 times a second; an exception raised in it stops the render and
                 propagates

    Ctrl-C stops the render within a fraction of a second (KeyboardInterrupt). The GIL
    is released while the library computes.
    Raises ValueError for bad arguments, MemoryError for a picture beyond the memory or
    the library's limits, OSError for an unreadable location file.
    """
    o = _Options(center, zoom, radius, bounds, location, size, iterations, formula, power,
                 julia, engine, threads, isa, guess, no_shortcuts, exact)
    if data not in _DATA:
        raise ValueError(f"data={data!r}: unknown data (counts, smooth, distance)")
    shape = (o.height, o.width)
    if out is None:
        _memory_check(o.width * o.height * 4)
        out = np.empty(shape, dtype=_DATA[data])
    else:
        _check_out(out, shape, _DATA[data])
    with _lib.Ctx() as ctx:
        o.setup(ctx)
        view = o.view(ctx)
        try:
            _render_fields(ctx, view, o.max_iter, progress=progress, **{data: out})
        finally:
            lib.mandel_view_free(view)
    return out


# --- pictures: the library's mandel_spec and mandel_picture_write, as the CLI -------------

def _interior_text(value) -> str:
    if isinstance(value, str):
        return value if value.startswith("#") else "#" + value
    if isinstance(value, (tuple, list)) and len(value) == 3 and all(
            isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 255 for v in value):
        return "#%02x%02x%02x" % tuple(value)
    raise ValueError(f"interior={value!r}: expected '#rrggbb' or (r, g, b) with 0..255")


def _number_word(value) -> str:
    return value if isinstance(value, str) else repr(float(value))


class _Spec:
    """A mandel_spec of the keywords, set by the CLI's option names (so the picture, its
    checks and its comment are the CLI's); freed on leaving the `with`."""

    def __init__(self, ctx: _lib.Ctx) -> None:
        self.ctx = ctx
        self.ptr = ctypes.c_void_p()
        ctx.check(lib.mandel_spec_new(ctx.ptr, ctypes.byref(self.ptr)))

    def __enter__(self) -> "_Spec":
        return self

    def __exit__(self, *exc) -> None:
        lib.mandel_spec_free(self.ptr)

    def set(self, name: str, value: Optional[str] = None) -> None:
        self.ctx.check(lib.mandel_spec_set(self.ptr, name.encode(),
                                           None if value is None else value.encode()))

    def options(self, o: Optional[_Options]) -> "_Spec":
        """The view, formula and machine keywords, as render() checked them."""
        if o is None:
            return self
        if o.bounds is not None:
            self.set("bounds", ",".join(repr(b) for b in o.bounds))
        else:
            if o.center_re is not None:
                self.set("center", f"{o.center_re},{o.center_im}")
            if o.zoom_text is not None:
                self.set("zoom", o.zoom_text)
            if o.radius_text is not None:
                self.set("radius", o.radius_text)
        self.set("size", f"{o.width}x{o.height}")
        self.set("iterations", str(o.max_iter))
        if o.formula_name is not None:
            self.set("formula", o.formula_name)
        self.set("power", str(o.power))
        if o.julia is not None:
            self.set("julia", "%r,%r" % o.julia)
        if o.engine != 0:
            self.set("engine", _lib.ENGINES[o.engine])
        if o.threads:
            self.set("threads", str(o.threads))
        if o.isa != 0:
            self.set("isa", _lib.ISAS[o.isa])
        if o.guess:
            self.set("guess")
        if not o.shortcuts:
            self.set("no-shortcuts")
        if o.exact:
            self.set("exact")
        return self

    def colours(self, palette, color, palette_period, palette_offset, interior,
                aa: int = 1) -> "_Spec":
        if palette is not None:
            if not isinstance(palette, (str, os.PathLike)):
                raise ValueError(f"palette={palette!r}: expected a name or a file")
            self.set("palette", os.fspath(palette))
        if color is not None:
            self.set("color", str(color))
        if palette_period is not None:
            self.set("palette-period", _number_word(palette_period))
        if palette_offset is not None:
            self.set("palette-offset", _number_word(palette_offset))
        if interior is not None:
            self.set("interior", _interior_text(interior))
        if aa != 1:
            self.set("aa", str(_int_in(aa, 1, 8, "aa")))
        return self

    def describe(self) -> bytes:
        text = ctypes.c_char_p()
        self.ctx.check(lib.mandel_spec_describe(self.ptr, ctypes.byref(text)))
        return text.value


def _write_picture(ctx: _lib.Ctx, spec: _Spec, img, samples: int, progress,
                   npy=None) -> None:
    """mandel_picture_write (or _colour of `npy`) into the open image; it is closed, or
    aborted on any failure."""
    try:
        with _lib.Progress(progress, samples) as watcher:
            watcher.install(ctx)
            if npy is None:
                err = lib.mandel_picture_write(ctx.ptr, spec.ptr, img)
            else:
                err = lib.mandel_picture_colour(ctx.ptr, spec.ptr, npy, img)
            lib.mandel_ctx_set_phase_progress(ctx.ptr, _lib.PHASE_PROGRESS_FN(), None)
        watcher.raise_pending()
        if err == _lib.ECANCELED:
            raise KeyboardInterrupt
        ctx.check(err)
    except BaseException:
        lib.mandel_image_abort(img)
        raise
    ctx.check(lib.mandel_image_close(img))


def _rgb_of(ctx: _lib.Ctx, spec: _Spec, width: int, height: int, samples: int, progress,
            npy=None) -> np.ndarray:
    """The picture as a (height, width, 3) array: a PPM written to memory by the library."""
    _memory_check(width * height * 3 * 2)
    got = bytearray()

    def take(_user, data, length) -> int:
        got.extend(ctypes.string_at(data, length))
        return 0

    write = _lib.WRITE_FN(take)
    img = ctypes.c_void_p()
    ctx.check(lib.mandel_image_open_stream(ctx.ptr, ctypes.byref(img), write, None,
                                           _lib.FORMAT_PPM, width, height, None))
    _write_picture(ctx, spec, img, samples, progress, npy)
    pixels = width * height * 3
    return np.frombuffer(bytes(got[-pixels:]), np.uint8).reshape(height, width, 3).copy()


def image(center: Optional[Center] = None, zoom: Optional[Number] = None,
          radius: Optional[Number] = None,
          bounds: Optional[Tuple[float, float, float, float]] = None,
          size: Tuple[int, int] = (1200, 800), iterations: Optional[int] = None,
          formula: Optional[str] = None, power: int = 2,
          julia: Optional[Union[Tuple[float, float], complex]] = None, engine: str = "auto",
          threads: Optional[int] = None, isa: str = "auto",
          palette: Optional[str] = None, color: Optional[str] = None,
          palette_period: Optional[float] = None, palette_offset: Optional[float] = None,
          interior: Optional[Union[str, Tuple[int, int, int]]] = None, aa: int = 1,
          progress: Optional[Progress] = None,
          location: Optional[Union[str, os.PathLike]] = None, guess: bool = False,
          no_shortcuts: bool = False, exact: bool = False) -> np.ndarray:
    """Renders and colours a view: a (height, width, 3) uint8 sRGB array, the pixels
    `mandel render -o picture.png` writes for the same options.

    The view, formula and machine keywords are render()'s. Picture:
      palette         a palette name (default "default"; see mandel.palettes()) or a
                      gradient file: one stop a line, "POSITION #rrggbb"
      color           what colours a pixel: "smooth" (default with the cycling palettes),
                      "count" (default with the matplotlib maps and grey: the tutorial's
                      look), "histogram", "log", "distance" (default palette grey)
      palette_period  cycling palettes: one turn per P units of sqrt(iterations) (default:
                      8, or two turns across the picture's values where they span less
                      than one turn of 8, as at most deep zooms)
      palette_offset  cycling palettes: start F of a turn later (0..1, default 0)
      interior        colour of points that never escape: "#rrggbb" or (r, g, b)
      aa              anti-aliasing: aa x aa samples a pixel (1..8), averaged in linear
                      light; costs aa^2
    """
    o = _Options(center, zoom, radius, bounds, location, size, iterations, formula, power,
                 julia, engine, threads, isa, guess, no_shortcuts, exact)
    aa = _int_in(aa, 1, 8, "aa")
    with _lib.Ctx() as ctx, _Spec(ctx) as spec:
        spec.options(o).colours(palette, color, palette_period, palette_offset, interior, aa)
        ctx.check(lib.mandel_spec_check(spec.ptr, _lib.FORMAT_PPM))
        return _rgb_of(ctx, spec, o.width, o.height, o.width * o.height * aa * aa, progress)


def colour(data: np.ndarray, palette: Optional[str] = None, color: Optional[str] = None,
           palette_period: Optional[float] = None, palette_offset: Optional[float] = None,
           interior: Optional[Union[str, Tuple[int, int, int]]] = None,
           iterations: int = 1000) -> np.ndarray:
    """Colours data from render() without iterating again: a (h, w, 3) uint8 array, the
    pixels `mandel colour DATA.npy -o picture.png` makes.

    data        a (h, w) array from render(): uint32 counts, or float32 smooth values, or
                float32 distances (then color="distance")
    iterations  the limit the data was rendered with (default 1000): values at or above
                it are interior
    The other keywords are image()'s.
    """
    if not isinstance(data, np.ndarray) or data.ndim != 2 or data.size == 0:
        raise ValueError("data: expected a non-empty 2-D numpy array from mandel.render()")
    if data.dtype == np.uint32:
        kind = "counts"
    elif data.dtype == np.float32:
        kind = "distance" if color == "distance" else "smooth"
    else:
        raise ValueError(f"data: dtype {data.dtype.name}: expected uint32 counts or float32 "
                         "smooth values or distances")
    iterations = _int_in(iterations, 1, _UINT32_MAX, "iterations")
    h, w = data.shape
    if w > MAX_SIDE or h > MAX_SIDE:
        raise ValueError(f"data: {w}x{h} values: at most {MAX_SIDE} a side")
    # The data as the .npy file the library reads (mandel colour's input), little-endian.
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(data, dtype=data.dtype.newbyteorder("<")))
    raw = buffer.getvalue()
    with _lib.Ctx() as ctx, _Spec(ctx) as spec:
        spec.set("size", f"{w}x{h}")
        spec.set("iterations", str(iterations))
        spec.set("npy", kind)
        spec.colours(palette, color, palette_period, palette_offset, interior)
        npy = ctypes.c_void_p()
        ctx.check(lib.mandel_npy_parse(ctx.ptr, raw, len(raw), ctypes.byref(npy)))
        try:
            return _rgb_of(ctx, spec, w, h, w * h, None, npy)
        finally:
            lib.mandel_npy_free(npy)


color = colour


def _format(path: str) -> int:
    fmt = ctypes.c_int()
    if lib.mandel_format_from_path(path.encode(), ctypes.byref(fmt)) != _lib.OK:
        raise ValueError(f"path {path!r}: unknown extension (use .png, .jpg, .jpeg, .ppm, "
                         ".pgm, .pbm or .npy)")
    return fmt.value


def save(path: Union[str, os.PathLike], center: Optional[Center] = None,
         zoom: Optional[Number] = None, radius: Optional[Number] = None,
         bounds: Optional[Tuple[float, float, float, float]] = None,
         size: Tuple[int, int] = (1200, 800), iterations: Optional[int] = None,
         formula: Optional[str] = None, power: int = 2,
         julia: Optional[Union[Tuple[float, float], complex]] = None, engine: str = "auto",
         threads: Optional[int] = None, isa: str = "auto", palette: Optional[str] = None,
         color: Optional[str] = None, palette_period: Optional[float] = None,
         palette_offset: Optional[float] = None,
         interior: Optional[Union[str, Tuple[int, int, int]]] = None, aa: int = 1,
         quality: Optional[int] = None, npy: Optional[str] = None,
         save_location: Optional[Union[str, os.PathLike]] = None,
         progress: Optional[Progress] = None,
         location: Optional[Union[str, os.PathLike]] = None, guess: bool = False,
         no_shortcuts: bool = False, exact: bool = False) -> None:
    """Renders a view into a file, as `mandel render -o PATH` does with the same options:
    the format follows the extension (.png, .jpg/.jpeg, .ppm, .pgm, .pbm, .npy), the file
    carries the same comment (the command line that makes it again: `mandel render --from
    PATH`, `mandel info PATH`), and it is written to a temporary file renamed when complete.

    The keywords are image()'s, and:
      quality        JPEG quality 1..100 (default 90)
      npy            what a .npy holds: "counts" (uint32, default), "smooth" or "distance"
                     (float32)
      save_location  also write the view as a .kfr location
    As the CLI, the picture streams to the file band by band (mandel_picture_write).
    """
    path = os.fspath(path)
    fmt = _format(path)
    o = _Options(center, zoom, radius, bounds, location, size, iterations, formula, power,
                 julia, engine, threads, isa, guess, no_shortcuts, exact)
    aa = _int_in(aa, 1, 8, "aa")
    if quality is not None:
        quality = _int_in(quality, 1, 100, "quality")
    with _lib.Ctx() as ctx, _Spec(ctx) as spec:
        spec.options(o).colours(palette, color, palette_period, palette_offset, interior, aa)
        if npy is not None:
            spec.set("npy", str(npy))
        ctx.check(lib.mandel_spec_check(spec.ptr, fmt))
        options = _lib.ImageOptions(quality or 0, spec.describe(),
                                    int(npy is not None and npy != "counts"))
        img = ctypes.c_void_p()
        ctx.check(lib.mandel_image_open(ctx.ptr, ctypes.byref(img), path.encode(), fmt,
                                        o.width, o.height, ctypes.byref(options)))
        if save_location is not None:
            view = ctypes.c_void_p()
            err = lib.mandel_spec_view(spec.ptr, ctypes.byref(view))
            if err == _lib.OK:
                err = lib.mandel_location_save(ctx.ptr, view, o.max_iter,
                                               os.fsencode(save_location))
            if err != _lib.OK:
                lib.mandel_image_abort(img)
                ctx.check(err, "save_location: ")
        _write_picture(ctx, spec, img, o.width * o.height * aa * aa, progress)


# --- palettes and locations --------------------------------------------------------------

def palettes() -> dict:
    """The built-in palettes: {name: one line about it}, as `mandel palettes` lists them."""
    out = {}
    i = 0
    while (name := lib.mandel_palette_name(i)) is not None:
        out[name.decode()] = lib.mandel_palette_describe(i).decode()
        i += 1
    return out


def load_location(path: Union[str, os.PathLike]) -> dict:
    """Reads a Kalles Fraktaler .kfr location: {"center": (re, im), "zoom": z,
    "iterations": n}, the strings with every digit; render(**mandel.load_location(p))
    renders it. Raises OSError (unreadable) or ValueError (malformed, with the line)."""
    with _lib.Ctx() as ctx:
        loc = ctypes.c_void_p()
        ctx.check(lib.mandel_location_read(ctx.ptr, os.fsencode(path), ctypes.byref(loc)))
        try:
            re_, im_, zoom = ctypes.c_char_p(), ctypes.c_char_p(), ctypes.c_char_p()
            n = ctypes.c_uint32()
            lib.mandel_location_get(loc, ctypes.byref(re_), ctypes.byref(im_),
                                    ctypes.byref(zoom), ctypes.byref(n))
            return {"center": (re_.value.decode(), im_.value.decode()),
                    "zoom": zoom.value.decode(), "iterations": n.value}
        finally:
            lib.mandel_location_free(loc)


def save_location(path: Union[str, os.PathLike], center: Optional[Center] = None,
                  zoom: Optional[Number] = None, radius: Optional[Number] = None,
                  bounds: Optional[Tuple[float, float, float, float]] = None,
                  size: Tuple[int, int] = (1200, 800), iterations: Optional[int] = None) -> None:
    """Writes a view as a .kfr location (Re, Im with every digit, Zoom, Iterations), as
    `mandel render --save-location` does; written whole under a temporary name."""
    o = _Options(center, zoom, radius, bounds, None, size, iterations, None, 2, None, "auto",
                 None, "auto", False, False, False)
    with _lib.Ctx() as ctx:
        view = o.view(ctx)
        try:
            ctx.check(lib.mandel_location_save(ctx.ptr, view, o.max_iter, os.fsencode(path)))
        finally:
            lib.mandel_view_free(view)

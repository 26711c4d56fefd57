"""The C library through ctypes: finding libmandel, its prototypes, errors, and one context.

Only include/mandel.h is used. ctypes (not cffi or an extension module) because it needs no
build step and no compiler on the user's machine, as python-magic does; a foreign call
through ctypes.CDLL releases the GIL, so renders run on every core while other Python
threads go on.

Invariant: every ctx, view, location and image made here is freed on every path (the
`Ctx` context manager and try/finally), and the library is never given a pointer to
memory that Python may free during the call.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import threading
from ctypes import (CFUNCTYPE, POINTER, Structure, c_char_p, c_double, c_float, c_int,
                    c_int64, c_size_t, c_uint, c_uint8, c_uint32, c_uint64, c_void_p)
from pathlib import Path

# The library's major.minor this package was written against (mandel.h's
# MANDEL_VERSION_MAJOR / _MINOR); the patch level may differ.
EXPECTED_MAJOR, EXPECTED_MINOR = 0, 1

OK, EINVAL, ENOMEM, ETOOBIG, EISA, ECANCELED, EIO, ETHREAD, EFORMAT = range(9)

OPT_THREADS, OPT_ISA, OPT_MAX_PIXELS, OPT_MAX_ITER, OPT_SHORTCUTS, OPT_ENGINE, OPT_GUESS, \
    OPT_FORMULA, OPT_POWER, OPT_MAX_MEMORY, OPT_EXACT = range(1, 12)

MAP_RANGE, MAP_CYCLE, MAP_LOG, MAP_HISTOGRAM = range(4)
HISTOGRAM_BINS = 1024
PIXELS_RGB8, PIXELS_GRAY8, PIXELS_U32, PIXELS_BIT1, PIXELS_F32 = range(1, 6)
FORMAT_PNG, FORMAT_JPEG, FORMAT_PPM, FORMAT_PGM, FORMAT_PBM, FORMAT_NPY = range(1, 7)


class Rect(Structure):
    _fields_ = [("x", c_uint32), ("y", c_uint32), ("width", c_uint32), ("height", c_uint32)]


class Fields(Structure):
    _fields_ = [("counts", c_void_p), ("smooth", c_void_p), ("distance", c_void_p),
                ("stride", c_size_t), ("capacity", c_size_t)]


class Color(Structure):
    _fields_ = [("palette", c_int), ("mapping", c_int), ("max_iter", c_uint32),
                ("lo", c_double), ("hi", c_double), ("period", c_double), ("offset", c_double),
                ("interior", c_uint8 * 3), ("table", (c_uint8 * 3) * 256),
                ("cdf", c_float * (HISTOGRAM_BINS + 1))]


class ImageOptions(Structure):
    _fields_ = [("jpeg_quality", c_int), ("comment", c_char_p), ("npy_float", c_int)]


# Python's own signal check, through PyDLL (called with the GIL, and ctypes raises the
# exception it sets): it runs pending handlers such as SIGINT's KeyboardInterrupt.
_check_signals = ctypes.pythonapi.PyErr_CheckSignals
_check_signals.restype = c_int
_check_signals.argtypes = []

PHASE_PROGRESS_FN = CFUNCTYPE(c_int, c_void_p, c_int, c_uint64, c_uint64)
PHASE_PIXELS, PHASE_ORBIT, PHASE_BLA, PHASE_WRITE, PHASE_EXACT = range(5)
# mandel_write_fn: a stream image's bytes (mandel_image_open_stream).
WRITE_FN = CFUNCTYPE(c_int, c_void_p, c_void_p, c_size_t)


def _candidates() -> list[str]:
    """Where libmandel may be, in the order the package's README gives."""
    found = []
    env = os.environ.get("MANDEL_LIBRARY")
    if env:
        return [env]  # asked for explicitly: that one or an error, never a silent other
    here = Path(__file__).resolve().parent
    try:  # written by `cmake --install` next to the installed package
        from . import _paths  # type: ignore[attr-defined]
        found.append(_paths.LIBRARY)
    except ImportError:
        pass
    # Run from the repository: python/mandel/ next to the quick start's build/.
    for name in ("libmandel.so.0", "libmandel.so"):
        candidate = here.parent.parent / "build" / name
        if candidate.exists():
            found.append(str(candidate))
            break
    system = ctypes.util.find_library("mandel")
    if system:
        found.append(system)
    return found


def _load() -> ctypes.CDLL:
    tried = []
    for path in _candidates():
        try:
            return ctypes.CDLL(path)
        except OSError as e:
            tried.append(f"{path}: {e}")
    raise ImportError(
        "mandel: cannot load libmandel (" + ("; ".join(tried) if tried else "not found") +
        "). Build it (cmake -B build && cmake --build build) and run from the repository, "
        "install it (cmake --install build), or set MANDEL_LIBRARY to libmandel.so")


lib = _load()


# The version first, before any other symbol is looked up: a library of another version may
# lack them, and the mismatch is the message the user needs.
lib.mandel_version_number.restype = c_uint
lib.mandel_version_string.restype = c_char_p
version_number: int = lib.mandel_version_number()
version_string: str = lib.mandel_version_string().decode()
if (version_number // 10000, version_number // 100 % 100) != (EXPECTED_MAJOR, EXPECTED_MINOR):
    raise ImportError(
        f"mandel: this package needs libmandel {EXPECTED_MAJOR}.{EXPECTED_MINOR}.x, but the "
        f"library loaded from {lib._name} is {version_string}; install the package and the "
        "library from the same source, or point MANDEL_LIBRARY at the right libmandel.so")


def _proto(name: str, restype, *argtypes) -> None:
    fn = getattr(lib, name)
    fn.restype = restype
    fn.argtypes = list(argtypes)


_P = c_void_p
_proto("mandel_version_number", c_uint)
_proto("mandel_version_string", c_char_p)
_proto("mandel_strerror", c_char_p, c_int)
_proto("mandel_ctx_new", _P, _P)
_proto("mandel_ctx_free", None, _P)
_proto("mandel_errmsg", c_char_p, _P)
_proto("mandel_ctx_set", c_int, _P, c_int, c_int64)
_proto("mandel_ctx_set_julia", c_int, _P, c_int, c_double, c_double)
_proto("mandel_ctx_set_phase_progress", None, _P, PHASE_PROGRESS_FN, _P)
_proto("mandel_formula_name", c_char_p, c_int)
_proto("mandel_engine_name", c_char_p, c_int)
_proto("mandel_isa_name", c_char_p, c_int)
_proto("mandel_isa_available", c_int, c_int)
_proto("mandel_view_new_bounds", c_int, _P, POINTER(_P), c_uint32, c_uint32, c_double,
       c_double, c_double, c_double)
_proto("mandel_view_new_center", c_int, _P, POINTER(_P), c_uint32, c_uint32, c_char_p,
       c_char_p, c_char_p)
_proto("mandel_view_new_zoom", c_int, _P, POINTER(_P), c_uint32, c_uint32, c_char_p,
       c_char_p, c_char_p)
_proto("mandel_view_free", None, _P)
_proto("mandel_view_engine", c_int, _P)
_proto("mandel_render_fields", c_int, _P, _P, c_uint32, Rect, POINTER(Fields))
_proto("mandel_location_read", c_int, _P, c_char_p, POINTER(_P))
_proto("mandel_location_get", None, _P, POINTER(c_char_p), POINTER(c_char_p),
       POINTER(c_char_p), POINTER(c_uint32))
_proto("mandel_location_save", c_int, _P, _P, c_uint32, c_char_p)
_proto("mandel_location_free", None, _P)
_proto("mandel_palette_find", c_int, c_char_p, POINTER(c_int))
_proto("mandel_palette_name", c_char_p, c_int)
_proto("mandel_palette_describe", c_char_p, c_int)
_proto("mandel_color_init", c_int, POINTER(Color), c_int, c_uint32)
_proto("mandel_color_gradient", c_int, _P, POINTER(Color), c_char_p, c_size_t)
_proto("mandel_color_range", None, POINTER(Color), _P, c_size_t)
_proto("mandel_color_range_values", None, POINTER(Color), _P, c_size_t)
_proto("mandel_color_histogram", None, POINTER(Color), _P, c_size_t)
_proto("mandel_color_values", c_int, POINTER(Color), _P, c_size_t, _P)
_proto("mandel_color_distance", c_int, POINTER(Color), _P, c_size_t, c_double, _P)
_proto("mandel_color_rgb", c_int, POINTER(Color), _P, c_size_t, _P)
_proto("mandel_color_downsample", c_int, _P, c_size_t, c_uint32, c_uint32, _P)
_proto("mandel_format_from_path", c_int, c_char_p, POINTER(c_int))
_proto("mandel_image_open", c_int, _P, POINTER(_P), c_char_p, c_int, c_uint32, c_uint32,
       POINTER(ImageOptions))
_proto("mandel_image_write_rows", c_int, _P, _P, c_uint32)
_proto("mandel_image_close", c_int, _P)
_proto("mandel_image_abort", None, _P)
_proto("mandel_image_open_stream", c_int, _P, POINTER(_P), WRITE_FN, _P, c_int, c_uint32,
       c_uint32, POINTER(ImageOptions))
_proto("mandel_npy_parse", c_int, _P, _P, c_size_t, POINTER(_P))
_proto("mandel_npy_free", None, _P)
_proto("mandel_spec_new", c_int, _P, POINTER(_P))
_proto("mandel_spec_free", None, _P)
_proto("mandel_spec_set", c_int, _P, c_char_p, c_char_p)
_proto("mandel_spec_describe", c_int, _P, POINTER(c_char_p))
_proto("mandel_spec_check", c_int, _P, c_int)
_proto("mandel_spec_view", c_int, _P, POINTER(_P))
_proto("mandel_picture_write", c_int, _P, _P, _P)
_proto("mandel_picture_colour", c_int, _P, _P, _P, _P)

def names(fn, count_hint: int = 64) -> list[str]:
    """The names a *_name(index) function gives for 0, 1, ... up to the first NULL."""
    out = []
    for i in range(count_hint):
        name = fn(i)
        if name is None:
            break
        out.append(name.decode())
    return out


FORMULAS = names(lib.mandel_formula_name)
ENGINES = names(lib.mandel_engine_name)
ISAS = names(lib.mandel_isa_name)


def fail(err: int, message: str) -> BaseException:
    """The Python exception for a library error code, carrying the library's message."""
    if not message:
        message = lib.mandel_strerror(err).decode()
    if err in (ENOMEM, ETOOBIG):
        return MemoryError(message)
    if err == EIO:
        return OSError(message)
    if err == ETHREAD:
        return RuntimeError(message)
    return ValueError(message)


class Ctx:
    """One mandel_ctx for one call (a ctx is not thread-safe; one per call is)."""

    def __init__(self) -> None:
        self.ptr = lib.mandel_ctx_new(None)
        if not self.ptr:
            raise MemoryError("mandel: out of memory for a context")

    def __enter__(self) -> "Ctx":
        return self

    def __exit__(self, *exc) -> None:
        lib.mandel_ctx_free(self.ptr)
        self.ptr = None

    def errmsg(self) -> str:
        return lib.mandel_errmsg(self.ptr).decode(errors="replace")

    def check(self, err: int, prefix: str = "") -> None:
        if err != OK:
            raise fail(err, prefix + self.errmsg())

    def set(self, option: int, value: int) -> None:
        self.check(lib.mandel_ctx_set(self.ptr, option, value))


class Progress:
    """The ctx's progress callback, and Ctrl-C during a render.

    The callback is Python code that the library calls on the calling thread about ten
    times a second, with the GIL re-taken: the user's callback runs there, and so do
    pending signal handlers. A handler that raises there would raise at the callback's
    first instruction, outside any try, where ctypes can only print and ignore it; so for
    the render, on the main thread, SIGINT's handler is replaced by one that only sets a
    flag, which the callback answers by cancelling (non-zero), and KeyboardInterrupt is
    raised once the library has returned. Any exception of the user's callback cancels
    the render too and is re-raised then. Use it as a context manager around the call."""

    def __init__(self, user=None, pixels_total: int = 0) -> None:
        self.user = user
        self.pixels_total = pixels_total
        self.error: BaseException | None = None
        self.interrupted = False
        self.c_fn = PHASE_PROGRESS_FN(self._call)
        self.saved_handler = None

    def _call(self, _user, phase, done, total) -> int:
        try:
            _check_signals()  # runs the flag-setting handler if it has not run yet
            if self.interrupted:
                return 1
            if self.user is not None:
                if phase == PHASE_PIXELS:
                    self.user(int(done), int(total))
                elif phase == PHASE_EXACT:  # the pixels exact=True computes again
                    self.user(self.pixels_total, self.pixels_total)
                elif phase != PHASE_WRITE:  # the reference orbit: no pixel finished yet
                    self.user(0, self.pixels_total)
            return 0
        except BaseException as e:  # noqa: B036 (KeyboardInterrupt must cancel too)
            self.error = e
            return 1

    def _on_sigint(self, signum, frame) -> None:
        self.interrupted = True

    def __enter__(self) -> "Progress":
        if (threading.current_thread() is threading.main_thread() and
                signal.getsignal(signal.SIGINT) is signal.default_int_handler):
            self.saved_handler = signal.signal(signal.SIGINT, self._on_sigint)
        return self

    def __exit__(self, *exc) -> None:
        if self.saved_handler is not None:
            signal.signal(signal.SIGINT, self.saved_handler)
            self.saved_handler = None

    def install(self, ctx: Ctx) -> None:
        lib.mandel_ctx_set_phase_progress(ctx.ptr, self.c_fn, None)

    def raise_pending(self) -> None:
        """After the library returned: Ctrl-C first, then the callback's exception."""
        if self.interrupted:
            self.interrupted = False
            raise KeyboardInterrupt
        if self.error is not None:
            e, self.error = self.error, None
            raise e

#!/usr/bin/python3
"""Writes a picture whose comment holds whatever a stranger chose, for tests/cli/strangers.sh.

    craft_comment.py png OUT.png COMMENT_FILE
    craft_comment.py jpg OUT.jpg COMMENT_FILE BASE.jpg   BASE's COM markers replaced
    craft_comment.py npy OUT.npy COMMENT_FILE
    craft_comment.py png-big OUT.png BYTES               a tEXt Comment of BYTES x's
    craft_comment.py jpg-big OUT.jpg BYTES BASE.jpg      BYTES x's in COM markers of 65533
    craft_comment.py npy-big OUT.npy BYTES               a version 2.0 header

The comment is the file's bytes, unchanged (control characters included): the point is to
write what mandel itself would never write. Only the standard library (zlib, struct).
"""
import struct
import sys
import zlib


def png_chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))


def png(comment):
    """A 2x2 grey-on-black RGB PNG with a tEXt "Comment" chunk before the image data."""
    ihdr = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x40\x40\x40" * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) +
            png_chunk(b"tEXt", b"Comment\x00" + comment) +
            png_chunk(b"IDAT", zlib.compress(rows)) + png_chunk(b"IEND", b""))


def jpg(comment, base):
    """BASE with its COM markers dropped and `comment` in COM markers of 65533 bytes."""
    assert base[:2] == b"\xff\xd8"
    out, at = [b"\xff\xd8"], 2
    while True:
        marker = base[at:at + 2]
        length = struct.unpack(">H", base[at + 2:at + 4])[0]
        if marker == b"\xff\xda":  # start of scan: the rest is image data
            break
        if marker != b"\xff\xfe":
            out.append(base[at:at + 2 + length])
        at += 2 + length
    for i in range(0, len(comment), 65533):
        part = comment[i:i + 65533]
        out.append(b"\xff\xfe" + struct.pack(">H", len(part) + 2) + part)
    out.append(base[at:])
    return b"".join(out)


def npy(comment):
    """A 2x2 uint32 .npy with `comment` after the header dict; version 2.0 when long."""
    text = b"{'descr': '<u4', 'fortran_order': False, 'shape': (2, 2), } # " + comment
    prefix = 10
    total = (prefix + len(text) + 1 + 63) // 64 * 64
    if total - prefix > 65535:
        prefix = 12
        total = (prefix + len(text) + 1 + 63) // 64 * 64
    header_len = total - prefix
    head = (b"\x93NUMPY\x01\x00" + struct.pack("<H", header_len) if prefix == 10 else
            b"\x93NUMPY\x02\x00" + struct.pack("<I", header_len))
    text += b" " * (header_len - len(text) - 1) + b"\n"
    return head + text + struct.pack("<4I", 1, 2, 3, 4)


def main():
    kind, out = sys.argv[1], sys.argv[2]
    if kind.endswith("-big"):
        comment = b"x" * int(sys.argv[3])
    else:
        with open(sys.argv[3], "rb") as f:
            comment = f.read()
    if kind.startswith("png"):
        data = png(comment)
    elif kind.startswith("jpg"):
        with open(sys.argv[4], "rb") as f:
            data = jpg(comment, f.read())
    else:
        data = npy(comment)
    with open(out, "wb") as f:
        f.write(data)


main()

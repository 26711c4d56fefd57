#!/usr/bin/python3
"""Prints matplotlib's viridis as the 256 RGB byte triples its Colormap(..., bytes=True)
gives (float entries times 255, truncated). Used once to write src/color/palette_data.c;
needs Debian's python3-matplotlib."""
import numpy as np
import matplotlib

lut = matplotlib.colormaps["viridis"](np.arange(256), bytes=True)[:, :3]
for i in range(0, 256, 4):
    print("    " + " ".join("{%3d, %3d, %3d}," % tuple(c) for c in lut[i:i + 4]))

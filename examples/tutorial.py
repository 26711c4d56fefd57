"""The tutorial's program ("A really simple Multiprocessing Python Example", bench/seed/)
with mandel doing the work: the same 400x400 counts of [-2.5, 1] x [-1, 1] at 1000
iterations, pixel for pixel, on every core, shown with matplotlib as the tutorial does.

    python3 examples/tutorial.py                  show it (needs a display)
    python3 examples/tutorial.py --save t.png     save the figure instead
    python3 examples/tutorial.py --dump t.npy     also write the counts (numpy.save)

Run it from the repository after the quick start's build, with PYTHONPATH=python (or
after `cmake --install build`, from anywhere).
"""
import sys

import matplotlib.pyplot as plt
import numpy as np

import mandel

# The tutorial's mandelbrotCalcSet(400, 400, 1000) samples x0 = xPos*(3.5/w) - 2.5 and
# y0 = yPos*(2/h) - 1: mandel's bounds convention, whose row k samples im = 1 - k*(2/h), the
# tutorial's row k mirrored in the real axis, which gives the same counts exactly (the set
# is symmetric, and so is the arithmetic).
mandelImg = mandel.render(bounds=(-2.5, 1, -1, 1), size=(400, 400), iterations=1000)

args = sys.argv[1:]
if "--dump" in args:
    np.save(args[args.index("--dump") + 1], mandelImg)
plt.imshow(mandelImg)
if "--save" in args:
    plt.savefig(args[args.index("--save") + 1])
else:
    plt.show()

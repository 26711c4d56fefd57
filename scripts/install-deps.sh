#!/bin/sh
# Quick start, step 1: install what mandel needs from Debian's archive, build it, and render
# the default picture to mandel.png. Run from the repository root, as root or with sudo.
#   scripts/install-deps.sh            packages + build + mandel.png
#   scripts/install-deps.sh --deps     packages only
set -eu

# Names that Debian (12+) and Ubuntu (24.04+; libspng-dev is in universe) both have.
# libjpeg-dev is the name on both for the distribution's libjpeg-turbo headers (Debian's
# libjpeg62-turbo-dev, Ubuntu's libjpeg-turbo8-dev); it is a real package, so dpkg-query
# reports it installed only when it is. zlib1g-dev: the tests read gzip-compressed data.
# groff-base and man-db: the test that renders man/mandel.1, and 'man mandel'.
# python3-pytest, python3-matplotlib (and python3-numpy): the Python package, its tests and
# examples/tutorial.py, for Debian's /usr/bin/python3. python3-pil (Pillow): the server test
# that decodes coloured tiles to compare them with the CLI's PNG.
# libmicrohttpd-dev: mandel serve (without it CMake leaves the server out and says so).
# openmpi-bin libopenmpi-dev: mandel-mpi (Open MPI's mpirun and headers; without them CMake
# leaves mandel-mpi out and says so). mpich libmpich-dev: the test that builds mandel-mpi
# with MPICH too and runs it under MPICH's mpirun.mpich (Open MPI stays the default mpicc
# and mpirun: Debian gives it the higher alternatives priority).
# ffmpeg: mandel zoom's .mp4, .webm and .mkv (the program, fed frames on a pipe; .y4m and
# picture sequences need none), and its test through the real one.
packages="build-essential cmake pkg-config libspng-dev libjpeg-dev libmpfr-dev zlib1g-dev python3-numpy groff-base man-db python3-pytest python3-matplotlib python3-pil libmicrohttpd-dev ffmpeg openmpi-bin libopenmpi-dev mpich libmpich-dev"

# Node.js (18 or later) runs the web page's tests; Debian's nodejs unless one is on the PATH,
# and npm to install the browser test's driver (playwright-core, web/package-lock.json).
command -v node >/dev/null 2>&1 || packages="$packages nodejs"
command -v npm >/dev/null 2>&1 || packages="$packages npm"
# esbuild: the build bundles the web page's modules into its HTML with it (CMakeLists.txt;
# without it the page asks for them one by one, the same code). Debian 12 has it in main;
# on Ubuntu it is in universe, which may be off: there it is left to the user.
# chromium: the browser test drives Debian's /usr/bin/chromium headless (fonts-dejavu-core:
# the screenshot's text, as recommends are not installed). Ubuntu has no chromium deb (its
# chromium-browser only installs the snap): there, 'snap install chromium' and run the tests
# with CHROMIUM=/snap/bin/chromium in the environment, or the browser test reads "Skipped".
os=$(. /etc/os-release 2>/dev/null; echo " ${ID:-} ${ID_LIKE:-} ")
case "$os" in
*" ubuntu "*) echo "Ubuntu: no chromium deb; see scripts/install-deps.sh for the browser test" ;;
*) packages="$packages chromium fonts-dejavu-core esbuild" ;;
esac

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
        missing="$missing $p"
done
if [ -n "$missing" ]; then
    echo "installing:$missing"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing
fi
# The browser test's driver, from the npm registry at the lockfile's versions; it drives the
# system's Chromium, so never let it download a browser of its own.
(cd web && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --ignore-scripts --no-audit --no-fund)
[ "${1:-}" = "--deps" ] && exit 0

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
build/mandel render -o mandel.png
echo "wrote mandel.png; the program is build/mandel (cmake --install build to install it)"

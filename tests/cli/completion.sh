#!/bin/sh
# completions/mandel.bash in bash: commands, options, palette names (from 'mandel palettes'),
# formats, named values and file names, driven by COMP_WORDS/COMP_CWORD as bash drives it.
# Exits 77 (Skipped) only where there is no bash.
#   MANDEL=path/to/mandel SOURCE=source-dir tests/cli/completion.sh
set -u
: "${MANDEL:?set MANDEL to the mandel program}"
: "${SOURCE:?set SOURCE to the source directory}"
if ! command -v bash >/dev/null 2>&1; then
    echo "SKIP: no bash"
    exit 77
fi
dir=$(mktemp -d /tmp/mandel-completion-XXXXXX)
trap 'rm -rf "$dir"' EXIT
mkdir "$dir/bin" "$dir/work" "$dir/work/sub"
ln -s "$MANDEL" "$dir/bin/mandel"
cd "$dir/work" || exit 1
touch data.npy pic.png pic.JPG notes.txt loc.kfr

# The palettes as the program lists them, to compare with what completion offers.
"$MANDEL" palettes | cut -d' ' -f1 | sort >../palettes.txt
"$MANDEL" render --help | grep -o -e '--[a-z][a-z0-9-]*[a-z0-9]' | sort -u >../render-opts.txt
test -s ../palettes.txt && test -s ../render-opts.txt || { echo "FAIL: no palettes or options"; exit 1; }

PATH=$dir/bin:$PATH bash --norc --noprofile -c '
. "$1"
failed=0 passed=0
# comp WORD...: what completing the last WORD offers, one a line, sorted
comp() {
    COMP_WORDS=("$@")
    COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
    COMP_LINE="$*"
    COMP_POINT=${#COMP_LINE}
    COMPREPLY=()
    _mandel mandel "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
    printf "%s\n" "${COMPREPLY[@]}" | sed "/^$/d" | sort -u
}
# expect "WORDS" "EXPECTED (space-separated, sorted)"
expect() {
    local got words
    set -f
    words=($1)
    set +f
    case $1 in *" ") words+=("") ;; esac
    got=$(comp "${words[@]}" | tr "\n" " " | sed "s/ $//")
    if [ "$got" = "$2" ]; then passed=$((passed + 1))
    else failed=$((failed + 1)); echo "FAIL: $1<TAB>: got [$got], want [$2]"; fi
}
complete -p mandel >/dev/null || { echo "FAIL: mandel has no completion"; exit 1; }
expect "mandel " "--help --version bench colour info palettes render serve zoom"
expect "mandel zoom --seconds" "--seconds-per-doubling"
expect "mandel zoom --from-" "--from-zoom"
expect "mandel serve --bind 0" "0.0.0.0"
if mandel serve --help >/dev/null 2>&1; then expect "mandel serve --cache" "--cache-mb"; fi
expect "mandel re" "render"
expect "mandel p" "palettes"
expect "mandel render --pal" "--palette --palette-offset --palette-period"
expect "mandel render --fo" "--format --formula"
expect "mandel render -q --save" "--save-location"
expect "mandel render --format p" "pbm pgm png ppm"
expect "mandel render --format = j" "jpeg jpg"
expect "mandel render --color d" "distance"
expect "mandel render --engine " "auto double mpfr perturb"
expect "mandel render --npy s" "smooth"
expect "mandel render --formula b" "burning-ship"
expect "mandel render -p vi" "viridis"
expect "mandel render -p no" "notes.txt"
expect "mandel render --palette = ma" "magma"
expect "mandel render -s " ""
expect "mandel render -o " "- data.npy pic.JPG pic.png sub"
expect "mandel render -o pic" "pic.JPG pic.png"
expect "mandel render --location " "loc.kfr sub"
expect "mandel render --from p" "pic.JPG pic.png"
expect "mandel colour " "data.npy sub"
expect "mandel colour data.npy -p gr" "grey"
expect "mandel info " "data.npy pic.JPG pic.png sub"
expect "mandel bench --scene s" "seahorse"
expect "mandel bench --r" "--repeat"
expect "mandel palettes --h" "--help"
# Every palette the program has, and every option its --help lists.
got=$(comp mandel render -p "")
if [ "$got" = "$(cat ../palettes.txt)" ]; then passed=$((passed + 1))
else failed=$((failed + 1)); echo "FAIL: -p offers [$got], mandel palettes has [$(cat ../palettes.txt)]"; fi
if [ "$(comp mandel render --)" = "$(cat ../render-opts.txt)" ]; then passed=$((passed + 1))
else failed=$((failed + 1)); echo "FAIL: render -- does not offer every option of --help"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
' completion "$SOURCE/completions/mandel.bash"

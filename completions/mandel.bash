# completions/mandel.bash - bash completion for mandel: commands, options, palette names,
# formats and the other named values, and file names where a file goes.
#
# Installed as share/bash-completion/completions/mandel (bash-completion loads it on the
# first 'mandel <TAB>'); or source it from ~/.bashrc. Options and palettes come from the
# program itself ('mandel CMD --help', 'mandel palettes') at completion time, so they never
# fall out of step with it. tests/cli/completion.sh checks it.

# _mandel_run ARGS...: the mandel being completed (as typed: a path or a name on PATH).
_mandel_run()
{
    local prog=${COMP_WORDS[0]}
    prog=${prog/#\~/$HOME}
    command "$prog" "$@" 2>/dev/null
}

# _mandel_files EXT...: file names with these extensions, and directories to descend.
_mandel_files()
{
    local IFS=$'\n' ext f
    local -a found
    found=($(compgen -d -- "$cur"))
    for ext in "$@"; do
        found+=($(compgen -f -X "!*.$ext" -- "$cur"))
        found+=($(compgen -f -X "!*.${ext^^}" -- "$cur"))
    done
    COMPREPLY+=("${found[@]}")
    compopt -o filenames 2>/dev/null
}

_mandel()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=""
    ((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
    COMPREPLY=()
    # --opt=value: bash splits it at '=' (COMP_WORDBREAKS), giving "--opt" "=" "value".
    if [[ $cur == "=" ]]; then
        prev=${COMP_WORDS[COMP_CWORD - 1]}
        cur=""
    elif [[ $prev == "=" ]] && ((COMP_CWORD > 1)); then
        prev=${COMP_WORDS[COMP_CWORD - 2]}
    fi

    if ((COMP_CWORD == 1)); then
        COMPREPLY=($(compgen -W "render colour info palettes bench zoom serve --help --version" -- "$cur"))
        return
    fi
    local cmd=${COMP_WORDS[1]}

    case $cmd in
    render | colour | color)
        case $prev in
        -p | --palette)
            COMPREPLY=($(compgen -W "$(_mandel_run palettes | cut -d' ' -f1)" -- "$cur"))
            if ((${#COMPREPLY[@]} == 0)); then # no such palette: a gradient file, then
                local IFS=$'\n'
                COMPREPLY=($(compgen -f -- "$cur"))
                compopt -o filenames 2>/dev/null
            fi
            return ;;
        --format)
            COMPREPLY=($(compgen -W "png jpg jpeg ppm pgm pbm npy" -- "$cur")); return ;;
        --color | --colour)
            COMPREPLY=($(compgen -W "smooth count histogram log distance" -- "$cur")); return ;;
        --formula)
            COMPREPLY=($(compgen -W "mandelbrot burning-ship tricorn" -- "$cur")); return ;;
        --engine)
            COMPREPLY=($(compgen -W "auto double perturb mpfr" -- "$cur")); return ;;
        --isa)
            COMPREPLY=($(compgen -W "auto scalar generic sse2 avx2 avx512" -- "$cur")); return ;;
        --npy)
            COMPREPLY=($(compgen -W "counts smooth distance" -- "$cur")); return ;;
        -o | --output)
            [[ -z $cur || $cur == - ]] && COMPREPLY=(-)
            _mandel_files png jpg jpeg ppm pgm pbm npy
            return ;;
        --location | --save-location)
            _mandel_files kfr; return ;;
        --from)
            _mandel_files png jpg jpeg npy; return ;;
        -s | --size | -i | --iterations | -c | --center | --centre | -r | --radius | -z | \
            --zoom | --bounds | -t | --threads | --quality | --aa | --power | --julia | \
            --interior | --palette-period | --palette-offset)
            return ;; # a number or a pair: nothing to offer
        esac
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$(_mandel_run render --help |
                grep -o -e '--[a-z][a-z0-9-]*[a-z0-9]' | sort -u)" -- "$cur"))
        elif [[ $cmd != render ]] && ((COMP_CWORD == 2)); then
            _mandel_files npy # the data to colour comes first
        fi
        ;;
    info)
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "--help" -- "$cur"))
        else
            _mandel_files png jpg jpeg npy
        fi
        ;;
    bench)
        case $prev in
        --scene)
            COMPREPLY=($(compgen -W "tutorial wholeset seahorse whole10k" -- "$cur")); return ;;
        --isa)
            COMPREPLY=($(compgen -W "auto scalar generic sse2 avx2 avx512" -- "$cur")); return ;;
        --repeat | -t | --threads) return ;;
        esac
        [[ $cur == -* ]] && COMPREPLY=($(compgen -W "$(_mandel_run bench --help |
            grep -o -e '--[a-z][a-z0-9-]*[a-z0-9]' | sort -u)" -- "$cur"))
        ;;
    palettes)
        [[ $cur == -* ]] && COMPREPLY=($(compgen -W "--help" -- "$cur"))
        ;;
    zoom)
        case $prev in
        -p | --palette)
            COMPREPLY=($(compgen -W "$(_mandel_run palettes | cut -d' ' -f1)" -- "$cur"))
            return ;;
        --color | --colour)
            COMPREPLY=($(compgen -W "smooth" -- "$cur")); return ;;
        --engine)
            COMPREPLY=($(compgen -W "auto double perturb mpfr" -- "$cur")); return ;;
        --isa)
            COMPREPLY=($(compgen -W "auto scalar generic sse2 avx2 avx512" -- "$cur")); return ;;
        -o | --output)
            _mandel_files mp4 webm mkv y4m; return ;;
        --location)
            _mandel_files kfr; return ;;
        --cache)
            COMPREPLY=($(compgen -d -- "$cur")); compopt -o filenames 2>/dev/null; return ;;
        -s | --size | -i | --iterations | -c | --center | --centre | -r | --radius | -z | \
            --zoom | -t | --threads | --quality | --aa | --interior | --palette-period | \
            --palette-offset | --fps | --duration | --seconds-per-doubling | --from-zoom)
            return ;;
        esac
        [[ $cur == -* ]] && COMPREPLY=($(compgen -W "$(_mandel_run zoom --help |
            grep -o -e '--[a-z][a-z0-9-]*[a-z0-9]' | sort -u)" -- "$cur"))
        ;;
    serve)
        case $prev in
        -b | --bind)
            COMPREPLY=($(compgen -W "127.0.0.1 ::1 0.0.0.0 ::" -- "$cur")); return ;;
        -p | --port | -t | --threads | --renders | --queue | --cache-mb | --max-*) return ;;
        --per-ip | --timeout) return ;;
        esac
        [[ $cur == -* ]] && COMPREPLY=($(compgen -W "$(_mandel_run serve --help |
            grep -o -e '--[a-z][a-z0-9-]*[a-z0-9]' | sort -u)" -- "$cur"))
        ;;
    esac
}
complete -F _mandel mandel

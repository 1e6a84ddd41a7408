# bash completion for gleaner(1)                           -*- shell-script -*-
#
# Installed as share/bash-completion/completions/gleaner, where bash-completion
# loads it the first time gleaner is completed; or source it from ~/.bashrc.
# It uses bash-completion's helpers when they are loaded and plain compgen
# otherwise.
#
# The command and option lists mirror the table in agent/cli.c;
# tests/lint/check_completions.py fails when they drift apart.  Harvest tool
# names come from `gleaner harvest --list` at run time, configured sources and
# keys from `gleaner config`.
#
# shellcheck disable=SC2207 # COMPREPLY=($(compgen ...)) with IFS set is the idiom

# Every command, as `gleaner --help` lists them, and `help`.
_gleaner_commands='init doctor config demo collect activities day propose review accept
reject edit push gaps auth sync harvest mcp nudge budget invoice report daemon help'

# Global options: accepted before the command and anywhere after it.
# A trailing '=' marks an option that takes a value.
_gleaner_global_options='--config= --db= --json --verbose -v --help -h --version'

# The options of one command; a trailing '=' marks an option that takes a value.
_gleaner_options()
{
    local opts=''
    case $1 in
        init) opts='--email= --timezone=' ;;
        doctor) opts='' ;;
        config) opts='--defaults' ;;
        demo) opts='--keep=' ;;
        collect) opts='--from= --to= --source=' ;;
        activities) opts='--from= --to= --source=' ;;
        day) opts='' ;;
        propose) opts='--from= --to= --offline --dry-run --list' ;;
        review) opts='--from= --to=' ;;
        accept) opts='--all --min-confidence= --from= --to=' ;;
        reject) opts='' ;;
        edit) opts='--hours= --project= --task= --notes=' ;;
        push) opts='--dry-run' ;;
        gaps) opts='--from= --to=' ;;
        auth) opts='--token-file= --oauth --account= --timeout=' ;;
        sync) opts='--from= --to= --dry-run' ;;
        harvest) opts='--list --schema= --read-only' ;;
        mcp) opts='--read-only' ;;
        nudge) opts='--dry-run' ;;
        budget) opts='--check --dry-run' ;;
        invoice) opts='--check --dry-run' ;;
        report) opts='--week= --format= --send' ;;
        daemon) opts='--once --until=' ;;
        help) opts='' ;;
    esac
    printf '%s\n' "$opts"
}

# Whether option $2 of command $1 (empty: before the command) takes a value.
_gleaner_takes_value()
{
    local o
    for o in $_gleaner_global_options ${1:+$(_gleaner_options "$1")}; do
        [[ $o == "$2=" ]] && return 0
    done
    return 1
}

# COMPREPLY from a list of words (the '=' markers removed).
_gleaner_reply()
{
    local list=${1//=/}
    local IFS=$' \t\n'
    COMPREPLY=($(compgen -W "$list" -- "$cur"))
}

_gleaner_files()
{
    if declare -F _filedir >/dev/null 2>&1; then
        _filedir "$@"
    else
        compopt -o filenames 2>/dev/null
        local IFS=$'\n'
        if [[ $1 == -d ]]; then
            COMPREPLY=($(compgen -d -- "$cur"))
        else
            COMPREPLY=($(compgen -f -- "$cur"))
        fi
    fi
}

# The Harvest tools: the first column of `gleaner harvest --list`.
_gleaner_tools()
{
    local IFS=$'\n'
    COMPREPLY=($(compgen -W "$("$_gleaner_bin" harvest --list 2>/dev/null |
        awk '/^[a-z][a-z0-9_]*[ \t]/ { print $1 }')" -- "$cur"))
}

# calendar:NAME and git:NAME for each [calendar "NAME"] and [repo "NAME"].
_gleaner_sources()
{
    local IFS=$'\n' names
    names=$("$_gleaner_bin" "${_gleaner_global[@]}" config 2>/dev/null |
        sed -n -e 's/^calendar\.\(.*\)\.[a-z-]* = .*/calendar:\1/p' \
            -e 's/^repo\.\(.*\)\.[a-z-]* = .*/git:\1/p' | sort -u)
    # Without a readable config: the two prefixes.
    COMPREPLY=($(compgen -W "${names:-calendar:${IFS}git:}" -- "$cur"))
    compopt -o nospace 2>/dev/null
    [[ ${#COMPREPLY[@]} -eq 1 && ${COMPREPLY[0]} != *: ]] && compopt +o nospace 2>/dev/null
}

# Config keys: those set and those with defaults (`gleaner config --defaults`).
_gleaner_config_keys()
{
    local IFS=$'\n'
    COMPREPLY=($(compgen -W "$("$_gleaner_bin" "${_gleaner_global[@]}" config --defaults \
        2>/dev/null | sed -n 's/^\([a-z][^ =]*\) = .*/\1/p' | sort -u)" -- "$cur"))
}

_gleaner_zones()
{
    local tab=/usr/share/zoneinfo/zone1970.tab
    [[ -r $tab ]] || tab=/usr/share/zoneinfo/zone.tab
    [[ -r $tab ]] || return 0
    local IFS=$'\n'
    COMPREPLY=($(compgen -W "$(awk '!/^#/ { print $3 }' "$tab") UTC" -- "$cur"))
}

_gleaner()
{
    local cur prev words cword split=false
    if declare -F _init_completion >/dev/null 2>&1; then
        _init_completion -s || return
    else
        words=("${COMP_WORDS[@]}")
        cword=$COMP_CWORD
        cur=${COMP_WORDS[COMP_CWORD]}
        prev=
        ((cword > 0)) && prev=${COMP_WORDS[COMP_CWORD - 1]}
        # Without bash-completion, --opt=value arrives as '--opt' '=' 'value'.
        if [[ $cur == = ]]; then
            cur='' split=true
        elif [[ $prev == = ]] && ((cword > 1)); then
            prev=${COMP_WORDS[COMP_CWORD - 2]} split=true
        elif [[ $cur == --*=* ]]; then
            prev=${cur%%=*} cur=${cur#*=} split=true
        fi
    fi

    local _gleaner_bin=${words[0]:-gleaner}
    [[ $_gleaner_bin == \~/* ]] && _gleaner_bin=$HOME/${_gleaner_bin#\~/}
    local -a _gleaner_global=() positional=()
    local i w cmd='' list=false schema=false dashdash=false

    # Walk the words before the cursor: global options, the command, its
    # options (skipping their values) and its positional arguments.
    for ((i = 1; i < cword; i++)); do
        w=${words[i]}
        if [[ $w == = ]]; then
            ((i++)) # a value split off at '=' (plain bash)
            continue
        fi
        if $dashdash || [[ $w != -?* ]]; then
            if [[ -z $cmd ]]; then
                cmd=$w
            else
                positional+=("$w")
            fi
            continue
        fi
        case $w in
            --) [[ -n $cmd ]] && dashdash=true ;;
            --config=* | --db=*) _gleaner_global+=("$w") ;;
            --list) list=true ;;
            --schema | --schema=*) schema=true ;;
        esac
        if [[ $w == --* && $w != *=* ]] && _gleaner_takes_value "$cmd" "$w"; then
            ((i++))
            [[ ${words[i]} == = ]] && ((i++))
            [[ $w == --config || $w == --db ]] && _gleaner_global+=("$w" "${words[i]}")
        fi
    done

    # The value of an option.
    if $split || [[ $prev == -* ]]; then
        case $prev in
            --config | --db | --token-file)
                _gleaner_files
                return
                ;;
            --keep)
                _gleaner_files -d
                return
                ;;
            --format)
                _gleaner_reply 'text html csv json'
                return
                ;;
            --schema)
                _gleaner_tools
                return
                ;;
            --from | --to)
                _gleaner_reply 'today yesterday'
                return
                ;;
            --source)
                _gleaner_sources
                return
                ;;
            --timezone)
                _gleaner_zones
                return
                ;;
            --email | --account | --timeout | --min-confidence | --hours | --project | \
                --task | --notes | --week | --until)
                COMPREPLY=()
                return
                ;;
        esac
        $split && return
    fi

    # Options.
    if [[ $cur == -* ]] && ! $dashdash; then
        if [[ -z $cmd ]]; then
            _gleaner_reply "$_gleaner_global_options"
        else
            _gleaner_reply "$(_gleaner_options "$cmd") $_gleaner_global_options"
        fi
        return
    fi

    # The command, then each command's positional arguments.
    local n=${#positional[@]}
    case $cmd in
        '')
            _gleaner_reply "$_gleaner_commands"
            return
            ;;
        help)
            ((n == 0)) && _gleaner_reply "${_gleaner_commands/help/}"
            return
            ;;
        auth) ((n == 0)) && _gleaner_reply 'harvest google' ;;
        sync) ((n == 0)) && _gleaner_reply 'harvest jira xero quickbooks' ;;
        report) ((n == 0)) && _gleaner_reply 'weekly' ;;
        harvest)
            if ! $list && ! $schema; then
                if ((n == 0)); then
                    _gleaner_tools
                    return
                elif ((n == 1)); then
                    _gleaner_reply '-'
                    return
                fi
            fi
            ;;
        config)
            if ((n == 0)); then
                _gleaner_config_keys
                return
            fi
            ;;
        day)
            if ((n == 0)); then
                _gleaner_reply 'today yesterday'
                return
            fi
            ;;
    esac
    # Nothing positional to offer: the command's options.
    if [[ ${#COMPREPLY[@]} -eq 0 ]]; then
        _gleaner_reply "$(_gleaner_options "$cmd")"
    fi
} &&
    complete -F _gleaner gleaner

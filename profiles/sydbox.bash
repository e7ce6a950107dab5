#!/usr/bin/env bash
# sydbox.bash: the exheres side of sydbox (magic API 2).
#
# A drop-in for the sydbox.bash that Paludis's ebuild environment sources: it
# defines `esandbox` and the legacy helpers (sydboxcheck, sydboxcmd, addread,
# addwrite, adddeny, addpredict, rmwrite, rmpredict, addfilter, rmfilter).
# Every subcommand is one or more stat calls on /dev/sydbox/...; sydbox
# answers them for the calling process (and the children it forks afterwards)
# only.
#
# It accepts every subcommand of the API-1 branch of Paludis's own
# sydbox.bash, with the same effect and status: the *_path aliases, wait_all
# and wait_eldest, hack_toolong/nohack_toolong (a notice, false), the syd-3
# write-like categories (allow_mkdir... act on write, as Paludis's API-1 branch
# maps them), the syd-3-only read and stat forms (no-ops; enabled_read and
# enabled_stat are false), allow_net --sendfd, and the legacy helpers. One
# difference, on purpose: with several arguments, any failed one makes the
# status 1 (Paludis's returns the last argument's status only).
#
# Installing it where Paludis looks first, without touching Paludis's files:
# put it in a directory of its own and name that directory in
# PALUDIS_EXTRA_EBUILD_MODULES_DIRS (see docs/paludis.md). sydbox itself needs
# none of this: it answers Paludis's own sydbox.bash (API 1) as well.
#
# Every function returns 0 on success and nonzero on failure. A relative path
# is a mistake in the exheres: it calls `die` (Paludis's) naming the
# subcommand, or, where no `die` is defined, prints the message to stderr and
# returns 2.
#
# `esandbox check` is `[[ -e /dev/sydbox ]]`, as in SydBox: it is true when a
# sydbox is listening AND this process may still talk to it. Once the magic
# lock is on, the stat goes to the kernel and check is false, exactly as if no
# sydbox were running: nothing can be changed any more, so callers that guard
# their esandbox calls with check skip them. To tell "locked" from "not under
# sydbox", look at $SYDBOX_ACTIVE, which sydbox puts in the environment.
#
# SPDX-License-Identifier: GPL-3.0-or-later

# _esandbox_notice MESSAGE: Paludis's ebuild_notice warning, or stderr without Paludis.
_esandbox_notice() {
    if [[ -n $(declare -F ebuild_notice) ]]; then
        ebuild_notice warning "$*"
    else
        echo "$*" >&2
    fi
}

_esandbox_die() {
    # No redirection here: /dev/null may not be writable in the sandbox.
    if [[ -n $(declare -F die) ]]; then
        die "$@"
    else
        echo "$*" >&2
    fi
    return 2
}

# _esandbox_magic COMMAND: one magic stat; its status is the answer.
_esandbox_magic() {
    [[ -e /dev/sydbox/${1} ]]
}

# _esandbox_list SUBCOMMAND KEY OP KIND ARG...: KEY OP ARG for every ARG.
# KIND path: every ARG must be absolute (patterns too); KIND address: taken as is.
_esandbox_list() {
    local sub=${1} key=${2} op=${3} kind=${4} arg rc=0
    shift 4
    [[ ${#} -gt 0 ]] || { _esandbox_die "esandbox ${sub}: no argument given"; return 2; }
    for arg in "${@}"; do
        if [[ ${kind} == path && ${arg} != /* ]]; then
            _esandbox_die "esandbox ${sub}: \`${arg}' is not an absolute path"
            return 2
        fi
        _esandbox_magic "${key}${op}${arg}" || rc=1
    done
    return ${rc}
}

# syd-3's write-like categories: Paludis's API-1 branch maps each to write
# (chattr for enabled/enable/disable only, as there).
_ESANDBOX_WRITE_LIKE=" ioctl create delete rename symlink truncate chdir readdir mkdir rmdir chown chgrp chmod chroot utime mkdev mkfifo mktemp "

# _esandbox_noop SUBCOMMAND ARG...: a syd-3-only subcommand, a no-op here; it still needs an argument.
_esandbox_noop() {
    [[ ${#} -gt 1 ]] || { _esandbox_die "esandbox ${1}: no argument given"; return 2; }
    :
}

esandbox() {
    [[ ${#} -gt 0 ]] || { _esandbox_die "esandbox: no subcommand given"; return 2; }
    local sub=${1} net_key=bind
    shift
    # allow_mkdir is allow_write, enable_chattr is enable_write, ...
    local verb=${sub%_*} category=${sub##*_}
    if [[ ${sub} == *_* && ( ${_ESANDBOX_WRITE_LIKE} == *" ${category} "* || ( ${category} == chattr && " enabled enable disable " == *" ${verb} "* ) ) ]]; then
        sub=${verb}_write
    fi
    case "${sub}" in
        check)
            [[ -e /dev/sydbox ]] ;;
        api)
            # API 2 answers /dev/sydbox/2 (and /dev/sydbox/1, for Paludis's own wrapper).
            echo 2 ;;
        allow|allow_path|allow_write)
                         _esandbox_list "${sub}" allowlist/write + path "${@}" ;;
        disallow|disallow_path|disallow_write)
                         _esandbox_list "${sub}" allowlist/write - path "${@}" ;;
        allow_exec)      _esandbox_list "${sub}" allowlist/exec + path "${@}" ;;
        disallow_exec)   _esandbox_list "${sub}" allowlist/exec - path "${@}" ;;
        addfilter|addfilter_path|addfilter_write)
                         _esandbox_list "${sub}" filter/write + path "${@}" ;;
        rmfilter|rmfilter_path|rmfilter_write)
                         _esandbox_list "${sub}" filter/write - path "${@}" ;;
        addfilter_exec)  _esandbox_list "${sub}" filter/exec + path "${@}" ;;
        rmfilter_exec)   _esandbox_list "${sub}" filter/exec - path "${@}" ;;
        addfilter_net)   _esandbox_list "${sub}" filter/network + address "${@}" ;;
        rmfilter_net)    _esandbox_list "${sub}" filter/network - address "${@}" ;;
        allow_net|disallow_net)
            # --sendfd (syd-3's fd passing) is a connect under SydBox 2, as in Paludis's API-1 branch.
            if [[ ${1} == --connect || ${1} == --sendfd ]]; then
                net_key=connect
                shift
            fi
            _esandbox_list "${sub}" "allowlist/network/${net_key}" "$([[ ${sub} == allow_net ]] && echo + || echo -)" address "${@}" ;;
        enable|enable_path|enable_write)
                         _esandbox_magic core/sandbox/write:deny ;;
        disable|disable_path|disable_write)
                         _esandbox_magic core/sandbox/write:off ;;
        enabled|enabled_path|enabled_write)
                         _esandbox_magic core/sandbox/write? ;;
        enable_exec)     _esandbox_magic core/sandbox/exec:deny ;;
        disable_exec)    _esandbox_magic core/sandbox/exec:off ;;
        enabled_exec)    _esandbox_magic core/sandbox/exec? ;;
        enable_net)      _esandbox_magic core/sandbox/network:deny ;;
        disable_net)     _esandbox_magic core/sandbox/network:off ;;
        enabled_net)     _esandbox_magic core/sandbox/network? ;;
        # syd-3-only read and stat sandboxing: not here, as in Paludis's API-1 branch.
        enabled_read|enabled_stat)
                         false ;;
        enable_read|disable_read|enable_stat|disable_stat)
                         : ;;
        allow_read|disallow_read|deny_read|nodeny_read|allow_stat|disallow_stat|deny_stat|nodeny_stat|\
        addfilter_read|rmfilter_read|addfilter_stat|rmfilter_stat|deny_write|nodeny_write|deny_net|nodeny_net)
                         _esandbox_noop "${sub}" "${@}" ;;
        lock)            _esandbox_magic core/trace/magic_lock:on ;;
        exec_lock)       _esandbox_magic core/trace/magic_lock:exec ;;
        wait_all)        _esandbox_magic core/trace/exit_wait_all:true ;;
        wait_eldest)     _esandbox_magic core/trace/exit_wait_all:false ;;
        exec)
            # Runs the command outside the sandbox; its exit status decides.
            [[ ${#} -gt 0 ]] || { _esandbox_die "esandbox exec: no command given"; return 2; }
            local IFS=$'\037'
            _esandbox_magic "cmd/exec!${*}" ;;
        kill)            _esandbox_list "${sub}" exec/kill_if_match + path "${@}" ;;
        resume)          _esandbox_list "${sub}" exec/resume_if_match + path "${@}" ;;
        hack_toolong|nohack_toolong)
            _esandbox_notice "esandbox ${sub} is not implemented for sydbox"
            false ;;
        *)
            _esandbox_die "esandbox: unknown subcommand \`${sub}'"
            return 2 ;;
    esac
}

# The helpers of the older exheres and ebuild interface, as Paludis defines them:
# the deprecated ones warn and act on their first argument, the dead ones die.
sydboxcheck() { _esandbox_notice "sydboxcheck is deprecated, use \"esandbox check\" instead"; esandbox check; }
sydboxcmd() { _esandbox_die "sydboxcmd is dead, use \"esandbox <command>\" instead"; }
addread() { _esandbox_die "addread not implemented for sydbox yet"; }
addwrite() { _esandbox_notice "addwrite is deprecated, use \"esandbox allow\" instead"; esandbox allow "${1}"; }
adddeny() { _esandbox_die "adddeny not implemented for sydbox yet"; }
addpredict() { _esandbox_die "addpredict is dead, use \"esandbox addfilter\" instead"; }
rmwrite() { _esandbox_notice "rmwrite is deprecated, use \"esandbox disallow\" instead"; esandbox disallow "${1}"; }
rmpredict() { _esandbox_die "rmpredict is dead, use \"esandbox rmfilter\" instead"; }
addfilter() { _esandbox_notice "addfilter is deprecated, use \"esandbox addfilter\" instead"; esandbox addfilter "${1}"; }
rmfilter() { _esandbox_notice "rmfilter is deprecated, use \"esandbox rmfilter\" instead"; esandbox rmfilter "${1}"; }

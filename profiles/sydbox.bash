#!/usr/bin/env bash
# sydbox.bash: the exheres side of sydbox (magic API 2).
#
# A drop-in for the sydbox.bash that Paludis's ebuild environment sources: it
# defines `esandbox` and the legacy helpers (sydboxcheck, addwrite, rmwrite,
# addfilter, rmfilter). Every subcommand is one or more stat calls on
# /dev/sydbox/...; sydbox answers them for the calling process (and the
# children it forks afterwards) only.
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

esandbox() {
    [[ ${#} -gt 0 ]] || { _esandbox_die "esandbox: no subcommand given"; return 2; }
    local sub=${1} net_key=bind
    shift
    case "${sub}" in
        check)
            [[ -e /dev/sydbox ]] ;;
        api)
            # API 2 answers /dev/sydbox/2; an older sydbox answered /dev/sydbox/1.
            echo 2 ;;
        allow)           _esandbox_list "${sub}" allowlist/write + path "${@}" ;;
        disallow)        _esandbox_list "${sub}" allowlist/write - path "${@}" ;;
        allow_exec)      _esandbox_list "${sub}" allowlist/exec + path "${@}" ;;
        disallow_exec)   _esandbox_list "${sub}" allowlist/exec - path "${@}" ;;
        addfilter)       _esandbox_list "${sub}" filter/write + path "${@}" ;;
        rmfilter)        _esandbox_list "${sub}" filter/write - path "${@}" ;;
        addfilter_exec)  _esandbox_list "${sub}" filter/exec + path "${@}" ;;
        rmfilter_exec)   _esandbox_list "${sub}" filter/exec - path "${@}" ;;
        addfilter_net)   _esandbox_list "${sub}" filter/network + address "${@}" ;;
        rmfilter_net)    _esandbox_list "${sub}" filter/network - address "${@}" ;;
        allow_net|disallow_net)
            if [[ ${1} == --connect ]]; then
                net_key=connect
                shift
            fi
            _esandbox_list "${sub}" "allowlist/network/${net_key}" "$([[ ${sub} == allow_net ]] && echo + || echo -)" address "${@}" ;;
        enable)          _esandbox_magic core/sandbox/write:deny ;;
        disable)         _esandbox_magic core/sandbox/write:off ;;
        enabled)         _esandbox_magic core/sandbox/write? ;;
        enable_exec)     _esandbox_magic core/sandbox/exec:deny ;;
        disable_exec)    _esandbox_magic core/sandbox/exec:off ;;
        enabled_exec)    _esandbox_magic core/sandbox/exec? ;;
        enable_net)      _esandbox_magic core/sandbox/network:deny ;;
        disable_net)     _esandbox_magic core/sandbox/network:off ;;
        enabled_net)     _esandbox_magic core/sandbox/network? ;;
        lock)            _esandbox_magic core/trace/magic_lock:on ;;
        exec_lock)       _esandbox_magic core/trace/magic_lock:exec ;;
        exec)
            # Runs the command outside the sandbox; its exit status decides.
            [[ ${#} -gt 0 ]] || { _esandbox_die "esandbox exec: no command given"; return 2; }
            local IFS=$'\037'
            _esandbox_magic "cmd/exec!${*}" ;;
        kill)            _esandbox_list "${sub}" exec/kill_if_match + path "${@}" ;;
        resume)          _esandbox_list "${sub}" exec/resume_if_match + path "${@}" ;;
        *)
            _esandbox_die "esandbox: unknown subcommand \`${sub}'"
            return 2 ;;
    esac
}

# The helpers of the older exheres and ebuild interface.
sydboxcheck() { esandbox check; }
addwrite() { esandbox allow "${@}"; }
rmwrite() { esandbox disallow "${@}"; }
addfilter() { esandbox addfilter "${@}"; }
rmfilter() { esandbox rmfilter "${@}"; }

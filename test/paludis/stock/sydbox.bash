# A stand-in for Paludis's own sydbox.bash, written for these tests from the
# protocol listed in ../shared/reference/PALUDIS.md (the facts; not Paludis's
# code): the API is chosen with [[ -e /dev/sydbox/1 ]] (true: API 1, false:
# syd-3's /dev/syd), and each subcommand stats /dev/sydbox/ with SydBox 1's key
# names. Only the API-1 branch is spelled out; the syd-3 branch stats /dev/syd,
# which sydbox never answers, so every call there fails, as Paludis's would.

_p1() { [[ -e /dev/sydbox/${1} ]]; }

# _p1_paths KEY OP ARG...: absolute paths only (else die), one stat each; the last decides.
_p1_paths() {
    local key=${1} op=${2} a
    shift 2
    for a in "${@}"; do
        [[ ${a:0:1} == / ]] || die "esandbox expects absolute path, got: ${a}"
        _p1 "${key}${op}${a}"
    done
}

_p1_addrs() {
    local key=${1} op=${2} a
    shift 2
    for a in "${@}"; do _p1 "${key}${op}${a}"; done
}

_p1_net() {
    local op=${1} c=whitelist/network/bind
    shift
    [[ ${1} == --connect ]] && c=whitelist/network/connect && shift
    [[ ${1} == --sendfd ]] && c=whitelist/network/connect && shift
    [[ ${#} -ge 1 ]] || die "esandbox allow_net takes at least one extra argument"
    _p1_addrs "${c}" "${op}" "${@}"
}

esandbox_1() {
    local cmd=${1}
    shift
    case ${cmd} in
    api) echo -n 1 ;;
    lock) _p1 core/trace/magic_lock:on ;;
    exec_lock) _p1 core/trace/magic_lock:exec ;;
    wait_all) _p1 core/trace/exit_wait_all:true ;;
    wait_eldest) _p1 core/trace/exit_wait_all:false ;;
    enabled|enabled_path|enabled_write|enabled_mkdir) _p1 'core/sandbox/write?' ;;
    enable|enable_path|enable_write|enable_mkdir) _p1 core/sandbox/write:deny ;;
    disable|disable_path|disable_write|disable_mkdir) _p1 core/sandbox/write:off ;;
    enabled_exec) _p1 'core/sandbox/exec?' ;;
    enable_exec) _p1 core/sandbox/exec:deny ;;
    disable_exec) _p1 core/sandbox/exec:off ;;
    enabled_net) _p1 'core/sandbox/network?' ;;
    enable_net) _p1 core/sandbox/network:deny ;;
    disable_net) _p1 core/sandbox/network:off ;;
    enabled_read|enabled_stat) false ;;
    enable_read|disable_read|enable_stat|disable_stat) : ;;
    allow_read|disallow_read|deny_read|nodeny_read|allow_stat|disallow_stat|deny_stat|nodeny_stat|\
    deny_write|nodeny_write|deny_net|nodeny_net|addfilter_read|rmfilter_read|addfilter_stat|rmfilter_stat)
        [[ ${#} -ge 1 ]] || die "esandbox ${cmd} takes at least one extra argument"
        : ;;
    allow|allow_path|allow_write|allow_mkdir) _p1_paths whitelist/write + "${@}" ;;
    disallow|disallow_path|disallow_write|disallow_mkdir) _p1_paths whitelist/write - "${@}" ;;
    allow_exec) _p1_paths whitelist/exec + "${@}" ;;
    disallow_exec) _p1_paths whitelist/exec - "${@}" ;;
    allow_net) _p1_net + "${@}" ;;
    disallow_net) _p1_net - "${@}" ;;
    addfilter|addfilter_path|addfilter_write) _p1_paths filter/write + "${@}" ;;
    rmfilter|rmfilter_path|rmfilter_write) _p1_paths filter/write - "${@}" ;;
    addfilter_exec) _p1_paths filter/exec + "${@}" ;;
    rmfilter_exec) _p1_paths filter/exec - "${@}" ;;
    addfilter_net) _p1_addrs filter/network + "${@}" ;;
    rmfilter_net) _p1_addrs filter/network - "${@}" ;;
    exec) [[ -e "$(sydfmt exec -- "${@}")" ]] ;;
    kill) _p1_paths exec/kill_if_match + "${@}" ;;
    resume) _p1_paths exec/resume_if_match + "${@}" ;;
    hack_toolong|nohack_toolong) ebuild_notice warning "esandbox ${cmd} is not implemented for sydbox-1"; false ;;
    *) die "esandbox subcommand ${cmd} unrecognised" ;;
    esac
}

esandbox() {
    if [[ ${1} == check ]]; then
        test -e /dev/syd || test -e /dev/sydbox
        return
    fi
    if [[ -e /dev/sydbox/1 ]]; then
        esandbox_1 "${@}"
    else
        [[ ${1} == api ]] && { echo -n 3; return; }
        [[ -e /dev/syd/${1} ]] # the syd-3 branch: nothing answers it here
    fi
}

sydboxcheck() { ebuild_notice warning "sydboxcheck is deprecated"; esandbox check; }
sydboxcmd() { die "sydboxcmd is dead"; }
addread() { die "addread not implemented"; }
addwrite() { ebuild_notice warning "addwrite is deprecated"; esandbox allow "${1}"; }
adddeny() { die "adddeny not implemented"; }
addpredict() { die "addpredict is dead"; }
rmwrite() { ebuild_notice warning "rmwrite is deprecated"; esandbox disallow "${1}"; }
rmpredict() { die "rmpredict is dead"; }
addfilter() { ebuild_notice warning "addfilter is deprecated"; esandbox addfilter "${1}"; }
rmfilter() { ebuild_notice warning "rmfilter is deprecated"; esandbox rmfilter "${1}"; }

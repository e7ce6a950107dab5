# The checks of a Paludis phase that calls every esandbox subcommand, sourced by
# ebuild-lite.bash after the sydbox module (Paludis's API-1 stand-in, or
# profiles/sydbox.bash). Each line printed is LABEL=RESULT; the test compares
# them and looks at the file system. Paths come from the environment:
#   F     a directory the user may write but the paludis profile does not allow
#   BIN   prog, killme (copies of true) and free.sh (writes $F/free)
#   SOCK, SOCK2  listening unix sockets outside every allowlist; BD a directory to bind in
#   US    test/c/unixsock (connect|bind PATH)
# sydfmt is on PATH (a link to sydbox). stderr holds the violation reports.

t() { local label=${1}; shift; "${@}"; echo "${label}=${?}"; }
w() { { printf x > "${1}"; } 2>/dev/null; }
md() { mkdir "${1}" 2>/dev/null; }
run() { "${BIN}/${1}" 2>/dev/null; }
net() { echo "${1}=$("${US}" "${2}" "${3}")"; }

echo "detect=$([[ -e /dev/sydbox/1 ]] && echo api1 || echo api3)"
t check esandbox check
echo "api=$(esandbox api)"

# write sandboxing and the allowlist
t enabled esandbox enabled
t enabled_path esandbox enabled_path
t write-denied w "${F}/denied"
t allow esandbox allow "${F}/d1"
t allow-mkdir md "${F}/d1"
t allow-write w "${F}/d1/f"
t disallow esandbox disallow "${F}/d1"
t disallow-write w "${F}/d1/g"
t allow_path esandbox allow_path "${F}/d2"
t allow_path-write w "${F}/d2"
t disallow_path esandbox disallow_path "${F}/d2"
t disallow_path-write w "${F}/d2b"
t allow_mkdir esandbox allow_mkdir "${F}/d3"
t allow_mkdir-write w "${F}/d3"
t disallow_mkdir esandbox disallow_mkdir "${F}/d3"
t disable esandbox disable
t disable-write w "${F}/off1"
t enabled-off esandbox enabled
t enable esandbox enable
t enable-write w "${F}/on1"
t disable_path esandbox disable_path
t disable_path-write w "${F}/off2"
t enable_path esandbox enable_path
t enable_path-write w "${F}/on2"
t disable_write esandbox disable_write
t disable_write-write w "${F}/off3"
t enable_write esandbox enable_write
t enabled_write esandbox enabled_write

# the syd-3-only read and stat forms: no-ops here
t enabled_read esandbox enabled_read
t enabled_stat esandbox enabled_stat
t enable_read esandbox enable_read
t disable_read esandbox disable_read
t enable_stat esandbox enable_stat
t disable_stat esandbox disable_stat
t allow_read esandbox allow_read /etc
t deny_read esandbox deny_read /etc
t allow_stat esandbox allow_stat /etc
t deny_write esandbox deny_write "${F}/d1"
t deny_net esandbox deny_net LOOPBACK@80

# filters: denied, not reported (the test counts the reports)
t addfilter esandbox addfilter "${F}/q1"
t addfilter-write w "${F}/q1"
t rmfilter esandbox rmfilter "${F}/q1"
t rmfilter-write w "${F}/q1"
t addfilter_path esandbox addfilter_path "${F}/q2"
t addfilter_path-write w "${F}/q2"
t rmfilter_path esandbox rmfilter_path "${F}/q2"
t rmfilter_path-write w "${F}/q2"

# exec sandboxing
t enabled_exec-off esandbox enabled_exec
t enable_exec esandbox enable_exec
t enabled_exec esandbox enabled_exec
t exec-denied run prog
t allow_exec esandbox allow_exec "${BIN}/prog"
t allow_exec-run run prog
t disallow_exec esandbox disallow_exec "${BIN}/prog"
t disallow_exec-run run prog
t addfilter_exec esandbox addfilter_exec "${BIN}/killme"
t addfilter_exec-run run killme
t rmfilter_exec esandbox rmfilter_exec "${BIN}/killme"
t rmfilter_exec-run run killme
t disable_exec esandbox disable_exec
t disable_exec-run run prog

# network sandboxing (unix sockets; the listener is outside the sandbox)
t enabled_net esandbox enabled_net
net connect-denied connect "${SOCK}"
t allow_net-connect esandbox allow_net --connect "unix:${SOCK}"
net allow_net-connect-run connect "${SOCK}"
t disallow_net-connect esandbox disallow_net --connect "unix:${SOCK}"
net disallow_net-connect-run connect "${SOCK}"
t allow_net-sendfd esandbox allow_net --sendfd "unix:${SOCK}"
net allow_net-sendfd-run connect "${SOCK}"
t disallow_net-sendfd esandbox disallow_net --sendfd "unix:${SOCK}"
net disallow_net-sendfd-run connect "${SOCK}"
# A unix bind creates its socket file: a write too, allowed here so that the network rule decides.
esandbox allow "${BD}"
t allow_net-bind esandbox allow_net "unix:${BD}/*"
net allow_net-bind-run bind "${BD}/s1"
t disallow_net-bind esandbox disallow_net "unix:${BD}/*"
net disallow_net-bind-run bind "${BD}/s2"
t addfilter_net esandbox addfilter_net "unix:${SOCK2}"
net addfilter_net-run connect "${SOCK2}"
t rmfilter_net esandbox rmfilter_net "unix:${SOCK2}"
net rmfilter_net-run connect "${SOCK2}"
t disable_net esandbox disable_net
net disable_net-run connect "${SOCK}"
t enabled_net-off esandbox enabled_net
t enable_net esandbox enable_net
net enable_net-run connect "${SOCK}"

# exec (outside the sandbox, through sydfmt), kill and resume
t exec esandbox exec touch "${F}/outside"
t exec-false esandbox exec false
t kill esandbox kill "${BIN}/killme"
t kill-run run killme
t resume esandbox resume "${BIN}/free.sh"
t resume-run run free.sh
t resumed-not-here w "${F}/not-free"

# hack_toolong: a notice and false
t hack_toolong esandbox hack_toolong
t nohack_toolong esandbox nohack_toolong

# legacy helpers
t sydboxcheck sydboxcheck
t addwrite addwrite "${F}/l1"
t addwrite-write w "${F}/l1"
t rmwrite rmwrite "${F}/l1"
t rmwrite-write w "${F}/l1b"
t legacy-addfilter addfilter "${F}/l2"
t legacy-addfilter-write w "${F}/l2"
t legacy-rmfilter rmfilter "${F}/l2"
for f in sydboxcmd addread adddeny addpredict rmpredict; do t "${f}" eval "( ${f} /x )" 2>/dev/null; done

# wait_all: the daemon outlives the phase and is waited for
t wait_eldest esandbox wait_eldest
t wait_all esandbox wait_all
esandbox allow "${F}/late" && mkdir "${F}/late"
# Its first notified call comes while this shell lives: a process first seen after
# its parent exited gets the profile's state, not its parent's (supervisor/state.ts).
( echo > "${F}/late/ready"; sleep 1; echo late > "${F}/late/daemon" ) &
while [[ ! -e ${F}/late/ready ]]; do sleep 0.1; done

# exec_lock: children that exec are locked out, this shell is not
t exec_lock esandbox exec_lock
t exec_lock-child bash -c '[[ -e /dev/sydbox ]]'
t exec_lock-self esandbox enabled
# lock: nothing more can be changed; check is false (the stat goes to the kernel)
t lock esandbox lock
t locked-check esandbox check
t locked-allow esandbox allow "${F}/d9"
echo phase-done

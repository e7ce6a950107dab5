# ebuild-lite.bash PHASE_FILE: what Paludis's ebuild.bash does before a phase,
# as far as sydbox is concerned: die and ebuild_notice, then the module
# `sydbox` loaded from the first directory that has sydbox.bash, searching
# PALUDIS_EXTRA_EBUILD_MODULES_DIRS before Paludis's own directory
# (EBUILD_MODULES_DIR here), then the phase.
die() { echo "!!! ERROR: $*" >&2; exit 1; }
ebuild_notice() { local level=${1}; shift; echo "${level}: $*" >&2; }

ebuild_load_module() {
    local d
    for d in ${PALUDIS_EXTRA_EBUILD_MODULES_DIRS} ${EBUILD_MODULES_DIR}; do
        if [[ -f ${d}/${1}.bash ]]; then
            source "${d}/${1}.bash" || die "loading ${d}/${1}.bash failed"
            echo "module=${d}/${1}.bash"
            return 0
        fi
    done
    die "no ${1}.bash in ${PALUDIS_EXTRA_EBUILD_MODULES_DIRS} ${EBUILD_MODULES_DIR}"
}

ebuild_load_module sydbox
source "${1}"

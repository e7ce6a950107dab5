/**
 * Issue #4, part 4: a real autotools-style build under `--profile paludis`.
 * A tiny C project with a hand-written POSIX sh `configure` (autoconf is not
 * installed here, and the test does not install it) that probes the compiler,
 * writes config.h and a Makefile; then make compiles and links with cc. The
 * build must succeed with zero violations; `make install` into /usr must be
 * denied, reported, and leave /usr unchanged.
 */
import { afterAll, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { q, runSh, violations } from "./lib";

const T = mkdtempSync(join(tmpdir(), "sydbox-build-"));
afterAll(() => rmSync(T, { recursive: true, force: true }));
const hasAutoconf = Bun.spawnSync(["sh", "-c", "command -v autoconf"]).exitCode === 0;
const hasMake = Bun.spawnSync(["sh", "-c", "command -v make && command -v cc"]).exitCode === 0;

const CONFIGURE = `#!/bin/sh
# A hand-written configure in the autoconf style: probes, config.log, config.h, Makefile.
prefix=/usr/local
for arg; do case $arg in --prefix=*) prefix=\${arg#--prefix=};; esac; done
: "\${CC:=cc}"
exec 5>config.log
echo "checking for a working C compiler... " >&2
cat > conftest.c <<EOF
int main(void) { return 0; }
EOF
if $CC -o conftest conftest.c >&5 2>&1 && ./conftest; then echo "yes" >&2; else echo "no" >&2; exit 1; fi
echo "checking for unistd.h... " >&2
printf '#include <unistd.h>\\nint main(void){return 0;}\\n' > conftest.c
if $CC -c -o conftest.o conftest.c >&5 2>&1; then have_unistd=1; else have_unistd=0; fi
rm -f conftest conftest.c conftest.o
tmp=$(mktemp -d "\${TMPDIR:-/tmp}/conf.XXXXXX")
echo "#define HAVE_UNISTD_H $have_unistd" > "$tmp/config.h"
echo '#define PACKAGE_STRING "hello 1.0"' >> "$tmp/config.h"
mv "$tmp/config.h" config.h && rmdir "$tmp"
sed -e "s|@CC@|$CC|g" -e "s|@prefix@|$prefix|g" Makefile.in > Makefile
echo "config.status: creating Makefile and config.h" >&2
`;

const MAKEFILE_IN = `CC = @CC@
prefix = @prefix@
bindir = $(prefix)/bin
all: hello
hello: main.o greet.o
\t$(CC) -o $@ main.o greet.o
main.o: main.c config.h greet.h
\t$(CC) -c -o $@ main.c
greet.o: greet.c greet.h
\t$(CC) -c -o $@ greet.c
check: hello
\t./hello | grep -q 'hello 1.0'
install: hello
\tmkdir -p $(DESTDIR)$(bindir)
\tcp hello $(DESTDIR)$(bindir)/hello
.PHONY: all check install
`;

test(`a configure && make build under --profile paludis has zero violations; make install into /usr is denied and reported${hasAutoconf ? "" : " (hand-written configure: autoconf is not installed)"}`, async () => {
  if (!hasMake) throw new Error("this test needs make and cc on PATH");
  const src = join(T, "hello-1.0");
  mkdirSync(src);
  writeFileSync(join(src, "configure"), CONFIGURE, { mode: 0o755 });
  writeFileSync(join(src, "Makefile.in"), MAKEFILE_IN);
  writeFileSync(join(src, "greet.h"), "const char *greeting(void);\n");
  writeFileSync(join(src, "greet.c"), '#include "greet.h"\nconst char *greeting(void) { return "hello"; }\n');
  writeFileSync(join(src, "main.c"), '#include <stdio.h>\n#include "config.h"\n#include "greet.h"\nint main(void) { printf("%s from %s\\n", greeting(), PACKAGE_STRING); return !HAVE_UNISTD_H; }\n');
  const usrBefore = readdirSync("/usr").sort();
  const opts = ["--profile", "paludis", "-m", `allowlist/write+${T}/***`];
  const env = `TMPDIR=${q(T)}; export TMPDIR; cd ${q(src)}`;

  const build = await runSh(opts, `${env} && ./configure --prefix=/usr && make && make check && ./hello`);
  expect(build.stderr).not.toContain("Access Violation");
  expect(build.status).toBe(0);
  expect(build.stdout).toContain("hello from hello 1.0");
  expect(existsSync(join(src, "config.h"))).toBe(true);

  // The same build installing into /usr: denied (EPERM) and reported, /usr untouched.
  const dest = "/usr/sydbox-test-should-not-exist";
  const install = await runSh(opts, `${env} && make install DESTDIR=${dest}; echo "install-rc=$?"; touch /usr/sydbox-test-touch; echo "touch-rc=$?"`);
  expect(install.stdout).toMatch(/install-rc=[1-9]/);
  expect(install.stdout).toMatch(/touch-rc=[1-9]/);
  expect(install.stderr).toContain("Operation not permitted");
  const vs = violations(install.stderr);
  expect(vs.some((v) => v.startsWith("mkdir(") && v.includes(dest))).toBe(true);
  expect(vs.some((v) => v.includes("/usr/sydbox-test-touch"))).toBe(true);
  expect(existsSync(dest)).toBe(false);
  expect(existsSync("/usr/sydbox-test-touch")).toBe(false);
  expect(readdirSync("/usr").sort()).toEqual(usrBefore);
}, 30000);

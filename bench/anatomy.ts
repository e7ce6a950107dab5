/**
 * Notification anatomy (`npm run bench:anatomy`): runs a workload under sydbox
 * (or the C yardstick) inside a system-wide `perf record` of scheduler and raw
 * syscall tracepoints, and prints, by notified syscall, how long the tracee was
 * blocked and where that time went (bench/lib/perftrace.ts), plus the CPU use of
 * every thread of the supervising processes. Needs root and perf with tracefs
 * (mounted here when missing).
 *
 * Options: see USAGE.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { checkArgs, flag, option } from "./lib/args";
import { median } from "./lib/measure";
import { anatomy, type Notif, ownEvents, parsePerfScript } from "./lib/perftrace";
import { compileC, ensureSydbox, program, SYDBOX } from "./lib/prepare";
import { runBounded } from "./lib/proc";

const USAGE = `usage: bun run bench/anatomy.ts [options] [-- cmd args...]
  --under WHO    sydbox (default), paludis (sydbox --profile paludis), csup (the C yardstick
                 notifying execve), or floor (csup loading sydbox --profile paludis's own filter)
  --n N          the default workload: spawnloop N /bin/true (default 300)
  --pin CPU      run the whole thing under taskset -c CPU
  --sydbox PATH  another sydbox binary (e.g. a build of the previous commit, for before/after)
  --opts 'ARGS'  more sydbox options, space-separated (e.g. '-m core/trace/emulate:false')
  --keep         keep perf.data and the script text (path printed)
  -- cmd ...     another workload`;

const EVENTS = "raw_syscalls:sys_enter,raw_syscalls:sys_exit,sched:sched_switch,sched:sched_wakeup,sched:sched_migrate_task,sched:sched_process_fork";

function pct(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

function row(name: string, ns: Notif[]): string {
  const f = (k: keyof Notif) => median(ns.map((n) => n[k] as number)).toFixed(1);
  const mig = ns.filter((n) => n.migrated).length, cross = ns.filter((n) => n.crossCpu).length;
  const sum = ns.reduce((a, n) => a + n.blocked, 0);
  return `| ${name} | ${ns.length} | ${f("blocked")} | ${pct(ns.map((n) => n.blocked), 0.9).toFixed(1)} | ${(sum / ns.length).toFixed(1)} | ${(sum / 1000).toFixed(2)} | ${f("wakeDelay")} | ${f("recvTail")} | ${f("work")} | ${f("send")} | ${f("traceeDelay")} | ${median(ns.map((n) => n.supSyscalls))} | ${mig} | ${cross} |`;
}

async function main(): Promise<void> {
  const dash = process.argv.indexOf("--");
  const own = dash >= 0 ? process.argv.slice(2, dash) : process.argv.slice(2);
  checkArgs(USAGE, ["--keep"], ["--under", "--n", "--pin", "--sydbox", "--opts"], own);
  await ensureSydbox(false);
  await compileC();
  const under = option("--under") ?? "sydbox";
  const cmd = dash >= 0 ? process.argv.slice(dash + 1) : [program("spawnloop"), option("--n") ?? "300", "/bin/true"];
  const work = mkdtempSync(join(tmpdir(), "sydbox-anatomy-"));
  let wrap: string[];
  const sydbox = option("--sydbox") ?? SYDBOX;
  const opts = (option("--opts") ?? "").split(" ").filter(Boolean);
  if (under === "sydbox") wrap = [sydbox, ...opts, "--"];
  else if (under === "paludis") wrap = [sydbox, "--profile", "paludis", ...opts, "--"];
  else if (under === "csup") wrap = [program("csup"), "execve", "--"];
  else if (under === "floor") {
    const { floorArgs } = await import("./lib/floor");
    wrap = [program("csup"), ...(await floorArgs(["--profile", "paludis"], work)).args, "--"];
  } else throw new Error(`--under: expected sydbox, paludis, csup or floor, got \`${under}'`);
  if (!existsSync("/sys/kernel/tracing/events")) await runBounded(["mount", "-t", "tracefs", "nodev", "/sys/kernel/tracing"], 10_000);
  const pin = option("--pin");
  const data = join(work, "perf.data");
  const argv = [...(pin ? ["taskset", "-c", pin] : []), ...wrap, ...cmd];
  const rec = await runBounded(["perf", "record", "-q", "-a", "-e", EVENTS, "--exclude-perf", "-o", data, "--", ...argv], 120_000);
  console.log(`${argv.map((a) => a.replace(/^.*\//, "")).join(" ")}: exit ${rec.code}; ${rec.stdout.trim()} ${rec.stderr.split("\n").filter((l) => /spawnloop|stats|sync/.test(l)).join("; ")}`);
  const script = await runBounded(["perf", "script", "-i", data, "-F", "comm,pid,tid,cpu,time,event,trace"], 300_000);
  const { evs, owners } = ownEvents(parsePerfScript(script.stdout), ["sydbox", "csup"]);
  const a = anatomy(evs, owners);
  // An emulated call (answered with ADDFD or a value) never runs in the tracee: its row is
  // then the tracee's next call (close after an emulated open).
  const byNr = new Map<number, Notif[]>();
  for (const n of a.notifs) byNr.set(n.nr, [...(byNr.get(n.nr) ?? []), n]);
  console.log(`\nsupervisor thread(s): ${a.supervisors.join(", ")}; ${a.notifs.length} notifications traced (median µs; blocked p90)\n`);
  console.log("| syscall nr | n | tracee blocked | p90 | mean | sum ms | sup wake delay | RECV tail | sup work | SEND->wake | tracee run delay | sup syscalls | sup migrated | cross-CPU trap |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const [nr, ns] of [...byNr].sort((x, y) => y[1].length - x[1].length)) console.log(row(String(nr), ns));
  if (a.notifs.length) console.log(row("all", a.notifs));
  // A supervisor moved to another CPU finds its caches cold there.
  const moved = a.notifs.filter((n) => n.migrated), stayed = a.notifs.filter((n) => !n.migrated);
  if (moved.length && stayed.length) { console.log(row("sup migrated", moved)); console.log(row("sup stayed", stayed)); }
  // Warm-up: the supervisor's JIT tiers up over the first notifications.
  const q = Math.floor(a.notifs.length / 4);
  if (q >= 10) for (let i = 0; i < 4; i++) console.log(row(`quarter ${i + 1}`, a.notifs.slice(i * q, (i + 1) * q)));
  const keys = ["blocked", "wakeDelay", "recvTail", "work", "send", "traceeDelay"] as const;
  const mean = (k: (typeof keys)[number]) => (a.notifs.reduce((s, n) => s + n[k], 0) / Math.max(1, a.notifs.length)).toFixed(1);
  console.log(`\nmeans (µs): ${keys.map((k) => `${k} ${mean(k)}`).join(", ")}`);
  const worst = a.notifs.map((n, i) => ({ n, i })).sort((x, y) => y.n.blocked - x.n.blocked).slice(0, 5);
  console.log(`slowest: ${worst.map(({ n, i }) => `#${i} nr ${n.nr} blocked ${n.blocked.toFixed(0)} (wake ${n.wakeDelay.toFixed(0)}, work ${n.work.toFixed(0)} with ${n.supSyscalls} syscalls, tracee delay ${n.traceeDelay.toFixed(0)}, before: ${n.before})`).join("; ")}`);
  const slow = a.notifs.filter((n) => n.traceeDelay > 20);
  const who = new Map<string, { n: number; us: number }>();
  for (const n of slow) {
    const k = n.before.replace(/\d+$/, "N");
    const w = who.get(k) ?? { n: 0, us: 0 };
    w.n++; w.us += n.traceeDelay;
    who.set(k, w);
  }
  console.log(`tracee run delay > 20 µs: ${slow.length} times; the CPU was held before by: ${[...who].sort((x, y) => y[1].us - x[1].us).map(([k, w]) => `${k} ${w.n}x/${(w.us / 1000).toFixed(1)} ms`).join(", ")}`);
  console.log("\n| thread (supervising processes) | tid | CPU ms | switch-ins |\n|---|---:|---:|---:|");
  for (const t of a.threads) console.log(`| ${t.comm} | ${t.tid} | ${(t.runUs / 1000).toFixed(2)} | ${t.switchIns} |`);
  if (flag("--keep")) {
    await Bun.write(join(work, "perf.txt"), script.stdout);
    console.log(`\nkept ${work}`);
  } else rmSync(work, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(`anatomy: ${e instanceof Error ? e.stack : e}`);
  process.exit(1);
});

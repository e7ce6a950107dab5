/**
 * Turning a set of accessed paths into a short allowlist (sydbox learn):
 * paths are kept literally until a directory holds `threshold` of them, which
 * are then folded into one `dir/***` pattern (the directory and everything
 * below it). Folded directories count as entries of their parent, so folding
 * climbs as far as the threshold allows, but never to `/`. The result is
 * sorted (byte order), so the same accesses always give the same profile.
 */
import { escapePattern } from "../report/summary";

/** The default folding threshold of `sydbox learn --fold`. */
export const DEFAULT_FOLD = 8;

const parentOf = (p: string) => { const i = p.lastIndexOf("/"); return i <= 0 ? "/" : p.slice(0, i); };
const isUnder = (p: string, dir: string) => p === dir || p.startsWith(dir === "/" ? "/" : dir + "/");

/**
 * The patterns allowing every path of `paths` (absolute byte strings).
 * `threshold` 0 disables folding.
 */
export function foldPaths(paths: Iterable<string>, threshold: number): string[] {
  const literal = new Set(paths);
  const folded = new Set<string>();
  for (let changed = threshold > 0; changed;) {
    changed = false;
    const byParent = new Map<string, number>();
    for (const p of [...literal, ...folded]) {
      const parent = parentOf(p);
      byParent.set(parent, (byParent.get(parent) ?? 0) + 1);
    }
    for (const [dir, count] of [...byParent].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (count < threshold || dir === "/" || [...folded].some((f) => isUnder(dir, f))) continue;
      for (const p of literal) if (isUnder(p, dir)) literal.delete(p);
      for (const f of folded) if (isUnder(f, dir)) folded.delete(f);
      folded.add(dir);
      changed = true;
    }
  }
  // A literal path inside a folded directory is already allowed.
  for (const p of literal) if ([...folded].some((f) => isUnder(p, f))) literal.delete(p);
  const out = [...[...literal].map(escapePattern), ...[...folded].map((d) => `${escapePattern(d)}/***`)];
  return out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

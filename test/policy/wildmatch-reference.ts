/**
 * A line-by-line transcription of rsync's dowild() (SydBox 2.0.1's src/wildmatch.c), used
 * only as an oracle: the tests check the RegExp compiler against it on generated inputs.
 * Strings are byte strings; 0 stands for the C string terminator.
 */
const FALSE = 0;
const TRUE = 1;
const ABORT_ALL = -1;
const ABORT_TO_STARSTAR = -2;

const ctype: Record<string, (c: number) => boolean> = {
  alnum: (c) => /[A-Za-z0-9]/.test(String.fromCharCode(c)),
  alpha: (c) => /[A-Za-z]/.test(String.fromCharCode(c)),
  blank: (c) => c === 32 || c === 9,
  cntrl: (c) => c < 32 || c === 127,
  digit: (c) => c >= 48 && c <= 57,
  graph: (c) => c > 32 && c < 127,
  lower: (c) => c >= 97 && c <= 122,
  print: (c) => c >= 32 && c < 127,
  punct: (c) => c > 32 && c < 127 && !/[A-Za-z0-9]/.test(String.fromCharCode(c)),
  space: (c) => c === 32 || (c >= 9 && c <= 13),
  upper: (c) => c >= 65 && c <= 90,
  xdigit: (c) => /[0-9A-Fa-f]/.test(String.fromCharCode(c)),
};

function dowild(pat: string, pi: number, text: string, ti: number): number {
  const P = (i: number) => (i < pat.length ? pat.charCodeAt(i) : 0);
  const T = (i: number) => (i < text.length ? text.charCodeAt(i) : 0);
  let p = pi;
  let t = ti;
  for (; P(p) !== 0; t++, p++) {
    let pCh = P(p);
    let tCh = T(t);
    if (tCh === 0 && pCh !== 42) return ABORT_ALL;
    switch (pCh) {
      case 92: // backslash
        pCh = P(++p);
      // falls through
      default:
        if (tCh !== pCh) return FALSE;
        continue;
      case 63: // ?
        if (tCh === 47) return FALSE;
        continue;
      case 42: { // *
        let special: boolean;
        if (P(++p) === 42) {
          while (P(++p) === 42) {}
          special = true;
        } else special = false;
        if (P(p) === 0) {
          if (!special && text.indexOf("/", t) >= 0) return FALSE;
          return TRUE;
        }
        for (;;) {
          if (tCh === 0) break;
          const matched = dowild(pat, p, text, t);
          if (matched !== FALSE) {
            if (!special || matched !== ABORT_TO_STARSTAR) return matched;
          } else if (!special && tCh === 47) return ABORT_TO_STARSTAR;
          tCh = T(++t);
        }
        return ABORT_ALL;
      }
      case 91: { // [
        pCh = P(++p);
        if (pCh === 94) pCh = 33;
        const special = pCh === 33;
        if (special) pCh = P(++p);
        let prev = 0;
        let matched = false;
        do {
          if (!pCh) return ABORT_ALL;
          if (pCh === 92) {
            pCh = P(++p);
            if (!pCh) return ABORT_ALL;
            if (tCh === pCh) matched = true;
          } else if (pCh === 45 && prev && P(p + 1) && P(p + 1) !== 93) {
            pCh = P(++p);
            if (pCh === 92) {
              pCh = P(++p);
              if (!pCh) return ABORT_ALL;
            }
            if (tCh <= pCh && tCh >= prev) matched = true;
            pCh = 0;
          } else if (pCh === 91 && P(p + 1) === 58) {
            const s = (p += 2);
            for (; (pCh = P(p)) && pCh !== 93; p++) {}
            if (!pCh) return ABORT_ALL;
            const i = p - s - 1;
            if (i < 0 || P(p - 1) !== 58) {
              p = s - 2;
              pCh = 91;
              if (tCh === pCh) matched = true;
              continue;
            }
            const f = ctype[pat.slice(s, s + i)];
            if (!f) return ABORT_ALL;
            if (f(tCh)) matched = true;
            pCh = 0;
          } else if (tCh === pCh) matched = true;
        } while (((prev = pCh), (pCh = P(++p))) !== 93);
        if (matched === special || tCh === 47) return FALSE;
        continue;
      }
    }
  }
  return T(t) ? FALSE : TRUE;
}

/** rsync wildmatch(pattern, text) (case-sensitive). */
export function referenceWildmatch(pattern: string, text: string): boolean {
  return dowild(pattern, 0, text, 0) === TRUE;
}

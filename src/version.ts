/**
 * sydbox's version and the magic APIs it speaks.
 *
 * The version is 2.x because SydBox's major number has always been the magic API
 * it speaks (1.x spoke API 1, 2.x API 2, syd 3.x is another program): this
 * sydbox speaks API 2 (and API 1 for Paludis's wrapper). Its minor number, 9,
 * keeps it clear of SydBox 2.0.1, whose successor it is. A 3.x version would
 * be wrong twice: Paludis probes `sydbox --version | grep -q 'syd.* 3\.'` to
 * decide it is running syd 3, and then passes syd-3-only options.
 */
import pkg from "../package.json" with { type: "json" };

/** The release version, from package.json. */
export const VERSION: string = pkg.version;
/** The SydBox magic API version we implement. */
export const API_VERSION = 2;
/** The older magic API we also answer (Paludis's own sydbox.bash speaks it). */
export const OLD_API_VERSION = 1;

/**
 * What `sydbox --version` and `sydfmt --version` print: the name, the version
 * and the APIs, so a person can tell what this is. Never matches Paludis's
 * syd-3 probe `syd.* 3\.` (test/paludis/version.test.ts holds it to that).
 */
export const VERSION_TEXT = `sydbox ${VERSION} (SydBox magic API ${API_VERSION}, also API ${OLD_API_VERSION})`;

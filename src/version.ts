/** sydbox's version and the magic API it speaks. */
import pkg from "../package.json" with { type: "json" };

/** The release version, from package.json. */
export const VERSION: string = pkg.version;
/** The SydBox magic API version we implement. */
export const API_VERSION = 2;

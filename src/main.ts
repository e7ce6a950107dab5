/**
 * sydbox's entry point: one clear path from argv to the sandboxed execve.
 * The same binary is re-executed as the child stage (`--internal-child`),
 * because Bun cannot fork. No top-level await: it breaks `--bytecode`.
 */
import { childMain } from "./launch/child";
import { CHILD_FLAG } from "./launch/protocol";
import { main } from "./cli/main";

// Literal specifier so `bun build --compile` bundles the Worker as an entry point.
const newWorker = () => new Worker(new URL("./supervisor/worker.ts", import.meta.url).href);

if (process.argv[2] === CHILD_FLAG) childMain();
else main(process.argv.slice(2), newWorker).then((status) => process.exit(status));

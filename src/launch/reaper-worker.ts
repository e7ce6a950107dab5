/**
 * The child stage's watchdog thread (reaper.ts `watchdog`): a Worker, created
 * before the filter is loaded, so that neither it nor its kills are ever under
 * the filter. Its first message says what to watch with.
 */
import { loadLibc } from "../../ffi/libc";
import { watchdog, type WatchMessage } from "./reaper";

self.onmessage = (ev: MessageEvent<WatchMessage>) => watchdog(loadLibc(), ev.data);

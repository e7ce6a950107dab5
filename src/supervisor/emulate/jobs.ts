/**
 * The calls handed to helper threads (blocking.ts hands them, opener.ts performs them):
 * the shapes of the messages, and nothing that runs.
 */
import type { TraceeStatus } from "./creds";

/** What the answer needs besides the count: where msg_len goes, and whether EPIPE raises SIGPIPE. */
export interface SendReply {
  tid: number;
  tgid: number;
  /** sendmmsg: the entry's msg_len to write, 0 for none. */
  lenAt: number;
  sigpipe: boolean;
  /** Bytes of a stream send already sent before the rest was handed to a helper. */
  already: number;
}

/** What every job carries: the notification to answer and the helper's busy flag. */
interface JobBase {
  lfd: number;
  id: [number, number];
  status: TraceeStatus;
  /** Shared busy flags of the helpers, and this helper's slot in them. */
  busy: Int32Array;
  slot: number;
}

/** An open of checked canonical `path`. */
export interface OpenJob extends JobBase {
  kind: "open";
  path: string;
  flags: number;
  mode: number;
  cloexec: boolean;
  creates: boolean;
}

/**
 * A connect of the supervisor's copy `fd` of the tracee's socket to checked address bytes
 * `addr`; `pinned` is the unix path's parent directory fd that `addr` names, or -1. The
 * helper closes both.
 */
export interface ConnectJob extends JobBase {
  kind: "connect";
  fd: number;
  pinned: number;
  addr: Uint8Array;
}

/**
 * A send on the supervisor's copy `fd` of a blocking socket that would have blocked
 * (send.ts), with copies of what was read: the address (naming directory fd `pinned`, or
 * -1), payload, control data (with `passed`, the fds it carries). The helper closes the fds.
 */
export interface SendJob extends JobBase {
  kind: "send";
  fd: number;
  pinned: number;
  addr: Uint8Array | null;
  payload: Uint8Array;
  control: Uint8Array;
  passed: number[];
  flags: number;
  reply: SendReply;
}

/** A call handed to a helper. */
export type Job = OpenJob | ConnectJob | SendJob;

type Body<J> = J extends Job ? Omit<J, "lfd" | "id" | "busy" | "slot"> : never;
/** What an emulation hands to a helper (Call.handOff); the dispatcher adds the notification. */
export type JobBody = Body<Job>;

/** A unix bind for a one-shot binder thread (binder.ts), which answers through `result`: [0 or -errno, done flag]. */
export interface BindJob {
  /** Our copy of the tracee's socket and the pinned parent directory of the checked path (the binder's to close). */
  sock: number;
  dir: number;
  /** The sockaddr_un of the checked path. */
  addr: Uint8Array;
  status: TraceeStatus;
  result: SharedArrayBuffer;
}

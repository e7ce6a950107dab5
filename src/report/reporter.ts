/**
 * Where the supervisor sends each violation: the run's {@link ViolationLog}
 * (for the summary and `sydbox learn`) and, unless it repeats an identical
 * report too often (throttle.ts), the SydBox-format report on stderr.
 */
import { ReportThrottle } from "./throttle";
import { ViolationLog, type ViolationKind } from "./summary";
import { reportViolation } from "./violation";

/** Logs and prints violations. One per supervisor thread. */
export class ViolationReporter {
  readonly log: ViolationLog;
  private readonly throttle = new ReportThrottle();

  constructor(dryRun: boolean) {
    this.log = new ViolationLog(dryRun);
  }

  /** One violation by `pid` of `kind`: `call` is the report's call line, `subjects` what it named. */
  report(pid: number, kind: ViolationKind, call: string, subjects: readonly string[]): void {
    this.log.add(kind, subjects);
    if (this.throttle.admit(call)) reportViolation(pid, call);
    else this.log.suppress();
  }
}

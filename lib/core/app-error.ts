/**
 * The one error base. A throw site names a code from its domain's closed list and never an HTTP status:
 * each domain's error class maps its codes to statuses in one table (dub's errorCodeToHttpStatus).
 * `message` is for logs; `userMessage` is safe to show; `fix` says what to change (for Okta setup
 * problems: the Admin Console path and the exact value).
 */
export interface AppErrorInit<C extends string> {
  code: C;
  message: string;
  userMessage: string;
  fix?: string | undefined;
  cause?: unknown;
}

/** What every porter error exposes to the edge that answers it (toErrorResponse, server actions, pages). */
export interface Problem {
  readonly code: string;
  readonly status: number;
  readonly userMessage: string;
  readonly fix: string | undefined;
}

/**
 * The brand every porter error carries. lib/rbac is pure and imports nothing outside itself, so its
 * RbacError sets the same registered symbol instead of extending this class: test with isAppError().
 */
export const APP_ERROR = Symbol.for("porter.app-error");

export abstract class AppError<C extends string = string> extends Error implements Problem {
  readonly [APP_ERROR] = true;
  readonly code: C;
  readonly userMessage: string;
  readonly fix: string | undefined;
  /** The domain's table from code to HTTP status. */
  protected abstract readonly statuses: Readonly<Record<C, number>>;

  constructor(init: AppErrorInit<C>) {
    super(init.message, { cause: init.cause });
    this.name = new.target.name;
    this.code = init.code;
    this.userMessage = init.userMessage;
    this.fix = init.fix;
  }

  get status(): number {
    return this.statuses[this.code];
  }
}

/** Whether `err` is a porter error (of any domain, lib/rbac's included), with a code, status and safe message. */
export function isAppError(err: unknown): err is Error & Problem {
  return typeof err === "object" && err !== null && (err as { [APP_ERROR]?: unknown })[APP_ERROR] === true;
}

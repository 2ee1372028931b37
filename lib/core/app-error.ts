/**
 * The one error base. `message` is for logs; `userMessage` is safe to show; `fix` says what to change
 * (for Okta setup problems: the Admin Console path and the exact value).
 */
export interface AppErrorInit<C extends string> {
  code: C;
  status: number;
  message: string;
  userMessage: string;
  fix?: string;
  cause?: unknown;
}

export class AppError<C extends string = string> extends Error {
  readonly code: C;
  readonly status: number;
  readonly userMessage: string;
  readonly fix: string | undefined;

  constructor(init: AppErrorInit<C>) {
    super(init.message, { cause: init.cause });
    this.name = new.target.name;
    this.code = init.code;
    this.status = init.status;
    this.userMessage = init.userMessage;
    this.fix = init.fix;
  }
}

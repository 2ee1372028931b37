import { AppError } from "../core/app-error";

export type ConfigErrorCode = "invalid_environment";

/** Start-up configuration problems: one line per variable, each with a valid example. */
export class ConfigError extends AppError<ConfigErrorCode> {
  protected readonly statuses = { invalid_environment: 500 } as const;
  readonly problems: readonly string[];
  constructor(problems: readonly string[]) {
    super({
      code: "invalid_environment",
      message: `porter cannot start: ${String(problems.length)} configuration problem(s)\n  - ${problems.join("\n  - ")}`,
      userMessage: "The server is misconfigured. An administrator has to fix its environment.",
    });
    this.problems = problems;
  }
}

import "server-only";

export {
  checkableConnections,
  isPlatformOperator,
  recordOperatorAccess,
  runningCheck,
  runOktaCheck,
  type CheckViewer,
  type RunningCheck,
} from "./run";
export { claimCheckRun, diffRuns, finishCheckRun, listCheckRuns, saveCheckRun, shownActor } from "./history";

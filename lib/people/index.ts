import "server-only";

export {
  encodeUsersCursor,
  getUserDetail,
  iterateAccessReview,
  listRoleNamesInUse,
  listSeenGroups,
  listUsersPage,
  parseUsersQuery,
  PERSON_STATUS_LABELS,
  personStatus,
  type PersonStatus,
  type UserDetail,
  type UserListRow,
  type UsersQuery,
} from "./directory";
export {
  bearerPerson,
  getStoredRoles,
  getUserTeams,
  listRecentSignInChanges,
  listPushedGroups,
  listUsersWithTeams,
  pushedGroupNames,
  type UserWithTeams,
} from "./queries";
export { pushedSignInGroups, readSignInGroups, type SignInGroups } from "./groups-source";
export {
  applyPeopleGroups,
  applyPersonGroups,
  ensureTeams,
  peopleState,
  stateColumns,
  type AppliedGroups,
  type GroupsUpdate,
  type PeopleState,
  type PersonGroups,
} from "./apply-groups";
export { recordSignIn, upsertUser, type SignInRecord } from "./sign-in";

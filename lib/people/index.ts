import "server-only";

export {
  encodeUsersCursor,
  getUserDetail,
  iterateAccessReview,
  listRoleNamesInUse,
  listSeenGroups,
  listUsersPage,
  parseUsersQuery,
  type UserDetail,
  type UserListRow,
  type UsersQuery,
} from "./directory";
export {
  ensureTeams,
  getStoredRoles,
  getUserTeams,
  listRecentSignInChanges,
  listUsersWithTeams,
  replaceMemberships,
  replaceStoredRoles,
  type UserWithTeams,
} from "./queries";
export { oktaApiCredential, readSignInGroups, type SignInGroups } from "./groups-source";
export { applyPersonGroups, type PersonGroupsChange } from "./apply-groups";
export { syncSignIn, type SignInSync } from "./sync";

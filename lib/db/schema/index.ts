export * from "./organizations";
export * from "./users";
export * from "./sessions";
export * from "./audit";
export * from "./teams";
export * from "./rbac";
export * from "./catalog";
export * from "./checks";

import "server-only";

export { listServices, getService, listTeamNames, type Service } from "./queries";
export { updateService, servicePatchSchema, serviceNotFound, UUID, type ServicePatch } from "./update-service";
export { servicesListResponse } from "./api";

import { redirect } from "next/navigation";
import { getPageAccess } from "@/lib/auth/access";
import type { Principal } from "@/lib/rbac";
import type { PorterSessionView } from "@/lib/auth";
import type { Permission } from "@/lib/rbac";
import { Forbidden, NoAccess } from "./access-denied";

/**
 * The one gate for pages: signed out -> sign-in (and back), no role at all -> the no-access page,
 * missing permission -> a page naming it; otherwise renders the page with the principal.
 */
export async function RequireAccess({
  permission,
  path,
  children,
}: {
  permission: Permission;
  path: string;
  children: (access: { view: PorterSessionView; principal: Principal }) => React.ReactNode | Promise<React.ReactNode>;
}) {
  const access = await getPageAccess(permission);
  if (access.status === "signed_out") redirect(`/?callbackUrl=${encodeURIComponent(path)}`);
  if (access.status === "no_access") {
    return <NoAccess who={access.view.user.email ?? access.view.user.sub} organization={access.view.connection} granting={access.granting} />;
  }
  if (access.status === "forbidden") return <Forbidden missing={access.missing} granting={access.granting} />;
  return children({ view: access.view, principal: access.principal });
}

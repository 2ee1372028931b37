import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import { getPageAccess, type PageAccess } from "@/lib/auth/access";
import type { PorterSessionView } from "@/lib/auth";
import type { Permission, Principal } from "@/lib/rbac";

/** The refusal of this request, kept for app/forbidden.tsx (React cache: one per request). */
const refusalStore = cache((): { access: Extract<PageAccess, { status: "no_access" | "forbidden" }> | null } => ({ access: null }));

export function currentRefusal(): Extract<PageAccess, { status: "no_access" | "forbidden" }> | null {
  return refusalStore().access;
}

/**
 * The one gate for pages: signed out -> sign-in (and back); no role at all, or missing this permission
 * -> HTTP 403 with a page that names what is missing and which groups would grant it (app/forbidden.tsx);
 * otherwise renders the page with the principal.
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
  if (access.status === "no_access" || access.status === "forbidden") {
    refusalStore().access = access;
    forbidden();
  }
  return children({ view: access.view, principal: access.principal });
}

import { forbidden, redirect } from "next/navigation";
import { cache } from "react";
import { getPageAccess, type PageAccess } from "@/lib/auth/access";
import type { PorterSessionView } from "@/lib/auth";
import { headers } from "next/headers";
import { pagePermission, PATH_HEADER } from "@/lib/auth/page-permissions";
import type { Principal } from "@/lib/rbac";

/** The refusal of this request, kept for app/forbidden.tsx (React cache: one per request). */
const refusalStore = cache((): { access: Extract<PageAccess, { status: "no_access" | "forbidden" }> | null } => ({
  access: null,
}));

type Refusal = Extract<PageAccess, { status: "no_access" | "forbidden" }>;

/**
 * The refusal, for app/forbidden.tsx. Next.js renders that page (the boundary's fallback) alongside the page
 * itself, so when the page waits on the database (PostgreSQL over the network) the fallback renders before
 * the page has decided: then it works the refusal out itself, from the path, the same way (cached per request).
 */
export async function currentRefusal(): Promise<Refusal | null> {
  const decided = refusalStore().access;
  if (decided) return decided;
  const permission = pagePermission((await headers()).get(PATH_HEADER) ?? "");
  if (!permission) return null;
  const access = await getPageAccess(permission);
  return access.status === "no_access" || access.status === "forbidden" ? access : null;
}

/**
 * The one gate for pages: signed out -> sign-in (and back); no role at all, or missing the page's permission
 * (lib/auth/page-permissions.ts, by path) -> HTTP 403 with a page that names what is missing and which
 * groups would grant it (app/forbidden.tsx); otherwise renders the page with the principal.
 */
export async function RequireAccess({
  path,
  children,
}: {
  path: string;
  children: (access: { view: PorterSessionView; principal: Principal }) => React.ReactNode | Promise<React.ReactNode>;
}) {
  const permission = pagePermission(path);
  if (!permission) throw new Error(`no permission is listed for ${path} in lib/auth/page-permissions.ts`);
  const access = await getPageAccess(permission);
  if (access.status === "signed_out") redirect(`/?callbackUrl=${encodeURIComponent(path)}`);
  if (access.status === "no_access" || access.status === "forbidden") {
    refusalStore().access = access;
    forbidden();
  }
  return children({ view: access.view, principal: access.principal });
}

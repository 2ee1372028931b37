import type { Metadata } from "next";
import { headers } from "next/headers";
import Link from "next/link";
import { getSessionView } from "@/lib/auth";
import type { Permission } from "@/lib/rbac";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "porter", template: "%s · porter" },
  description: "Okta sign-in, groups to roles, and an admin console that explains it.",
};

/** The main navigation: each entry shows only to people holding its permission (pages check again). */
const NAV: readonly { href: string; label: string; permission: Permission }[] = [
  { href: "/services", label: "Services", permission: "services.read" },
  { href: "/admin/rules", label: "Rules", permission: "rules.read" },
  { href: "/admin/users", label: "Users", permission: "users.read" },
  { href: "/admin/audit", label: "Audit", permission: "audit.read" },
  { href: "/admin/connection", label: "Okta setup", permission: "rules.read" },
  { href: "/admin/provisioning", label: "Provisioning", permission: "rules.read" },
  { href: "/admin/okta", label: "Check", permission: "rules.read" },
];

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Reading the request makes every page dynamic, so each gets the per-request CSP nonce.
  await headers();
  const view = await getSessionView().catch(() => null);
  const can = (p: Permission) => view?.permissions.includes(p) ?? false;
  return (
    <html lang="en">
      <body className="min-h-screen">
        <header className="border-b border-slate-200 bg-white">
          <div className="mx-auto flex max-w-6xl items-center justify-between px-6 py-3">
            <Link href="/" className="text-lg font-semibold tracking-tight text-slate-900">
              porter
            </Link>
            {view ? (
              <nav aria-label="Main" className="flex items-center gap-5 text-sm">
                {NAV.filter((item) => can(item.permission)).map((item) => (
                  <Link key={item.href} href={item.href} className="text-slate-700 hover:text-brand">
                    {item.label}
                  </Link>
                ))}
                <Link href="/profile" className="text-slate-500 hover:text-brand">
                  {view.user.email ?? view.user.sub}
                </Link>
              </nav>
            ) : (
              <span className="text-xs text-slate-500">developer portal</span>
            )}
          </div>
        </header>
        {/* A console's width on a laptop: tables of ids and events fit a 1280 px screen without wrapping. */}
        <main className="mx-auto max-w-6xl px-6 py-10">{children}</main>
      </body>
    </html>
  );
}

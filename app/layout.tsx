import type { Metadata } from "next";
import { headers } from "next/headers";
import Link from "next/link";
import { getSessionView } from "@/lib/auth";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "porter", template: "%s · porter" },
  description: "Okta sign-in, groups to roles, and an admin console that explains it.",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Reading the request makes every page dynamic, so each gets the per-request CSP nonce.
  await headers();
  const view = await getSessionView().catch(() => null);
  const can = (p: string) => view?.permissions.some((held) => held === p) ?? false;
  return (
    <html lang="en">
      <body className="min-h-screen">
        <header className="border-b border-slate-200 bg-white">
          <div className="mx-auto flex max-w-4xl items-center justify-between px-6 py-3">
            <Link href="/" className="text-lg font-semibold tracking-tight text-slate-900">
              porter
            </Link>
            {view ? (
              <nav aria-label="Main" className="flex items-center gap-5 text-sm">
                {can("services.read") ? (
                  <Link href="/services" className="text-slate-700 hover:text-brand">
                    Services
                  </Link>
                ) : null}
                {can("rules.read") ? (
                  <Link href="/admin/rules" className="text-slate-700 hover:text-brand">
                    Rules
                  </Link>
                ) : null}
                {can("users.read") ? (
                  <Link href="/admin/users" className="text-slate-700 hover:text-brand">
                    Users
                  </Link>
                ) : null}
                {can("rules.read") ? (
                  <>
                    <Link href="/admin/connection" className="text-slate-700 hover:text-brand">
                      Okta setup
                    </Link>
                    <Link href="/admin/okta" className="text-slate-700 hover:text-brand">
                      Check
                    </Link>
                  </>
                ) : null}
                <Link href="/profile" className="text-slate-500 hover:text-brand">
                  {view.user.email ?? view.user.sub}
                </Link>
              </nav>
            ) : (
              <span className="text-xs text-slate-500">developer portal</span>
            )}
          </div>
        </header>
        <main className="mx-auto max-w-4xl px-6 py-10">{children}</main>
      </body>
    </html>
  );
}

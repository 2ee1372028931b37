import { expect, type Page } from "@playwright/test";
import { DevIdpSignIn } from "./devidp-sign-in";

/** porter's own pages. */
export class Porter {
  readonly idp: DevIdpSignIn;
  constructor(private readonly page: Page) {
    this.idp = new DevIdpSignIn(page);
  }

  async startSignIn(callbackUrl?: string, organization = "acme"): Promise<void> {
    await this.page.goto(callbackUrl === undefined ? "/" : `/?callbackUrl=${encodeURIComponent(callbackUrl)}`);
    await this.page.getByLabel("Organization").fill(organization);
    await this.page.getByRole("button", { name: "Sign in with Okta" }).click();
  }

  /** Full sign-in through devidp; ends on the profile page. */
  async signInAs(email: string, organization = "acme"): Promise<void> {
    await this.startSignIn("/profile", organization);
    await this.idp.signIn(email);
    await expect(this.page).toHaveURL(/\/profile$/);
    await expect(this.page.getByText(email).first()).toBeVisible();
  }

  async signOut(): Promise<void> {
    await this.page.getByRole("button", { name: "Sign out" }).click();
    await expect(this.page.getByRole("heading", { name: "You are signed out" })).toBeVisible();
  }

  async expectErrorPage(title: string | RegExp): Promise<void> {
    await expect(this.page.getByText("Sign-in failed")).toBeVisible();
    await expect(this.page.getByRole("heading", { level: 1 })).toHaveText(title);
  }
}

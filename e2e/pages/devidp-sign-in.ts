import { expect, type Page } from "@playwright/test";

export const PASSWORD = "Passw0rd!";

/** devidp's sign-in page (Okta's hosted sign-in in real life). */
export class DevIdpSignIn {
  constructor(private readonly page: Page) {}

  async expectVisible(): Promise<void> {
    await expect(this.page.getByRole("heading", { name: "Sign In" })).toBeVisible();
  }

  async signIn(username: string, password = PASSWORD): Promise<void> {
    await this.expectVisible();
    await this.page.getByLabel("Username").fill(username);
    await this.page.getByLabel("Password").fill(password);
    await this.page.getByRole("button", { name: "Sign in" }).click();
  }

  async cancel(): Promise<void> {
    await this.page.getByRole("button", { name: "Cancel" }).click();
  }
}

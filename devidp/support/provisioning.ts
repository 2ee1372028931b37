import { randomBytes } from "node:crypto";
import type { Directory, DirectoryClient, DirectoryUser, ProvisioningSettings } from "./directory";
import type { LogEvent } from "./okta-org";

const RETRIES = 5;
const TIMEOUT_MS = 10_000;
const SCIM = "application/scim+json; charset=utf-8";

type Json = Record<string, unknown>;

/**
 * Okta's provisioning client for one app, as OKTA-FACTS §7 describes it: a filter GET before each POST,
 * a GET before each PUT, a pathless PATCH for `active`, Push Groups as POST then PATCHes that replace the
 * displayName with every membership change, `members[value eq "…"]` to remove, DELETE on unlink. Requests
 * run one after another per app, and are retried on 5xx (with back-off) and on 429 (after Retry-After).
 * Everyone in the directory is assigned to the app unless unassigned through the Apps API.
 */
export class ScimProvisioning {
  private readonly users = new Map<string, string>();
  private readonly groups = new Map<string, string>();
  private readonly unassigned = new Set<string>();
  private chain: Promise<unknown> = Promise.resolve();
  /** What the demo and the tests can read: each request's method, path and status, newest last. */
  readonly requests: { method: string; path: string; status: number }[] = [];

  constructor(
    readonly client: DirectoryClient & { provisioning: ProvisioningSettings },
    private readonly directory: Directory,
  ) {}

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work, work);
    this.chain = next.catch((err: unknown) => {
      console.error(
        `devidp: provisioning to ${this.client.client_id} failed: ${err instanceof Error ? err.message : String(err)}`,
      );
    });
    return next;
  }

  private async call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json | null }> {
    const url = `${this.client.provisioning.base_url}${path}`;
    for (let attempt = 0; ; attempt++) {
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: {
            authorization: `Bearer ${this.client.provisioning.token}`,
            accept: "application/scim+json",
            "user-agent": "Okta SCIM Client 1.0.0",
            ...(body === undefined ? {} : { "content-type": SCIM }),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
      } catch (err) {
        if (attempt >= RETRIES) throw err;
        await sleep(500 * 2 ** attempt);
        continue;
      }
      this.requests.push({ method, path: path.split("?")[0] ?? path, status: res.status });
      if (this.requests.length > 1000) this.requests.splice(0, 100);
      if ((res.status === 429 || res.status >= 500) && attempt < RETRIES) {
        const wait = Number(res.headers.get("retry-after"));
        await res.body?.cancel();
        await sleep(res.status === 429 && Number.isFinite(wait) && wait > 0 ? wait * 1000 : 500 * 2 ** attempt);
        continue;
      }
      const text = await res.text();
      const parsed = text ? (JSON.parse(text) as Json) : null;
      if (res.status >= 400)
        throw new Error(
          `${method} ${path}: ${String(res.status)} ${(typeof parsed?.detail === "string" ? parsed.detail : text).slice(0, 200)}`,
        );
      return { status: res.status, body: parsed };
    }
  }

  private assigned(user: DirectoryUser): boolean {
    return !this.unassigned.has(user.id);
  }

  private userBody(user: DirectoryUser, active: boolean) {
    const [givenName = user.name, ...rest] = user.name.split(" ");
    return {
      schemas: ["urn:ietf:params:scim:schemas:core:2.0:User"],
      userName: user.email,
      name: { givenName, familyName: rest.join(" ") || givenName },
      emails: [{ primary: true, value: user.email, type: "work" }],
      displayName: user.name,
      locale: "en-US",
      externalId: user.id,
      groups: [],
      // Okta sends a password with every create; porter must never keep it.
      password: randomBytes(12).toString("base64url"),
      active,
    };
  }

  /** Assigning a user: the existence check, then a create (or a reactivation of the one found). */
  private async provision(user: DirectoryUser): Promise<void> {
    if (this.users.has(user.id)) {
      await this.setActive(user, (user.status ?? "ACTIVE") === "ACTIVE");
      return;
    }
    const found = await this.call(
      "GET",
      `/Users?filter=${encodeURIComponent(`userName eq "${user.email}"`)}&startIndex=1&count=100`,
    );
    const existing = (found.body?.Resources as Json[] | undefined)?.[0];
    if (existing && typeof existing.id === "string") {
      this.users.set(user.id, existing.id);
      await this.setActive(user, (user.status ?? "ACTIVE") === "ACTIVE");
      return;
    }
    const created = await this.call("POST", "/Users", this.userBody(user, (user.status ?? "ACTIVE") === "ACTIVE"));
    if (typeof created.body?.id === "string") this.users.set(user.id, created.body.id);
  }

  private async setActive(user: DirectoryUser, active: boolean): Promise<void> {
    const id = this.users.get(user.id);
    if (!id) return;
    await this.call("PATCH", `/Users/${id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [{ op: "replace", value: { active } }],
    });
  }

  /** A profile change: Okta reads the user, then PUTs the whole object. */
  private async updateProfile(user: DirectoryUser): Promise<void> {
    const id = this.users.get(user.id);
    if (!id) return;
    const current = (await this.call("GET", `/Users/${id}`)).body ?? {};
    const body: Record<string, unknown> = { ...current, ...this.userBody(user, current.active !== false), id };
    delete body.password; // Okta sends a password on create only
    await this.call("PUT", `/Users/${id}`, body);
  }

  /** Push Groups: find or create the group, then push its members (assigned, provisioned users). */
  private async pushGroup(name: string): Promise<void> {
    let id = this.groups.get(name);
    if (!id) {
      const found = await this.call(
        "GET",
        `/Groups?filter=${encodeURIComponent(`displayName eq "${name}"`)}&startIndex=1&count=100&excludedAttributes=members`,
      );
      const existing = (found.body?.Resources as Json[] | undefined)?.[0];
      id =
        typeof existing?.id === "string"
          ? existing.id
          : String(
              (
                await this.call("POST", "/Groups", {
                  schemas: ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                  displayName: name,
                  members: [],
                })
              ).body?.id,
            );
      this.groups.set(name, id);
    }
    const members = this.directory.users
      .filter((u) => u.groups.includes(name) && this.assigned(u) && this.users.has(u.id))
      .map((u) => ({ value: this.users.get(u.id), display: u.email }));
    await this.call("PATCH", `/Groups/${id}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [
        { op: "replace", value: { id, displayName: name } },
        { op: "replace", path: "members", value: members },
      ],
    });
  }

  private async membership(user: DirectoryUser, group: string, added: boolean): Promise<void> {
    const gid = this.groups.get(group);
    const uid = this.users.get(user.id);
    if (!gid || !uid || !this.assigned(user)) return;
    await this.call("PATCH", `/Groups/${gid}`, {
      schemas: ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
      Operations: [
        { op: "replace", value: { id: gid, displayName: group } },
        added
          ? { op: "add", path: "members", value: [{ value: uid, display: user.email }] }
          : { op: "remove", path: `members[value eq "${uid}"]` },
      ],
    });
  }

  /** "Provision users" and "Push now", as an admin does after setting up the app: everyone assigned, every pushed group. */
  syncAll(): Promise<{ users: number; groups: number }> {
    return this.serial(async () => {
      for (const user of this.directory.users) if (this.assigned(user)) await this.provision(user);
      for (const group of this.client.provisioning.push_groups) await this.pushGroup(group);
      return { users: this.users.size, groups: this.groups.size };
    });
  }

  /** Unassigning a user is `active: false` (Okta never deletes); assigning again provisions them. */
  setAssigned(user: DirectoryUser, assigned: boolean): Promise<void> {
    if (assigned) this.unassigned.delete(user.id);
    else this.unassigned.add(user.id);
    return this.serial(() => (assigned ? this.provision(user) : this.setActive(user, false)));
  }

  /** Unlink a pushed group and delete it in the app. */
  unpush(group: string): Promise<boolean> {
    return this.serial(async () => {
      const id = this.groups.get(group);
      if (!id) return false;
      await this.call("DELETE", `/Groups/${id}`);
      this.groups.delete(group);
      return true;
    });
  }

  /** A System Log event of the org, as Okta's provisioning reacts to it. */
  onEvent(event: LogEvent): void {
    const userTarget = event.target?.find((t) => t.type === "User");
    const user = userTarget ? this.directory.user(userTarget.id) : null;
    if (!user) return;
    const group = event.target?.find((t) => t.type === "UserGroup")?.displayName;
    switch (event.eventType) {
      case "group.user_membership.add":
      case "group.user_membership.remove":
        if (group && this.client.provisioning.push_groups.includes(group))
          void this.serial(() => this.membership(user, group, event.eventType.endsWith(".add")));
        return;
      case "user.lifecycle.deactivate":
      case "user.lifecycle.suspend":
        if (this.assigned(user)) void this.serial(() => this.setActive(user, false));
        return;
      case "user.account.update_profile":
        if (this.assigned(user)) void this.serial(() => this.updateProfile(user));
        return;
      case "user.lifecycle.activate":
      case "user.lifecycle.unsuspend":
        if (this.assigned(user)) void this.serial(() => this.provision(user));
        return;
      default:
        return;
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

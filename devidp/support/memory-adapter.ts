import type { Adapter, AdapterPayload } from "oidc-provider";

/**
 * devidp's store for oidc-provider's sessions, interactions, codes and tokens: one per devidp process,
 * shared by both authorization servers and by a provider rebuilt to rotate keys (oidc-provider's built-in
 * store is one per provider instance and holds 1,000 entries, too few for the load bench's 200 concurrent
 * sign-ins). In memory, bounded (oldest entries go first), entries expire.
 */
const MAX_ENTRIES = 200_000;
const store = new Map<string, { value: unknown; expiresAt: number }>();

function get(key: string): unknown {
  const entry = store.get(key);
  if (!entry) return undefined;
  if (entry.expiresAt <= Date.now()) {
    store.delete(key);
    return undefined;
  }
  return entry.value;
}

function set(key: string, value: unknown, expiresInSeconds?: number): void {
  store.delete(key);
  if (store.size >= MAX_ENTRIES) {
    const oldest = store.keys().next().value;
    if (oldest !== undefined) store.delete(oldest);
  }
  store.set(key, { value, expiresAt: expiresInSeconds ? Date.now() + expiresInSeconds * 1000 : Infinity });
}

export function memoryAdapter(model: string): Adapter {
  const key = (id: string) => `${model}:${id}`;
  return {
    upsert(id, payload, expiresIn) {
      set(key(id), payload, expiresIn);
      if (payload.grantId) {
        const grant = `grant:${payload.grantId}`;
        // No expiry of its own: it must outlive the longest of its members (a refresh token).
        set(grant, [...((get(grant) as string[] | undefined) ?? []), key(id)]);
      }
      if (payload.userCode) set(`userCode:${payload.userCode}`, id, expiresIn);
      if (payload.uid) set(`sessionUid:${payload.uid}`, id, expiresIn);
      return Promise.resolve();
    },
    find: (id) => Promise.resolve(get(key(id)) as AdapterPayload | undefined),
    findByUserCode(userCode) {
      const id = get(`userCode:${userCode}`) as string | undefined;
      return Promise.resolve(id ? (get(key(id)) as AdapterPayload | undefined) : undefined);
    },
    findByUid(uid) {
      const id = get(`sessionUid:${uid}`) as string | undefined;
      return Promise.resolve(id ? (get(key(id)) as AdapterPayload | undefined) : undefined);
    },
    consume(id) {
      const payload = get(key(id)) as AdapterPayload | undefined;
      if (payload) payload.consumed = Math.floor(Date.now() / 1000);
      return Promise.resolve();
    },
    destroy(id) {
      store.delete(key(id));
      return Promise.resolve();
    },
    revokeByGrantId(grantId) {
      for (const k of (get(`grant:${grantId}`) as string[] | undefined) ?? []) store.delete(k);
      store.delete(`grant:${grantId}`);
      return Promise.resolve();
    },
  };
}

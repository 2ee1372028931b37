import { describe, expect, it } from "vitest";
import { groupBy } from "./group-by";

describe("groupBy", () => {
  it("keeps each group's items in their order, mapped when asked", () => {
    const rows = [
      { g: "a", v: 1 },
      { g: "b", v: 2 },
      { g: "a", v: 3 },
    ];
    expect([
      ...groupBy(
        rows,
        (r) => r.g,
        (r) => r.v,
      ),
    ]).toEqual([
      ["a", [1, 3]],
      ["b", [2]],
    ]);
    expect(groupBy(rows, (r) => r.g).get("a")).toEqual([rows[0], rows[2]]);
    expect(groupBy([], (r: { g: string }) => r.g).size).toBe(0);
  });
});

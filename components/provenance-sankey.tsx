import { sankey, sankeyLinkHorizontal, type SankeyLink, type SankeyNode } from "d3-sankey";
import type { StoredRoleGrant } from "@/lib/db/schema";

interface Node {
  id: string;
  label: string;
  column: "group" | "rule" | "role" | "permission";
}
type Link = { source: string; target: string; value: number };

const FILL: Record<Node["column"], string> = {
  group: "#475569",
  rule: "#1d4ed8",
  role: "#7e22ce",
  permission: "#15803d",
};

/**
 * How one person's Okta groups become rules, roles and permissions, as a flow picture (d3-sankey lays
 * it out on the server; the page ships plain SVG, no script).
 */
export function ProvenanceSankey({
  roles,
  permissionsOf,
}: {
  roles: StoredRoleGrant[];
  permissionsOf: (role: string) => readonly string[];
}) {
  const nodes = new Map<string, Node>();
  const links = new Map<string, Link>();
  const node = (column: Node["column"], key: string, label: string) => {
    const id = `${column}:${key}`;
    if (!nodes.has(id)) nodes.set(id, { id, label, column });
    return id;
  };
  const link = (source: string, target: string) => {
    const key = `${source}->${target}`;
    const existing = links.get(key);
    if (existing) existing.value += 1;
    else links.set(key, { source, target, value: 1 });
  };
  for (const grant of roles) {
    const role = node("role", grant.role, grant.role);
    for (const via of grant.via) {
      const rule = node("rule", via.ruleId, via.rule);
      link(node("group", via.group ?? "(no group)", via.group ?? "no rule matched"), rule);
      link(rule, role);
    }
    for (const p of permissionsOf(grant.role)) link(role, node("permission", p, p));
  }
  if (links.size === 0)
    return <p className="mt-2 text-sm text-slate-600">No roles: nothing flows from this person&apos;s groups.</p>;
  const width = 760;
  const columns = ["group", "rule", "role", "permission"] as const;
  const tallest = Math.max(...columns.map((c) => [...nodes.values()].filter((n) => n.column === c).length));
  const height = Math.max(130, tallest * 34 + 20);
  const layout = sankey<Node, Link>()
    .nodeId((n) => n.id)
    .nodeAlign((n) => columns.indexOf(n.column))
    .nodeWidth(10)
    .nodePadding(12)
    .extent([
      [150, 20],
      [width - 140, height - 8],
    ]);
  const graph = layout({
    nodes: [...nodes.values()].map((n) => ({ ...n })),
    links: [...links.values()].map((l) => ({ ...l })),
  });
  const path = sankeyLinkHorizontal<Node, Link>();
  const anchor = (n: SankeyNode<Node, Link>) =>
    n.column === "group" ? "end" : n.column === "permission" ? "start" : "middle";
  const labelX = (n: SankeyNode<Node, Link>) =>
    n.column === "group"
      ? (n.x0 ?? 0) - 6
      : n.column === "permission"
        ? (n.x1 ?? 0) + 6
        : ((n.x0 ?? 0) + (n.x1 ?? 0)) / 2;
  return (
    <figure className="mt-4" aria-label="From groups to permissions">
      <svg
        viewBox={`0 0 ${String(width)} ${String(height)}`}
        className="w-full"
        role="img"
        aria-label="Groups, rules, roles and permissions of this person, as a picture; the list of roles and where each came from, next to it, says the same in text"
      >
        {graph.links.map((l: SankeyLink<Node, Link>, i) => (
          <path
            key={i}
            d={path(l) ?? ""}
            fill="none"
            stroke="#94a3b8"
            strokeOpacity={0.45}
            strokeWidth={Math.max(1, l.width ?? 1)}
          >
            <title>{`${(l.source as SankeyNode<Node, Link>).label} → ${(l.target as SankeyNode<Node, Link>).label}`}</title>
          </path>
        ))}
        {graph.nodes.map((n) => (
          <g key={n.id}>
            <rect
              x={n.x0}
              y={n.y0}
              width={(n.x1 ?? 0) - (n.x0 ?? 0)}
              height={Math.max(2, (n.y1 ?? 0) - (n.y0 ?? 0))}
              fill={FILL[n.column]}
            />
            <text
              x={labelX(n)}
              y={n.column === "rule" || n.column === "role" ? (n.y0 ?? 0) - 3 : ((n.y0 ?? 0) + (n.y1 ?? 0)) / 2 + 4}
              textAnchor={anchor(n)}
              fontSize="11"
              fill="#0f172a"
            >
              {n.label.length > 42 ? `${n.label.slice(0, 40)}…` : n.label}
            </text>
          </g>
        ))}
      </svg>
      <figcaption className="mt-1 flex gap-4 text-xs text-slate-600">
        {columns.map((c) => (
          <span key={c}>
            <svg width="8" height="8" className="mr-1 inline-block" aria-hidden="true">
              <rect width="8" height="8" fill={FILL[c]} />
            </svg>
            {c === "group" ? "Okta groups" : c === "rule" ? "mapping rules" : c === "role" ? "roles" : "permissions"}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

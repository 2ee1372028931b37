/**
 * The reverse proxy in front of demo:cluster's app nodes: Debian's nginx, round robin, no stickiness.
 * It is the edge: it overwrites X-Forwarded-For with the client's address (nothing a client sends survives)
 * and sets X-Request-Id, which the nodes trust from it (TRUSTED_PROXIES=127.0.0.1) and carry into their
 * logs and audit events. A node that refuses connections is skipped at once and marked down for 5 s.
 */
import { existsSync } from "node:fs";
import path from "node:path";

export const NGINX_MISSING =
  "nginx is not installed (the reverse proxy in front of the app nodes). On Debian or Ubuntu: sudo apt-get install nginx";

export function findNginx(): string | null {
  return ["/usr/sbin/nginx", "/usr/bin/nginx"].find((p) => existsSync(p)) ?? null;
}

export function nginxConfig(o: { dir: string; listenPort: number; upstreams: number[]; accessLog: string }): string {
  const temp = (name: string) => path.join(o.dir, `${name}-temp`);
  return `# Written by demo/cluster.ts; regenerated at every start.
daemon off;
worker_processes 1;
pid ${path.join(o.dir, "nginx.pid")};
# crit only: nginx's error lines quote the whole request line, query included, and a callback's query holds
# the authorization code and state. Upstream failures are in the JSON access log (upstream, upstreamStatus).
error_log stderr crit;
events { worker_connections 2048; }
http {
  log_format porter_json escape=json '{"time":"$time_iso8601","requestId":"$request_id","client":"$remote_addr","method":"$request_method","path":"$uri","status":$status,"seconds":$request_time,"upstream":"$upstream_addr","upstreamStatus":"$upstream_status"}';
  access_log ${o.accessLog} porter_json;
  client_body_temp_path ${temp("body")};
  proxy_temp_path ${temp("proxy")};
  fastcgi_temp_path ${temp("fastcgi")};
  uwsgi_temp_path ${temp("uwsgi")};
  scgi_temp_path ${temp("scgi")};
  client_max_body_size 2m;
  server_tokens off;

  upstream porter {
${o.upstreams.map((p) => `    server 127.0.0.1:${String(p)} max_fails=1 fail_timeout=5s;`).join("\n")}
    keepalive 32;
  }

  server {
    listen 127.0.0.1:${String(o.listenPort)};
    location / {
      proxy_pass http://porter;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $http_host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Request-Id $request_id;
      # A node that is down (refused, reset before answering) is skipped: the request goes to the next one.
      proxy_next_upstream error timeout;
      proxy_next_upstream_tries 3;
      proxy_connect_timeout 2s;
      proxy_read_timeout 60s;
      proxy_buffer_size 16k;
      proxy_buffers 8 16k;
    }
  }
}
`;
}

/**
 * The options of `weir run` that place its control API (docs/rest.md), and the settings they
 * become. Any address other than a loopback one needs a token (`--rest-token`, or the
 * WEIR_REST_TOKEN environment variable), which every request must then carry.
 */
import { DEFAULT_REST_PORT, isLoopback, LOOPBACK, type RestServerOptions } from "../rest/rest-server.ts";
import { integerIn, type OptionSpec } from "./args.ts";

export const REST_TOKEN_ENV = "WEIR_REST_TOKEN";

const GROUP = "Control API options";

export const REST_OPTIONS: readonly OptionSpec[] = [
  {
    kind: "value",
    group: GROUP,
    name: "rest-port",
    placeholder: "port",
    parse: integerIn(0, 65535),
    description: `port of the job's control API (docs/rest.md); 0 takes a free port. When the default port is taken (a second job), a free one is taken and printed (e.g. --rest-port 0)`,
    defaultText: String(DEFAULT_REST_PORT),
  },
  {
    kind: "value",
    group: GROUP,
    name: "rest-bind",
    placeholder: "address",
    parse: (text) => (text === "" ? { ok: false, reason: "must be an IP address or host name" } : { ok: true, value: text }),
    description: `address the control API listens on; any address but a loopback one needs a token (--rest-token or ${REST_TOKEN_ENV}) (e.g. --rest-bind 0.0.0.0)`,
    defaultText: LOOPBACK,
  },
  {
    kind: "value",
    group: GROUP,
    name: "rest-token",
    placeholder: "token",
    parse: (text) => (text.length < 8 ? { ok: false, reason: "must be at least 8 characters" } : { ok: true, value: text }),
    description: `a secret every request to the control API must carry as 'Authorization: Bearer <token>'; the CLI sends ${REST_TOKEN_ENV} (e.g. --rest-token "$(openssl rand -hex 16)")`,
    defaultText: `${REST_TOKEN_ENV}, else none (loopback only)`,
  },
];

export type RestSettingsOutcome = { readonly ok: true; readonly settings: RestServerOptions } | { readonly ok: false; readonly problem: string };

export function restSettings(options: ReadonlyMap<string, unknown>, env: NodeJS.ProcessEnv): RestSettingsOutcome {
  const host = (options.get("rest-bind") as string | undefined) ?? LOOPBACK;
  const given = options.get("rest-port") as number | undefined;
  const fromEnv = env[REST_TOKEN_ENV];
  const token = (options.get("rest-token") as string | undefined) ?? (fromEnv === undefined || fromEnv === "" ? undefined : fromEnv);
  if (!isLoopback(host) && token === undefined) {
    return { ok: false, problem: `--rest-bind ${host} makes the control API reachable from other machines: give it a token with --rest-token or ${REST_TOKEN_ENV}` };
  }
  return { ok: true, settings: { host, port: given ?? DEFAULT_REST_PORT, portExplicit: given !== undefined, token } };
}

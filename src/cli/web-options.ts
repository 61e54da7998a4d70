// Options of `armvmm web`.

import { parseArgs } from "node:util";
import { UsageError } from "./options.js";

export const WEB_USAGE = `usage: armvmm web [--port N] [--open]

Serves the armvmm page on 127.0.0.1 and prints its URL: the heartbeat guest starts at once, with
live views of the vGIC, the timers and the counters. The Debian guest is offered too when
'npm run guests' has fetched it.

  --port N   the port to listen on (default 8080; 0 picks a free one)
  --open     open the page in the desktop's browser`;

export interface WebOptions {
  port: number;
  open: boolean;
}

export function parseWebOptions(argv: string[]): WebOptions {
  let values: { port?: string; open?: boolean };
  try {
    values = parseArgs({
      args: argv,
      options: { port: { type: "string" }, open: { type: "boolean" } },
      strict: true,
      allowPositionals: false,
    }).values;
  } catch (e) {
    throw new UsageError((e as Error).message.split("\n")[0]);
  }
  const port = values.port === undefined ? 8080 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || values.port?.trim() === "") {
    throw new UsageError(`--port ${values.port}: not a port number (0 to 65535)`);
  }
  return { port, open: values.open === true };
}

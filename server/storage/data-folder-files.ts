/** The files `start` writes in the data folder besides the database and key (docs/server.md "The data folder"). */

/** The demo's credentials, written by the start with --demo that made the demo (server/cli/demo.ts). */
export const DEMO_FILE = 'demo.json';

/** Which process serves this data folder: the desktop's local server reads it to tell whom to stop. */
export const PID_FILE = 'server.pid';

/** A cluster node's: the nodes share one data folder, and each one's pid must be found (docs/server.md). */
export function nodePidFile(nodeId: string): string {
  return `server-${nodeId}.pid`;
}

/** Any cluster node's pid file. */
export const NODE_PID_FILE = /^server-.+\.pid$/;

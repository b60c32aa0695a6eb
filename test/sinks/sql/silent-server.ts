/**
 * A TCP listener on a free port of 127.0.0.1 that accepts connections and never answers: a
 * server that hangs, or a network that drops replies. Closing it drops what it accepted.
 */
import { createServer, type Socket } from "node:net";

export interface SilentServer {
  readonly port: number;
  /** Connections it accepted, and how many of them the other side has not closed. */
  readonly accepted: number;
  readonly open: number;
  close(): Promise<void>;
}

export async function silentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on("error", () => {});
    // Read and drop what the client sends, so that its close is seen.
    socket.resume();
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    get accepted() {
      return accepted;
    },
    get open() {
      return sockets.size;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

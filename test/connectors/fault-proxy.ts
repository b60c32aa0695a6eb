/**
 * A TCP proxy on a free port of 127.0.0.1 in front of a real server, for network faults the
 * server cannot make itself: `cut()` drops every connection through it (a server restart, a
 * firewall timing out idle connections); `freeze()` keeps connections open but delivers nothing
 * either way and accepts new ones that get no answer (a hung server, a network that drops
 * packets) until `thaw()`.
 */
import { connect, createServer, type Socket } from "node:net";

export interface FaultProxy {
  readonly port: number;
  cut(): void;
  freeze(): void;
  thaw(): void;
  close(): Promise<void>;
}

export async function faultProxy(targetPort: number, targetHost = "127.0.0.1"): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  let frozen = false;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => sockets.delete(socket));
  };
  const server = createServer((client) => {
    track(client);
    const upstream = connect({ host: targetHost, port: targetPort });
    track(upstream);
    client.on("data", (data) => void (frozen || upstream.write(data)));
    upstream.on("data", (data) => void (frozen || client.write(data)));
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    cut() {
      for (const s of sockets) s.destroy();
    },
    freeze() {
      frozen = true;
    },
    thaw() {
      frozen = false;
    },
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

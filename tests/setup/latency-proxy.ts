/**
 * A TCP proxy that delays what clients send by a few milliseconds, as a network does: a request a client wrote
 * just before the server stopped is still on its way when the server decides which sockets are idle. Closing
 * an "idle" keep-alive socket then drops that request, which loopback alone almost never shows. When the
 * server closes its side, the client's side is closed too (what arrives then is lost, as it would be).
 */
import { createServer, connect, type Server, type Socket } from "node:net";

export interface LatencyProxy {
  port: number;
  close(): Promise<void>;
}

/** Listens on a free loopback port and forwards to 127.0.0.1:`targetPort`, client→server data `delayMs` late. */
export function startLatencyProxy(targetPort: number, delayMs: number): Promise<LatencyProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect({ host: "127.0.0.1", port: targetPort });
    sockets.add(client).add(upstream);
    let upstreamGone = false;
    client.on("data", (chunk) => {
      setTimeout(() => {
        if (!upstreamGone) upstream.write(chunk);
      }, delayMs);
    });
    client.on("end", () => setTimeout(() => upstreamGone || upstream.end(), delayMs));
    upstream.on("data", (chunk) => client.write(chunk));
    const closeBoth = () => {
      upstreamGone = true;
      client.destroy();
      upstream.destroy();
    };
    upstream.on("end", () => client.end());
    upstream.on("close", closeBoth);
    upstream.on("error", closeBoth);
    client.on("error", closeBoth);
    client.on("close", () => {
      sockets.delete(client);
      setTimeout(() => upstream.destroy(), delayMs);
    });
    upstream.on("close", () => sockets.delete(upstream));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      resolve({
        port: (server.address() as { port: number }).port,
        close: () =>
          new Promise((done) => {
            for (const socket of sockets) socket.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

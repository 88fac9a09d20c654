// The stream bench's socket.io clients, in a process of their own (bench/stream.ts forks it): as browsers are, they
// do not share the server's event loop. Connects C clients to URL, subscribes each to every job the parent names
// ({ subscribe: jobId }), and on { done: true } sends back what they saw (latency from the engine's timestamp, events
// lost) and exits.
import { io as connect, type Socket } from "socket.io-client";
import { EventWatch } from "./support";

const url = process.env.STREAM_URL!;
const C = Number(process.env.C ?? 100);
const events = new EventWatch();
const clients: Socket[] = [];
for (let c = 0; c < C; c++) {
  const s = connect(url, { transports: ["websocket"] });
  await new Promise<void>((r) => s.on("connect", () => r()));
  events.watch(s);
  clients.push(s);
}
process.on("message", (m: { subscribe?: string; done?: boolean }) => {
  if (m.subscribe) for (const s of clients) s.emit("job:subscribe", m.subscribe);
  if (m.done) {
    for (const s of clients) s.close();
    process.send!({ summary: events.summary() }, () => process.exit(0));
  }
});
process.send!({ ready: C });

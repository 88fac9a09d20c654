// What bench:ui reads in the page about its stream, on the page's own clock (ms since navigation): when the WebSocket
// was made and opened, when socket.io said connected, when the snapshot arrived (and its size), when the page showed
// "live". Recorded by a script the page runs before its own (Playwright's addInitScript).

export interface StreamMarks {
  created?: number;
  open?: number;
  connected?: number;
  snapshot?: number;
  snapshotBytes?: number;
  live?: number;
}

/** the init script: wraps the page's WebSocket to see its messages, and looks once a frame for the stream's badge */
export const streamMarksScript = `(() => {
  const marks = (window.__streamMarks = {});
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      marks.created ??= performance.now();
      this.addEventListener("open", () => { marks.open ??= performance.now(); });
      this.addEventListener("message", (e) => {
        if (typeof e.data !== "string") return;
        if (e.data.startsWith("40")) marks.connected ??= performance.now();
        else if (e.data.startsWith('42["inventory:snapshot"') && marks.snapshot === undefined) {
          marks.snapshot = performance.now();
          marks.snapshotBytes = e.data.length;
        }
      });
    }
  };
  const look = () => {
    if (marks.live === undefined && document.querySelector('[data-testid="stream-status"][data-status="live"]'))
      marks.live = performance.now();
    else requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})()`;

export const readStreamMarks = "({ ...window.__streamMarks })";

/** one load of the page: the browser's navigation timing, when the page hydrated, and the stream's marks */
export interface LoadPhases {
  ttfb: number;
  html: number;
  bytes: number;
  decoded: number;
  dcl: number;
  load: number;
  hydrated: number;
  marks: StreamMarks;
}

/** read in the page: its navigation timing and when the Cluster page hydrated (the page sets `data-hydrated-at`) */
export const readNavigation = `(() => { const n = performance.getEntriesByType("navigation")[0]; return { ttfb: n.responseStart, html: n.responseEnd, bytes: n.transferSize, decoded: n.decodedBodySize, dcl: n.domContentLoadedEventEnd, load: n.loadEventEnd, hydrated: Number(document.querySelector('[data-testid="cluster"]').dataset.hydratedAt) }; })()`;

/** one load as a sentence */
export const describeLoad = (ph: LoadPhases) =>
  `first byte of the server-rendered page ${ph.ttfb.toFixed(0)} ms, its last byte ${ph.html.toFixed(0)} ms (${(ph.bytes / 1048576).toFixed(1)} MiB, ${(ph.decoded / 1048576).toFixed(1)} MiB unpacked), DOM ready ${ph.dcl.toFixed(0)} ms, load ${ph.load.toFixed(0)} ms, hydrated ${ph.hydrated} ms; ${describeMarks(ph.marks)}`;

const describeMarks = (m: StreamMarks) =>
  `the stream's WebSocket made ${m.created?.toFixed(0)} ms, open ${m.open?.toFixed(0)} ms, socket.io connected ${m.connected?.toFixed(0)} ms, snapshot in ${m.snapshot?.toFixed(0)} ms (${((m.snapshotBytes ?? 0) / 1048576).toFixed(1)} MiB), "live" shown ${m.live?.toFixed(0)} ms (after hydration: the page listens once hydrated)`;

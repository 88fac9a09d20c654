// argv of every xm command Ferry runs (xm(1) of Xen 4.1–4.4; lib/toolstacks/REFERENCE.md §2), and the files of
// xend it reads. Built here only; the plain Linux commands are in ../linux/host-commands.ts.

export const XEND_CONFIG = "/etc/xen/xend-config.sxp";
export const XEND_LOG = "/var/log/xen/xend.log";

export const xmInfo = () => ["xm", "info"];
export const xmList = () => ["xm", "list"];
export const xmListLong = () => ["xm", "list", "--long"];
export const xmSave = (dom: string, file: string) => ["xm", "save", dom, file];
export const xmRestore = (file: string) => ["xm", "restore", file];
/** live, through the target's relocation server on `port` (SSL relocation with `ssl`) */
export const xmMigrate = (dom: string, host: string, port: number, ssl: boolean) => [
  "xm",
  "migrate",
  "--live",
  ...(ssl ? ["--ssl"] : []),
  "--port",
  String(port),
  dom,
  host,
];
export const xendConfig = () => ["cat", XEND_CONFIG];
/** the log's size in bytes, then what was appended after a byte offset */
export const xendLogSize = () => ["wc", "-c", XEND_LOG];
export const xendLogFrom = (offset: number) => ["tail", "-c", `+${offset + 1}`, XEND_LOG];
/** does TCP `port` of `address` accept a connection (netcat's zero-I/O mode, 5 s)? */
export const probePort = (address: string, port: number) => ["nc", "-z", "-w", "5", address, String(port)];

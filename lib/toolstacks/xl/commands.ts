// argv of every xl command Ferry runs (xl(1); lib/toolstacks/REFERENCE.md §1). Built here only; the plain
// Linux commands (cat, ip, stat…) are in ../linux/host-commands.ts.

export const xlInfo = () => ["xl", "info"];
export const xlList = () => ["xl", "list"];
export const xlListLong = () => ["xl", "list", "-l"];
export const xlUptime = () => ["xl", "uptime"];
export const xlMigrate = (dom: string, host: string) => ["xl", "migrate", dom, host];
export const xlSave = (dom: string, file: string) => ["xl", "save", dom, file];
export const xlRestore = (file: string) => ["xl", "restore", file];

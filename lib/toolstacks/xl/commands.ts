// argv of every xl command Ferry runs (xl(1); shared/reference/toolstacks.md §1). Built here only.

export const xlInfo = () => ["xl", "info"];
export const xlList = () => ["xl", "list"];
export const xlListLong = () => ["xl", "list", "-l"];
export const xlUptime = () => ["xl", "uptime"];
export const unameMachine = () => ["uname", "-m"];
export const cpuinfo = () => ["cat", "/proc/cpuinfo"];
export const ipAddr = () => ["ip", "-o", "addr"];

import { startDiskGuest } from "./e2e/lab/disk-guest.ts";
startDiskGuest("/tmp/ferry-lab", "hostB");

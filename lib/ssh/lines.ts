/** Frames a byte stream into lines, keeping a partial last line for the next chunk. */
export class LineFramer {
  private tail = "";
  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string): void {
    const parts = (this.tail + chunk).split("\n");
    this.tail = parts.pop() ?? "";
    for (const line of parts) this.onLine(line.endsWith("\r") ? line.slice(0, -1) : line);
  }

  end(): void {
    if (this.tail) this.onLine(this.tail);
    this.tail = "";
  }
}

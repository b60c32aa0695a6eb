/** Buffers formatted lines for a file descriptor and writes them in large chunks. */
import { writeSync } from "node:fs";

export class LineWriter {
  private pending = "";

  constructor(
    private readonly fd: number,
    private readonly flushBytes: number,
  ) {}

  writeLine(line: string): void {
    this.pending += line + "\n";
    if (this.pending.length >= this.flushBytes) this.flush();
  }

  flush(): void {
    if (this.pending.length > 0) {
      writeSync(this.fd, this.pending);
      this.pending = "";
    }
  }
}

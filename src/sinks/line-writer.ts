/** Buffers formatted lines for a file descriptor and writes them in large chunks, all bytes of each. */
import { Buffer } from "node:buffer";
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

  /** Writes everything buffered; a short write (possible on pipes) is continued, not dropped. */
  flush(): void {
    if (this.pending.length === 0) return;
    const bytes = Buffer.from(this.pending);
    this.pending = "";
    for (let at = 0; at < bytes.length; ) at += writeSync(this.fd, bytes, at, bytes.length - at);
  }
}

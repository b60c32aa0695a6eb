/**
 * Hears the print sinks of this process (on any thread) announce that standard output was closed
 * by its reader, as when a job's output is piped into `head`; the run command then ends the job,
 * as a SIGPIPE would end a shell tool. A closed standard error is not reported here.
 */
import { BroadcastChannel } from "node:worker_threads";
import { OUTPUT_CLOSED_CHANNEL, type OutputClosedMessage } from "../sinks/print.ts";

export class StdoutClosedWatch {
  private readonly controller = new AbortController();
  private readonly channel = new BroadcastChannel(OUTPUT_CLOSED_CHANNEL);

  constructor() {
    this.channel.onmessage = (event) => {
      if ((event as { data?: Partial<OutputClosedMessage> }).data?.stream === "stdout") this.controller.abort();
    };
    this.channel.unref();
  }

  /** Aborted once standard output was closed. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get closed(): boolean {
    return this.controller.signal.aborted;
  }

  dispose(): void {
    this.channel.close();
  }
}

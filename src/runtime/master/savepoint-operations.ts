/**
 * The savepoint operations of one running job, by trigger id: what `POST /jobs/:id/savepoints` and
 * `POST /jobs/:id/stop` start and `GET /jobs/:id/savepoints/:triggerId` reports (Flink's
 * asynchronous operations). Pure bookkeeping: an operation starts in progress and is settled
 * once, with the savepoint's directory or the reason it failed.
 *
 * Invariants: trigger ids are unique within the job; a settled operation never changes; at most
 * `historySize` settled operations are kept, the newest.
 */
import { randomBytes } from "node:crypto";
import { evictEnded } from "../../core/bounded-history.ts";

export type SavepointOperationStatus =
  | { readonly status: "in-progress" }
  | { readonly status: "completed"; readonly location: string; readonly checkpointId: number }
  | { readonly status: "failed"; readonly cause: string };

export type SavepointResult = { readonly ok: true; readonly location: string; readonly checkpointId: number } | { readonly ok: false; readonly cause: string };

const DEFAULT_HISTORY_SIZE = 100;

export class SavepointOperations {
  private readonly operations = new Map<string, SavepointOperationStatus>();
  /** Settled operations whose outcome nobody has read yet. */
  private readonly unread = new Set<string>();

  constructor(
    private readonly historySize: number = DEFAULT_HISTORY_SIZE,
    private readonly newTriggerId: () => string = () => randomBytes(16).toString("hex"),
  ) {}

  /** A new operation, in progress; returns its trigger id. */
  start(): string {
    let id = this.newTriggerId();
    while (this.operations.has(id)) id = this.newTriggerId();
    this.operations.set(id, { status: "in-progress" });
    return id;
  }

  /** Settles operation `triggerId`; a second settlement is ignored. */
  settle(triggerId: string, result: SavepointResult): void {
    if (this.operations.get(triggerId)?.status !== "in-progress") return;
    this.operations.delete(triggerId);
    this.operations.set(triggerId, result.ok ? { status: "completed", location: result.location, checkpointId: result.checkpointId } : { status: "failed", cause: result.cause });
    this.unread.add(triggerId);
    for (const id of evictEnded(this.operations, (op) => op.status !== "in-progress", this.historySize)) this.unread.delete(id);
  }

  /** The operation's status; a settled one counts as read from now on. */
  get(triggerId: string): SavepointOperationStatus | undefined {
    const operation = this.operations.get(triggerId);
    if (operation?.status !== "in-progress") this.unread.delete(triggerId);
    return operation;
  }

  /** How many settled operations nobody has read: a job that ends waits a little for them to be read. */
  get unreadCount(): number {
    return this.unread.size;
  }
}

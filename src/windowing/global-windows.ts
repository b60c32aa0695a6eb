/**
 * One window for all elements of a key (Flink's GlobalWindows). Its default trigger never fires,
 * so global windows are used with a trigger of their own, as count windows are.
 */
import { NeverTrigger } from "./never-trigger.ts";
import type { Trigger } from "./trigger.ts";
import { WindowAssigner, type WindowAssignerContext } from "./window-assigner.ts";
import { GlobalWindow, globalWindowSerializer, type WindowSerializer } from "./windows.ts";

export class GlobalWindows extends WindowAssigner<unknown, GlobalWindow> {
  private static readonly instance = new GlobalWindows();
  private static readonly windows: readonly GlobalWindow[] = [GlobalWindow.get()];

  private constructor() {
    super();
  }

  static create(): GlobalWindows {
    return GlobalWindows.instance;
  }

  assignWindows(_element: unknown, _timestamp: number | undefined, _context: WindowAssignerContext): GlobalWindow[] {
    return GlobalWindows.windows.slice();
  }

  getDefaultTrigger(): Trigger<unknown, GlobalWindow> {
    return new NeverTrigger();
  }

  getWindowSerializer(): WindowSerializer<GlobalWindow> {
    return globalWindowSerializer;
  }

  isEventTime(): boolean {
    return false;
  }

  override toString(): string {
    return "GlobalWindows()";
  }
}

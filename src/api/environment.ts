/**
 * The environment a job builds its pipeline in: configuration (parallelism, key groups, batching)
 * and the logical graph the DataStream API appends to. Every worker runs the job's build function
 * against a fresh environment and must arrive at the same graph.
 */
import { invalidArgument } from "../core/errors.ts";
import { checkMaxParallelism } from "../core/key-groups.ts";
import { nodeId } from "../core/ids.ts";
import type { Source } from "../sources/source.ts";
import type { AnySource, SourceSplit, SplitSource } from "../sources/split-source.ts";
import { elementsSource } from "../sources/elements.ts";
import { fileLinesSource } from "../sources/file-lines.ts";
import type { StreamGraph, StreamNode } from "../graph/stream-graph.ts";
import { resolveStreamGraph } from "../graph/validate.ts";
import { appendOperator, SingleOutputStream, timestampsAndWatermarks } from "./data-stream.ts";
import { WatermarkStrategy } from "./watermark-strategy.ts";
import { checkpointingSettings, type CheckpointingOptions, type CheckpointingSettings } from "./checkpointing-settings.ts";
import { resolveRestartStrategyConfig, type ResolvedRestartStrategyConfig, type RestartStrategyConfig } from "../recovery/restart-config.ts";
import { parseRestartStrategy } from "../recovery/parse-restart-strategy.ts";
import { JobArgs } from "./job-args.ts";
import { checkParallelism, defaultEnvironmentConfig, ExecutionConfig, type EnvironmentConfig } from "./execution-config.ts";
import { resolveStateBackend, type StateBackendChoice } from "./state-backend-choice.ts";
import type { StateBackendName } from "../state/state-backends.ts";
import type { StreamGraphBuilder } from "./stream-graph-builder.ts";

export { defaultEnvironmentConfig } from "./execution-config.ts";
export type { EnvironmentConfig } from "./execution-config.ts";

/** The unaligned-checkpoint part of Flink's `CheckpointConfig`; each setter returns the config. */
export interface UnalignedCheckpointConfig {
  /** Exactly-once checkpoints overtake the records in flight and store them (see CheckpointingOptions.unaligned). */
  enableUnalignedCheckpoints(enabled?: boolean): UnalignedCheckpointConfig;
  isUnalignedCheckpointsEnabled(): boolean;
  /** Start aligned; switch to unaligned once a checkpoint is this old (milliseconds; 0, the default: at once). */
  setAlignedCheckpointTimeout(ms: number): UnalignedCheckpointConfig;
  getAlignedCheckpointTimeout(): number;
}

export class StreamExecutionEnvironment implements StreamGraphBuilder {
  readonly args: JobArgs;
  private readonly config: ExecutionConfig;
  private readonly nodes: StreamNode[] = [];
  private checkpointing: { readonly intervalMs: number; readonly options: CheckpointingOptions } | undefined;
  /** What `getCheckpointConfig()` set; it wins over the options of `enableCheckpointing`. */
  private readonly checkpointConfig: { unaligned?: boolean; alignedCheckpointTimeoutMs?: number } = {};
  private restartStrategy: ResolvedRestartStrategyConfig | undefined;

  constructor(config: Partial<EnvironmentConfig> = {}, args: JobArgs = new JobArgs()) {
    this.config = new ExecutionConfig({ ...defaultEnvironmentConfig(), ...config });
    this.args = args;
  }

  setParallelism(parallelism: number): this {
    checkParallelism(parallelism, "parallelism");
    this.config.parallelism = parallelism;
    return this;
  }

  getParallelism(): number {
    return this.config.parallelism;
  }

  setMaxParallelism(maxParallelism: number): this {
    checkMaxParallelism(maxParallelism);
    this.config.maxParallelism = maxParallelism;
    return this;
  }

  getMaxParallelism(): number {
    return this.config.maxParallelism;
  }

  setBufferSize(records: number): this {
    checkParallelism(records, "buffer size");
    this.config.bufferSize = records;
    return this;
  }

  setBufferTimeout(ms: number): this {
    if (!(ms >= 0)) throw invalidArgument(`buffer timeout must be zero or more milliseconds, got ${ms}`);
    this.config.bufferTimeoutMs = ms;
    return this;
  }

  /**
   * Buffer debloating (Flink's `taskmanager.network.memory.buffer-debloat.enabled`): each task
   * measures how many records it processes per second and has its producers send batches small
   * enough that the records in flight towards it take about `targetMs` to process (Flink's
   * `buffer-debloat.target`, 1 s by default; never more than the buffer size per batch). Under
   * back-pressure this keeps aligned checkpoints quick and unaligned ones small.
   */
  enableBufferDebloat(targetMs?: number): this {
    if (targetMs !== undefined) checkDebloatTarget(targetMs);
    this.config.bufferDebloat = true;
    if (targetMs !== undefined) this.config.bufferDebloatTargetMs = targetMs;
    return this;
  }

  disableBufferDebloat(): this {
    this.config.bufferDebloat = false;
    return this;
  }

  /**
   * Where keyed state lives: a backend's name ("heap", the default, or "disk") or a backend object
   * (`new HashMapStateBackend()`, `new EmbeddedDiskStateBackend()`, as in Flink). Checkpoints and
   * savepoints are in one format for every backend: a job restores from either onto either.
   */
  setStateBackend(backend: StateBackendName | StateBackendChoice): this {
    const choice = resolveStateBackend(backend);
    this.config.stateBackend = choice.name;
    this.config.localStateDirectory = choice.localDirectory;
    return this;
  }

  /**
   * Incremental checkpoints (Flink's changelog state backend, FLIP-158): keyed state backends
   * record which entries change, and each checkpoint writes only those (and the keys removed) to
   * the job's `shared/` directory, referencing the earlier files of its chain; a full snapshot is
   * materialised in the background now and then and starts a new chain. Off by default for the
   * heap backend, on for the disk backend; `weir run --incremental` turns it on too.
   */
  enableChangelogStateBackend(enabled: boolean): this {
    if (typeof enabled !== "boolean") throw invalidArgument(`enableChangelogStateBackend takes true or false, got ${String(enabled)}`);
    this.config.incrementalCheckpoints = enabled;
    return this;
  }

  /** Whether checkpoints of keyed state are incremental; undefined when the backend's default applies. */
  isChangelogStateBackendEnabled(): boolean | undefined {
    return this.config.incrementalCheckpoints;
  }

  /** The name of the keyed state backend the job's keyed operators get. */
  getStateBackend(): StateBackendName {
    return this.config.stateBackend;
  }

  /** The job's execution settings, to read or change (`env.getConfig().enableObjectReuse()`). */
  getConfig(): ExecutionConfig {
    return this.config;
  }

  /**
   * Takes a checkpoint every `intervalMs`: barriers flow from the sources with the records, every
   * task snapshots its state, and sinks that commit with checkpoints make output visible. After a
   * failure the job restarts from the latest completed checkpoint.
   */
  enableCheckpointing(intervalMs: number, options: CheckpointingOptions = {}): this {
    checkpointingSettings(intervalMs, { ...options, ...this.checkpointConfig });
    this.checkpointing = { intervalMs, options };
    return this;
  }

  getCheckpointing(): CheckpointingSettings | undefined {
    const c = this.checkpointing;
    return c === undefined ? undefined : checkpointingSettings(c.intervalMs, { ...c.options, ...this.checkpointConfig });
  }

  /**
   * The checkpoint settings Flink keeps in `CheckpointConfig`, to change after (or before)
   * `enableCheckpointing`: `env.getCheckpointConfig().enableUnalignedCheckpoints()`.
   */
  getCheckpointConfig(): UnalignedCheckpointConfig {
    const config = this.checkpointConfig;
    const current = () => this.getCheckpointing() ?? checkpointingSettings(1, config);
    return {
      enableUnalignedCheckpoints(enabled = true) {
        if (typeof enabled !== "boolean") throw invalidArgument(`enableUnalignedCheckpoints takes true or false, got '${String(enabled)}'`);
        config.unaligned = enabled;
        return this;
      },
      isUnalignedCheckpointsEnabled: () => current().unaligned,
      setAlignedCheckpointTimeout(ms: number) {
        if (!(Number.isFinite(ms) && ms >= 0)) throw invalidArgument(`aligned checkpoint timeout must be zero or more milliseconds, got ${String(ms)}`);
        config.alignedCheckpointTimeoutMs = ms;
        return this;
      },
      getAlignedCheckpointTimeout: () => current().alignedCheckpointTimeoutMs,
    };
  }

  /**
   * What happens when a task fails: "none", "fixed-delay", "exponential-delay" or "failure-rate",
   * as an object or a string such as "fixed-delay:attempts=3,delay=1s". Without one, a job with
   * checkpoints restarts with exponential delay, and a job without does not restart.
   */
  setRestartStrategy(strategy: RestartStrategyConfig | string): this {
    this.restartStrategy = resolveRestartStrategyConfig(typeof strategy === "string" ? parseRestartStrategy(strategy) : strategy);
    return this;
  }

  getRestartStrategy(): ResolvedRestartStrategyConfig | undefined {
    return this.restartStrategy;
  }

  /**
   * A stream read from `source`. With a watermark strategy (Flink's
   * `fromSource(source, strategy, name)`), its records get timestamps and the stream watermarks
   * as `assignTimestampsAndWatermarks(strategy)` right after the source would give them.
   */
  fromSource<T>(source: Source<T>, name?: string): SingleOutputStream<T>;
  fromSource<T>(source: Source<T>, watermarkStrategy: WatermarkStrategy<T>, name?: string): SingleOutputStream<T>;
  fromSource<T>(source: SplitSource<T, SourceSplit, unknown>, name?: string): SingleOutputStream<T>;
  fromSource<T>(source: SplitSource<T, SourceSplit, unknown>, watermarkStrategy: WatermarkStrategy<T>, name?: string): SingleOutputStream<T>;
  fromSource<T>(source: AnySource<T>, strategyOrName?: WatermarkStrategy<T> | string, maybeName?: string): SingleOutputStream<T> {
    if (strategyOrName instanceof WatermarkStrategy) {
      const sourceId = this.addSource(source, maybeName);
      const id = appendOperator(this, sourceId, "Timestamps/Watermarks", timestampsAndWatermarks(this, strategyOrName));
      // Errors of the assigner name the source it reads.
      if (maybeName !== undefined) this.node(id).name = `Timestamps/Watermarks: ${maybeName}`;
      return new SingleOutputStream<T>(this, id, sourceId);
    }
    if (strategyOrName !== undefined && typeof strategyOrName !== "string") {
      throw invalidArgument("fromSource(source, strategy, name) expects a WatermarkStrategy (WatermarkStrategy.forMonotonousTimestamps(), ...) or a name");
    }
    return new SingleOutputStream<T>(this, this.addSource(source, strategyOrName));
  }

  private addSource<T>(source: AnySource<T>, name: string | undefined): ReturnType<typeof nodeId> {
    const id = nodeId(this.nodes.length);
    this.nodes.push({
      kind: "source",
      id,
      operatorType: "Source",
      name: name === undefined ? undefined : `Source: ${name}`,
      uid: undefined,
      parallelism: undefined,
      inputs: [],
      source: source as AnySource<unknown>,
    });
    return id;
  }

  /** A bounded stream of the given elements, split over the source's subtasks. */
  fromElements<T>(...elements: T[]): SingleOutputStream<T> {
    return this.fromSource(elementsSource(elements), "elements");
  }

  /** A bounded stream of the lines of text files, read in byte-range splits (see docs/sources.md). */
  readTextFile(...paths: string[]): SingleOutputStream<string> {
    return this.fromSource(fileLinesSource(paths), paths.length === 1 ? paths[0] : "files");
  }

  addNode(create: (id: ReturnType<typeof nodeId>) => StreamNode): StreamNode {
    const node = create(nodeId(this.nodes.length));
    this.nodes.push(node);
    return node;
  }

  node(id: number): StreamNode {
    return this.nodes[id]!;
  }

  /** The graph with every parallelism resolved; refuses graphs that cannot run. */
  buildGraph(): StreamGraph {
    return resolveStreamGraph(this.nodes, this.config);
  }
}

function checkDebloatTarget(targetMs: number): void {
  if (typeof targetMs !== "number" || !Number.isFinite(targetMs) || targetMs <= 0) {
    throw invalidArgument(`the buffer debloat target must be more than 0 milliseconds, got ${String(targetMs)}`);
  }
}

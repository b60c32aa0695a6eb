/** Weir's public API. Everything not exported here is internal and may change. */
export { defineJob, isJobDefinition } from "./api/define-job.ts";
export type { JobBuilder, JobDefinition } from "./api/define-job.ts";
export { StreamExecutionEnvironment } from "./api/environment.ts";
export type { EnvironmentConfig } from "./api/environment.ts";
export { EmbeddedDiskStateBackend, HashMapStateBackend, type StateBackendChoice } from "./api/state-backend-choice.ts";
export { DataStream, DataStreamSink, SingleOutputStream, KeyedStream, ConnectedStreams } from "./api/data-stream.ts";
export type { NumericField } from "./api/field-aggregations.ts";
export { AllWindowedStream, WindowedStream } from "./api/windowed-stream.ts";
export { CoGroupedStreams, CoGroupedWindow, JoinedStreams, JoinedWindow } from "./api/co-grouped-streams.ts";
export { CoGroupFunction, FlatJoinFunction, JoinFunction, RichCoGroupFunction, RichFlatJoinFunction, RichJoinFunction } from "./api/join-functions.ts";
export { JobArgs } from "./api/job-args.ts";
export { AbstractRichFunction, KeyedProcessFunction, CoProcessFunction, ProcessFunction } from "./api/functions.ts";
export { OutputTag } from "./api/output-tag.ts";
export { IntervalJoin, IntervalJoined } from "./api/interval-join.ts";
export { ProcessJoinFunction } from "./api/process-join-function.ts";
export type { ProcessJoinContext, ProcessJoinFunctionLike } from "./api/process-join-function.ts";
export { AsyncDataStream } from "./api/async-data-stream.ts";
export { AsyncFunction, RichAsyncFunction } from "./api/async-function.ts";
export type { AsyncFunctionLike, ResultFuture } from "./api/async-function.ts";
export { BroadcastStream, BroadcastConnectedStream } from "./api/broadcast-stream.ts";
export { BroadcastProcessFunction, KeyedBroadcastProcessFunction } from "./api/broadcast-functions.ts";
export type {
  BroadcastContext,
  BroadcastReadOnlyContext,
  KeyedBroadcastContext,
  KeyedBroadcastOnTimerContext,
  KeyedBroadcastReadOnlyContext,
  KeyedStateFunction,
} from "./api/broadcast-functions.ts";
export type { BroadcastState, OperatorStateStore, ReadOnlyBroadcastState } from "./state/operator-state.ts";
export type {
  CheckpointedFunction,
  FunctionInitializationContext,
  FunctionSnapshotContext,
  KeyedStateStore,
  Collector,
  FilterFunction,
  FlatMapFunction,
  KeyedContext,
  KeySelector,
  Lifecycle,
  MapFunction,
  OnTimerContext,
  ProcessContext,
  ReduceFunction,
  RuntimeContext,
  TimerService,
} from "./api/functions.ts";
export { TimeDomain } from "./api/functions.ts";
export { WatermarkStrategy } from "./api/watermark-strategy.ts";
export type { TimestampAssigner, WatermarkGeneratorSupplier, WatermarkGeneratorSupplierContext } from "./api/watermark-strategy.ts";
export {
  AscendingTimestampsWatermarks,
  BoundedOutOfOrdernessWatermarks,
  NoWatermarksGenerator,
  WatermarksWithIdleness,
} from "./api/watermark-generators.ts";
export type { WatermarkGenerator, WatermarkOutput } from "./api/watermark-generators.ts";
export { Watermark, MAX_WATERMARK, MIN_WATERMARK } from "./core/watermark.ts";
export * from "./state/descriptors.ts";
export { StateTtlConfig, StateTtlConfigBuilder, StateVisibility, TtlTimeCharacteristic, UpdateType } from "./state/ttl/state-ttl-config.ts";
export type { CleanupStrategies } from "./state/ttl/state-ttl-config.ts";
export type * from "./state/state.ts";
export {
  ContinuousEventTimeTrigger,
  ContinuousProcessingTimeTrigger,
  CountEvictor,
  CountTrigger,
  DeltaEvictor,
  DynamicEventTimeSessionWindows,
  DynamicProcessingTimeSessionWindows,
  EventTimeSessionWindows,
  EventTimeTrigger,
  GlobalWindow,
  GlobalWindows,
  MergingWindowAssigner,
  ProcessingTimeSessionWindows,
  ProcessingTimeTrigger,
  ProcessAllWindowFunction,
  ProcessWindowFunction,
  PurgingTrigger,
  SlidingEventTimeWindows,
  SlidingProcessingTimeWindows,
  TimeEvictor,
  TimestampedValue,
  TimeWindow,
  Trigger,
  TriggerResult,
  TumblingEventTimeWindows,
  TumblingProcessingTimeWindows,
  Window,
  WindowAssigner,
} from "./windowing/index.ts";
export type {
  AllWindowFunction,
  DeltaFunction,
  Evictor,
  EvictorContext,
  OnMergeContext,
  ProcessWindowFunctionContext,
  SessionWindowTimeGapExtractor,
  TriggerContext,
  WindowAssignerContext,
  WindowFunction,
} from "./windowing/index.ts";
export * from "./sources/index.ts";
export type { Sink, SinkContext, SinkWriter } from "./sinks/sink.ts";
export { printSink } from "./sinks/print.ts";
export type { PrintSinkOptions } from "./sinks/print.ts";
export { fileSink } from "./sinks/file.ts";
export type { FileSinkOptions } from "./sinks/file.ts";
export { collectSink, discardingSink } from "./sinks/collect.ts";
export { twoPhaseCommitSink } from "./sinks/two-phase-commit-sink.ts";
export type { TransactionalWriter, TwoPhaseCommitState } from "./sinks/two-phase-commit-sink.ts";
export { committingFileSink } from "./sinks/committing-file-sink.ts";
export type { CommittingFileSinkOptions, PartFile } from "./sinks/committing-file-sink.ts";
export { postgresTwoPhaseCommitSink, postgresUpsertSink } from "./sinks/postgres/postgres-sinks.ts";
export { mariadbXaSink, mariadbUpsertSink } from "./sinks/mariadb/mariadb-sinks.ts";
export type { SqlTwoPhaseCommitSinkOptions, SqlTransaction } from "./sinks/sql/sql-two-phase-commit-sink.ts";
export type { SqlUpsertSinkOptions } from "./sinks/sql/sql-upsert-sink.ts";
export type { SqlConnectionOptions } from "./sinks/sql/sql-server.ts";
export type { RetryPolicy } from "./core/retry.ts";
export { SqlSinkMetrics } from "./sinks/sql/sql-sink-metrics.ts";
// NATS JetStream: a replayable source (stream sequences in checkpoints) and an idempotent sink.
export { natsSource } from "./connectors/nats/nats-source.ts";
export type { NatsSource, NatsSourceOptions } from "./connectors/nats/nats-source.ts";
export type { NatsStreamSplit, NatsEnumeratorState, NatsStartPosition, NatsStopPosition } from "./connectors/nats/nats-stream-split.ts";
export { NatsSourceMetrics } from "./connectors/nats/nats-stream-reader.ts";
export { natsSink } from "./connectors/nats/nats-sink.ts";
export type { NatsSinkOptions } from "./connectors/nats/nats-sink.ts";
export { NatsSinkMetrics } from "./connectors/nats/nats-publisher.ts";
export type { NatsConnectionOptions } from "./connectors/nats/nats-connection.ts";
export type { NatsDeserializer, NatsSerializer, NatsMessageMeta } from "./connectors/nats/nats-codec.ts";
export { writeAheadSink } from "./sinks/write-ahead-sink.ts";
export type { WriteAheadBatch, WriteAheadTarget } from "./sinks/write-ahead-sink.ts";
export type { CheckpointingOptions } from "./api/checkpointing-settings.ts";
export type { CheckpointListener } from "./api/functions.ts";
export type { CheckpointStats, CheckpointStatsSnapshot } from "./checkpoint/coordinator/stats.ts";
export type { RestartStrategyConfig } from "./recovery/restart-config.ts";
export type { AttemptEvent, RestartEvent } from "./runtime/run-options.ts";
export type { JobRunInfo } from "./runtime/job-result.ts";
export { runJob } from "./runtime/run-job.ts";
export type { JobProgress, RunOptions, RuntimeMode } from "./runtime/run-options.ts";
export { describeJobStatus } from "./runtime/job-status.ts";
export type { CheckpointingStatus, JobState, JobStatusReader, JobStatusReport, PendingCheckpointStatus } from "./runtime/job-status.ts";
export type { JobControl, JobStatus, JobVertexInfo, SavepointTrigger } from "./runtime/job-control.ts";
export type { SavepointOperationStatus } from "./runtime/master/savepoint-operations.ts";
export type { SavepointType } from "./checkpoint/coordinator/savepoint-type.ts";
export { JobResult } from "./runtime/job-result.ts";
export type { ConnectorMetrics, OperatorMetrics } from "./runtime/metrics.ts";
export { ErrorCodes, WeirError, InvalidJobError, JobFailedError, JobCancelledError, JobModuleError } from "./core/errors.ts";
export type { ErrorCode } from "./core/errors.ts";
export { ManualClock, systemClock } from "./core/clock.ts";
export type { Clock } from "./core/clock.ts";
export { kafkaSink } from "./connectors/kafka/kafka-sink.ts";
export type { KafkaSinkOptions, DeliveryGuarantee } from "./connectors/kafka/kafka-sink.ts";
export type { KafkaConnectionOptions } from "./connectors/kafka/kafka-connection.ts";
export type { KafkaRecordMapping, KafkaBytes } from "./connectors/kafka/record-mapping.ts";
export type { KafkaTransactionHandle } from "./connectors/kafka/transaction-coordinator.ts";
export { kafkaSource } from "./connectors/kafka/kafka-source.ts";
export { readKafkaTopic } from "./connectors/kafka/read-topic.ts";
export type { ReadKafkaTopicOptions } from "./connectors/kafka/read-topic.ts";
export type { KafkaSourceOptions, KafkaSourceRecord, KafkaDeserializer, KafkaStartingOffsets, KafkaPartitionSplit } from "./connectors/kafka/kafka-source.ts";

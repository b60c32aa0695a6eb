import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { WeirError } from "../../../src/core/errors.ts";
import { ValueStateDescriptor } from "../../../src/state/descriptors.ts";
import { StateTtlConfig, StateVisibility, UpdateType } from "../../../src/state/ttl/state-ttl-config.ts";

const invalid = (fragment: string) => (e: unknown) => e instanceof WeirError && e.code === "WEIR_ERR_INVALID_ARGUMENT" && e.message.includes(fragment);

describe("StateTtlConfig", () => {
  it("defaults to Flink's: renewed on create and write, expired values never returned", () => {
    const config = StateTtlConfig.newBuilder(1_000).build();
    assert.equal(config.getTtl(), 1_000);
    assert.equal(config.getUpdateType(), UpdateType.OnCreateAndWrite);
    assert.equal(config.getStateVisibility(), StateVisibility.NeverReturnExpired);
    assert.equal(config.isEnabled(), true);
    assert.equal(config.getCleanupStrategies().incrementalCleanupSize, 0);
  });

  it("the builder sets update type, visibility and cleanup, Flink's second cleanup argument included", () => {
    const config = StateTtlConfig.newBuilder(5)
      .setUpdateType(UpdateType.OnReadAndWrite)
      .setStateVisibility(StateVisibility.ReturnExpiredIfNotCleanedUp)
      .cleanupFullSnapshot()
      .cleanupIncrementally(7, true)
      .build();
    assert.equal(config.getUpdateType(), "OnReadAndWrite");
    assert.equal(config.getStateVisibility(), "ReturnExpiredIfNotCleanedUp");
    assert.deepEqual(config.getCleanupStrategies(), { fullSnapshot: true, incrementalCleanupSize: 7, runCleanupForEveryRecord: true });
  });

  it("DISABLED turns TTL off, and the compaction-filter cleanup of Flink's RocksDB backend is accepted", () => {
    assert.equal(StateTtlConfig.DISABLED.isEnabled(), false);
    assert.equal(StateTtlConfig.newBuilder(10).cleanupInRocksdbCompactFilter(100).build().isEnabled(), true);
    assert.throws(() => StateTtlConfig.newBuilder(10).cleanupInRocksdbCompactFilter(0), invalid("compaction-filter"));
  });

  it("a TTL that is not a positive finite number of milliseconds is refused when building starts", () => {
    for (const ttl of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, "10" as unknown as number]) {
      assert.throws(() => StateTtlConfig.newBuilder(ttl), invalid("state TTL must be a positive"));
    }
    assert.throws(() => StateTtlConfig.newBuilder(10).setTtl(0), invalid("got 0"));
  });

  it("an incremental cleanup size that is not a positive integer is refused", () => {
    for (const size of [0, -3, 1.5]) assert.throws(() => StateTtlConfig.newBuilder(10).cleanupIncrementally(size), invalid("incremental cleanup size"));
  });

  it("an update type or visibility that is not one of Flink's is refused, naming the allowed ones", () => {
    assert.throws(() => StateTtlConfig.newBuilder(10).setUpdateType("OnRead" as UpdateType), invalid("OnReadAndWrite"));
    assert.throws(() => StateTtlConfig.newBuilder(10).setStateVisibility("Never" as StateVisibility), invalid("NeverReturnExpired"));
  });

  it("a descriptor takes a config with enableTimeToLive and refuses anything else", () => {
    const descriptor = new ValueStateDescriptor<number>("v");
    assert.equal(descriptor.isTtlEnabled(), false);
    const config = StateTtlConfig.newBuilder(10).build();
    descriptor.enableTimeToLive(config);
    assert.equal(descriptor.getTtlConfig(), config);
    assert.equal(descriptor.isTtlEnabled(), true);
    assert.throws(() => descriptor.enableTimeToLive({ ttl: 10 } as unknown as StateTtlConfig), invalid("StateTtlConfig.newBuilder"));
  });

  it("a descriptor without a name is refused", () => {
    assert.throws(() => new ValueStateDescriptor<number>(""), invalid("non-empty name"));
  });
});

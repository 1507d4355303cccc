package dev.kansoku.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kansoku.testkit.LocalSpark;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.junit.jupiter.api.Test;

/**
 * Progress between commits: a running task's accumulator never reaches the driver's value before the task ends,
 * but its executor's heartbeats carry it, and {@link LiveProgress} sums them. Two real tasks count 5 requests each
 * and then hold until the test has seen 10 in flight, so nothing depends on how fast the machine is.
 */
class LiveProgressTest {
  private static final CountDownLatch RELEASE = new CountDownLatch(1);

  @Test
  void runningTasksCountsArriveWithHeartbeats() throws Exception {
    SparkSession spark = LocalSpark.start("live-progress", 2, Map.of("spark.executor.heartbeatInterval", "1s"));
    LongAccumulator computed = spark.sparkContext().longAccumulator("test.requests_computed");
    LiveProgress live = new LiveProgress(computed);
    spark.sparkContext().addSparkListener(live);
    try {
      CompletableFuture<Void> job = CompletableFuture.runAsync(() ->
          JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(List.of(1, 2), 2).foreach(x -> {
            computed.add(5);
            RELEASE.await(120, TimeUnit.SECONDS);
          }));
      // heartbeats of the running tasks: 10 in flight, none yet in the accumulator on the driver
      assertTrue(await(live::inFlight, 10), "in flight: " + live.inFlight());
      assertEquals(0, computed.value());
      RELEASE.countDown();
      job.get(120, TimeUnit.SECONDS);
      // ended tasks leave the in-flight sum; their counts are now the accumulator's
      assertTrue(await(live::inFlight, 0), "in flight after the job: " + live.inFlight());
      assertEquals(10, computed.value());
    } finally {
      RELEASE.countDown();
      spark.sparkContext().removeSparkListener(live);
      spark.stop();
    }
  }

  private static boolean await(LongSupplier value, long expected) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
    while (System.nanoTime() < deadline) {
      if (value.getAsLong() == expected) {
        return true;
      }
      Thread.sleep(100);
    }
    return false;
  }
}

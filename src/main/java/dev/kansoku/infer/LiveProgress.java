package dev.kansoku.infer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.util.LongAccumulator;
import scala.Tuple4;

/**
 * Requests computed by inference tasks that are still running. A {@link LongAccumulator} reaches the driver only
 * when its task ends, which for an inference task can be many minutes; but executors also send every running
 * task's accumulator values with their heartbeats ({@code spark.executor.heartbeatInterval}, 10 s by default), and
 * Spark posts them to listeners. This listener keeps the latest value per running task and forgets it when the
 * task ends (a successful task's count is then in the accumulator itself; a failed one's requests are redone).
 * The live total is therefore {@code accumulator.value() + inFlight()}, up to one heartbeat behind.
 */
public final class LiveProgress extends SparkListener {
  private final long accumulatorId;
  private final Map<Long, Long> running = new ConcurrentHashMap<>();

  public LiveProgress(LongAccumulator computed) {
    this.accumulatorId = computed.id();
  }

  /** Requests counted by tasks that have not ended yet, as of their executors' last heartbeats. */
  public long inFlight() {
    return running.values().stream().mapToLong(Long::longValue).sum();
  }

  @Override
  public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
    scala.collection.Iterator<Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>>> tasks =
        update.accumUpdates().iterator();
    while (tasks.hasNext()) {
      Tuple4<Object, Object, Object, scala.collection.immutable.Seq<AccumulableInfo>> task = tasks.next();
      scala.collection.Iterator<AccumulableInfo> infos = task._4().iterator();
      while (infos.hasNext()) {
        AccumulableInfo info = infos.next();
        if (info.id() == accumulatorId && info.update().isDefined() && info.update().get() instanceof Number n) {
          running.put((Long) task._1(), n.longValue());
        }
      }
    }
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd end) {
    running.remove(end.taskInfo().taskId());
  }
}
